package notebook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// sample plays a small run: a banner before any lesson, a lesson of two
// steps (one run twice), colour codes, output in pieces.
func sample() *Book {
	b := &Book{}
	b.Note("# A run of the Kafka lessons")
	b.Output("\x1b[1;31mEMBEDDED BROKER\x1b[0m at 127.0.0.1:9092\n")
	b.Heading(3, "Produce with a delivery report", "Send an order and see where it landed.")
	b.Step(3, 1, 2, "Create the writer", "A Writer batches messages.\n\nIt is safe for concurrent use.",
		"w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...)}\nenv.Out.Say(\"ready\")")
	b.Output("  \x1b[32mready\x1b[0m\n")
	b.Step(3, 2, 2, "Send", "", "return w.WriteMessages(ctx, msg)")
	b.Output("  ✔ delivered to ")
	b.Output("orders [1] @ 0\n")
	b.Step(3, 2, 2, "Send", "", "return w.WriteMessages(ctx, msg)") // run again
	b.Output("  ✔ delivered to orders [1] @ 1\n")
	b.Summary(3, []string{"A Writer sends.", "Completion is the delivery report."})
	return b
}

// notebook is a notebook as a test reads it back.
type notebook struct {
	NBFormat      int `json:"nbformat"`
	NBFormatMinor int `json:"nbformat_minor"`
	Metadata      struct {
		Kernelspec   map[string]string `json:"kernelspec"`
		LanguageInfo map[string]string `json:"language_info"`
	} `json:"metadata"`
	Cells []map[string]json.RawMessage `json:"cells"`
}

func readNotebook(t *testing.T, b *Book) (notebook, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := b.WriteIPYNB(&buf); err != nil {
		t.Fatal(err)
	}
	var nb notebook
	if err := json.Unmarshal(buf.Bytes(), &nb); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.Bytes())
	}
	return nb, buf.Bytes()
}

func field[T any](t *testing.T, c map[string]json.RawMessage, key string) T {
	t.Helper()
	var v T
	raw, ok := c[key]
	if !ok {
		t.Fatalf("cell has no %q: %v", key, c)
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("cell %q: %v", key, err)
	}
	return v
}

