package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// learner drives the runner in a pseudo-terminal, as a person at a keyboard.
type learner struct {
	t      *testing.T
	cmd    *exec.Cmd
	tty    *os.File
	screen *syncBuffer
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func startLearner(t *testing.T, env []string, args ...string) *learner {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(withoutVar(os.Environ(), "NO_COLOR"), append([]string{"TERM=xterm-256color"}, env...)...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 140})
	if err != nil {
		t.Fatal(err)
	}
	l := &learner{t: t, cmd: cmd, tty: tty, screen: &syncBuffer{}}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			l.screen.Write(buf[:n])
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
	l := startLearner(t, nil, "--brokers", addr, "--topic-prefix", prefix())
	l.expect("Which lesson?", 1)
	for _, want := range []string{"0 · The broker", "7 · Poison pills", "Play every lesson", "Quit"} {
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
