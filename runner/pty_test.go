package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
)

// learner drives the runner in a pseudo-terminal, as a person at a keyboard.
type learner struct {
	t      *testing.T
	cmd    *exec.Cmd
	tty    *os.File
	screen *syncBuffer // every byte the program wrote
	mu     sync.Mutex
	vt     vt10x.Terminal // what a person sees now, after survey's redraws
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func startLearner(t *testing.T, env []string, args ...string) *learner {
	t.Helper()
	return startLearnerSized(t, 140, 50, env, args...)
}

// startLearnerSized starts the runner on a terminal of cols × rows.
func startLearnerSized(t *testing.T, cols, rows int, env []string, args ...string) *learner {
	t.Helper()
	return startLearnerIn(t, "", cols, rows, env, args...)
}

// startLearnerIn starts the runner in folder dir ("": the test's).
func startLearnerIn(t *testing.T, dir string, cols, rows int, env []string, args ...string) *learner {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(withoutVar(os.Environ(), "NO_COLOR"), append([]string{"TERM=xterm-256color"}, env...)...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	l := &learner{t: t, cmd: cmd, tty: tty, screen: &syncBuffer{}, vt: vt10x.New(vt10x.WithSize(cols, rows))}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			l.screen.Write(buf[:n])
			l.mu.Lock()
			l.vt.Write(buf[:n])
			l.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		tty.Close()
	})
	return l
}

// visible is the screen as it is now.
func (l *learner) visible() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.vt.String()
}

// text is what the screen showed, without escape sequences.
func (l *learner) text() string { return ansi.ReplaceAllString(l.screen.String(), "") }

