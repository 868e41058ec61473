package lessons_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// play runs a lesson as the unattended runner does: its setup, then every
// step the cluster can run. It returns the titles of the steps it skipped.
func play(t *testing.T, env *Env, l Lesson) (skipped []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	plan := l.Plan()
	if plan.Cleanup != nil {
		defer plan.Cleanup()
	}
	if plan.Setup != nil {
		if err := plan.Setup(ctx, env); err != nil {
			t.Fatalf("lesson %d setup: %v", l.Number, err)
		}
	}
	for i, s := range plan.Steps {
		if s.Requires.Unmet(env.Cluster) != "" {
			skipped = append(skipped, s.Title)
			continue
		}
		if err := s.Run(ctx, env); err != nil {
			t.Fatalf("lesson %d step %d (%s): %v", l.Number, i+1, s.Title, err)
		}
	}
	return skipped
}

func lesson(t *testing.T, n int) Lesson {
	t.Helper()
	l, ok := Find(n)
	if !ok {
		t.Fatalf("no lesson %d", n)
	}
	return l
}

// logOnFailure prints what the lesson printed when the test fails.
func logOnFailure(t *testing.T, rec *testkit.Recorder) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the lesson printed:\n%s", rec)
		}
	})
}

// pos is a record's place in a topic, for comparing sets.
func pos(r Record) string { return fmt.Sprintf("%d@%d", r.Partition, r.Offset) }

// watermarks reads every partition's first and last offsets independently of
// the lesson.
func watermarks(t *testing.T, env *Env) []Watermarks {
	t.Helper()
	marks, err := ReadWatermarks(context.Background(), env, env.Topic)
	if err != nil {
		t.Fatal(err)
	}
	return marks
}

// stored counts the records the topic holds.
func stored(t *testing.T, env *Env) int64 {
	var n int64
	for _, w := range watermarks(t, env) {
		n += w.Last - w.First
	}
	return n
}

