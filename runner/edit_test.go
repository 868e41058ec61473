package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/partition"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The diff above an edited run: the line changed, one line of context,
// and no more than asked.
func TestLineDiff(t *testing.T) {
	a := "one\ntwo\nthree\nfour\nfive\nsix"
	got := lineDiff(a, "one\ntwo\nTHREE\nfour\nfive\nsix", 12)
	if want := "  two\n- three\n+ THREE\n  four"; got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	got = lineDiff(a, "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven", 12)
	if want := "+ zero\n  one\n  …\n  six\n+ seven"; got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	got = lineDiff(a, "1\n2\n3\n4\n5\n6", 4)
	if lines := strings.Split(got, "\n"); len(lines) != 5 || lines[4] != "  … and 8 more lines" {
		t.Errorf("a long diff is not cut at 4 lines:\n%s", got)
	}
}

// The compiler's messages about the edited lesson file are placed in the
// learner's text; others are kept as they are.
func TestCompileProblemsArePlacedInTheEdit(t *testing.T) {
	l, _ := lessons.Find(8)
	src, err := lessons.SourceOf(l.Plan().Steps[0])
	if err != nil {
		t.Fatal(err)
	}
	file, _ := src.FileText()
	body := "x := 1\nreturn nope"
	spliced, err := src.Splice(file, body)
	if err != nil {
		t.Fatal(err)
	}
	// Where the compiler would see "nope": the body's second line.
	off := strings.Index(string(spliced), "return nope") + len("return ")
	line := strings.Count(string(spliced[:off]), "\n") + 1
	col := off - strings.LastIndex(string(spliced[:off]), "\n")
	out := fmt.Sprintf("# github.com/kafka-order-lessons/kafka-go-lessons/lessons\n"+
		"lessons/%[1]s:%[2]d:%[3]d: undefined: nope\n"+
		"lessons/%[1]s:%[4]d:2: declared and not used: x\n"+
		"lessons/%[1]s:6:2: \"time\" imported and not used\n"+
		"lessons/other.go:3:1: something else\n", src.File, line, col, line-1)
	got := compileProblems(out, src, body)
	want := []string{
		"line 2, column 8: undefined: nope",
		"line 1, column 1: declared and not used: x",
		src.File + ", outside your code (line 6 of the lesson file): \"time\" imported and not used",
		"lessons/other.go:3:1: something else",
	}
	if len(got) != len(want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("problem %d: %q, want %q", i, got[i], want[i])
		}
	}
}

// The overlay names the lesson file and its replacement, as go build reads it.
func TestWriteOverlay(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join("/clone", "lessons", "08_keys.go")
	path, err := writeOverlay(dir, target, []byte("package lessons\n"))
	if err != nil {
		t.Fatal(err)
	}
	var o struct{ Replace map[string]string }
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	edited := o.Replace[target]
	if text, err := os.ReadFile(edited); err != nil || string(text) != "package lessons\n" || len(o.Replace) != 1 {
		t.Errorf("overlay %s: %v, edited file %q (%v)", b, o, text, err)
	}
}

// editEnv is the environment of a runner whose edited steps the test
// builds: a progress file of the test's own, and the builds' folders in a
// cache of the test's own (the Go build cache stays the user's, warm).
func editEnv(t *testing.T) []string {
	t.Helper()
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	return append(progressFile(t), "XDG_CACHE_HOME="+t.TempDir(), "GOCACHE="+strings.TrimSpace(string(gocache)))
}

// An editor that replaces the step's code with the file prepared: cp, run
// by sh as $EDITOR is.
func editorWriting(t *testing.T, body string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "edit.go")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return "EDITOR=cp " + f
}

