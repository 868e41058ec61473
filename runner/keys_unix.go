//go:build unix

package main

import (
	"context"
	"errors"
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
)

// terminalKeys reads single key presses from a terminal in raw mode, without
// blocking: it polls, so that no goroutine is left reading stdin afterwards
// to steal the next key a prompt wants.
type terminalKeys struct {
	f     *os.File
	state *term.State
}

func openKeys(f *os.File) (keySource, error) {
	state, err := term.MakeRaw(int(f.Fd()))
	if err != nil {
		return nil, err
	}
	return &terminalKeys{f: f, state: state}, nil
}

func (k *terminalKeys) close() { term.Restore(int(k.f.Fd()), k.state) }

func (k *terminalKeys) wait(ctx context.Context, d time.Duration) (bool, error) {
	b, err := k.read(ctx, d)
	return b != nil, err
}

func (k *terminalKeys) key(ctx context.Context) (byte, error) {
	for {
		b, err := k.read(ctx, 24*time.Hour)
		if err != nil || len(b) > 0 {
			if len(b) == 0 {
				return 0, err
			}
			return b[0], err
		}
	}
}

// read waits up to d for keys and returns what one read gives (an escape
// sequence comes whole); nil when none came.
func (k *terminalKeys) read(ctx context.Context, d time.Duration) ([]byte, error) {
	deadline := time.Now().Add(d)
	fds := []unix.PollFd{{Fd: int32(k.f.Fd()), Events: unix.POLLIN}}
	for {
		if ctx.Err() != nil {
			return nil, errInterrupted
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, nil
		}
		n, err := unix.Poll(fds, int(min(left, 100*time.Millisecond)/time.Millisecond)+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			continue
		}
		buf := make([]byte, 16)
		m, err := k.f.Read(buf)
		if err != nil {
			return nil, err
		}
		for _, b := range buf[:m] {
			if b == 3 { // Ctrl-C: raw mode makes it a key, not a signal
				return nil, errInterrupted
			}
		}
		if m == 0 {
			return nil, nil
		}
		return buf[:m], nil
	}
}

// morePager is the printer's pause when the screen is full: a line that
// says more is coming, until a key is pressed. Ctrl-C there interrupts the
// run as it would anywhere (raw mode turns it into a key: it is sent on as
// SIGINT); a signal or the end of ctx ends the pause at once.
func morePager(ctx context.Context, in *os.File, out io.Writer, colored bool, tr *i18n.Catalog) func() error {
	prompt := tr.T("  ── press a key to go on, q: to the end ──")
	if colored {
		prompt = "\x1b[7m" + prompt + "\x1b[0m"
	}
	return func() error {
		k, err := openKeys(in)
		if err != nil {
			return nil
		}
		defer k.close()
		io.WriteString(out, prompt)
		defer io.WriteString(out, "\r\x1b[K")
		key, err := k.key(ctx)
		if err != nil && ctx.Err() == nil {
			syscall.Kill(os.Getpid(), syscall.SIGINT)
		}
		// One key turns one page: keys pressed more than once would
		// otherwise be typed into the menu that comes next.
		dropTyped(in)
		if err == nil && (key == 'q' || key == 'Q') {
			return output.ErrNoMorePauses
		}
		return err
	}
}

// watchKeys sends the keys typed on terminal f until stop is called, and
// reads nothing after that: it polls, so that no read is left pending to
// take a key from whatever asks next. Not a terminal: no keys.
func watchKeys(f *os.File) (keys <-chan byte, stop func()) {
	if !isTerminal(f) {
		return nil, func() {}
	}
	ch, done, exited := make(chan byte), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
		buf := make([]byte, 1) // one key at a time: what stop leaves unread stays in the terminal
		for {
			select {
			case <-done:
				return
			default:
			}
			n, err := unix.Poll(fds, 100)
			if errors.Is(err, unix.EINTR) || (err == nil && n == 0) {
				continue
			}
			if err != nil {
				return
			}
			m, err := f.Read(buf)
			for _, b := range buf[:m] {
				select {
				case ch <- b:
				case <-done:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return ch, func() { close(done); <-exited }
}

// hushKeys keeps what is typed while a step runs off the screen (Escape
// would echo as ^[) and, when the step ends, drops it: a key pressed during
// a step is for nothing, and must not answer the prompt that comes next (a
// stray Enter would choose its default). Ctrl-C stays a signal. It returns
// how to end this.
func hushKeys(f *os.File) func() {
	restore, err := cbreak(f)
	if err != nil {
		return func() {}
	}
	return func() {
		dropTyped(f)
		restore()
	}
}

// dropTyped reads, without waiting, whatever was typed and not read yet.
func dropTyped(f *os.File) {
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
	buf := make([]byte, 256)
	for {
		n, err := unix.Poll(fds, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 || fds[0].Revents&unix.POLLIN == 0 {
			return
		}
		if m, err := f.Read(buf); err != nil || m == 0 {
			return
		}
	}
}