func TestLesson0Broker(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	skipped := play(t, env, lesson(t, 0))

	md, err := env.Client().Metadata(context.Background(), &kafka.MetadataRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Values("cluster id"); len(got) != 1 || got[0] != md.ClusterID {
		t.Errorf("cluster id reported %v, metadata says %q", got, md.ClusterID)
	}
	for _, b := range md.Brokers {
		if got := rec.Values(fmt.Sprintf("broker %d", b.ID)); len(got) != 1 || got[0] != fmt.Sprintf("%s:%d", b.Host, b.Port) {
			t.Errorf("broker %d reported as %v, metadata says %s:%d", b.ID, got, b.Host, b.Port)
		}
	}
	versions, err := env.Client().ApiVersions(context.Background(), &kafka.ApiVersionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// Each Metadata answer names a live broker as the controller.
	brokerIDs := map[int]bool{}
	for _, b := range md.Brokers {
		brokerIDs[b.ID] = true
	}
	named := rec.Values("controller named by five more answers")
	if len(named) != 1 {
		t.Errorf("controller named by five more answers: %v, want five broker ids", named)
	} else if five, _ := named[0].([]int); len(five) != 5 {
		t.Errorf("controller named by five more answers: %v, want five broker ids", named)
	} else {
		for _, id := range five {
			if !brokerIDs[id] {
				t.Errorf("an answer named node %d as the controller, not one of the brokers %v", id, brokerIDs)
			}
		}
	}
	if got := rec.Values("APIs spoken"); len(got) != 1 || got[0] != len(versions.ApiKeys) {
		t.Errorf("APIs spoken %v, the broker lists %d", got, len(versions.ApiKeys))
	}
	wantSkipped := 0
	if env.Cluster.Embedded {
		wantSkipped++ // the KRaft settings: the emulation has none
	}
	if env.Cluster.Brokers < 3 {
		wantSkipped++ // what the cluster's compose file changes
	} else if got := rec.Values("brokers in this cluster"); len(got) != 1 || got[0] != len(md.Brokers) {
		t.Errorf("brokers in this cluster: %v, metadata lists %d", got, len(md.Brokers))
	}
	if len(skipped) != wantSkipped {
		t.Errorf("skipped %v, want %d steps skipped on this cluster", skipped, wantSkipped)
	}
	if env.Cluster.Embedded {
		return
	}
	want := map[string]string{"process.roles": "broker,controller", "controller.quorum.voters": "1@"}
	for key, prefix := range want {
		got := rec.Values(key)
		if len(got) != 1 || !strings.HasPrefix(fmt.Sprint(got[0]), prefix) {
			t.Errorf("%s reported %v, want %s…", key, got, prefix)
		}
	}
	ids := map[string]bool{}
	for _, b := range md.Brokers {
		ids[fmt.Sprint(b.ID)] = true
	}
	if got := rec.Values("node.id"); len(got) != 1 || !ids[fmt.Sprint(got[0])] {
		t.Errorf("node.id reported %v, not one of the brokers %v", got, ids)
	}
}

func TestLesson1Topic(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 1))
	play(t, env, lesson(t, 1)) // a second run finds the topic there
	if got := rec.Values("created topic"); len(got) != 1 || got[0] != env.Topic {
		t.Errorf("created %v, want %s once", got, env.Topic)
	}
	if got := rec.Values("already there, nothing to do"); len(got) != 1 || got[0] != env.Topic {
		t.Errorf("second run: %v, want %s found already there", got, env.Topic)
	}
	topic, err := DescribeTopic(context.Background(), env, env.Topic)
	if err != nil {
		t.Fatal(err)
	}
	if len(topic.Partitions) != 3 {
		t.Fatalf("topic has %d partitions, want 3", len(topic.Partitions))
	}
	for _, p := range topic.Partitions {
		if len(p.Replicas) != int(env.Replicas()) {
			t.Errorf("partition %d has %d replicas, want %d", p.ID, len(p.Replicas), env.Replicas())
		}
		got := rec.Values(fmt.Sprintf("partition %d", p.ID))
		if len(got) != 2 || !strings.HasPrefix(fmt.Sprint(got[0]), fmt.Sprintf("leader: node %d ", p.Leader.ID)) {
			t.Errorf("partition %d described as %v, leader is %d", p.ID, got, p.Leader.ID)
		}
	}
	for _, w := range watermarks(t, env) {
		if w.First != 0 || w.Last != 0 {
			t.Errorf("a new topic's partition %d holds %d..%d", w.Partition, w.First, w.Last)
		}
	}
}

func TestLesson2Serialization(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 2))
	js, n := rec.Values("json"), rec.Values("length in bytes")
	if len(js) != 1 || len(n) != 1 || len(js[0].(string)) != n[0] {
		t.Errorf("json %v, length %v: the length must be the JSON's", js, n)
	}
	if got := rec.Values("same order"); len(got) != 1 || got[0] != true {
		t.Errorf("decoded order differs from the one encoded: %v", got)
	}
	if got := rec.Texts(testkit.KindWarn); len(got) != 4 {
		t.Errorf("want 4 values rejected with a reason, got %d: %q", len(got), got)
	}
}

func TestLesson3Produce(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 3))
	delivered := rec.Records(Delivered)
	if len(delivered) != 3 || len(rec.Records(DeliveryFailed)) != 0 {
		t.Fatalf("want 3 delivery reports and no failure, got %d", len(delivered))
	}
	partitions := map[int]bool{}
	for _, d := range delivered {
		partitions[d.Partition] = true
	}
	if len(partitions) != 3 {
		t.Errorf("round-robin should spread 3 orders over 3 partitions, got %v", partitions)
	}
	if q, r := rec.Values("orders queued"), rec.Values("delivery reports"); len(q) != 1 || len(r) != 1 ||
		q[0] != 3 || r[0] != int64(3) {
		t.Errorf("queued %v, reports %v: want 3 and 3", q, r)
	}
	if got := rec.Values("a write after Close"); len(got) != 1 || !errors.Is(asError(got[0]), io.ErrClosedPipe) {
		t.Errorf("a write after Close: %v, want io.ErrClosedPipe", got)
	}
	// Three from the lesson's writer, four from the BatchTimeout step.
	if n := stored(t, env); n != 7 {
		t.Errorf("the topic holds %d records, want 7", n)
	}
	slow := rec.Values("one synchronous write, BatchTimeout default (1s)")
	fast := rec.Values("one synchronous write, BatchTimeout 1ms (mean of 3)")
	if len(slow) != 1 || len(fast) != 1 {
		t.Fatalf("no BatchTimeout measurement: %v %v", slow, fast)
	}
	// kafka-go's default BatchTimeout is what the step shows: a lone write
	// waits for it.
	if s, f := slow[0].(time.Duration), fast[0].(time.Duration); s < 900*time.Millisecond || f >= s/2 {
		t.Errorf("default BatchTimeout write took %v, tuned %v: the lesson's point does not show", s, f)
	}
}

