package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// `source NAME` prints the helper's declaration with its place; an unknown
// name is a usage error that lists the helpers there are.
func TestSourceCommand(t *testing.T) {
	h, err := lessons.HelperSource("ReadWatermarks")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"source", "ReadWatermarks"}, stdio{out: &out, err: &errb}); code != exitOK {
		t.Fatalf("exit code %d: %s", code, errb.String())
	}
	for _, want := range []string{h.Where(), "func ReadWatermarks(ctx context.Context", "It calls DescribeTopic and listWatermarks of package lessons"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("source ReadWatermarks lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"source", "Watermark"}, stdio{out: &out, err: &errb}); code != exitUsage {
		t.Errorf("an unknown name: exit code %d, want %d", code, exitUsage)
	}
	for _, want := range []string{`"Watermark"`, "did you mean ReadWatermarks", "Poller.Poll,", "source --help"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("the error lacks %q:\n%s", want, errb.String())
		}
	}
	if code := run(context.Background(), []string{"source"}, stdio{out: &out, err: &errb}); code != exitOK || !strings.Contains(out.String(), "GroupLag,") {
		t.Errorf("source alone: exit code %d, want the list:\n%s", code, out.String())
	}
}

// The prompt names the one helper a step calls, and offers a choice among
// several.
func TestCodeChoices(t *testing.T) {
	l5, _ := lessons.Find(5)
	r := &lessonRun{plan: l5.Plan()}
	if got := r.codeChoices(0); len(got) != 1 || got[0].label != "Show the code of a helper…" {
		t.Errorf("lesson 5 step 1 (two helpers): %v", got)
	}
	if got := r.codeChoices(2); len(got) != 1 || got[0].label != "Show the code of Poller.Close" {
		t.Errorf("lesson 5 step 3 (one helper): %v", got)
	}
}

// At 80×24, after lesson 5's first step, the learner picks "Show the code
// of a helper…", then ReadWatermarks: its code is on screen with its place,
// and the prompt comes back.
func TestShowTheCodeOfAHelperAtThePrompt(t *testing.T) {
	addr := embeddedBroker(t)
	h, err := lessons.HelperSource("ReadWatermarks")
	if err != nil {
		t.Fatal(err)
	}
	l := startLearnerSized(t, 80, 24, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "5", "--step", "1", "--no-quiz")
	l.pageUntil("Next?", 1)
	l.expect("Show the code of a helper…", 1)
	l.press("Show the code") // survey filters the choices as one types
	l.press(enter)
	l.expect("Which helper's code?", 1)
	l.expect("NewPoller · lessons/poll.go:", 1)
	l.press(enter) // the first: ReadWatermarks
	l.expect("func ReadWatermarks(ctx context.Context", 1)
	l.expect("The code of ReadWatermarks · "+h.Where(), 1)
	l.pageUntil("Next?", 2)
	if !strings.Contains(l.visible(), "return listWatermarks(ctx, env, t)") {
		t.Errorf("the code is not on the screen:\n%s", l.visible())
	}
	l.press("Quit" + enter)
}

// pageUntil waits for the n-th want, pressing a key whenever the printer's
// pager or a paged cell waits for one.
func (l *learner) pageUntil(want string, n int) {
	l.t.Helper()
	pressed := 0
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(l.text(), want) < n {
		if time.Now().After(deadline) {
			l.t.Fatalf("waited 30 s for %q (#%d); screen:\n%s", want, n, l.text())
		}
		text := l.text()
		if c := strings.Count(text, "press a key to go on") + strings.Count(text, "Press Enter to read on") + strings.Count(text, "Press Enter to run it"); c > pressed {
			pressed = c
			l.press(enter)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
