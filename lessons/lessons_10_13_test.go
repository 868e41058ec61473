package lessons_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"

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

	// Step 5: kafka-go's Writer lost the broker's first answer and retried:
	// one delivery report, at the retry's offset, and the order stored
	// twice, at the two offsets after the five orders.
	for step := 5; step <= 6; step++ {
		if lost := recs[step-1].Values("a produce response was lost"); len(lost) != 1 || lost[0] != true {
			t.Errorf("step %d: a produce response was lost: %v, want true", step, lost)
		}
	}
	if got := recs[4].Values("retries"); len(got) != 1 || got[0] != int64(1) {
		t.Errorf("step 5 reported retries %v, want 1", got)
	}
	reported := recs[4].Records(Delivered)
	got, offsets := received(recs[4])
	if len(reported) != 1 || len(got) != 2 || got[0] != got[1] || got[0] != orderID(t, reported[0].Value) ||
		!slices.Equal(offsets, []int64{last + 1, last + 2}) || reported[0].Offset != last+2 {
		t.Errorf("step 5: reported %d deliveries (%+v); read orders %v at %v; want one order at %d and %d, reported at %d",
			len(reported), reported, got, offsets, last+1, last+2, last+2)
	}

	// Step 6: franz-go, idempotent, lost the same answer: the order once,
	// at the offset its delivery report gives, written with a producer id.
	reported = recs[5].Records(Delivered)
	got, offsets = received(recs[5])
	if len(reported) != 1 || len(got) != 1 || got[0] != orderID(t, reported[0].Value) ||
		offsets[0] != last+3 || reported[0].Offset != last+3 {
		t.Errorf("step 6: reported %+v; read orders %v at %v; want one order at %d", reported, got, offsets, last+3)
	}
	if id := recs[5].Values("producer id"); len(id) != 1 || id[0].(int64) < 0 {
		t.Errorf("step 6 reported producer id %v, want one id >= 0", id)
	}
	if len(recs[5].Records(Skipped)) != 0 {
		t.Errorf("step 6 read records that are not orders: %+v", recs[5].Records(Skipped))
	}

	// Step 7: two transactional deliveries; the abort marker sits between
	// them and takes an offset.
	tx := recs[6].Records(Delivered)
	if len(tx) != 2 {
		t.Fatalf("step 7 delivered %d orders, want 2", len(tx))
	}
	aborted, committed := tx[0], tx[1]
	if aborted.Offset != last+4 || committed.Offset != aborted.Offset+2 {
		t.Errorf("aborted order at %d, committed at %d; want %d and %d (the abort marker between)",
			aborted.Offset, committed.Offset, last+4, last+6)
	}

	// Step 8: at ReadUncommitted and at ReadCommitted alike, a kafka-go
	// Reader returns the aborted order, the abort marker (key: version 0,
	// type 0), the committed order and the commit marker (type 1).
	if levels := recs[7].Values("IsolationLevel"); !slices.Equal(levels, []any{"ReadUncommitted", "ReadCommitted"}) {
		t.Errorf("step 8 read at %v, want ReadUncommitted then ReadCommitted", levels)
	}
	read := recs[7].Records(Received, Skipped)
	if len(read) != 8 {
		t.Fatalf("step 8 read %d records, want 4 at each level", len(read))
	}
	for level, four := range [][]Record{read[:4], read[4:]} {
		want := []struct {
			offset int64
			order  string // "" for a marker
			marker byte   // the marker's type: 0 abort, 1 commit
		}{
			{aborted.Offset, orderID(t, aborted.Value), 0},
			{aborted.Offset + 1, "", 0},
			{committed.Offset, orderID(t, committed.Value), 0},
			{committed.Offset + 1, "", 1},
		}
		for i, r := range four {
			w := want[i]
			switch {
			case r.Offset != w.offset:
				t.Errorf("step 8, level %d, record %d at offset %d, want %d", level, i, r.Offset, w.offset)
			case w.order != "" && (r.Kind != Received || r.Order.OrderID != w.order):
				t.Errorf("step 8, level %d: at %d read %+v, want order %s", level, r.Offset, r, w.order)
			case w.order == "" && (r.Kind != Skipped || !bytes.Equal(r.Key, []byte{0, 0, 0, w.marker}) ||
				len(r.Value) != 6 || !errors.Is(r.Err, ErrNotAnOrder)):
				t.Errorf("step 8, level %d: at %d read key %x value %x (%v), want a marker of type %d (6-byte value)",
					level, r.Offset, r.Key, r.Value, r.Err, w.marker)
			}
		}
	}

	// Step 9: franz-go's read_committed consumer returns the committed order
	// alone.
	got, offsets = received(recs[8])
	if want := []string{orderID(t, committed.Value)}; !slices.Equal(got, want) || offsets[0] != committed.Offset ||
		len(recs[8].Records(Skipped)) != 0 {
		t.Errorf("franz-go read_committed printed %v at %v, want only %v at %d", got, offsets, want, committed.Offset)
	}

	// Step 10: an open transaction of two orders after the commit marker:
	// the last stable offset is its first offset, the high watermark two
	// further; ReadLag counts to the high watermark; once committed, both
	// orders are read at their offsets.
	open := recs[9].Records(Delivered)
	first := committed.Offset + 2
	if len(open) != 2 || open[0].Offset != first || open[1].Offset != first+1 {
		t.Fatalf("step 10 delivered %+v, want two orders at %d and %d", open, first, first+1)
	}
	for label, want := range map[string]any{
		"high watermark": first + 2, "last stable offset": first,
		"kafka-go ReadLag": int64(2), "lag to the last stable offset": int64(0),
	} {
		if got := recs[9].Values(label); len(got) != 1 || got[0] != want {
			t.Errorf("step 10 reported %s %v, want %v", label, got, want)
		}
	}
	got, offsets = received(recs[9])
	if want := []string{orderID(t, open[0].Value), orderID(t, open[1].Value)}; !slices.Equal(got, want) ||
		!slices.Equal(offsets, []int64{first, first + 1}) {
		t.Errorf("step 10 read %v at %v after the commit, want %v at %d, %d", got, offsets, want, first, first+1)
	}

	// Step 11: the zombie's order right after the till's commit marker, the
	// abort marker the coordinator wrote when the new printer started, the
	// new printer's order and its commit marker, as a Reader finds them;
	// and the zombie's commit refused with PRODUCER_FENCED.
	printed := recs[10].Records(Delivered)
	zombie := first + 3
	if len(printed) != 2 || printed[0].Offset != zombie || printed[1].Offset != zombie+2 {
		t.Fatalf("step 11 delivered %+v, want the zombie's order at %d and the new printer's at %d", printed, zombie, zombie+2)
	}
	var fenced error
	if errs := recs[10].Values("the zombie's commit returned"); len(errs) == 1 {
		fenced, _ = errs[0].(error)
	}
	if !errors.Is(fenced, kerr.ProducerFenced) {
		t.Errorf("the zombie's commit returned %v, want PRODUCER_FENCED", fenced)
	}
	got, offsets = received(recs[10])
	markers := recs[10].Records(Skipped)
	if want := orderID(t, printed[0].Value); !slices.Equal(got, []string{want, want}) ||
		!slices.Equal(offsets, []int64{zombie, zombie + 2}) || len(markers) != 1 ||
		markers[0].Offset != zombie+1 || !bytes.Equal(markers[0].Key, []byte{0, 0, 0, 0}) {
		t.Errorf("step 11 read orders %v at %v and %+v, want %s at %d and %d, the abort marker at %d",
			got, offsets, markers, want, zombie, zombie+2, zombie+1)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Topic: topic, Partition: 0, MaxWait: 250 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(zombie); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, want := range []struct {
		value []byte
		key   []byte
	}{{printed[0].Value, nil}, {nil, []byte{0, 0, 0, 0}}, {printed[1].Value, nil}, {nil, []byte{0, 0, 0, 1}}} {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %s [0] @ %d: %v", topic, zombie+int64(i), err)
		}
		if m.Offset != zombie+int64(i) || (want.value != nil && !bytes.Equal(m.Value, want.value)) ||
			(want.key != nil && (!bytes.Equal(m.Key, want.key) || len(m.Value) != 6)) {
			t.Errorf("at %d read offset %d key %x value %q, want key %x value %q", zombie+int64(i), m.Offset, m.Key, m.Value, want.key, want.value)
		}
	}
}

