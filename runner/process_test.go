package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// binary is the runner, built once for the tests that run it as a learner does.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "runner-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "runner")
	// Progress goes to a file of the tests' own, never the user's: the
	// tests in this process and every runner they start inherit this.
	os.Setenv(progressEnv, filepath.Join(dir, "progress.json"))
	// The tests read English unless they ask for another language, whatever
	// this machine's locale.
	os.Setenv("KAFKA_LESSONS_LANG", "en")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build runner: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testBroker returns the address the runner should use: the broker
// $KAFKA_BOOTSTRAP_SERVERS names (a real one), else an embedded broker
// hosted by this test.
func testBroker(t *testing.T) string {
	addrs, _ := testkit.Brokers(t)
	return strings.Join(addrs, ",")
}

// syncBuffer collects a process's output while it runs.
type syncBuffer = testkit.Buffer

// runner starts the binary with no terminal: stdin from /dev/null, output
// into buffers. KAFKA_BOOTSTRAP_SERVERS is removed unless env sets it.
func runner(t *testing.T, env []string, args ...string) (*exec.Cmd, *syncBuffer, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(withoutVar(os.Environ(), broker.EnvVar), env...)
	var out, errb syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &out, &errb
}

func withoutVar(environ []string, name string) []string {
	var out []string
	for _, e := range environ {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return out
}

// exitCode waits for the process, at most d.
func exitCode(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s did not exit within %v", strings.Join(cmd.Args, " "), d)
		return -1
	}
}

// waitFor waits until buf contains want.
func waitFor(t *testing.T, buf *syncBuffer, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(buf.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %v in:\n%s", want, d, buf.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func prefix() string { return "t" + uuid.NewString()[:8] + "-" }

func TestAllLessonsUnattendedWithoutTerminal(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	testkit.StopsBrokers(t, cluster) // lesson 11
	addr := strings.Join(addrs, ",")
	start := time.Now()
	cmd, out, errb := runner(t, nil, "--brokers", addr, "--topic-prefix", prefix())
	defer func() { t.Logf("the walkthrough took %v", time.Since(start).Round(100*time.Millisecond)) }()
	if code := exitCode(t, cmd, 8*time.Minute); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, out, errb)
	}
	s := out.String()
	if !strings.Contains(s, "No terminal on stdin or stdout: running unattended") {
		t.Errorf("did not say it runs unattended:\n%s", s)
	}
	for _, l := range lessons.All() {
		if l.Requires.Unmet(cluster) != "" {
			continue
		}
		if !strings.Contains(s, fmt.Sprintf("✔ Lesson %d done.", l.Number)) {
			t.Errorf("lesson %d did not finish", l.Number)
		}
	}
	if strings.Contains(s, "\x1b[") {
		t.Errorf("colour codes in non-terminal output")
	}
	if !regexp.MustCompile(`Delivered to \S+orders \[\d\] @ offset \d+`).MatchString(s) {
		t.Errorf("no delivery report")
	}
}

func TestNamedBrokerThatDoesNotAnswer(t *testing.T) {
	for _, args := range [][]string{
		{"--lesson", "1", "--yes", "--brokers", "127.0.0.1:1"},
		{"produce", "--brokers", "127.0.0.1:1"},
		{"consume", "--brokers", "no-such-host.invalid:9092"},
	} {
		start := time.Now()
		cmd, _, errb := runner(t, nil, args...)
		code := exitCode(t, cmd, 10*time.Second)
		if code != 1 {
			t.Errorf("%v: exit code %d, want 1", args, code)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%v: took %v, want under 5 s", args, d)
		}
		for _, want := range []string{"no Kafka broker answers at " + args[len(args)-1], "docker compose up -d", "without --brokers"} {
			if !strings.Contains(errb.String(), want) {
				t.Errorf("%v: stderr lacks %q:\n%s", args, want, errb)
			}
		}
	}
	// The same through the environment variable.
	cmd, _, errb := runner(t, []string{broker.EnvVar + "=127.0.0.1:1"}, "list")
	if code := exitCode(t, cmd, 10*time.Second); code != 0 {
		t.Errorf("list needs no broker, exit code %d: %s", code, errb)
	}
	cmd, _, errb = runner(t, []string{broker.EnvVar + "=127.0.0.1:1"}, "--lesson", "0")
	if code := exitCode(t, cmd, 10*time.Second); code != 1 || !strings.Contains(errb.String(), "127.0.0.1:1") {
		t.Errorf("exit code %d, stderr %s", code, errb)
	}
}

