package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/cluster"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// The broker goes away under consume: it does not exit, it says once that
// Kafka does not answer and that it keeps trying; Ctrl-C still ends it at
// once with 130.
func TestConsumeWaitsForAVanishedBroker(t *testing.T) {
	for _, mode := range [][]string{{"consume"}, {"consume", "--group", "order_tracker"}} {
		b, err := broker.StartEmbedded(1, 0)
		if err != nil {
			t.Fatal(err)
		}
		addr := strings.Join(b.Addrs, ",")
		cmd, out, errb := runner(t, nil, append(mode, "--brokers", addr, "--topic-prefix", prefix())...)
		waitFor(t, out, "Waiting for orders", 20*time.Second)
		b.Close()
		waitFor(t, out, "does not answer", 15*time.Second)
		waitFor(t, out, "Still trying; Ctrl-C to stop.", time.Second)
		if cmd.ProcessState != nil {
			t.Fatalf("%v exited when the broker went away:\n%s\n%s", mode, out, errb)
		}
		cmd.Process.Signal(syscall.SIGINT)
		start := time.Now()
		if code := exitCode(t, cmd, 5*time.Second); code != exitInterrupted {
			t.Errorf("%v: exit %d after Ctrl-C, want 130\n%s", mode, code, errb)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%v: %v to stop after Ctrl-C", mode, d)
		}
		if strings.Contains(errb.String(), "panic") {
			t.Errorf("%v: panic:\n%s", mode, errb)
		}
	}
}

// restartable returns the native cluster behind $KAFKA_BOOTSTRAP_SERVERS
// when KAFKA_RESTART_TESTS is set: these tests stop a broker that every
// other test shares, so CI runs them on their own.
func restartable(t *testing.T) (*native.Cluster, string) {
	t.Helper()
	if os.Getenv("KAFKA_RESTART_TESTS") == "" {
		t.Skip("stops the shared broker: set KAFKA_RESTART_TESTS=1 (with a native cluster from kafka-native) to run")
	}
	list := os.Getenv(broker.EnvVar)
	nc, err := native.Find()
	if err != nil || list == "" || !cluster.Serves(nc, strings.Split(list, ",")) {
		t.Fatalf("KAFKA_RESTART_TESTS needs $%s to name a cluster kafka-native started (%v)", broker.EnvVar, err)
	}
	return nc, list
}

var receivedRE = regexp.MustCompile(`Received order: .*\((\S+ \[\d+\] @ offset \d+)\)`)

// A single broker stops under consume (partition and group mode) and
// produce --count N, and starts again within 30 s: all three go on, and
// every acknowledged order is printed once by the partition consumer and at
// least once by the group.
func TestRideThroughABrokerRestart(t *testing.T) {
	nc, addr := restartable(t)
	p := prefix()
	common := []string{"--brokers", addr, "--topic-prefix", p}
	parts, pout, perr := runner(t, nil, append([]string{"consume"}, common...)...)
	waitFor(t, pout, "Waiting for orders", 30*time.Second)
	group, gout, gerr := runner(t, nil, append([]string{"consume", "--group", "riders"}, common...)...)
	waitFor(t, gout, "Waiting for orders", 30*time.Second)

	producer, out, errb := runner(t, nil, append([]string{"produce", "--count", "3000"}, common...)...)
	waitFor(t, out, "Delivered to", 30*time.Second)
	node := nc.Nodes()[0].ID
	if err := nc.Stop(t.Context(), node); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	if err := nc.Start(t.Context(), node); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, producer, 2*time.Minute); code != 0 {
		t.Fatalf("produce exit %d\n%s\n%s", code, tail(out.String()), errb)
	}
	reports := deliveredRE.FindAllStringSubmatch(out.String(), -1)
	t.Logf("%d orders acknowledged; producer said:\n%s", len(reports), strings.Join(linesWith(out.String(), "answer"), "\n"))
	if len(reports) != 3000 {
		t.Errorf("%d delivery reports, want 3000", len(reports))
	}
	want := map[string]bool{}
	for _, r := range reports {
		want[fmt.Sprintf("%s [%s] @ offset %s", r[1], r[2], r[3])] = true
	}
	for name, buf := range map[string]*syncBuffer{"partition consumer": pout, "group consumer": gout} {
		deadline := time.Now().Add(90 * time.Second)
		for {
			seen := map[string]int{}
			for _, m := range receivedRE.FindAllStringSubmatch(buf.String(), -1) {
				seen[m[1]]++
			}
			missing, twice := 0, 0
			for w := range want {
				if seen[w] == 0 {
					missing++
				}
				if seen[w] > 1 {
					twice++
				}
			}
			if missing == 0 {
				if name == "partition consumer" && twice > 0 {
					t.Errorf("the partition consumer printed %d orders twice", twice)
				}
				t.Logf("%s: every acknowledged order printed (%d more than once)", name, twice)
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: %d acknowledged orders never printed:\n%s", name, missing, strings.Join(linesWith(buf.String(), "answer"), "\n"))
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	for _, c := range []struct {
		cmd  interface{ Signal(os.Signal) error }
		errb *syncBuffer
	}{{parts.Process, perr}, {group.Process, gerr}} {
		c.cmd.Signal(syscall.SIGINT)
	}
	exitCode(t, parts, 10*time.Second)
	exitCode(t, group, 10*time.Second)
}

// linesWith returns the lines of s that contain want.
func linesWith(s, want string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, want) {
			out = append(out, l)
		}
	}
	return out
}