func TestLesson13Schemas(t *testing.T) {
	env, _ := testkit.Env(t)
	recs := playEach(t, env, numbered(t, 13))

	// Steps 1-2: the headers read back are those of the record as an
	// independent reader finds it at its delivered position.
	d := recs[0].Records(Delivered)
	if len(d) != 1 {
		t.Fatalf("step 1 delivered %d records, want 1", len(d))
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Topic: env.Topic, Partition: d[0].Partition, MaxWait: 250 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(d[0].Offset); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stored, err := r.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, h := range stored.Headers {
		want = append(want, h.Key+"="+string(h.Value))
	}
	for _, e := range recs[1].Entries() {
		if e.Kind == testkit.KindValue && strings.HasPrefix(e.Label, "header ") {
			got = append(got, strings.TrimPrefix(e.Label, "header ")+"="+e.Value.(string))
		}
	}
	if !slices.Equal(got, want) || len(want) != 3 {
		t.Errorf("headers read back %v, the record holds %v", got, want)
	}
	if len(want) == 3 && (want[0] != "content-type=application/json" || want[1] != "schema-version=1" ||
		!regexp.MustCompile(`^traceparent=00-[0-9a-f]{32}-[0-9a-f]{16}-01$`).MatchString(want[2])) {
		t.Errorf("headers %v: want content-type, schema-version 1 and a W3C traceparent", want)
	}
	if rcv := recs[1].Records(Received); len(rcv) != 1 || pos(rcv[0]) != pos(d[0]) {
		t.Errorf("step 2 received %v, want the record at %s", rcv, pos(d[0]))
	}

	// Step 3: one version 1 order (no price_cents) and one version 2 order.
	versions := recs[2].Records(Delivered)
	if len(versions) != 2 {
		t.Fatalf("step 3 delivered %d orders, want 2", len(versions))
	}
	var v1, v2 Record
	price := map[string]int64{} // order id → price_cents as written (absent: version 1)
	for _, v := range versions {
		var fields map[string]any
		if err := json.Unmarshal(v.Value, &fields); err != nil {
			t.Fatal(err)
		}
		if p, ok := fields["price_cents"]; ok {
			v2, price[fields["order_id"].(string)] = v, int64(p.(float64))
		} else {
			v1 = v
		}
	}
	if v1.Value == nil || v2.Value == nil {
		t.Fatalf("step 3 wrote %v: want one order without a price and one with", versions)
	}

	// Step 4: the version 1 consumer reads both, with every version 1 field.
	rcv := recs[3].Records(Received)
	sameRecords(t, versions, rcv)
	for _, r := range rcv {
		var written Order
		for _, v := range versions {
			if pos(v) == pos(r) {
				_ = json.Unmarshal(v.Value, &written)
			}
		}
		if r.Order != written {
			t.Errorf("version 1 consumer read %+v at %s, the record holds %+v", r.Order, pos(r), written)
		}
	}

	// Step 5: the version 2 consumer reads both; the version 1 order gets
	// the default price; each schema-version header matches its value.
	var header string
	read := map[string]OrderV2{}
	for _, e := range recs[4].Entries() {
		switch {
		case e.Kind == testkit.KindValue && e.Label == "schema-version header":
			header = e.Value.(string)
		case e.Kind == testkit.KindValue && e.Label == "read as version 2":
			o := e.Value.(OrderV2)
			read[o.OrderID] = o
			_, isV2 := price[o.OrderID]
			if (header == "2") != isV2 {
				t.Errorf("order %s read with schema-version header %q; written as version 2: %v", o.OrderID, header, isV2)
			}
		}
	}
	id1, id2 := orderID(t, v1.Value), orderID(t, v2.Value)
	if o, ok := read[id1]; !ok || o.PriceCents != DefaultPriceCents {
		t.Errorf("version 1 order read as version 2: %+v (found: %v), want price %d", o, ok, DefaultPriceCents)
	}
	if o, ok := read[id2]; !ok || o.PriceCents != price[id2] || o.PriceCents == DefaultPriceCents {
		t.Errorf("version 2 order read as %+v (found: %v), want price %d", o, ok, price[id2])
	}

	// Step 6: the renamed record has qty and no quantity, and lesson 7's
	// consumer skips it because it is not an order.
	renamed := recs[5].Records(Delivered)
	skipped := recs[5].Records(Skipped)
	if len(renamed) != 1 || len(skipped) != 1 || pos(renamed[0]) != pos(skipped[0]) {
		t.Fatalf("step 6 delivered %v and skipped %v: want one record, skipped", renamed, skipped)
	}
	var fields map[string]any
	_ = json.Unmarshal(renamed[0].Value, &fields)
	if _, qty := fields["qty"]; !qty || fields["quantity"] != nil {
		t.Errorf("renamed record %s: want qty and no quantity", renamed[0].Value)
	}
	if !errors.Is(skipped[0].Err, ErrNotAnOrder) || len(recs[5].Records(Received)) != 0 {
		t.Errorf("renamed record skipped for %v, want ErrNotAnOrder", skipped[0].Err)
	}
	if _, err := DecodeOrderV2(renamed[0].Value); !errors.Is(err, ErrNotAnOrder) {
		t.Errorf("a version 2 consumer decodes the renamed record: %v", err)
	}

	// Step 7: the framed value starts with magic byte 0 and schema id 42,
	// and a plain JSON consumer rejects it.
	if b := recs[6].Texts(testkit.KindBlock); len(b) != 1 || !strings.HasPrefix(b[0], "00000000  00 00 00 00 2a 7b") {
		t.Errorf("framed value dumped as %q, want 00 | 00 00 00 2a | {…", b)
	}
	if w := recs[6].Texts(testkit.KindWarn); len(w) != 1 {
		t.Errorf("want the framed value rejected once, got %q", w)
	}
}