func TestNotebookStructure(t *testing.T) {
	nb, raw := readNotebook(t, sample())
	if nb.NBFormat != 4 || nb.NBFormatMinor != 5 {
		t.Errorf("nbformat %d.%d, want 4.5", nb.NBFormat, nb.NBFormatMinor)
	}
	ks := nb.Metadata.Kernelspec
	if ks["name"] != "gonb" || ks["display_name"] != "Go (gonb)" || ks["language"] != "go" {
		t.Errorf("kernelspec %v", ks)
	}
	if nb.Metadata.LanguageInfo["name"] != "go" {
		t.Errorf("language_info %v", nb.Metadata.LanguageInfo)
	}

	type want struct {
		kind, source, output string
	}
	wants := []want{
		{"markdown", "# A run of the Kafka lessons", ""},
		{"markdown", "```text\nEMBEDDED BROKER at 127.0.0.1:9092\n```", ""},
		{"markdown", "## Lesson 3 · Produce with a delivery report\n\nSend an order and see where it landed.", ""},
		{"markdown", "### Step 1/2 · Create the writer\n\nA Writer batches messages.\n\nIt is safe for concurrent use.", ""},
		{"code", "w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...)}\nenv.Out.Say(\"ready\")", "  ready\n"},
		{"markdown", "### Step 2/2 · Send", ""},
		{"code", "return w.WriteMessages(ctx, msg)", "  ✔ delivered to orders [1] @ 0\n"},
		{"markdown", "### Step 2/2 · Send", ""},
		{"code", "return w.WriteMessages(ctx, msg)", "  ✔ delivered to orders [1] @ 1\n"},
		{"markdown", "**What you learned in lesson 3**\n\n- A Writer sends.\n- Completion is the delivery report.", ""},
	}
	if len(nb.Cells) != len(wants) {
		t.Fatalf("%d cells, want %d:\n%s", len(nb.Cells), len(wants), raw)
	}
	idOK := regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`) // nbformat 4.5's rule
	ids := map[string]bool{}
	count := 0
	for i, w := range wants {
		c := nb.Cells[i]
		if kind := field[string](t, c, "cell_type"); kind != w.kind {
			t.Errorf("cell %d is %s, want %s", i, kind, w.kind)
			continue
		}
		id := field[string](t, c, "id")
		if !idOK.MatchString(id) || ids[id] {
			t.Errorf("cell %d id %q: invalid or repeated", i, id)
		}
		ids[id] = true
		src := field[[]string](t, c, "source")
		for j, l := range src[:max(0, len(src)-1)] {
			if !strings.HasSuffix(l, "\n") {
				t.Errorf("cell %d source line %d %q lacks its newline", i, j, l)
			}
		}
		if got := strings.Join(src, ""); got != w.source {
			t.Errorf("cell %d source\n%q\nwant\n%q", i, got, w.source)
		}
		if w.kind == "markdown" {
			for _, k := range []string{"outputs", "execution_count"} {
				if _, ok := c[k]; ok {
					t.Errorf("markdown cell %d has %q, which the schema forbids", i, k)
				}
			}
			continue
		}
		count++
		if n := field[int](t, c, "execution_count"); n != count {
			t.Errorf("cell %d execution_count %d, want %d", i, n, count)
		}
		outs := field[[]struct {
			OutputType string   `json:"output_type"`
			Name       string   `json:"name"`
			Text       []string `json:"text"`
		}](t, c, "outputs")
		if len(outs) != 1 || outs[0].OutputType != "stream" || outs[0].Name != "stdout" {
			t.Errorf("cell %d outputs %+v, want one stdout stream", i, outs)
			continue
		}
		if got := strings.Join(outs[0].Text, ""); got != w.output {
			t.Errorf("cell %d output %q, want %q", i, got, w.output)
		}
		meta := field[map[string]map[string]int](t, c, "metadata")[MetadataKey]
		if meta["lesson"] != 3 || meta["step"] == 0 {
			t.Errorf("cell %d metadata %v", i, meta)
		}
	}
	if bytes.Contains(raw, []byte("\\u001b")) || bytes.Contains(raw, []byte("\\u0026")) {
		t.Errorf("escape codes or HTML-escaped text in the notebook:\n%s", raw)
	}
}

func TestStepWithoutOutputHasNoOutputs(t *testing.T) {
	b := &Book{}
	b.Step(0, 1, 1, "Quiet", "", "return nil")
	nb, _ := readNotebook(t, b)
	if outs := field[[]any](t, nb.Cells[1], "outputs"); len(outs) != 0 {
		t.Errorf("outputs %v, want none", outs)
	}
}

func TestPlain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\x1b[1;32mgreen\x1b[0m plain", "green plain"},
		{"\x1b[38;5;208morange\x1b[39m", "orange"},
		{"\x1b]8;;https://kafka.apache.org\x07link\x1b]8;;\x07", "link"},
		{"\x1b]0;title\x1b\\text", "text"},
		{"\x1b[2K\x1b[1Gcleared", "cleared"},
		{"a\r\nb\r\n", "a\nb\n"},
		{"sent 1\rsent 2\rsent 3\n", "sent 3\n"},
		{"abcdef\rXY", "XYcdef"},
		{"bell\a, tab\tkept, del\x7f", "bell, tab\tkept, del"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"lone \x1b", "lone "},
		{"✔ orders [1] @ 0", "✔ orders [1] @ 0"},
	} {
		if got := Plain(tc.in); got != tc.want {
			t.Errorf("Plain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A colour code split across two writes is still removed: output is cleaned
// when written, not as it arrives.
func TestEscapeSplitAcrossWrites(t *testing.T) {
	b := &Book{}
	b.Step(1, 1, 1, "T", "", "x")
	b.Output("\x1b[3")
	b.Output("2mgreen\x1b")
	b.Output("[0m\n")
	nb, _ := readNotebook(t, b)
	outs := field[[]struct{ Text []string }](t, nb.Cells[1], "outputs")
	if got := strings.Join(outs[0].Text, ""); got != "green\n" {
		t.Errorf("output %q, want %q", got, "green\n")
	}
}

func TestMarkdownShape(t *testing.T) {
	var buf bytes.Buffer
	if err := sample().WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	want := "# A run of the Kafka lessons\n" +
		"\n```text\nEMBEDDED BROKER at 127.0.0.1:9092\n```\n" +
		"\n## Lesson 3 · Produce with a delivery report\n\nSend an order and see where it landed.\n" +
		"\n### Step 1/2 · Create the writer\n\nA Writer batches messages.\n\nIt is safe for concurrent use.\n" +
		"\n```go\nw := &kafka.Writer{Addr: kafka.TCP(env.Brokers...)}\nenv.Out.Say(\"ready\")\n```\n" +
		"\n```text\n  ready\n```\n" +
		"\n### Step 2/2 · Send\n" +
		"\n```go\nreturn w.WriteMessages(ctx, msg)\n```\n" +
		"\n```text\n  ✔ delivered to orders [1] @ 0\n```\n" +
		"\n### Step 2/2 · Send\n" +
		"\n```go\nreturn w.WriteMessages(ctx, msg)\n```\n" +
		"\n```text\n  ✔ delivered to orders [1] @ 1\n```\n" +
		"\n**What you learned in lesson 3**\n\n- A Writer sends.\n- Completion is the delivery report.\n"
	if got := buf.String(); got != want {
		t.Errorf("Markdown:\n%s\nwant:\n%s", got, want)
	}
}

func TestFenceOutlastsBackticks(t *testing.T) {
	b := &Book{}
	b.Step(2, 1, 1, "Raw strings", "", "s := `a`\nt := \"```\"")
	b.Output("````\n")
	var buf bytes.Buffer
	if err := b.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	if !strings.Contains(md, "````go\ns := `a`\nt := \"```\"\n````\n") {
		t.Errorf("code fence can be closed by its code:\n%s", md)
	}
	if !strings.Contains(md, "`````text\n````\n`````") {
		t.Errorf("output fence can be closed by its output:\n%s", md)
	}
}

func TestRedact(t *testing.T) {
	b := &Book{Redact: func(s string) string { return strings.ReplaceAll(s, "hunter2", "****") }}
	b.Note("password hunter2")
	b.Output("sasl hunter2\n")
	b.Heading(9, "SASL hunter2", "log in with hunter2")
	b.Step(9, 1, 1, "hunter2", "the password is hunter2", `pw := "hunter2"`)
	b.Output("using hunt\x1b[1mer2\x1b[0m\n") // split by a colour code
	b.Summary(9, []string{"hunter2 is masked"})
	var nb, md bytes.Buffer
	if err := b.WriteIPYNB(&nb); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"notebook": nb.String(), "markdown": md.String()} {
		if strings.Contains(out, "hunter2") || strings.Contains(out, "hunt") {
			t.Errorf("%s shows the secret:\n%s", name, out)
		}
		if got := strings.Count(out, "****"); got != 9 {
			t.Errorf("%s masks %d times, want 9:\n%s", name, got, out)
		}
	}
}

