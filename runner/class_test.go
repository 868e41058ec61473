package main

import (
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
		seenless := regexp.MustCompile(`\d+[smhd] `).ReplaceAllString(strings.Join(table, "\n"), "")
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
	cl, err := class.Snapshot(context.Background(), []string{addr}, nil, name, 30*time.Second)
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