func TestLesson4Assign(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 4))
	w := watermarks(t, env)[0]
	if got := rec.Values("first offset"); len(got) != 1 || got[0] != w.First {
		t.Errorf("first offset %v, ListOffsets says %d", got, w.First)
	}
	if got := rec.Values("high watermark"); len(got) != 1 || got[0] != w.Last || w.Last != 3 {
		t.Errorf("high watermark %v, ListOffsets says %d (3 orders written)", got, w.Last)
	}
	got := rec.Values("ReadMessage returned")
	if len(got) != 1 || !errors.Is(got[0].(error), kafka.OffsetOutOfRange) {
		t.Errorf("reading at 50 returned %v, want OffsetOutOfRange", got)
	}
	received := rec.Records(Received)
	if len(received) != 1 || received[0].Partition != 0 || received[0].Offset != w.First {
		t.Errorf("from FirstOffset the reader must get partition 0's first record (%d), got %v", w.First, received)
	}
}

// sameRecords checks that the records received are exactly those delivered.
func sameRecords(t *testing.T, delivered, received []Record) {
	t.Helper()
	var d, r []string
	for _, x := range delivered {
		d = append(d, pos(x))
	}
	for _, x := range received {
		r = append(r, pos(x))
	}
	sort.Strings(d)
	sort.Strings(r)
	if strings.Join(d, " ") != strings.Join(r, " ") {
		t.Errorf("delivered %v, received %v", d, r)
	}
}

func TestLesson5PollLoop(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 5))
	delivered, received := rec.Records(Delivered), rec.Records(Received)
	for _, d := range delivered {
		if d.From != "customer" {
			t.Errorf("delivery reported by %q, want the customer", d.From)
		}
	}
	if len(delivered) != 3 {
		t.Fatalf("the customer delivered %d orders, want 3", len(delivered))
	}
	sameRecords(t, delivered, received)
	if got := rec.Values("orders received"); len(got) != 1 || got[0] != 3 {
		t.Errorf("orders received %v, want 3", got)
	}
	if !contains(rec.Texts(testkit.KindSay), "nothing yet") {
		t.Errorf("the loop never polled in vain before the customer ordered")
	}
}

func contains(texts []string, want string) bool {
	for _, s := range texts {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

func TestLesson6Close(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 6))
	says := strings.Join(rec.Texts(testkit.KindSay), "\n")
	if i, j := strings.Index(says, "reader closed"), strings.Index(says, "writer closed"); i < 0 || j < i {
		t.Errorf("deferred closes missing or not last-in first-out:\n%s", says)
	}
	delivered, received := rec.Records(Delivered), rec.Records(Received)
	if len(delivered) != 4 {
		t.Fatalf("want 4 orders produced for the group, got %d", len(delivered))
	}
	sameRecords(t, delivered, received)
	// Each order handled was committed, at its offset + 1.
	var commits int
	for _, e := range rec.Entries() {
		if e.Kind == testkit.KindValue && strings.HasPrefix(e.Label, "committed: partition") {
			commits++
		}
	}
	if commits != 4 {
		t.Errorf("want 4 commits, got %d", commits)
	}
	// After the first consumer's two commits, the broker hands back what it stored.
	for label, v := range rec.ValuesWithPrefix("group's offset for partition ") {
		p := strings.TrimPrefix(label, "group's offset for partition ")
		var want int64 = -1
		for _, e := range rec.Entries()[:indexOf(rec, label)] {
			if e.Kind == testkit.KindValue && (e.Label == "committed partition "+p || e.Label == "committed: partition "+p+" resumes at") {
				want = e.Value.(int64)
			}
		}
		if v != want {
			t.Errorf("%s: %v, but the last commit before it was %d", label, v, want)
		}
	}
	// Step 6: the group is empty once the restarted consumer closed, and
	// its offsets are kept for the broker's offsets.retention.minutes,
	// 7 days on a broker left at its defaults (as every broker CI runs).
	if got := rec.Values("group state"); len(got) != 1 || got[0] != "Empty" {
		t.Errorf("group state %v, want Empty (no member left)", got)
	}
	if got := rec.Values("members"); len(got) != 1 || got[0] != 0 {
		t.Errorf("members %v, want 0", got)
	}
	kept := rec.Values("offsets kept after the group empties")
	if len(kept) != 1 || kept[0] != 7*24*time.Hour {
		t.Errorf("offsets kept %v, want 168h (offsets.retention.minutes 10080)", kept)
	}
}

