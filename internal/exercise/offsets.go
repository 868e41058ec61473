package exercise

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 4 follows lesson 4: a Reader assigned one partition at one
// offset, which stops by itself at the end of a range of offsets.
func offsetsExercise() Exercise {
	return Exercise{
		ID: "4", Dir: "04_offsets", Lesson: 4,
		Title: "Exactly the records between two offsets",
		Goal:  "$OUT holds copies of the records of $TOPIC [$PARTITION] from offset $FROM (included) to offset $TO (excluded), in order and nothing else, and the program ended on its own.",
		Hints: []string{
			"A Reader with a Partition and no GroupID reads that one partition, from its first offset unless SetOffset says where to start. It never tells you that a range is over: at the high watermark ReadMessage waits for the next record, so the program must decide itself when to stop.",
			"Every message ReadMessage returns carries its Offset. Copy the record at $FROM and each one after it up to the record at $TO-1, then stop: $TO is excluded. A loop that waits for ReadMessage to report the end of the partition never ends, and the check's time limit stops the program.",
			"Set Partition: partition in the ReaderConfig and call r.SetOffset(from) before the first ReadMessage. In the loop, write kafka.Message{Key: msg.Key, Value: msg.Value} to w (a message that names its Topic is refused by a Writer that names one too), then break once msg.Offset+1 >= to.",
		},
		Prepare: prepareOffsets,
		Check:   checkOffsets,
	}
}

func prepareOffsets(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic, out := env.Name("ex4-orders-"+suffix()), env.Name("ex4-slice-"+suffix())
	for _, spec := range []lessons.TopicSpec{
		{Name: topic, Partitions: 3, ReplicationFactor: env.Replicas()},
		{Name: out, Partitions: 1, ReplicationFactor: env.Replicas()},
	} {
		if err := lessons.EnsureTopic(ctx, env, spec); err != nil {
			return nil, err
		}
	}
	// Partition 0, where a Reader without a Partition reads, holds the most
	// records: a program that forgets the partition copies a wrong slice
	// (which the check names) instead of waiting for records that never come.
	counts := [3]int{20, between(12, 19), between(12, 19)}
	for p, n := range counts {
		if err := fillPartition(ctx, env, topic, p, n); err != nil {
			return nil, err
		}
	}
	// Not partition 0, a ReaderConfig's default; a range with records on
	// both sides, and not at the first offset.
	p := between(1, 2)
	from := between(2, 5)
	to := between(from+3, counts[p]-2)
	return Vars{"TOPIC": topic, "OUT": out, "PARTITION": strconv.Itoa(p),
		"FROM": strconv.Itoa(from), "TO": strconv.Itoa(to)}, nil
}

// fillPartition writes n orders to one partition of topic, as lesson 4
// step 1 does: a Balancer that always answers p.
func fillPartition(ctx context.Context, env *lessons.Env, topic string, p, n int) error {
	w := &kafka.Writer{
		Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		Balancer: kafka.BalancerFunc(func(kafka.Message, ...int) int { return p }),
	}
	msgs := make([]kafka.Message, n)
	for i, o := range lessons.SampleOrders(p*n, n) {
		value, err := o.MarshalValue()
		if err != nil {
			return err
		}
		msgs[i] = kafka.Message{Value: value}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		w.Close()
		return fmt.Errorf("write to %s [%d]: %w", topic, p, err)
	}
	return w.Close()
}

// at is where a copied record came from: a partition and offset of the
// source topic, or partition -1 for a record the source does not hold.
type at struct {
	partition int
	offset    int64
}

