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

// The prompt's one look-up choice names the one helper a step calls, says
// "a helper" for several, and is the glossary alone for none.
func TestLookUpChoices(t *testing.T) {
	l5, _ := lessons.Find(5)
	r := &lessonRun{plan: l5.Plan()}
	if got := r.lookUpChoices(0); len(got) != 1 || got[0].label != "Look up: the glossary, or a helper's code…" {
		t.Errorf("lesson 5 step 1 (two helpers): %v", got)
	}
	if got := r.lookUpChoices(2); len(got) != 1 || got[0].label != "Look up: the glossary, or the code of Poller.Close…" {
		t.Errorf("lesson 5 step 3 (one helper): %v", got)
	}
	l13, _ := lessons.Find(13)
	r = &lessonRun{plan: l13.Plan()}
	for i, s := range r.plan.Steps {
		if helpers, err := lessons.HelpersOf(s); err == nil && len(helpers) == 0 {
			if got := r.lookUpChoices(i); len(got) != 1 || got[0].label != "Glossary" || got[0].act != actGlossary {
				t.Errorf("lesson 13 step %d (no helper): %v", i+1, got)
			}
			return
		}
	}
	t.Log("lesson 13 has no step without a helper: the glossary-alone case is not checked")
}

// At 80×24, after lesson 5's first step, the learner picks "Look up…",
// then ReadWatermarks: its code is on screen with its place, and the prompt
// comes back.
func TestShowTheCodeOfAHelperAtThePrompt(t *testing.T) {
	addr := embeddedBroker(t)
	h, err := lessons.HelperSource("ReadWatermarks")
	if err != nil {
		t.Fatal(err)
	}
	l := startLearnerSized(t, 80, 24, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "5", "--step", "1", "--no-quiz")
	l.pageUntil("Next?", 1)
	l.expect("Look up: the glossary, or a helper's code…", 1)
	l.press("Look up") // survey filters the choices as one types
	l.press(enter)
	l.expect("Look up what?", 1)
	l.expect(glossaryLabel, 1)
	l.expect("The code of NewPoller · lessons/poll.go:", 1)
	l.press("ReadWatermarks" + enter)
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