// indexOf returns the index of the first entry with label.
func indexOf(rec *testkit.Recorder, label string) int {
	for i, e := range rec.Entries() {
		if e.Label == label {
			return i
		}
	}
	return -1
}

func TestLesson7PoisonPills(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 7))
	delivered := rec.Records(Delivered)
	if len(delivered) != 7 {
		t.Fatalf("want 7 records delivered (2 orders, 5 pills), got %d", len(delivered))
	}
	received, skipped := rec.Records(Received), rec.Records(Skipped)
	if len(received) != 2 || len(skipped) != 5 {
		t.Fatalf("received %d orders and skipped %d records, want 2 and 5", len(received), len(skipped))
	}
	sameRecords(t, delivered, append(received, skipped...))
	reasons := map[string]bool{}
	for _, s := range skipped {
		if !errors.Is(s.Err, ErrNotAnOrder) {
			t.Errorf("%s skipped for %v, not because it is not an order", pos(s), s.Err)
		}
		reasons[s.Err.Error()] = true
	}
	if len(reasons) != 5 {
		t.Errorf("want 5 different reasons, got %v", reasons)
	}
	if o, s := rec.Values("orders"), rec.Values("skipped records"); len(o) != 1 || o[0] != 2 || len(s) != 1 || s[0] != 5 {
		t.Errorf("counts: orders %v skipped %v", o, s)
	}
}

// When the broker goes away, Poll says so within seconds, and Close leaves
// no goroutine of the readers running.
func TestPollerWhenTheBrokerGoesAway(t *testing.T) {
	b, err := broker.StartEmbedded(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	env := NewEnv(b.Addrs, Cluster{Brokers: 1, Embedded: true}, "", testkit.NewRecorder())
	defer env.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := EnsureTopic(ctx, env, env.OrdersTopic()); err != nil {
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
	env.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before the poller, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// A topic that already exists with other partitions than asked for (made
// by hand, or by a broker that auto-creates topics) is refused with what
// differs and what to do, not used as if it were the one asked for.
func TestEnsureTopicRefusesAnotherPartitionCount(t *testing.T) {
	env, _ := testkit.ClusterEnv(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := env.Name(fmt.Sprintf("made-elsewhere-%d", time.Now().UnixNano()))
	if err := EnsureTopic(ctx, env, TopicSpec{Name: name, Partitions: 1, ReplicationFactor: env.Replicas()}); err != nil {
		t.Fatal(err)
	}
	err := EnsureTopic(ctx, env, TopicSpec{Name: name, Partitions: 3, ReplicationFactor: env.Replicas()})
	if !errors.Is(err, ErrTopicDiffers) || !strings.Contains(err.Error(), "has 1 partition(s), and this needs 3") || !strings.Contains(err.Error(), "--delete --topic "+name) {
		t.Fatalf("EnsureTopic on a topic of 1 partition, asked for 3: %v", err)
	}
	if err := EnsureTopic(ctx, env, TopicSpec{Name: name, Partitions: 1, ReplicationFactor: env.Replicas()}); err != nil {
		t.Errorf("the same spec again: %v", err)
	}
}
