package lessons_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Lesson 15 plays the kitchen twice over the same orders: at least once
// (kafka-go, a crash between a changelog write and a commit) and exactly
// once (franz-go, a crash inside a transaction). The facts: each kitchen's
// totals, as it reports them and as its changelog holds them, are what the
// delivered orders add up to; the status events are three per order; the
// dead letters are the records that are not orders.
func TestLesson15Pipeline(t *testing.T) {
	env, _ := testkit.Env(t)
	start := time.Now()
	recs := playEach(t, env, numbered(t, 15))
	t.Logf("lesson 15 took %v", time.Since(start).Round(100*time.Millisecond))

	// Step 1: what was ordered, from the delivery reports alone.
	delivered := recs[0].Records(Delivered)
	ordered := map[string]Total{}
	partitionOf := map[string]int{}                   // user → the partition of their orders
	lastOffset := map[string]int64{}                  // user → the offset of their last order
	good, bad := map[string]bool{}, map[string]bool{} // positions
	for _, d := range delivered {
		o, err := DecodeOrder(d.Value)
		if err != nil {
			bad[pos(d)] = true
			continue
		}
		good[pos(d)] = true
		t0 := ordered[o.User]
		ordered[o.User] = Total{Items: t0.Items + o.Quantity, Orders: t0.Orders + 1}
		if p, ok := partitionOf[o.User]; ok && p != d.Partition {
			t.Errorf("%s's orders on partitions %d and %d: keyed by user, they share one", o.User, p, d.Partition)
		}
		partitionOf[o.User] = d.Partition
		lastOffset[o.User] = max(lastOffset[o.User], d.Offset)
	}
	if len(good) != 12 || len(bad) != 2 {
		t.Fatalf("step 1 delivered %d orders and %d other records, want 12 and 2", len(good), len(bad))
	}
	if got := totalsReported(recs[0], "ordered by "); !maps.Equal(got, ordered) {
		t.Errorf("step 1 reported %v ordered, the deliveries add up to %v", got, ordered)
	}

	// Step 2: the at-least-once kitchen handled every record, one order
	// twice (the one in flight at the crash), and counted it once.
	counts := receivedCounts(recs[1])
	var twice []string
	for id, n := range counts {
		if n == 2 {
			twice = append(twice, id)
		} else if n != 1 {
			t.Errorf("step 2 received order %s %d times", id, n)
		}
	}
	if len(counts) != 12 || len(twice) != 1 {
		t.Errorf("step 2 received %d distinct orders, %v twice: want 12, one twice", len(counts), twice)
	}
	if got := recs[1].Values("already counted, skipped"); len(twice) != 1 || len(got) != 1 || got[0] != twice[0] {
		t.Errorf("step 2 skipped %v as already counted, want the order received twice %v", got, twice)
	}
	if got := skippedPositions(recs[1]); !maps.Equal(got, bad) {
		t.Errorf("step 2 set aside %v, the records that are not orders are %v", got, bad)
	}
	rebuilt := totalsReported(recs[1], "rebuilt: ")
	if n := ordersIn(rebuilt); n != 6 {
		t.Errorf("the changelog read back at the crash counts %d orders, want the 6 counted before it: %v", n, rebuilt)
	}
	if got := totalsReported(recs[1], "total of "); !maps.Equal(withoutPositions(got), ordered) {
		t.Errorf("the at-least-once kitchen ended with %v, the orders add up to %v", got, ordered)
	}
	for user, tot := range totalsReported(recs[1], "total of ") {
		if tot.Partition != partitionOf[user] || tot.NextOffset != lastOffset[user]+1 {
			t.Errorf("%s's total covers [%d] below %d; their last order is at [%d] %d", user, tot.Partition, tot.NextOffset,
				partitionOf[user], lastOffset[user])
		}
	}

	// Step 3: what Kafka holds from that kitchen, and its changelog read
	// here independently.
	checkOutputs(t, recs[2], "", len(good), len(bad))
	if got := totalsReported(recs[2], "changelog: "); !maps.Equal(withoutPositions(got), ordered) {
		t.Errorf("step 3 read the changelog as %v, the orders add up to %v", got, ordered)
	}
	changelogs := recs[1].Values("changelog")
	if len(changelogs) != 1 {
		t.Fatalf("step 2 named changelogs %v", changelogs)
	}
	if got := lastPerKey(t, env, changelogs[0].(string)); !maps.Equal(withoutPositions(got), ordered) {
		t.Errorf("changelog %s holds %v, the orders add up to %v", changelogs[0], got, ordered)
	}

	// Step 4: the transactional kitchen handled every record at least
	// once; those of the aborted transaction twice. Its totals are right.
	counts = receivedCounts(recs[3])
	aborted := 0 // orders of the aborted transaction
	for id, n := range counts {
		switch n {
		case 1:
		case 2:
			aborted++
		default:
			t.Errorf("step 4 received order %s %d times", id, n)
		}
	}
	abortedBad := 0
	for p, n := range skippedCounts(recs[3]) {
		if !bad[p] || n > 2 {
			t.Errorf("step 4 set aside %s %d times", p, n)
		}
		abortedBad += n - 1
	}
	if len(counts) != 12 || aborted+abortedBad == 0 {
		t.Errorf("step 4 received %d distinct orders, %d + %d records twice: want 12, and the aborted transaction's again",
			len(counts), aborted, abortedBad)
	}
	if got := totalsReported(recs[3], "total of "); !maps.Equal(got, ordered) {
		t.Errorf("the transactional kitchen ended with %v, the orders add up to %v", got, ordered)
	}
	if rebuilt := totalsReported(recs[3], "rebuilt: "); ordersIn(rebuilt) >= 12 {
		t.Errorf("the changelog read back after the crash counts %d orders: the aborted ones are in it", ordersIn(rebuilt))
	}

	// Step 5: read_committed shows each output once; kafka-go shows the
	// aborted transaction's events too, and the markers.
	checkOutputs(t, recs[4], " (read_committed)", len(good), len(bad))
	if got := totalsReported(recs[4], "changelog: "); !maps.Equal(got, ordered) {
		t.Errorf("step 5 read the changelog as %v, the orders add up to %v", got, ordered)
	}
	all := recs[4].Values("status events (kafka-go, read_uncommitted)")
	markers := recs[4].Values("transaction markers among them (kafka-go)")
	if len(all) != 1 || all[0] != 3*len(good)+3*aborted {
		t.Errorf("kafka-go read %v status events, want %d: 3 per order and 3 per order of the aborted transaction (%d)",
			all, 3*len(good)+3*aborted, aborted)
	}
	if len(markers) != 1 || markers[0].(int) < 2 {
		t.Errorf("kafka-go read %v transaction markers, want at least 2 (a commit, and the abort)", markers)
	}

	// Read here, independently of the lesson's helpers: with
	// read_committed, the status topic (this test's own) holds each
	// order's three events from each kitchen, and the dead-letter topic
	// each record that is not an order once per kitchen, with its source.
	perOrder := map[string][]string{}
	for _, r := range franzReadAll(t, env, env.StatusesTopic().Name, 6*len(good)) {
		var e StatusEvent
		if err := json.Unmarshal(r.Value, &e); err != nil || string(r.Key) != e.OrderID {
			t.Errorf("status event %q keyed %q", r.Value, r.Key)
		}
		perOrder[e.OrderID] = append(perOrder[e.OrderID], e.Status)
	}
	twiceEach := append(slices.Clone(KitchenStatuses), KitchenStatuses...)
	for id, statuses := range perOrder {
		if !slices.Equal(statuses, twiceEach) {
			t.Errorf("order %s has the status events %v, want %v: three from each kitchen", id, statuses, twiceEach)
		}
	}
	letters := map[string]int{}
	for _, r := range franzReadAll(t, env, env.DeadLettersTopic().Name, 2*len(bad)) {
		h := map[string]string{}
		for _, kv := range r.Headers {
			h[kv.Key] = string(kv.Value)
		}
		letters[h["source-partition"]+"@"+h["source-offset"]]++
		if h["source-topic"] != env.Topic || !strings.HasPrefix(h["error"], ErrNotAnOrder.Error()) {
			t.Errorf("dead letter %q with headers %v", r.Value, h)
		}
	}
	for p := range bad {
		if letters[p] != 2 {
			t.Errorf("the record at %s is on the dead-letter topic %d times, want once per kitchen", p, letters[p])
		}
	}
	eos := recs[3].Values("changelog")
	if len(eos) != 1 {
		t.Fatalf("step 4 named changelogs %v", eos)
	}
	if got := committedLastPerKey(t, env, eos[0].(string)); !maps.Equal(got, ordered) {
		t.Errorf("changelog %s holds %v (read_committed), the orders add up to %v", eos[0], got, ordered)
	}
}

