package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// docs/GLOSSARY.md is what `runner glossary --markdown` writes today.
func TestGlossaryMarkdownIsFresh(t *testing.T) {
	requireFresh(t, "docs/GLOSSARY.md", glossaryMarkdown(), "go run ./runner glossary --markdown > docs/GLOSSARY.md")
}

// Piped, the glossary is plain: no colour, each definition on one line,
// with the step that shows it.
func TestGlossaryCommandPiped(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"glossary"}, stdio{out: &out, err: &errb}); code != exitOK {
		t.Fatalf("glossary: exit code %d: %s", code, errb.String())
	}
	text := out.String()
	if strings.Contains(text, "\x1b") {
		t.Errorf("escape codes in a pipe:\n%q", text)
	}
	lines := strings.Split(text, "\n")
	for _, term := range lessons.Glossary() {
		if !slicesContains(lines, "  "+term.Definition) {
			t.Errorf("%s: its definition is not one line of its own:\n%s", term.Name, text)
		}
		_, where := shownIn(nil, term)
		if !strings.Contains(text, "Shown in "+where+".") {
			t.Errorf("%s: %q is not said", term.Name, where)
		}
	}
}

func slicesContains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

// On a screen of 80 columns no line is wider, and every word of every
// definition is there, in order, under its term.
func TestGlossaryWrapsToTheScreen(t *testing.T) {
	var b bytes.Buffer
	out := output.New(&b, false)
	out.FitScreen(func() (int, int) { return 80, 24 })
	printGlossary(out)
	wrapped := 0
	for _, line := range strings.Split(b.String(), "\n") {
		if w := output.Width(line); w > 80 {
			t.Errorf("a line of %d columns: %q", w, line)
		}
		if strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "  Shown in") {
			wrapped++
		}
	}
	flat := strings.Join(strings.Fields(b.String()), " ")
	for _, term := range lessons.Glossary() {
		if !strings.Contains(flat, term.Name+" "+term.Definition) {
			t.Errorf("%s: its definition is not whole under it", term.Name)
		}
	}
	if wrapped <= len(lessons.Glossary()) {
		t.Errorf("no definition wrapped at 80 columns:\n%s", b.String())
	}
}

// After a step, "Glossary" prints the glossary (a screenful at a time) and
// asks again.
func TestGlossaryFromTheStepPrompt(t *testing.T) {
	addr := testBroker(t)
	l := startLearner(t, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2", "--no-quiz")
	l.expect("Next?", 1)
	const more = "press a key to go on"
	paged := strings.Count(l.text(), more)
	l.openGlossary()
	all := lessons.Glossary()
	_, last := shownIn(nil, all[len(all)-1])
	asked := func() bool { // the same question again, under the last term
		text := l.text()
		i := strings.LastIndex(text, last)
		return i >= 0 && strings.Contains(text[i:], "Next?")
	}
	deadline := time.Now().Add(30 * time.Second)
	for !asked() {
		if time.Now().After(deadline) {
			t.Fatalf("no question after the glossary; screen:\n%s", l.text())
		}
		if n := strings.Count(l.text(), more); n > paged {
			paged = n
			l.press(" ")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, term := range all {
		if !strings.Contains(l.text(), term.Name) {
			t.Errorf("%s is not in the glossary shown", term.Name)
		}
	}
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d after Quit", code)
	}
}

// q at a pause ("press a key to go on, q: to the end") draws the rest at
// once: after the glossary, the same question comes back with no other key
// pressed, and the q typed is not in its filter.
func TestQAtAPauseGoesToTheEnd(t *testing.T) {
	addr := testBroker(t)
	l := startLearnerSized(t, 80, 24, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2", "--no-quiz")
	l.pageUntil("Next?", 1)
	const pause = "press a key to go on, q: to the end"
	before := strings.Count(l.text(), pause)
	l.openGlossary()
	l.expect(pause, before+1)
	l.press("q")
	all := lessons.Glossary()
	_, last := shownIn(nil, all[len(all)-1])
	for deadline := time.Now().Add(10 * time.Second); ; {
		text := l.text()
		if i := strings.LastIndex(text, last); i >= 0 && strings.Contains(text[i:], "Next?") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after q, no question under the glossary's last term; screen:\n%s", l.visible())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(l.text(), pause); n != before+1 {
		t.Errorf("%d pauses in the glossary after q, want 1:\n%s", n-before, l.visible())
	}
	for _, row := range strings.Split(l.visible(), "\n") {
		if strings.Contains(row, "Next? q") {
			t.Errorf("the q reached the question's filter: %q", row)
		}
	}
	l.press("Quit" + enter)
	exitCode(t, l.cmd, 10*time.Second)
}

// openGlossary chooses the glossary at the prompt after a step. Survey
// filters the choices as you type: "lossary" picks "Glossary", or the
// look-up when the step calls a helper, which asks again.
func (l *learner) openGlossary() {
	l.t.Helper()
	l.press("lossary" + enter)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(l.text(), "━━━ Glossary ━━━"); {
		if strings.Count(l.text(), "Look up what?") == 1 {
			l.press("lossary" + enter)
			l.expect("━━━ Glossary ━━━", 1)
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("no glossary; screen:\n%s", l.text())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
