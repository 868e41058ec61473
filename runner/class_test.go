package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/class"
)

// Three learners of one class on one broker, each a runner process as a
// learner starts it: ada plays lesson 1 to its end, bob stops lesson 2 at
// step 2 (Ctrl-C during --pace), cy plays lesson 0 and fails exercise 8's
// check three times. The teacher's view (class --once) shows exactly that,
// twice (a new view reads the same compacted topic), and the CSV has the
// same rows.
func TestClassOfThreeLearners(t *testing.T) {
	addr := testBroker(t)
	name := "t" + uuid.NewString()[:8] + "-class"
	dir := t.TempDir()
	env := func(who string) []string {
		return []string{progressEnv + "=" + filepath.Join(dir, who, "progress.json")}
	}
	learner := func(who string, args ...string) []string {
		return append(args, "--brokers", addr, "--class", name, "--name", who, "--topic-prefix", name+"-"+who+"-")
	}
	t.Cleanup(func() { deleteClassTopic(t, addr, name) })

	ada, aout, aerr := runner(t, env("ada"), learner("ada", "--lesson", "1", "--yes", "--no-quiz")...)
	bob, bout, berr := runner(t, env("bob"), learner("bob", "--lesson", "2", "--yes", "--no-quiz", "--pace", "2m")...)
	cy, cout, cerr := runner(t, env("cy"), learner("cy", "--lesson", "0", "--yes", "--no-quiz")...)

	// bob is at step 2 once his state file says so: step 1 ran, and the
	// pace waits before step 2. Ctrl-C there leaves him at step 2.
	bobState := filepath.Join(dir, "bob", "class", name, "bob.json")
	deadline := time.Now().Add(2 * time.Minute)
	for stateStep(bobState, 2) != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("bob never reached step 2 of lesson 2:\n%s\n%s", bout, berr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	bob.Process.Signal(syscall.SIGINT)
	if code := exitCode(t, bob, 30*time.Second); code != exitInterrupted {
		t.Errorf("bob: exit %d after Ctrl-C, want 130\n%s\n%s", code, bout, berr)
	}
	if code := exitCode(t, ada, 3*time.Minute); code != 0 {
		t.Fatalf("ada: exit %d\n%s\n%s", code, aout, aerr)
	}
	if code := exitCode(t, cy, 3*time.Minute); code != 0 {
		t.Fatalf("cy: exit %d\n%s\n%s", code, cout, cerr)
	}
	for i := 1; i <= 3; i++ {
		check, out, errb := runner(t, env("cy"), learner("cy", "check", "8")...)
		if code := exitCode(t, check, 3*time.Minute); code != 1 {
			t.Fatalf("cy's check %d of exercise 8's starting file: exit %d, want 1\n%s\n%s", i, code, out, errb)
		}
	}

	want := [][]string{
		{"learner", "L0", "L1", "L2", "ex8", "seen", "stuck"},
		{"ada", "·", "✓", "·", "·", "*"},
		{"bob", "·", "·", "s2", "·", "*"},
		{"cy", "✓", "·", "·", "✘3", "*", "exercise 8 failed 3×"},
	}
	wantCSV := [][]string{
		{"learner", "lesson 0", "lesson 1", "lesson 2", "exercise 8", "last event (UTC)", "stuck"},
		{"ada", "not started", "done", "not started", "not tried", "*", ""},
		{"bob", "not started", "not started", "at step 2", "not tried", "*", ""},
		{"cy", "done", "not started", "not started", "failed (3 tries)", "*", "exercise 8 failed 3×"},
	}
	var first string
	for view := 1; view <= 2; view++ {
		csvPath := filepath.Join(dir, fmt.Sprintf("view%d.csv", view))
		cmd, out, errb := runner(t, []string{"NO_COLOR=1"}, "class", name, "--brokers", addr, "--once", "--csv", csvPath)
		if code := exitCode(t, cmd, time.Minute); code != 0 {
			t.Fatalf("view %d: exit %d\n%s\n%s", view, code, out, errb)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if lines[0] != fmt.Sprintf("Class %s: 3 learner(s), from %s.progress.", name, name) {
			t.Errorf("view %d: heading %q", view, lines[0])
		}
		table := lines[1:]
		if len(table) != len(want) {
			t.Fatalf("view %d: %d lines, want %d:\n%s", view, len(table), len(want), out)
		}
		for i, w := range want {
			got := regexp.MustCompile(`\s{2,}`).Split(table[i], -1)
			if i > 0 && len(got) > 5 {
				if !regexp.MustCompile(`^\d+[smhd]$`).MatchString(got[5]) {
					t.Errorf("view %d, %s: seen %q", view, got[0], got[5])
				}
				got[5] = "*"
			}
			if strings.Join(got, "|") != strings.Join(w, "|") {
				t.Errorf("view %d, line %d: %q, want %q", view, i, got, w)
			}
		}
		if strings.Contains(out.String(), "\x1b[") {
			t.Errorf("view %d: colour codes without a terminal (NO_COLOR too)", view)
		}
		rows := readCSV(t, csvPath)
		if len(rows) != len(wantCSV) {
			t.Fatalf("view %d: CSV of %d rows, want %d: %q", view, len(rows), len(wantCSV), rows)
		}
		for i, w := range wantCSV {
			if i > 0 {
				if _, err := time.Parse(time.RFC3339, rows[i][5]); err != nil {
					t.Errorf("CSV row %d: last event %q: %v", i, rows[i][5], err)
				}
				rows[i][5] = "*"
			}
			if strings.Join(rows[i], "|") != strings.Join(w, "|") {
				t.Errorf("view %d, CSV row %d: %q, want %q", view, i, rows[i], w)
			}
		}
		// The seen column ticks between two views: it is left out, at the
		// end of a line too.
		seenless := regexp.MustCompile(`(?m)\d+[smhd]( |$)`).ReplaceAllString(strings.Join(table, "\n"), "")
		if view == 1 {
			first = seenless
			t.Logf("the view:\n%s", out)
		} else if seenless != first {
			t.Errorf("a new view shows another table:\n%s\nthen\n%s", first, seenless)
		}
	}

	// The facts behind the table, read from Kafka: a compacted topic, and
	// cy's state as the last record of his key says.
	assertCompacted(t, addr, name)
	addrs, _ := broker.ParseAddrs(addr) // kafka.TCP takes one address per argument
	cl, err := class.Snapshot(context.Background(), addrs, nil, name, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	x := cl.Learners["cy"].Exercises["8"]
	if x == nil || x.Tries != 3 || x.Passed || x.FailsInARow != 3 {
		t.Errorf("cy's exercise 8 in Kafka: %+v, want 3 tries, 3 fails in a row", x)
	}
	if l := cl.Learners["bob"].Lessons[2]; l == nil || l.Step != 2 || l.Done {
		t.Errorf("bob's lesson 2 in Kafka: %+v, want at step 2", l)
	}
	if cl.Skipped != 0 {
		t.Errorf("%d records skipped", cl.Skipped)
	}
}

// stateStep is the step of lesson n in a learner's class state file, 0
// while there is none.
func stateStep(path string, n int) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	var st struct{ State class.State }
	if json.Unmarshal(b, &st) != nil || st.State.Lessons[n] == nil {
		return 0
	}
	return st.State.Lessons[n].Step
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// assertCompacted checks the class topic's cleanup.policy, as the broker
// describes it.
func assertCompacted(t *testing.T, addr, name string) {
	t.Helper()
	addrs, _ := broker.ParseAddrs(addr)
	c := &kafka.Client{Addr: kafka.TCP(addrs...), Timeout: 10 * time.Second}
	resp, err := c.DescribeConfigs(context.Background(), &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: class.Topic(name), ConfigNames: []string{"cleanup.policy"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.Resources {
		for _, e := range r.ConfigEntries {
			if e.ConfigName == "cleanup.policy" && e.ConfigValue == "compact" {
				return
			}
		}
	}
	t.Errorf("%s is not compacted: %+v", class.Topic(name), resp.Resources)
}

// deleteClassTopic removes the test's class topic from a shared broker.
func deleteClassTopic(t *testing.T, addr, name string) {
	addrs, _ := broker.ParseAddrs(addr)
	c := &kafka.Client{Addr: kafka.TCP(addrs...), Timeout: 10 * time.Second}
	if _, err := c.DeleteTopics(context.Background(), &kafka.DeleteTopicsRequest{Topics: []string{class.Topic(name)}}); err != nil {
		t.Logf("delete %s: %v", class.Topic(name), err)
	}
}

// startView runs the class view in a pseudo-terminal of rows × cols.
func startView(t *testing.T, rows, cols int, args ...string) *watcher {
	t.Helper()
	return startScreen(t, rows, cols, nil, append([]string{"class"}, args...)...)
}

// publish records events for a learner of the class, and waits until they
// are sent.
func publish(t *testing.T, addrs []string, name, who string, events ...class.Event) {
	t.Helper()
	p, err := class.Open(class.Options{Brokers: addrs, Class: name, Learner: who, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		p.Record(e)
	}
	if err := p.Close(20 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// The live view follows the topic and redraws in place, in colour; when
// the broker goes away it says so, keeps the table as last read and
// retries; when a broker answers there again, what is published shows;
// q quits with exit 0, and --csv gets the last table.
func TestClassViewLive(t *testing.T) {
	b, err := broker.StartEmbedded(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	name := "t" + uuid.NewString()[:8] + "-class"
	fail := class.Event{Kind: class.ExerciseChecked, Exercise: "8"}
	publish(t, b.Addrs, name, "ada", class.Event{Kind: class.StepReached, Lesson: 4, Step: 2})
	publish(t, b.Addrs, name, "bob", fail, fail, fail)
	csvPath := filepath.Join(t.TempDir(), "class.csv")
	w := startView(t, 12, 90, name, "--brokers", b.Addrs[0], "--csv", csvPath)
	w.waitScreen("Class " + name + " · 2 learner(s)")
	w.waitScreen("bob      ·   ✘3   ")
	w.waitRaw("\x1b[1;31mbob\x1b[0m") // stuck: red
	w.waitScreen("exercise 8 failed 3×")

	b.Close()
	w.waitScreen("the broker does not answer since")
	if !strings.Contains(w.visible(), "ada      s2") {
		t.Errorf("the table as last read is gone:\n%s", w.visible())
	}
	_, port, _ := strings.Cut(b.Addrs[0], ":")
	var p int
	fmt.Sscan(port, &p)
	back, err := broker.StartEmbedded(1, p)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	publish(t, back.Addrs, name, "cy", class.Event{Kind: class.LessonDone, Lesson: 0})
	w.waitScreen("cy       ")
	w.waitScreen("Class " + name + " · 3 learner(s)")
	if strings.Contains(w.visible(), "does not answer") {
		t.Errorf("still says the broker is away:\n%s", w.visible())
	}
	for i, f := range w.frames() {
		f, _, _ = strings.Cut(f, altScreenOff)
		ls := strings.Split(f, "\r\n")
		if len(ls) > w.rows {
			t.Errorf("frame %d has %d lines, the terminal %d", i, len(ls), w.rows)
		}
		for _, l := range ls {
			if n := utf8.RuneCountInString(ansi.ReplaceAllString(l, "")); n >= w.cols {
				t.Errorf("frame %d: a line of %d columns: %q", i, n, l)
			}
		}
	}
	t.Logf("the view, back:\n%s", w.visible())
	w.tty.Write([]byte("q"))
	if code := exitCode(t, w.cmd, 5*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if strings.Contains(w.text(), "panic") {
		t.Errorf("panic:\n%s", w.text())
	}
	rows := readCSV(t, csvPath)
	if len(rows) != 4 || rows[1][0] != "ada" || rows[2][0] != "bob" || rows[3][0] != "cy" {
		t.Errorf("CSV: %q", rows)
	}
}

// The class's command line: a name that cannot name a topic, a class named
// twice or not at all, are usage errors; class --help shows its own flags.
func TestClassCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"class"}, "class needs the class's name: go run ./runner class NAME"},
		{[]string{"class", "a", "b"}, `unexpected argument "b"`},
		{[]string{"class", "x", "--class", "y"}, "name the class once"},
		{[]string{"class", "a b"}, `class name takes only letters, digits, '.', '_' and '-' (it names the topic a b.progress)`},
		{[]string{"--class", "a/b", "--lesson", "1"}, `--class "a/b": a class name takes only`},
		{[]string{"check", "8", "--class", "!"}, `--class "!": a class name takes only`},
		{[]string{"class", "x", "--lesson", "1"}, "unknown flag: --lesson"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), tc.args, stdio{out: &out, err: &errb}); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if !strings.Contains(errb.String(), tc.want) || !strings.Contains(errb.String(), "--help") {
			t.Errorf("%v: stderr %q lacks %q and a pointer to --help", tc.args, errb.String(), tc.want)
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"class", "--help"}, stdio{out: &out, err: &errb}); code != exitOK {
		t.Fatalf("class --help: exit %d", code)
	}
	for _, want := range []string{"go run ./runner class NAME [flags]", "--once", "--csv FILE", "--brokers", "--config"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("class --help lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	run(context.Background(), []string{"--help"}, stdio{out: &out, err: &errb})
	for _, want := range []string{"--class NAME", "--name NAME", "class  "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// Through --config on a SASL_SSL broker the learner is their SASL user,
// whatever --name says, and the view reads the class through the same
// kind of file; the password is printed nowhere.
func TestClassThroughASecuredConfig(t *testing.T) {
	_, properties := securedBroker(t)
	name := "t" + uuid.NewString()[:8] + "-class"
	env := []string{progressEnv + "=" + filepath.Join(t.TempDir(), "progress.json")}
	cmd, out, errb := runner(t, env, "--lesson", "2", "--yes", "--no-quiz", "--config", properties(testPassword),
		"--class", name, "--name", "mallory", "--topic-prefix", name+"-")
	if code := exitCode(t, cmd, 2*time.Minute); code != 0 {
		t.Fatalf("learner: exit %d\n%s\n%s", code, out, errb)
	}
	if s := out.String(); !strings.Contains(s, "--name mallory: on a cluster with SASL the class knows you by your SASL user, alice") ||
		!strings.Contains(s, "published as alice to "+name+".progress") {
		t.Errorf("the learner is not told they are alice:\n%s", s)
	}
	view, vout, verr := runner(t, []string{"NO_COLOR=1"}, "class", name, "--once", "--config", properties(testPassword))
	if code := exitCode(t, view, time.Minute); code != 0 {
		t.Fatalf("view: exit %d\n%s\n%s", code, vout, verr)
	}
	lines := strings.Split(strings.TrimSpace(vout.String()), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^alice\s+✓\s+\d+s$`).MatchString(lines[2]) {
		t.Errorf("the view, want one learner, alice, lesson 2 done:\n%s", vout)
	}
	if strings.Contains(out.String()+errb.String()+vout.String()+verr.String(), testPassword) {
		t.Error("the password was printed")
	}
}