// expect waits until the n-th occurrence of want is on screen.
func (l *learner) expect(want string, n int) {
	l.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(l.text(), want) < n {
		if time.Now().After(deadline) {
			l.t.Fatalf("waited 30 s for %q (#%d); screen:\n%s", want, n, l.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (l *learner) press(keys string) {
	l.t.Helper()
	time.Sleep(100 * time.Millisecond) // let survey draw before it reads
	if _, err := l.tty.Write([]byte(keys)); err != nil {
		l.t.Fatal(err)
	}
}

var headingColoured = regexp.MustCompile(`\x1b\[[0-9;]*m━━━ Lesson`)

const enter, down = "\r", "\x1b[B"

func TestMenuPicksALessonAndStepsThroughIt(t *testing.T) {
	addr := testBroker(t)
	l := startLearner(t, nil, "--brokers", addr, "--topic-prefix", prefix(), "--no-quiz")
	l.expect("Which lesson?", 1)
	for _, want := range []string{"0 · Your first order", "7 · Poison pills", "Play every lesson", "Quit"} {
		l.expect(want, 1)
	}
	l.press("2") // survey filters the menu as you type: lesson 2
	l.press(enter)
	l.expect("Lesson 2 · JSON serialization", 1)
	l.expect("Step 1/4 · Build an order", 1)
	l.expect("Next?", 1)
	l.press(enter) // Continue
	l.expect("Step 2/4", 1)
	l.expect("Next?", 2)
	l.press(down + enter) // Run this step again
	l.expect("Step 2/4", 2)
	l.expect("Next?", 3)
	l.press(down + down + enter) // Skip the next step: 3 is skipped
	l.expect("Step 4/4", 1)
	if strings.Contains(l.text(), "Step 3/4") {
		t.Errorf("step 3 ran although skipped")
	}
	l.expect("Next?", 4)
	l.press(enter)
	l.expect("Lesson 2 done", 1)
	l.expect("Now you: exercise 2?", 1)
	l.press(down + enter)        // Later: go on
	l.expect("Which lesson?", 2) // back at the menu
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d after Quit", code)
	}
	if !headingColoured.MatchString(l.screen.String()) {
		t.Errorf("no colour on a terminal")
	}
	if strings.Contains(l.text(), "running unattended") {
		t.Errorf("a terminal session must not run unattended")
	}
}

func TestCtrlCAtThePrompts(t *testing.T) {
	addr := testBroker(t)
	// At the menu.
	l := startLearner(t, nil, "--brokers", addr)
	l.expect("Which lesson?", 1)
	l.press("\x03")
	if code := exitCode(t, l.cmd, 5*time.Second); code != exitInterrupted {
		t.Errorf("Ctrl-C at the menu: exit code %d, want 130", code)
	}
	// A signal from outside (kill -TERM) at the menu, where survey is
	// blocked reading the keyboard.
	l = startLearner(t, nil, "--brokers", addr)
	l.expect("Which lesson?", 1)
	l.cmd.Process.Signal(syscall.SIGTERM)
	if code := exitCode(t, l.cmd, 3*time.Second); code != exitInterrupted {
		t.Errorf("SIGTERM at the menu: exit code %d, want 130", code)
	}
	// Between two steps.
	l = startLearner(t, []string{"NO_COLOR=1"}, "--brokers", addr, "--lesson", "2")
	l.expect("Next?", 1)
	l.press("\x03")
	if code := exitCode(t, l.cmd, 5*time.Second); code != exitInterrupted {
		t.Errorf("Ctrl-C at a step prompt: exit code %d, want 130", code)
	}
	// NO_COLOR: our own output carries no colour (survey still moves the cursor).
	if headingColoured.MatchString(l.screen.String()) {
		t.Errorf("NO_COLOR set, yet the heading is coloured")
	}
}

// Lesson 3 in the menu: the asynchronous delivery reports arrive while the
// prompt is on screen; they must still be shown, not drawn over.
func TestMenuShowsAsyncDeliveryReports(t *testing.T) {
	addr := testBroker(t)
	// 60 rows: step 1's cell, its output and the prompt (Glossary among its
	// choices) fit without a pause.
	l := startLearnerSized(t, 140, 60, nil, "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "3", "--no-quiz")
	for i := 1; i <= 2; i++ { // up to the prompt after "Send three orders"
		l.expect("Next?  [", i)            // the prompt drawn (keys typed during a step are dropped)
		time.Sleep(300 * time.Millisecond) // the reports arrive meanwhile
		l.press(enter)
	}
	l.expect("Step 3/4", 1)
	// acks=all on a cluster takes longer than on one broker: give the last
	// report time to arrive, then all three must be on screen.
	for deadline := time.Now().Add(5 * time.Second); strings.Count(l.visible(), "✔ Delivered to ") < 3 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if n := strings.Count(l.visible(), "✔ Delivered to "); n != 3 {
		t.Errorf("%d delivery reports visible on screen, want 3:\n%s", n, l.visible())
	}
	for i := 3; i <= 4; i++ {
		l.expect("Next?  [", i)
		l.press(enter)
	}
	l.expect("Lesson 3 done", 1)
	// A person is offered the lesson's exercise; later, this time.
	l.expect("Now you: exercise 3?", 1)
	l.press(down)
	l.press(enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// Skipping a step whose result a later step uses: the runner says which step
// is missing and offers to run it, then runs both.
func TestSkippedStepIsOfferedWhenNeeded(t *testing.T) {
	addr := testBroker(t)
	l := startLearner(t, nil, "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2")
	l.expect("Next?", 1)
	l.press(down + down + enter) // after step 1: skip step 2, which encodes the order
	l.expect("Step 3 uses what step 2 (Encode it: JSON, then bytes) makes", 1)
	l.expect("Run step 2 first, then step 3", 1)
	l.press(enter)
	l.expect("Step 2/4", 1)
	l.expect("Step 3/4", 1)
	l.expect("same order: true", 1)
	l.reach("same order: true", "Next?") // the output may fill the screen first
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d after Quit", code)
	}
	for _, bad := range []string{"panic", "The step failed"} {
		if strings.Contains(l.text(), bad) {
			t.Errorf("%q on screen:\n%s", bad, l.text())
		}
	}

	// Choosing to skip the needy step too goes on with the one after it.
	l = startLearner(t, nil, "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2", "--no-quiz")
	l.expect("Next?", 1)
	l.press(down + down + enter)
	l.expect("Skip step 3 too", 1)
	l.press(down + enter)
	l.expect("Step 4/4", 1)
	if strings.Contains(l.text(), "Step 2/4") || strings.Contains(l.text(), "Step 3/4") {
		t.Errorf("a skipped step ran:\n%s", l.text())
	}
	l.expect("Next?", 2)
	l.press(enter)
	l.expect("Lesson 2 done", 1)
	l.expect("Now you: exercise 2?", 1)
	l.press(down + enter) // Later: go on
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// The menu with a named broker that does not answer: the same clear error
// as unattended, before any prompt.
func TestMenuWithABrokerThatDoesNotAnswer(t *testing.T) {
	l := startLearner(t, nil, "--brokers", "127.0.0.1:1")
	if code := exitCode(t, l.cmd, 5*time.Second); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	l.expect("no Kafka broker answers at 127.0.0.1:1", 1)
	l.expect("docker compose up -d", 1)
	if strings.Contains(l.text(), "Which lesson?") {
		t.Errorf("the menu was shown although no broker answers")
	}
}