// Delivery reports arrive from a writer's goroutine: many goroutines write at
// once, the book is written meanwhile, and every line lands whole. Run with
// -race.
func TestConcurrentOutput(t *testing.T) {
	b := &Book{}
	b.Step(3, 1, 1, "Send many", "", "send()")
	const goroutines, each = 8, 200
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				if i%2 == 0 {
					b.Output(fmt.Sprintf("g%d line %d\n", g, i))
				} else {
					fmt.Fprintf(b, "g%d line %d\n", g, i)
				}
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			if err := b.WriteIPYNB(&bytes.Buffer{}); err != nil {
				t.Error(err)
			}
			if err := b.WriteMarkdown(&bytes.Buffer{}); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	nb, _ := readNotebook(t, b)
	outs := field[[]struct{ Text []string }](t, nb.Cells[1], "outputs")
	got := map[string]int{}
	for _, l := range outs[0].Text {
		got[l]++
	}
	for g := range goroutines {
		for i := range each {
			if l := fmt.Sprintf("g%d line %d\n", g, i); got[l] != 1 {
				t.Fatalf("line %q appears %d times", l, got[l])
			}
		}
	}
	if len(outs[0].Text) != goroutines*each {
		t.Errorf("%d lines, want %d", len(outs[0].Text), goroutines*each)
	}
}

func TestEmptyBook(t *testing.T) {
	nb, _ := readNotebook(t, &Book{})
	if len(nb.Cells) != 0 {
		t.Errorf("%d cells in an empty book", len(nb.Cells))
	}
	var md bytes.Buffer
	if err := (&Book{}).WriteMarkdown(&md); err != nil || md.Len() != 0 {
		t.Errorf("empty book's Markdown %q, %v", md.String(), err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	if err := sample().WriteIPYNB(failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteIPYNB error %v", err)
	}
	if err := sample().WriteMarkdown(failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("WriteMarkdown error %v", err)
	}
}

// TestValidatesWithNbformat checks notebooks with Python's nbformat, the
// reference Jupyter itself uses. Warnings are errors: nbformat repairs some
// faults (missing or repeated cell ids) with only a warning. The interpreter
// is $NBFORMAT_PYTHON (default python3); without nbformat the test skips,
// unless REQUIRE_NBFORMAT=1, as in CI.
func TestValidatesWithNbformat(t *testing.T) {
	python := os.Getenv("NBFORMAT_PYTHON")
	if python == "" {
		python = "python3"
	}
	if out, err := exec.Command(python, "-c", "import nbformat").CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		msg := fmt.Sprintf("%s cannot import nbformat (%v): %s", python, err, lines[len(lines)-1])
		if os.Getenv("REQUIRE_NBFORMAT") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	loose := &Book{}
	loose.Output("only a banner\n")
	for name, b := range map[string]*Book{"sample": sample(), "empty": {}, "loose output": loose} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.ipynb")
			var buf bytes.Buffer
			if err := b.WriteIPYNB(&buf); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(python, "-W", "error", "-c",
				"import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", path)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("nbformat rejects the notebook: %v\n%s\n%s", err, out, buf.Bytes())
			}
		})
	}
}

func TestLongIDsStayValid(t *testing.T) {
	b := &Book{}
	for range 3 {
		b.Step(1<<62, 1<<62, 1<<62, "big", "", "x")
	}
	nb, _ := readNotebook(t, b)
	idOK := regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	ids := map[string]bool{}
	for _, c := range nb.Cells {
		id := field[string](t, c, "id")
		if !idOK.MatchString(id) || ids[id] {
			t.Errorf("id %q: invalid or repeated", id)
		}
		ids[id] = true
	}
}
