package main

import (
	"strings"
	"testing"
	"time"
)

// At "Press Enter to …" only Enter goes on: a stray key (x, Escape) does
// nothing, and q quits with the progress saved, saying how to resume.
func TestPressEnterPromptKeys(t *testing.T) {
	addr := embeddedBroker(t)
	p := prefix()
	l := startLearnerSized(t, 80, 24, progressFile(t), "--brokers", addr, "--topic-prefix", p, "--lesson", "0", "--no-quiz")
	l.expect("Press Enter to read on · q: quit", 1)
	l.expectWords(stepRule) // said once, at the start
	l.press("x")
	l.press("\x1b")
	time.Sleep(300 * time.Millisecond)
	if n := strings.Count(l.text(), "Press Enter to"); n != 1 {
		t.Errorf("a key other than Enter turned the page (%d prompts):\n%s", n, l.text())
	}
	l.press("q")
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Fatalf("q: exit code %d; screen:\n%s", code, l.text())
	}
	if strings.Contains(l.text(), "created topic:") {
		t.Errorf("q ran the step:\n%s", l.text())
	}
	want := "Progress saved. To resume at lesson 0, step 1: go run ./runner --lesson 0 --step 1 --brokers " + addr + " --topic-prefix " + p
	l.expectWords(want) // the printer wraps it at 80 columns
}

// Keys typed while a step runs are not echoed (Escape would show ^[) and
// are dropped when it ends: a stray Enter does not answer the prompt after
// it. Quit there says the progress is saved and how to resume.
func TestKeysDuringAStepAndQuit(t *testing.T) {
	addr := embeddedBroker(t)
	p := prefix()
	// Without the aside, the step and its output fit 80 rows: it runs once
	// shown, and the printer never pauses.
	l := startLearnerSized(t, 140, 80, progressFile(t), "--brokers", addr, "--topic-prefix", p, "--lesson", "5", "--step", "2", "--no-quiz", "--no-asides")
	l.expect("Step 2/3 · Poll while a customer orders", 1)
	l.expect("nothing yet", 1)                               // it polls for a few seconds
	if _, err := l.tty.Write([]byte("\x1b\r")); err != nil { // while it polls
		t.Fatal(err)
	}
	l.expect("Next?", 1)
	time.Sleep(time.Second)
	if strings.Contains(l.screen.String(), "^[") {
		t.Errorf("Escape was echoed as ^[:\n%s", l.text())
	}
	if strings.Contains(l.text(), "Step 3/3") {
		t.Fatalf("the Enter typed during the step chose Continue:\n%s", l.text())
	}
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Fatalf("Quit: exit code %d; screen:\n%s", code, l.text())
	}
	// The command names the broker the learner gave, so it reaches it again.
	want := "Progress saved. To resume at lesson 5, step 3: go run ./runner --lesson 5 --step 3 --brokers " + addr + " --topic-prefix " + p
	l.expectWords(want) // the printer wraps it at 80 columns
}

// End in the menu goes to its last entry (Quit), as terminals send it
// (xterm's ESC [ F, tmux's ESC [ 4 ~): the Enter after it quits instead
// of starting a lesson. Home goes back to the first entry.
func TestMenuHomeAndEnd(t *testing.T) {
	addr := embeddedBroker(t)
	for _, end := range []string{"\x1b[F", "\x1b[4~", "\x1bOF"} {
		l := startLearner(t, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--no-quiz")
		l.expect("Which lesson?", 1)
		l.press(down + down) // from somewhere in the middle
		l.press(end)
		l.press(enter)
		if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
			t.Fatalf("%q then Enter: exit code %d; screen:\n%s", end, code, l.text())
		}
		if strings.Contains(l.text(), "━━━ Lesson") {
			t.Errorf("%q then Enter started a lesson:\n%s", end, l.text())
		}
	}
	l := startLearner(t, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--no-quiz")
	l.expect("Which lesson?", 1)
	l.press(down + down + down)
	l.press("\x1b[H")
	l.press(enter)
	l.expect("Lesson 0 · Your first order", 1)
}

// words is text with every run of spaces and line breaks made one space.
func words(text string) string { return strings.Join(strings.Fields(text), " ") }

// expectWords waits until want is on screen, however the lines wrapped it:
// the program may have exited before its last output was read.
func (l *learner) expectWords(want string) {
	l.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(words(l.text()), want) {
		if time.Now().After(deadline) {
			l.t.Fatalf("no %q on screen:\n%s", want, l.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A number typed in the menu starts that lesson, wherever the highlight
// was: "1" with the third row highlighted is lesson 1, not lesson 11 (the
// third of 1, 10, 11, … when the filter matched a prefix).
func TestMenuNumberStartsThatLesson(t *testing.T) {
	addr := embeddedBroker(t)
	l := startLearner(t, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--no-quiz")
	l.expect("Which lesson?", 1)
	l.press(down + down)
	l.press("1" + enter)
	l.expect("━━━ Lesson ", 1)
	if !strings.Contains(l.text(), "━━━ Lesson 1 · ") {
		t.Errorf("typing 1 did not start lesson 1:\n%s", l.text())
	}
	l.press("\x03")
	exitCode(t, l.cmd, 10*time.Second)
}
