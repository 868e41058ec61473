package lessons_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Tests of lessons 10 and 13. Each plays its lesson step by step with a
// recorder per step, so a fact is checked against the step that reported
// it.

// numbered returns the lesson whose number is n, wherever All() has it.
func numbered(t *testing.T, n int) Lesson {
	t.Helper()
	for _, l := range All() {
		if l.Number == n {
			return l
		}
	}
	t.Fatalf("no lesson %d in All()", n)
	return Lesson{}
}

// playEach runs a lesson as the unattended runner does (setup, then every
// step in order) and returns what each step reported, one recorder per
// step. When the test fails it logs everything.
func playEach(t *testing.T, env *Env, l Lesson) []*testkit.Recorder {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out := env.Out
	defer func() { env.Out = out }()
	plan := l.Plan()
	if plan.Cleanup != nil {
		defer plan.Cleanup()
	}
	if plan.Setup != nil {
		if err := plan.Setup(ctx, env); err != nil {
			t.Fatalf("lesson %d setup: %v", l.Number, err)
		}
	}
	var recs []*testkit.Recorder
	t.Cleanup(func() {
		if t.Failed() {
			for i, rec := range recs {
				t.Logf("step %d printed:\n%s", i+1, rec)
			}
		}
	})
	for i, s := range plan.Steps {
		rec := testkit.NewRecorder()
		recs = append(recs, rec)
		env.Out = rec
		if why := s.Requires.Unmet(env.Cluster); why != "" {
			continue
		}
		if err := s.Run(ctx, env); err != nil {
			t.Fatalf("lesson %d step %d (%s): %v", l.Number, i+1, s.Title, err)
		}
	}
	return recs
}

// orderID decodes a record's value as an order, failing the test when it
// is not one.
func orderID(t *testing.T, value []byte) string {
	t.Helper()
	o, err := DecodeOrder(value)
	if err != nil {
		t.Fatalf("%q is not an order: %v", value, err)
	}
	return o.OrderID
}

// received lists the order ids and offsets a step printed, in order.
func received(rec *testkit.Recorder) (ids []string, offsets []int64) {
	for _, r := range rec.Records(Received) {
		ids = append(ids, r.Order.OrderID)
		offsets = append(offsets, r.Offset)
	}
	return ids, offsets
}

// committedOffset asks the broker for a group's committed offset of
// partition 0 of topic.
func committedOffset(t *testing.T, env *Env, group, topic string) int64 {
	t.Helper()
	resp, err := env.Client().OffsetFetch(context.Background(), &kafka.OffsetFetchRequest{
		GroupID: group, Topics: map[string][]int{topic: {0}},
	})
	if err != nil {
		t.Fatalf("offset fetch for %s: %v", group, err)
	}
	parts := resp.Topics[topic]
	if len(parts) != 1 || parts[0].Error != nil {
		t.Fatalf("offset fetch for %s: %+v", group, parts)
	}
	return parts[0].CommittedOffset
}

func TestLesson10Guarantees(t *testing.T) {
	env, _ := testkit.Env(t)
	recs := playEach(t, env, numbered(t, 10))
	topic := env.GuaranteesTopic().Name

	// Step 1: five orders at five consecutive offsets; the crash is at the
	// third, and the order there is the one the step names.
	delivered := recs[0].Records(Delivered)
	if len(delivered) != 5 {
		t.Fatalf("step 1 delivered %d orders, want 5", len(delivered))
	}
	sort.Slice(delivered, func(i, j int) bool { return delivered[i].Offset < delivered[j].Offset })
	var ids []string
	for i, d := range delivered {
		if d.Partition != 0 || d.Offset != delivered[0].Offset+int64(i) {
			t.Errorf("delivery %d at [%d] @ %d: want consecutive offsets on partition 0", i, d.Partition, d.Offset)
		}
		ids = append(ids, orderID(t, d.Value))
	}
	crash, inFlight := recs[0].Values("the consumer crashes at offset"), recs[0].Values("the order in flight")
	if len(crash) != 1 || crash[0] != delivered[2].Offset || len(inFlight) != 1 || inFlight[0] != ids[2] {
		t.Fatalf("crash at %v with order %v; the third order is %s at offset %d", crash, inFlight, ids[2], delivered[2].Offset)
	}
	last := delivered[4].Offset

	// Steps 2-4: what each group printed, and where each group's committed
	// offset ended, as the broker says.
	for _, c := range []struct {
		step int
		want []string // order ids printed, in order
	}{
		{2, []string{ids[0], ids[1], ids[3], ids[4]}},                 // at most once: the third is lost
		{3, []string{ids[0], ids[1], ids[2], ids[2], ids[3], ids[4]}}, // at least once: the third twice
		{4, ids}, // idempotent: each once
	} {
		rec := recs[c.step-1]
		got, offsets := received(rec)
		if !slices.Equal(got, c.want) {
			t.Errorf("step %d printed orders %v (offsets %v), want %v", c.step, got, offsets, c.want)
		}
		group := rec.Values("group")
		if len(group) != 1 {
			t.Errorf("step %d reported groups %v, want one", c.step, group)
			continue
		}
		if off := committedOffset(t, env, group[0].(string), topic); off != last+1 {
			t.Errorf("step %d: group %s committed %d, want %d (after the last order)", c.step, group[0], off, last+1)
		}
	}
	if got := recs[3].Values("already handled, skipped"); len(got) != 1 || got[0] != ids[2] {
		t.Errorf("the idempotent consumer skipped %v, want the order in flight %s once", got, ids[2])
	}

	// Step 5: two transactional deliveries; the abort marker sits between
	// them and takes an offset.
	tx := recs[4].Records(Delivered)
	if len(tx) != 2 {
		t.Fatalf("step 5 delivered %d orders, want 2", len(tx))
	}
	aborted, committed := tx[0], tx[1]
	if aborted.Offset != last+1 || committed.Offset != aborted.Offset+2 {
		t.Errorf("aborted order at %d, committed at %d; want %d and %d (the abort marker between)",
			aborted.Offset, committed.Offset, last+1, last+3)
	}

	// Step 6: kafka-go's ReadCommitted Reader returns the aborted order,
	// the abort marker (key: version 0, type 0 = abort) and the committed
	// order.
	got, offsets := received(recs[5])
	if want := []string{orderID(t, aborted.Value), orderID(t, committed.Value)}; !slices.Equal(got, want) ||
		!slices.Equal(offsets, []int64{aborted.Offset, committed.Offset}) {
		t.Errorf("kafka-go read_committed printed %v at %v, want %v at %d and %d", got, offsets, want, aborted.Offset, committed.Offset)
	}
	markers := recs[5].Records(Skipped)
	if len(markers) != 1 || markers[0].Offset != aborted.Offset+1 || !bytes.Equal(markers[0].Key, []byte{0, 0, 0, 0}) ||
		len(markers[0].Value) != 6 || !errors.Is(markers[0].Err, ErrNotAnOrder) {
		t.Errorf("kafka-go read_committed skipped %+v, want the abort marker at %d (key 00000000, 6-byte value)", markers, aborted.Offset+1)
	}

	// Step 7: franz-go's read_committed consumer returns the committed order
	// alone.
	got, offsets = received(recs[6])
	if want := []string{orderID(t, committed.Value)}; !slices.Equal(got, want) || offsets[0] != committed.Offset ||
		len(recs[6].Records(Skipped)) != 0 {
		t.Errorf("franz-go read_committed printed %v at %v, want only %v at %d", got, offsets, want, committed.Offset)
	}
}
