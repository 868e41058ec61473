package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/notebook"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

type nbCell struct {
	CellType string                    `json:"cell_type"`
	Source   []string                  `json:"source"`
	Metadata map[string]map[string]int `json:"metadata"`
	Outputs  []struct {
		Name string   `json:"name"`
		Text []string `json:"text"`
	} `json:"outputs"`
}

// Lessons 1 and 2, played unattended with --notebook and --transcript: the
// notebook has a code cell per step, in order, whose code is the step's
// source and whose output holds what the step printed (and not the cell's
// drawing); headings, summaries and quizzes are Markdown. It validates
// with Python's nbformat where that is installed (REQUIRE_NBFORMAT=1: must).
func TestNotebookOfARun(t *testing.T) {
	addr := testBroker(t)
	dir := t.TempDir()
	nbPath, mdPath := filepath.Join(dir, "run.ipynb"), filepath.Join(dir, "run.md")
	p := prefix()
	cmd, out, errb := runner(t, nil, "--brokers", addr, "--topic-prefix", p, "--lesson", "1,2", "--yes",
		"--notebook", nbPath, "--transcript", mdPath)
	if code := exitCode(t, cmd, time.Minute); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	if !strings.Contains(out.String(), "Notebook of the run: "+nbPath) {
		t.Errorf("the run does not say where the notebook is:\n%s", tail(out.String()))
	}
	raw, err := os.ReadFile(nbPath)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		NBFormat int      `json:"nbformat"`
		Cells    []nbCell `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if nb.NBFormat != 4 {
		t.Errorf("nbformat %d", nb.NBFormat)
	}
	if strings.Contains(string(raw), `\u001b`) {
		t.Errorf("colour codes in the notebook")
	}

	type key struct{ lesson, step int }
	outputs := map[key]string{}
	var order []key
	var markdown strings.Builder
	for _, c := range nb.Cells {
		src := strings.Join(c.Source, "")
		if c.CellType == "markdown" {
			markdown.WriteString(src + "\n")
			continue
		}
		meta := c.Metadata[notebook.MetadataKey]
		k := key{meta["lesson"], meta["step"]}
		l, _ := lessons.Find(k.lesson)
		steps := l.Plan().Steps
		if k.step < 1 || k.step > len(steps) {
			t.Fatalf("code cell for lesson %d step %d, which does not exist", k.lesson, k.step)
		}
		want, err := lessons.SourceOf(steps[k.step-1])
		if err != nil {
			t.Fatal(err)
		}
		if src != want.Code {
			t.Errorf("lesson %d step %d: the cell's code is not the step's:\n%s\nwant:\n%s", k.lesson, k.step, src, want.Code)
		}
		var text strings.Builder
		for _, o := range c.Outputs {
			text.WriteString(strings.Join(o.Text, ""))
		}
		outputs[k] = text.String()
		order = append(order, k)
	}
	if fmt.Sprint(order) != "[{1 1} {1 2} {1 3} {2 1} {2 2} {2 3} {2 4}]" {
		t.Errorf("code cells %v, want every step of lessons 1 and 2 in order", order)
	}
	for k, want := range map[key][]string{
		{1, 1}: {p + "orders"},
		{1, 2}: {"partitions: 3", "partition 2: leader: node"},
		{1, 3}: {"partition 0 │", "high watermark: "},
		{2, 2}: {`json: {"order_id":"`, "length in bytes: "},
		{2, 3}: {"same order: true", "🍔 Received order: 1 x Pizza Pepperoni"},
		{2, 4}: {`⚠ "pizza please" → not an order`},
	} {
		for _, w := range want {
			if !strings.Contains(outputs[k], w) {
				t.Errorf("lesson %d step %d: output lacks %q:\n%s", k.lesson, k.step, w, outputs[k])
			}
		}
		// The same facts as the run printed them.
		for _, line := range strings.Split(strings.TrimSpace(outputs[k]), "\n") {
			if !strings.Contains(out.String(), line) {
				t.Errorf("lesson %d step %d: %q is in the notebook, not in the run", k.lesson, k.step, line)
			}
		}
		if strings.Contains(outputs[k], "Go code that runs now") || strings.Contains(outputs[k], "▶ Step") {
			t.Errorf("lesson %d step %d: the cell's drawing is in its output:\n%s", k.lesson, k.step, outputs[k])
		}
	}
	md := markdown.String()
	for _, want := range []string{
		"## Lesson 1 · Topic: orders, in three partitions",
		"### Step 2/4 · Encode it: JSON, then bytes",
		"**What you learned in lesson 2**",
		"**Check your understanding: lesson 2**",
		"- **It stores and delivers them as they are, without looking inside** ✔",
		"Broker: `" + addr + "`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the notebook's Markdown lacks %q:\n%s", want, md)
		}
	}

	transcript, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatal(err)
	}
	l2, _ := lessons.Find(2)
	src, _ := lessons.SourceOf(l2.Plan().Steps[2])
	for _, want := range []string{"```go\n" + src.Code + "\n```", "same order: true", "## Lesson 2 · JSON serialization"} {
		if !strings.Contains(string(transcript), want) {
			t.Errorf("the transcript lacks %q", want)
		}
	}
	// Lesson 2's first step has an aside: both records quote it, as a
	// paragraph of its own, and have no unquoted one.
	for what, text := range map[string]string{"notebook": md, "transcript": string(transcript)} {
		quoted := "\n\n> **" + lessons.AsideMark + "**"
		if !strings.Contains(text, quoted) {
			t.Errorf("the %s does not quote lesson 2's aside (%q)", what, quoted)
		}
		if strings.Count(text, lessons.AsideMark) != strings.Count(text, "> **"+lessons.AsideMark) {
			t.Errorf("the %s has an aside that is not quoted", what)
		}
	}
	validateNotebook(t, nbPath)
}

