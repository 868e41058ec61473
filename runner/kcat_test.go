package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// kcat is an independent Kafka client (librdkafka). CI sets REQUIRE_KCAT=1 so
// these checks fail rather than skip when it is missing.
func kcatPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("REQUIRE_KCAT") != "" {
			t.Fatalf("REQUIRE_KCAT is set but kcat is not installed (apt-get install kcat)")
		}
		t.Skip("kcat is not installed (apt-get install kcat)")
	}
	return path
}

// What `runner produce` sends, kcat reads back: the same JSON at the
// partition and offset our delivery report printed.
func TestKcatReadsWhatWeProduce(t *testing.T) {
	kcat := kcatPath(t)
	addr := testBroker(t)
	p := prefix()
	producer, pout, perr := runner(t, nil, "produce", "--count", "4", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, producer, 30*time.Second); code != 0 {
		t.Fatalf("produce: exit %d %s", code, perr)
	}
	reports := deliveredRE.FindAllStringSubmatch(pout.String(), -1)
	if len(reports) != 4 {
		t.Fatalf("want 4 delivery reports:\n%s", pout)
	}
	out, err := exec.Command(kcat, "-b", addr, "-C", "-t", p+"orders", "-e", "-q", "-f", `%t [%p] @ offset %o: %s\n`).CombinedOutput()
	if err != nil {
		t.Fatalf("kcat -C: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		seen["Delivered to "+l] = true
	}
	for _, r := range reports {
		if !seen[r[0]] {
			t.Errorf("kcat did not see %q; it saw:\n%s", r[0], out)
		}
	}
	if len(seen) != 4 {
		t.Errorf("kcat saw %d records, want 4:\n%s", len(seen), out)
	}
}

// What kcat produces, `runner consume` prints.
func TestConsumePrintsWhatKcatProduces(t *testing.T) {
	kcat := kcatPath(t)
	addr := testBroker(t)
	p := prefix()
	consumer, cout, cerr := runner(t, nil, "consume", "--for", "20s", "--brokers", addr, "--topic-prefix", p)
	waitFor(t, cout, "Waiting for orders", 20*time.Second)
	order := `{"order_id":"kcat-1","user":"Edsger Dijkstra","item":"Ramen","quantity":2}`
	cmd := exec.Command(kcat, "-b", addr, "-P", "-t", p+"orders", "-p", "1")
	cmd.Stdin = strings.NewReader(order + "\n" + "not an order\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v\n%s", err, out)
	}
	waitFor(t, cout, "🍔 Received order: 2 x Ramen from user Edsger Dijkstra  ("+p+"orders [1] @ offset 0)", 15*time.Second)
	waitFor(t, cout, "⚠ "+p+"orders [1] @ offset 1: skipped: not an order", 15*time.Second)
	consumer.Process.Signal(os.Interrupt)
	if code := exitCode(t, consumer, 5*time.Second); code != exitInterrupted {
		t.Errorf("exit %d: %s %s", code, cout, cerr)
	}
	if !strings.Contains(cout.String(), "skipped records (not orders): 1") {
		t.Errorf("no count of skipped records:\n%s", cout)
	}
}
