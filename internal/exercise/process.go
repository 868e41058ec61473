package exercise

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Process is the learner's program while it runs, as an exercise's During
// sees it: what it has printed so far, and a Ctrl-C.
type Process struct {
	stdout *capped
	done   chan struct{}

	mu          sync.Mutex
	ctrlC       func() error // what Ctrl-C sends, on this platform
	interrupted time.Time
}

// Output returns what the program has printed on stdout so far.
func (p *Process) Output() string { return p.stdout.String() }

// Done is closed when the program has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Interrupt sends the program Ctrl-C (SIGINT; Ctrl-Break on Windows), as
// a learner would. A program that has already exited is not interrupted:
// os.ErrProcessDone.
func (p *Process) Interrupt() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	at := time.Now()
	err := p.ctrlC()
	if err == nil && p.interrupted.IsZero() {
		p.interrupted = at
	}
	return err
}

// interruptedAt returns when Interrupt was first called (zero if never).
func (p *Process) interruptedAt() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.interrupted
}

// WaitPrinted waits until the program has printed every one of words on
// stdout, or has exited, or timeout has passed, and says whether they all
// were printed.
func (p *Process) WaitPrinted(ctx context.Context, timeout time.Duration, words ...string) bool {
	printed := func() bool {
		out := p.Output()
		for _, w := range words {
			if !strings.Contains(out, w) {
				return false
			}
		}
		return true
	}
	// Once more after the wait: a program may print its last words and
	// exit between two looks.
	return pollUntil(ctx, timeout, 20*time.Millisecond, p.done, printed) || printed()
}