// expectWithin is expect with a longer wait: a build of the lessons.
func (l *learner) expectWithin(d time.Duration, want string, n int) {
	l.t.Helper()
	deadline := time.Now().Add(d)
	for strings.Count(l.text(), want) < n {
		if time.Now().After(deadline) {
			l.t.Fatalf("waited %v for %q (#%d); screen:\n%s", d, want, n, l.text())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitAfter waits until want is on screen after the first mark.
func (l *learner) waitAfter(mark, want string) {
	l.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(after(l.text(), mark, 1), want) {
		if time.Now().After(deadline) {
			l.t.Fatalf("waited 30 s for %q after %q; screen:\n%s", want, mark, l.text())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// reach waits for prompt after mark, pressing a key when the pager asks
// for one first ("press a key to go on": the output before it filled the
// screen, as the prompt after a step, with its edit choices, may make it).
func (l *learner) reach(mark, prompt string) {
	l.t.Helper()
	pressed := false
	deadline := time.Now().Add(30 * time.Second)
	for shown := after(l.text(), mark, 1); !strings.Contains(shown, prompt); shown = after(l.text(), mark, 1) {
		if !pressed && strings.Contains(shown, "press a key to go on") {
			l.press(" ")
			pressed = true
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("waited 30 s for %q after %q; screen:\n%s", prompt, mark, l.text())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// offered says whether a menu on screen offers label: a line of its own
// (not "? Next? label", the answer to an earlier prompt).
func offered(screen, label string) bool {
	for _, line := range strings.Split(screen, "\n") {
		if strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), ">")) == label {
			return true
		}
	}
	return false
}

// after returns what the screen showed after the n-th mark.
func after(text, mark string, n int) string {
	parts := strings.SplitN(text, mark, n+1)
	if len(parts) <= n {
		return ""
	}
	return parts[n]
}

// deliveredAt is a delivery report's start: its JSON may wrap on the screen.
var deliveredAt = regexp.MustCompile(`Delivered to (\S+) \[(\d+)\] @ offset (\d+)`)

// deliveries are the delivery reports in text, as partition and offset.
func deliveries(text string) [][2]int64 {
	var out [][2]int64
	for _, m := range deliveredAt.FindAllStringSubmatch(text, -1) {
		p, _ := strconv.ParseInt(m[2], 10, 64)
		o, _ := strconv.ParseInt(m[3], 10, 64)
		out = append(out, [2]int64{p, o})
	}
	return out
}

// partitionKeys reads each partition of topic from the broker: the key of
// each record, by offset.
func partitionKeys(t *testing.T, addr, topic string) []map[int64]string {
	t.Helper()
	addrs, _ := broker.ParseAddrs(addr)
	env := lessons.NewEnv(addrs, lessons.Cluster{Brokers: 1}, "", nil)
	defer env.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []map[int64]string
	for p := 0; p < 3; p++ {
		msgs, err := lessons.ReadPartition(ctx, env, topic, p)
		if err != nil {
			t.Fatalf("read %s [%d]: %v", topic, p, err)
		}
		keys := map[int64]string{}
		for _, m := range msgs {
			keys[m.Offset] = string(m.Key)
		}
		out = append(out, keys)
	}
	return out
}

const (
	editMark   = "EDITED: your code, not the lesson's"
	editChoice = "Edit this step"
)

// Lesson 8, step 1, edited as a learner would: the balancer becomes
// kafka.Murmur2Balancer. The edited run puts Ada's three orders on one
// partition, the Java client's, and the broker holds them there; the edit
// is kept across a restart of the runner, "Restore the original" runs the
// lesson's code again (round-robin: three partitions), and reset forgets it.
func TestEditAStepAndRunIt(t *testing.T) {
	addr := testBroker(t)
	progress, p := editEnv(t), prefix()
	topic := p + "orders-by-user"
	l8, _ := lessons.Find(8)
	src, err := lessons.SourceOf(l8.Plan().Steps[0])
	if err != nil {
		t.Fatal(err)
	}
	const was = "Completion:   sent.Add, // no Balancer: round-robin"
	if !strings.Contains(src.Code, was) {
		t.Fatalf("lesson 8 step 1 no longer has %q: adapt the test", was)
	}
	edited := strings.Replace(src.Code, was, "Balancer:     &kafka.Murmur2Balancer{},\n\t"+strings.TrimSuffix(was, " // no Balancer: round-robin"), 1)
	env := append(progress, editorWriting(t, edited))

	transcript := filepath.Join(t.TempDir(), "run.md")
	l := startLearner(t, env, "--brokers", addr, "--topic-prefix", p, "--lesson", "8", "--no-quiz", "--transcript", transcript)
	l.expect("Next?", 1)
	if !offered(l.visible(), "Edit this step and run it") || offered(l.visible(), "Restore the original") {
		t.Errorf("the prompt after a step, before any edit:\n%s", l.visible())
	}
	l.press(editChoice + enter)
	start := time.Now()
	l.expectWithin(2*time.Minute, "Edited step done", 1)
	if !strings.HasPrefix(progress[1], "XDG_CACHE_HOME=") {
		t.Fatalf("editEnv changed: %v", progress)
	}
	if _, err := os.Stat(filepath.Join(strings.TrimPrefix(progress[1], "XDG_CACHE_HOME="), "kafka-go-lessons", "edited", "p-"+p, "lesson08-step1", "runner-edited")); err != nil {
		t.Errorf("the edited runner is not kept in the cache: %v", err)
	}
	t.Logf("edit to output: %v (the build included)", time.Since(start).Round(100*time.Millisecond))
	shown := after(l.text(), editMark, 1)
	for _, want := range []string{"-     Completion:   sent.Add, // no Balancer: round-robin", "+     Balancer:     &kafka.Murmur2Balancer{},"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the diff does not show %q:\n%s", want, shown)
		}
	}
	got := deliveries(shown)
	want := int64(partition.JavaPartition([]byte("Ada Lovelace"), 3))
	if len(got) != 3 {
		t.Fatalf("%d deliveries after the edit, want Ada's 3:\n%s", len(got), shown)
	}
	keys := partitionKeys(t, addr, topic)
	for _, d := range got {
		if d[0] != want {
			t.Errorf("an edited delivery on partition %d, want all on %d (murmur2, the Java client's): %v", d[0], want, got)
		}
		if keys[d[0]][d[1]] != "Ada Lovelace" {
			t.Errorf("the broker has no order of Ada at %s [%d] @ %d: %v", topic, d[0], d[1], keys)
		}
	}
	// The original step wrote one order per partition; the edit wrote only to Ada's.
	for part, k := range keys {
		if n := len(k); (int64(part) == want && n != 4) || (int64(part) != want && n != 1) {
			t.Errorf("partition %d holds %d records: %v", part, n, keys)
		}
	}
	l.expect("Next?", 2)
	if !offered(l.visible(), "Restore the original") {
		t.Errorf("no way back to the original after an edit:\n%s", l.visible())
	}
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	// The transcript records the edited code and what it printed, marked.
	md, err := os.ReadFile(transcript)
	if err != nil {
		t.Fatal(err)
	}
	cell := after(string(md), "### Step 1/4 · The trap: a writer that ignores keys (edited)", 1)
	code, output, _ := strings.Cut(after(cell, "```go\n", 1), "```text\n")
	if !strings.Contains(code, "Balancer:     &kafka.Murmur2Balancer{},") || strings.Contains(code, "no Balancer") {
		t.Errorf("the transcript's edited cell does not hold the edited code:\n%s", cell)
	}
	output, _, _ = strings.Cut(output, "```")
	if fmt.Sprint(deliveries(output)) != fmt.Sprint(got) {
		t.Errorf("the transcript's edited output %v, want what ran: %v\n%s", deliveries(output), got, cell)
	}

	// A new run of the runner: the edit is kept. An editor that changes
	// nothing runs the kept edit again; Restore runs the lesson's code.
	env = append(progress, "EDITOR=true")
	// 60 rows: the cell, its output and the prompt (Restore, a helper's
	// code and Glossary among its choices) fit unpaged.
	l = startLearnerSized(t, 140, 60, env, "--brokers", addr, "--topic-prefix", p, "--lesson", "8", "--no-quiz")
	l.expect("Next?", 1)
	if !offered(l.visible(), "Edit this step and run it (your edit is kept)") || !offered(l.visible(), "Restore the original") {
		t.Errorf("after a restart, the edit is not offered:\n%s", l.visible())
	}
	l.press(editChoice + enter)
	l.expectWithin(2*time.Minute, "Edited step done", 1)
	for _, d := range deliveries(after(l.text(), editMark, 1)) {
		if d[0] != want {
			t.Errorf("the kept edit put an order on partition %d, want %d", d[0], want)
		}
	}
	l.expect("Next?", 2)
	l.press("Restore" + enter)
	l.expect("is the lesson's code again", 1)
	l.waitAfter("is the lesson's code again", "Ada Lovelace: partition")
	l.waitAfter("is the lesson's code again", "Next?")
	again := after(l.text(), "is the lesson's code again", 1)
	parts := map[int64]bool{}
	for _, d := range deliveries(again) {
		parts[d[0]] = true
	}
	if len(deliveries(again)) != 3 || len(parts) != 3 {
		t.Errorf("the original step again: deliveries %v, want one on each of the 3 partitions", deliveries(again))
	}
	time.Sleep(500 * time.Millisecond) // survey draws its choices
	if offered(l.visible(), "Restore the original") {
		t.Errorf("still offers to restore once restored:\n%s", l.visible())
	}
	l.press("Quit" + enter)
	exitCode(t, l.cmd, 10*time.Second)

	// reset forgets edits: edit, then reset, then nothing is kept.
	dir := filepath.Join(filepath.Dir(strings.TrimPrefix(progress[0], progressEnv+"=")), "edits", "p-"+p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "lesson08-step1.go"), []byte(edited), 0o644)
	cmd, out, _ := runner(t, progress, "reset", "--topic-prefix", p)
	if code := exitCode(t, cmd, 10*time.Second); code != 0 || !strings.Contains(out.String(), "Edited steps forgotten: 1.") {
		t.Errorf("reset: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("reset left the edits in %s (%v)", dir, err)
	}
	builds := filepath.Join(strings.TrimPrefix(progress[1], "XDG_CACHE_HOME="), "kafka-go-lessons", "edited", "p-"+p)
	if _, err := os.Stat(builds); !os.IsNotExist(err) {
		t.Errorf("reset left the edited builds in %s (%v)", builds, err)
	}
}

// An edit that does not compile: the error is on the learner's line and
// column, and nothing runs (the broker gets no record). The editor opens
// again on the same text.
func TestEditThatDoesNotCompile(t *testing.T) {
	addr := testBroker(t)
	progress, p := editEnv(t), prefix()
	l8, _ := lessons.Find(8)
	src, _ := lessons.SourceOf(l8.Plan().Steps[0])
	lines := strings.Split(src.Code, "\n")
	lines[4] = "sent := NewDeliveries(env.Out) + nope" // line 5 of the learner's text
	env := append(progress, editorWriting(t, strings.Join(lines, "\n")))
	l := startLearner(t, env, "--brokers", addr, "--topic-prefix", p, "--lesson", "8", "--no-quiz")
	l.expect("Next?", 1)
	before := partitionKeys(t, addr, p+"orders-by-user")
	l.press(editChoice + enter)
	l.expectWithin(2*time.Minute, "does not compile", 1)
	l.expect("line 5, column 34: undefined: nope", 1)
	l.expect("5 │ sent := NewDeliveries(env.Out) + nope", 1)
	l.expect("Next?", 2)
	if got := deliveries(after(l.text(), editMark, 1)); len(got) != 0 || strings.Contains(l.text(), "Edited step done") {
		t.Errorf("an edit that does not compile ran: %v", got)
	}
	if now := partitionKeys(t, addr, p+"orders-by-user"); fmt.Sprint(now) != fmt.Sprint(before) {
		t.Errorf("the topic changed: %v, then %v", before, now)
	}
	// Again: the same text (the editor here changes nothing), the same error.
	l.press(editChoice + enter)
	l.expectWithin(2*time.Minute, "line 5, column 34: undefined: nope", 2)
	l.expect("Next?", 3)
	l.press("Quit" + enter)
	exitCode(t, l.cmd, 10*time.Second)
}

// An edited step that panics fails with the learner's panic, and the
// lesson goes on: Continue plays step 2.
func TestEditedStepThatFails(t *testing.T) {
	addr := testBroker(t)
	progress, p := editEnv(t), prefix()
	body := "var counts map[string]int\ncounts[\"Ada\"]++ // a nil map\nreturn nil"
	env := append(progress, editorWriting(t, body))
	l := startLearner(t, env, "--brokers", addr, "--topic-prefix", p, "--lesson", "8", "--no-quiz")
	l.expect("Next?", 1)
	l.press(editChoice + enter)
	l.expectWithin(2*time.Minute, "The edited step failed", 1)
	l.expect("your edited step panicked: assignment to entry in nil map", 1)
	l.waitAfter("The edited step failed", "Next?")
	l.press(enter) // Continue
	l.expect("Step 2/4 · kafka.Hash", 1)
	l.press("\x03")
	exitCode(t, l.cmd, 10*time.Second)
}

// Ctrl-C during an edited run stops it, as during any step: exit code 130,
// within 2 s and a little.
func TestCtrlCStopsAnEditedRun(t *testing.T) {
	addr := testBroker(t)
	progress, p := editEnv(t), prefix()
	body := "env.Out.Say(\"waiting for Ctrl-C\")\n<-ctx.Done()\nreturn ctx.Err()"
	env := append(progress, editorWriting(t, body))
	l := startLearner(t, env, "--brokers", addr, "--topic-prefix", p, "--lesson", "8", "--no-quiz")
	l.expect("Next?", 1)
	l.press(editChoice + enter)
	l.expectWithin(2*time.Minute, "waiting for Ctrl-C", 1)
	l.press("\x03")
	start := time.Now()
	if code := exitCode(t, l.cmd, 5*time.Second); code != exitInterrupted {
		t.Errorf("exit code %d, want 130", code)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Ctrl-C took %v to stop the edited run", d)
	}
}

// Away from the clone, editing is not offered, and the runner says why once.
func TestEditNeedsAClone(t *testing.T) {
	addr := testBroker(t)
	l := startLearnerIn(t, t.TempDir(), 140, 50, editEnv(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2", "--no-quiz")
	l.expect("Next?", 1)
	l.press(enter)
	l.expect("Next?", 2)
	if n := strings.Count(l.text(), "You cannot edit steps here: editing a step needs a clone"); n != 1 {
		t.Errorf("said %d times why steps cannot be edited, want once:\n%s", n, l.text())
	}
	if strings.Contains(l.text(), editChoice) {
		t.Errorf("editing offered without the source")
	}
	l.press("Quit" + enter)
	exitCode(t, l.cmd, 10*time.Second)
}

// BenchmarkEditToOutput is the time from an edit saved to its output, on
// the embedded broker: the lessons built with the edit (the build cache
// warm: the lessons package is compiled again and the runner linked) and
// lesson 8 step 1 run by the edited runner. "new" is a new edit each time,
// "same" the same edit run again (go build finds the runner up to date).
//
//	go test -run '^$' -bench EditToOutput -benchtime 5x ./runner
func BenchmarkEditToOutput(b *testing.B) {
	kb, err := broker.StartEmbedded(1, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer kb.Close()
	root, err := exerciseRoot()
	if err != nil {
		b.Fatal(err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Fatal(err)
	}
	e := &stepEditor{root: root, goBin: goBin, brokers: kb.Addrs, prefix: prefix()}
	l8, _ := lessons.Find(8)
	src, err := lessons.SourceOf(l8.Plan().Steps[0])
	if err != nil {
		b.Fatal(err)
	}
	const was = "BatchTimeout: time.Millisecond,"
	if !strings.Contains(src.Code, was) {
		b.Fatalf("lesson 8 step 1 no longer has %q", was)
	}
	ctx := context.Background()
	dir := b.TempDir()
	run := func(b *testing.B, body string) {
		bin, problems, err := e.build(ctx, src, body, dir)
		if err != nil {
			b.Fatalf("build: %v %v", err, problems)
		}
		var buf syncBuffer
		if err := runEdited(ctx, e.command(ctx, bin, 8, 1), output.New(&buf, false)); err != nil {
			b.Fatalf("run: %v\n%s", err, buf.String())
		}
		if n := strings.Count(buf.String(), "Delivered to"); n != 3 {
			b.Fatalf("%d deliveries, want 3:\n%s", n, buf.String())
		}
	}
	edit := func(d int64) string {
		return strings.Replace(src.Code, was, fmt.Sprintf("BatchTimeout: %d * time.Microsecond,", d), 1)
	}
	b.Run("new", func(b *testing.B) {
		run(b, edit(1)) // the build cache is warm for all but the edit
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			run(b, edit(time.Now().UnixNano()%1_000_000+2))
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/edit")
	})
	b.Run("same", func(b *testing.B) {
		body := edit(500)
		run(b, body)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			run(b, body)
		}
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/edit")
	})
}

// An edit kept before lesson 0 gained its three first-order steps stays
// with its step: the old step k's edit is step k+3's, once; other lessons'
// edits do not move.
func TestEditsOfLesson0MoveWithTheirSteps(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "edits", "default")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	kept := map[string]string{
		"lesson00-step1.go": "// the old listBrokers\n",
		"lesson00-step4.go": "// the old explainCompose\n",
		"lesson01-step1.go": "// createTopic\n",
	}
	for name, body := range kept {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{
		"lesson00-step4.go": "// the old listBrokers\n",
		"lesson00-step7.go": "// the old explainCompose\n",
		"lesson01-step1.go": "// createTopic\n",
	}
	for round := 1; round <= 2; round++ { // the second finds the folder marked: nothing moves
		if err := migrateEdits(dir); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "lesson*-step*.go"))
		if len(files) != len(want) {
			t.Errorf("round %d: edits %v, want %d", round, files, len(want))
		}
		for name, body := range want {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || string(got) != body {
				t.Errorf("round %d: %s = %q, %v; want %q", round, name, got, err, body)
			}
		}
	}
	// A learner with no edits yet gets the folder marked: their first edit
	// is numbered today's way and never moves.
	fresh := filepath.Join(t.TempDir(), "none")
	if err := migrateEdits(fresh); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(fresh, editsLayout)); err != nil {
		t.Errorf("a fresh folder is not marked: %v", err)
	}
}
