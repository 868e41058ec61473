package lessons

import (
	"context"
	"errors"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

// testBrokers is testkit.Brokers: a real broker if named, else embedded.
var testBrokers = testkit.Brokers

// newTestEnv returns an env with a topic prefix of its own, so tests (and
// runs against a shared real broker) never read each other's orders.
func newTestEnv(t *testing.T) (*Env, *testkit.Buffer) {
	addrs, embedded := testBrokers(t)
	out := &testkit.Buffer{}
	prefix := "test-" + uuid.NewString()[:8] + "-"
	return NewEnv(addrs, embedded, prefix, output.New(out, false)), out
}

// runLesson runs every step of l, as the unattended runner does.
func runLesson(t *testing.T, env *Env, l Lesson) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	plan := l.Plan()
	if plan.Cleanup != nil {
		defer plan.Cleanup()
	}
	for i, s := range plan.Steps {
		if err := s.Run(ctx, env); err != nil {
			t.Fatalf("lesson %d step %d (%s): %v", l.Number, i+1, s.Title, err)
		}
	}
}

var (
	deliveredRE = regexp.MustCompile(`Delivered to (\S+) \[(\d+)\] @ offset (\d+): (\{.*\})`)
	receivedRE  = regexp.MustCompile(`🍔 Received order: .*\((\S+) \[(\d+)\] @ offset (\d+)\)`)
	orderIDRE   = regexp.MustCompile(`"order_id":"([^"]+)"`)
)

// delivered returns "partition@offset" → order id for every delivery report.
func delivered(out string) map[string]string {
	m := map[string]string{}
	for _, d := range deliveredRE.FindAllStringSubmatch(out, -1) {
		id := orderIDRE.FindStringSubmatch(d[4])
		if id == nil {
			continue
		}
		m[d[2]+"@"+d[3]] = id[1]
	}
	return m
}

func received(out string) []string {
	var got []string
	for _, r := range receivedRE.FindAllStringSubmatch(out, -1) {
		got = append(got, r[2]+"@"+r[3])
	}
	return got
}

func TestLesson0Broker(t *testing.T) {
	env, out := newTestEnv(t)
	runLesson(t, env, Broker())
	s := out.String()
	for _, want := range []string{"cluster id:", "controller (for clients): node", "Produce", "Fetch", "APIs spoken:", "KAFKA_PROCESS_ROLES"} {
		if !strings.Contains(s, want) {
			t.Errorf("lesson 0 output lacks %q:\n%s", want, s)
		}
	}
	if env.Embedded {
		if !strings.Contains(s, "embedded emulation") {
			t.Errorf("on the embedded broker lesson 0 must say what it cannot show:\n%s", s)
		}
	} else {
		for _, want := range []string{"process.roles: broker,controller", "node.id: 1", "controller.quorum.voters: 1@"} {
			if !strings.Contains(s, want) {
				t.Errorf("on a real KRaft broker lesson 0 must show %q:\n%s", want, s)
			}
		}
	}
}

func TestLesson1Topic(t *testing.T) {
	env, out := newTestEnv(t)
	runLesson(t, env, Topic())
	runLesson(t, env, Topic()) // a second run finds the topic there
	s := out.String()
	if !strings.Contains(s, "Created topic "+env.Topic+" with 3 partitions") {
		t.Errorf("first run did not create the topic:\n%s", s)
	}
	if !strings.Contains(s, "Topic "+env.Topic+" already exists") {
		t.Errorf("second run did not accept the existing topic:\n%s", s)
	}
	for p := 0; p < 3; p++ {
		if !regexp.MustCompile(`partition ` + string(rune('0'+p)) + `  leader: node \d+  replicas: \[\d+\]  isr: \[\d+\]`).MatchString(s) {
			t.Errorf("partition %d not described:\n%s", p, s)
		}
	}
	if strings.Count(s, "(empty) next: 0") != 6 {
		t.Errorf("want 3 empty partitions drawn per run:\n%s", s)
	}
}

func TestLesson2Serialization(t *testing.T) {
	env, out := newTestEnv(t)
	runLesson(t, env, Serialization())
	s := out.String()
	m := regexp.MustCompile(`json: (\{.*\})\n\s+length: (\d+) bytes`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no JSON and length printed:\n%s", s)
	}
	if got := len(m[1]); m[2] != strconv.Itoa(got) {
		t.Errorf("printed length %s, JSON is %d bytes", m[2], got)
	}
	for _, want := range []string{"same order: true", "🍔 Received order: 1 x Pizza Pepperoni from user SKOURI Youssef",
		"not a JSON object", "missing field(s) quantity", `field "quantity" has the wrong type`, "the value is empty"} {
		if !strings.Contains(s, want) {
			t.Errorf("lesson 2 output lacks %q:\n%s", want, s)
		}
	}
}