// franzReadAll reads n records from every partition of topic, from the
// start, with franz-go and read_committed, then checks for a moment that
// no more come.
func franzReadAll(t *testing.T, env *Env, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := env.FranzClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.FetchMaxWait(250*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if err := fs.Err(); err != nil {
			t.Fatalf("read %s after %d of %d records: %v", topic, len(out), n, err)
		}
		out = append(out, fs.Records()...)
	}
	more, cancelMore := context.WithTimeout(context.Background(), time.Second)
	defer cancelMore()
	if extra := cl.PollFetches(more).Records(); len(extra) > 0 {
		t.Errorf("%s holds %d more records than the %d expected", topic, len(extra), n)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Partition < out[j].Partition || out[i].Partition == out[j].Partition && out[i].Offset < out[j].Offset
	})
	return out
}

// committedLastPerKey reads a transactional changelog with franz-go and
// read_committed up to each partition's high watermark (its last offset
// is a transaction marker: KeepControlRecords lets it be seen), and keeps
// the last total of each key.
func committedLastPerKey(t *testing.T, env *Env, topic string) map[string]Total {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		t.Fatal(err)
	}
	ends := map[int32]int64{}
	for _, w := range marks {
		if w.Last > w.First {
			ends[int32(w.Partition)] = w.Last
		}
	}
	cl, err := env.FranzClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords(), kgo.FetchMaxWait(250*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	out := map[string]Total{}
	for len(ends) > 0 {
		fs := cl.PollFetches(ctx)
		if err := fs.Err(); err != nil {
			t.Fatalf("read %s: %v (partitions not read to the end: %v)", topic, err, ends)
		}
		for _, r := range fs.Records() {
			if !r.Attrs.IsControl() {
				tot, err := DecodeTotal(r.Value)
				if err != nil {
					t.Errorf("%s [%d] @ %d: %v", topic, r.Partition, r.Offset, err)
				}
				out[string(r.Key)] = tot
			}
			if r.Offset+1 >= ends[r.Partition] {
				delete(ends, r.Partition)
			}
		}
	}
	return out
}