// validateNotebook checks the file with Python's nbformat, as
// internal/notebook's test does: $NBFORMAT_PYTHON (default python3); it
// skips without nbformat unless REQUIRE_NBFORMAT=1.
func validateNotebook(t *testing.T, path string) {
	t.Helper()
	python := os.Getenv("NBFORMAT_PYTHON")
	if python == "" {
		python = "python3"
	}
	if err := exec.Command(python, "-c", "import nbformat").Run(); err != nil {
		if os.Getenv("REQUIRE_NBFORMAT") == "1" {
			t.Fatalf("%s cannot import nbformat: %v", python, err)
		}
		t.Logf("not validated: %s cannot import nbformat", python)
		return
	}
	out, err := exec.Command(python, "-W", "error", "-c",
		"import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", path).CombinedOutput()
	if err != nil {
		t.Errorf("nbformat rejects the notebook: %v\n%s", err, out)
	}
}

// A notebook path that cannot be written fails before any lesson, with the
// flag's name.
func TestNotebookPathThatCannotBeWritten(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "no-such-dir", "run.ipynb")
	var o, e strings.Builder
	code := run(context.Background(), []string{"--lesson", "2", "--yes", "--notebook", bad}, stdio{in: os.Stdin, out: &o, err: &e})
	if code != exitFailure || !strings.Contains(e.String(), "--notebook") {
		t.Errorf("exit %d, stderr %q", code, e.String())
	}
	if strings.Contains(o.String(), "Lesson 2") {
		t.Errorf("a lesson ran:\n%s", o.String())
	}
}

// --pace without a terminal just sleeps, and stops at once when the context
// ends.
func TestPaceWithoutTerminal(t *testing.T) {
	var b strings.Builder
	u := unattended{out: newPlain(&b), wait: 300 * time.Millisecond}
	start := time.Now()
	if err := u.pause(context.Background()); err != nil || time.Since(start) < 300*time.Millisecond {
		t.Errorf("pause: %v after %v", err, time.Since(start))
	}
	if b.Len() != 0 {
		t.Errorf("a countdown without a terminal: %q", b.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u.wait = time.Hour
	start = time.Now()
	if err := u.pause(ctx); err != errInterrupted || time.Since(start) > time.Second {
		t.Errorf("cancelled pause: %v after %v", err, time.Since(start))
	}
}