func TestLesson3Produce(t *testing.T) {
	env, out := newTestEnv(t)
	runLesson(t, env, Produce())
	s := out.String()
	d := delivered(s)
	if len(d) != 3 {
		t.Fatalf("want 3 delivery reports with distinct partition@offset, got %v:\n%s", d, s)
	}
	parts := map[string]bool{}
	for po := range d {
		parts[strings.Split(po, "@")[0]] = true
	}
	if len(parts) != 3 {
		t.Errorf("round-robin should spread 3 orders over 3 partitions, got %v", d)
	}
	m := regexp.MustCompile(`BatchTimeout default \(1s\): (\S+) per`).FindStringSubmatch(s)
	n := regexp.MustCompile(`BatchTimeout 1ms: (\S+) per`).FindStringSubmatch(s)
	if m == nil || n == nil {
		t.Fatalf("no BatchTimeout measurement:\n%s", s)
	}
	slow, _ := time.ParseDuration(m[1])
	fast, _ := time.ParseDuration(n[1])
	if slow < 900*time.Millisecond || fast >= slow/2 {
		t.Errorf("default BatchTimeout write took %v, tuned %v: the lesson's point does not show", slow, fast)
	}
	if !strings.Contains(s, "writer closed: every queued order was sent and reported") {
		t.Errorf("no flush on close:\n%s", s)
	}
}

func TestLesson4Assign(t *testing.T) {
	env, out := newTestEnv(t)
	start := time.Now()
	runLesson(t, env, Assign())
	s := out.String()
	for _, want := range []string{
		"first offset: 0", "last offset (next to be written): 3",
		"offset 50 is out of range: partition 0 holds offsets 0 to 2 (next: 3).",
		"✗ reader at offset 50: past the end",
		"from FirstOffset: " + env.Topic + " [0] @ offset 0:",
		"from LastOffset: nothing within 1 s: the reader waits at offset 3",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("lesson 4 output lacks %q:\n%s", want, s)
		}
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("lesson 4 took %v: the out-of-range read must not hang", d)
	}
}

// checkReceived asserts that the orders received are exactly those delivered
// to the partitions and offsets the delivery reports named.
func checkReceived(t *testing.T, s string, want int) {
	t.Helper()
	d := delivered(s)
	got := received(s)
	if len(d) != want || len(got) != want {
		t.Fatalf("want %d delivered and %d received, got %d delivered %v and received %v:\n%s", want, want, len(d), d, got, s)
	}
	for _, po := range got {
		if _, ok := d[po]; !ok {
			t.Errorf("received %s, which no delivery report named (delivered: %v)", po, d)
		}
		delete(d, po)
	}
	if len(d) != 0 {
		t.Errorf("delivered but never received: %v", d)
	}
}

func TestLesson5PollLoop(t *testing.T) {
	env, out := newTestEnv(t)
	runLesson(t, env, PollLoop())
	s := out.String()
	checkReceived(t, s, 3)
	if !strings.Contains(s, "nothing yet") {
		t.Errorf("the loop never said nothing yet:\n%s", s)
	}
	if !strings.Contains(s, "orders received: 3") {
		t.Errorf("no count:\n%s", s)
	}
}

func TestLesson6Close(t *testing.T) {
	env, out := newTestEnv(t)
	runLesson(t, env, Close())
	s := out.String()
	if i, j := strings.Index(s, "reader closed (deferred last"), strings.Index(s, "writer closed (deferred first"); i < 0 || j < i {
		t.Errorf("deferred closes missing or out of order:\n%s", s)
	}
	for _, want := range []string{"^C (simulated)", "interrupted: leaving the loop", "consumer closed"} {
		if !strings.Contains(s, want) {
			t.Errorf("lesson 6 output lacks %q:\n%s", want, s)
		}
	}
	checkReceived(t, s, 4)
	if n := strings.Count(s, "committed: partition"); n != 4 {
		t.Errorf("want 4 commits, got %d:\n%s", n, s)
	}
}

func TestLesson7PoisonPills(t *testing.T) {
	env, out := newTestEnv(t)
	runLesson(t, env, PoisonPills())
	s := out.String()
	if n := strings.Count(s, "✔ Delivered to "); n != 7 {
		t.Errorf("want 7 records delivered (2 orders, 5 pills), got %d", n)
	}
	checkReceived(t, s, 2)
	for _, want := range []string{"orders: 2", "skipped records: 5", "not a JSON object", "missing field(s) quantity",
		`field "quantity" has the wrong type`, "the value is empty", "(1000000 bytes)"} {
		if !strings.Contains(s, want) {
			t.Errorf("lesson 7 output lacks %q:\n%s", want, s)
		}
	}
	if n := len(regexp.MustCompile(`⚠ \S+ \[\d\] @ offset \d+: skipped`).FindAllString(s, -1)); n != 5 {
		t.Errorf("want 5 warnings naming partition and offset, got %d:\n%s", n, s)
	}
}

// When the broker goes away, Poll says so within seconds, and Close leaves
// no goroutine of the readers running.
func TestPollerWhenTheBrokerGoesAway(t *testing.T) {
	b, err := broker.StartEmbedded(0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	env := NewEnv(b.Addrs, true, "", output.New(&testkit.Buffer{}, false))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := EnsureTopic(ctx, env); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	p, err := NewPoller(env, env.Topic, map[int]int64{0: 0, 1: 0, 2: 0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Poll(ctx, 500*time.Millisecond); !errors.Is(err, ErrNoMessage) {
		t.Fatalf("poll on an empty topic: %v, want ErrNoMessage", err)
	}
	b.Close()
	start := time.Now()
	for {
		_, err := p.Poll(ctx, time.Second)
		if errors.Is(err, ErrNoMessage) && time.Since(start) < 10*time.Second {
			continue
		}
		if err == nil || errors.Is(err, ErrNoMessage) {
			t.Fatalf("after 10 s without a broker Poll still says %v", err)
		}
		t.Logf("after %v: %v", time.Since(start).Round(time.Millisecond), err)
		break
	}
	if err := p.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before the poller, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