// totalsReported returns the totals a step reported under label+user.
func totalsReported(rec *testkit.Recorder, label string) map[string]Total {
	out := map[string]Total{}
	for l, v := range rec.ValuesWithPrefix(label) {
		out[l[len(label):]] = v.(Total)
	}
	return out
}

// withoutPositions drops what the at-least-once kitchen's totals say they
// cover, to compare them with the orders.
func withoutPositions(totals map[string]Total) map[string]Total {
	out := map[string]Total{}
	for u, t := range totals {
		out[u] = Total{Items: t.Items, Orders: t.Orders}
	}
	return out
}

func ordersIn(totals map[string]Total) int {
	n := 0
	for _, t := range totals {
		n += t.Orders
	}
	return n
}

// receivedCounts counts how often a step received each order.
func receivedCounts(rec *testkit.Recorder) map[string]int {
	out := map[string]int{}
	for _, r := range rec.Records(Received) {
		out[r.Order.OrderID]++
	}
	return out
}

func skippedCounts(rec *testkit.Recorder) map[string]int {
	out := map[string]int{}
	for _, r := range rec.Records(Skipped) {
		out[pos(r)]++
	}
	return out
}

func skippedPositions(rec *testkit.Recorder) map[string]bool {
	out := map[string]bool{}
	for p := range skippedCounts(rec) {
		out[p] = true
	}
	return out
}

// checkOutputs checks what a step read back: three events per order, each
// order's three in order, and one dead letter per record that is not an
// order.
func checkOutputs(t *testing.T, rec *testkit.Recorder, suffix string, orders, bad int) {
	t.Helper()
	if got := rec.Values("status events" + suffix); len(got) != 1 || got[0] != 3*orders {
		t.Errorf("status events%s: %v, want 3 per order: %d", suffix, got, 3*orders)
	}
	if got := rec.Values("orders with accepted, cooking, ready, once each"); len(got) != 1 || got[0] != orders {
		t.Errorf("orders with their three statuses: %v, want %d", got, orders)
	}
	if got := rec.Values("dead letters" + suffix); len(got) != 1 || got[0] != bad {
		t.Errorf("dead letters%s: %v, want %d", suffix, got, bad)
	}
}

// lastPerKey reads a topic without transactions from each partition's
// first offset to its high watermark, with a plain kafka-go Reader, and
// keeps the last total of each key.
func lastPerKey(t *testing.T, env *Env, topic string) map[string]Total {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Total{}
	for _, w := range marks {
		if w.First == w.Last {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Topic: topic, Partition: w.Partition, MaxWait: 250 * time.Millisecond})
		if err := r.SetOffset(w.First); err != nil {
			t.Fatal(err)
		}
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				t.Fatalf("read %s [%d]: %v", topic, w.Partition, err)
			}
			tot, err := DecodeTotal(m.Value)
			if err != nil {
				t.Errorf("%s [%d] @ %d: %v", topic, m.Partition, m.Offset, err)
			}
			out[string(m.Key)] = tot
			if m.Offset+1 >= w.Last {
				break
			}
		}
		r.Close()
	}
	return out
}