var deliveredRE = regexp.MustCompile(`Delivered to (\S+) \[(\d+)\] @ offset (\d+): (\{.*\})`)

// The original two-terminal demo: a consumer waits, a producer sends, the
// order shows up in the consumer at the partition and offset the delivery
// report named. Ctrl-C closes the consumer and exits 130.
func TestTwoTerminalDemo(t *testing.T) {
	addr := testBroker(t)
	p := prefix()
	consumer, cout, cerr := runner(t, nil, "consume", "--brokers", addr, "--topic-prefix", p)
	waitFor(t, cout, "Waiting for orders", 20*time.Second)

	producer, pout, perr := runner(t, nil, "produce", "--count", "2", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, producer, 30*time.Second); code != 0 {
		t.Fatalf("produce exit code %d: %s %s", code, pout, perr)
	}
	reports := deliveredRE.FindAllStringSubmatch(pout.String(), -1)
	if len(reports) != 2 {
		t.Fatalf("want 2 delivery reports:\n%s", pout)
	}
	for _, r := range reports {
		waitFor(t, cout, fmt.Sprintf("(%s [%s] @ offset %s)", r[1], r[2], r[3]), 10*time.Second)
	}
	consumer.Process.Signal(syscall.SIGINT)
	start := time.Now()
	if code := exitCode(t, consumer, 5*time.Second); code != exitInterrupted {
		t.Errorf("consumer exit code %d after Ctrl-C, want 130:\n%s\n%s", code, cout, cerr)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("consumer took %v to exit after Ctrl-C", d)
	}
	if !strings.Contains(cout.String(), "consumer closed") || !strings.Contains(cout.String(), "orders: 2") {
		t.Errorf("consumer did not close and count:\n%s", cout)
	}
}

// consume --partition 0 --offset 50 assigns exactly one partition, as the
// original consumer did, and explains an offset past the end.
func TestConsumeAssignedPartitionAndOffset(t *testing.T) {
	addr := testBroker(t)
	p := prefix()
	producer, pout, _ := runner(t, nil, "produce", "--count", "3", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, producer, 30*time.Second); code != 0 {
		t.Fatalf("produce: %d", code)
	}
	var p0 []string
	for _, r := range deliveredRE.FindAllStringSubmatch(pout.String(), -1) {
		if r[2] == "0" {
			p0 = append(p0, r[3])
		}
	}
	if len(p0) == 0 {
		t.Fatalf("no order went to partition 0:\n%s", pout)
	}
	cmd, out, errb := runner(t, nil, "consume", "--partition", "0", "--offset", "0", "--for", "3s", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, cmd, 20*time.Second); code != 0 {
		t.Fatalf("consume exit %d: %s %s", code, out, errb)
	}
	got := regexp.MustCompile(`\[(\d+)\] @ offset (\d+)\)`).FindAllStringSubmatch(out.String(), -1)
	if len(got) != len(p0) {
		t.Fatalf("want the %d orders of partition 0, got:\n%s", len(p0), out)
	}
	for i, g := range got {
		if g[1] != "0" || g[2] != p0[i] {
			t.Errorf("record %d: partition %s offset %s, want 0 @ %s", i, g[1], g[2], p0[i])
		}
	}

	cmd, out, errb = runner(t, nil, "consume", "--partition", "0", "--offset", "50", "--for", "2s", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, cmd, 20*time.Second); code != 0 {
		t.Fatalf("consume exit %d: %s %s", code, out, errb)
	}
	want := fmt.Sprintf("offset 50 is past the end: partition 0 holds offsets 0 to %d, its high watermark is %d.", len(p0)-1, len(p0))
	if !strings.Contains(out.String(), want) {
		t.Errorf("no explanation %q:\n%s", want, out)
	}

	cmd, _, errb = runner(t, nil, "consume", "--partition", "7", "--offset", "0", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, cmd, 20*time.Second); code != 1 || !strings.Contains(errb.String(), "has no partition 7: its partitions are 0, 1, 2") {
		t.Errorf("exit %d, stderr: %s", code, errb)
	}
}

func TestLessonsMarkdownIsFresh(t *testing.T) {
	want, err := lessonsMarkdown(nil)
	if err != nil {
		t.Fatal(err)
	}
	requireFresh(t, "LESSONS.md", want, "go run ./runner docs > LESSONS.md")
}

// requireFresh fails when the generated file (from the clone's root) is
// not want, saying the command that writes it.
func requireFresh(t *testing.T, file, want, command string) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join("..", file))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is stale: run  %s", file, command)
	}
}