func checkOffsets(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, out := v["TOPIC"], v["OUT"]
	p, from, to := v.Int("PARTITION"), int64(v.Int("FROM")), int64(v.Int("TO"))
	source, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	copied, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	// Each order has an id of its own: its value says which record it is.
	origin := map[string]at{}
	first, end := map[int]int64{}, map[int]int64{} // first offset and high watermark
	for _, m := range source {
		origin[string(m.Value)] = at{m.Partition, m.Offset}
		if f, ok := first[m.Partition]; !ok || m.Offset < f {
			first[m.Partition] = m.Offset
		}
		end[m.Partition] = max(end[m.Partition], m.Offset+1)
	}
	var got, wanted []at
	for _, m := range copied {
		o, ok := origin[string(m.Value)]
		if !ok {
			o = at{-1, -1}
		}
		got = append(got, o)
	}
	for o := from; o < to; o++ {
		wanted = append(wanted, at{p, o})
	}
	where := Line{What: "copied from " + topic, Want: ranges(wanted), Got: ranges(got), OK: slices.Equal(got, wanted)}
	if !where.OK {
		where.Why = offsetsMistake(got, p, from, to, first, end)
	}
	return []Line{want("records on "+out, len(wanted), len(copied)), where}, nil
}

// offsetsMistake names the known mistakes that explain the records copied,
// when they are one run of offsets of one partition and each way it
// differs from the range wanted is a known one; otherwise "".
func offsetsMistake(got []at, p int, from, to int64, first, end map[int]int64) string {
	runs := runsOf(got)
	if len(runs) != 1 || runs[0].first.partition < 0 {
		return ""
	}
	q, a, b := runs[0].first.partition, runs[0].first.offset, runs[0].last.offset
	var why []string
	if q != p {
		s := fmt.Sprintf("partition %d, not %d: the Reader reads the partition its ReaderConfig names", q, p)
		if q == 0 {
			s = fmt.Sprintf("partition 0, not %d: ReaderConfig.Partition is 0 unless you set it", p)
		}
		why = append(why, s)
	}
	switch {
	case a == from+1 && b == to:
		return strings.Join(append(why, fmt.Sprintf("every offset one too far: %d is included and %d is not, so copy %d to %d", from, to, from, to-1)), "; ")
	case a == from:
	case a == from+1:
		why = append(why, fmt.Sprintf("offset %d is missing: the range includes %d, its first record", from, from))
	case a == first[q]:
		why = append(why, fmt.Sprintf("it starts at %d, the partition's first offset, where a Reader starts until SetOffset(%d) moves it", a, from))
	default:
		return ""
	}
	switch {
	case b == to-1:
	case b == to:
		why = append(why, fmt.Sprintf("offset %d was copied too: %d is excluded, the last record to copy is %d", to, to, to-1))
	case b == end[q]-1:
		why = append(why, fmt.Sprintf("it goes on to %d, the last record before the high watermark: stop after offset %d", b, to-1))
	default:
		return ""
	}
	return strings.Join(why, "; ")
}

// run is consecutive records of one partition, or records the source does
// not hold, in a row.
type run struct {
	first, last at
	n           int
}

// runsOf cuts records into runs, in their order.
func runsOf(records []at) []run {
	var runs []run
	for _, r := range records {
		if n := len(runs); n > 0 {
			last := runs[n-1].last
			if r.partition == last.partition && (r.partition < 0 || r.offset == last.offset+1) {
				runs[n-1].last = r
				runs[n-1].n++
				continue
			}
		}
		runs = append(runs, run{r, r, 1})
	}
	return runs
}

// ranges says where records came from, in their order, as kcat names
// records: "[2] @ 4..9", "[2] @ 4..6, [2] @ 8..9", "3 record(s) not from it".
func ranges(records []at) string {
	if len(records) == 0 {
		return "nothing"
	}
	var parts []string
	for _, r := range runsOf(records) {
		switch {
		case r.first.partition < 0:
			parts = append(parts, fmt.Sprintf("%d record(s) not from it", r.n))
		case r.n == 1:
			parts = append(parts, fmt.Sprintf("[%d] @ %d", r.first.partition, r.first.offset))
		default:
			parts = append(parts, fmt.Sprintf("[%d] @ %d..%d", r.first.partition, r.first.offset, r.last.offset))
		}
	}
	return strings.Join(parts, ", ")
}
