package exercise

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 16 follows lesson 16: a replay from a moment, each partition's
// Reader moved by SetOffsetAt to the first record at or after it.
//
// The orders carry times of the past (CreateTime, set by the producer),
// rising in each partition, some before $SINCE and some after; one record
// is stamped $SINCE exactly, which "at or after" includes. The check reads
// the source topic, sorts its records by their own times, and compares
// what $OUT holds with those at or after $SINCE.
func sinceExercise() Exercise {
	return Exercise{
		ID: "16", Dir: "16_since", Lesson: 16,
		Title: "Every order since a moment",
		Goal:  "$OUT holds a copy of every order of $TOPIC whose record was written at or after $SINCE (its timestamp), from each of its $PARTITIONS partitions, once, and nothing older; the program ended on its own.",
		Hints: []string{
			"A record's timestamp is not its offset: to start from a moment, ask Kafka for the offset of that moment. Reader.SetOffsetAt(ctx, t) does it for a Reader of one partition, as lesson 16 step 3 shows: it moves the Reader to the first record whose timestamp is at or after t.",
			"SetOffsetAt moves one Reader of one partition: a Reader per partition, each moved to $SINCE before its first ReadMessage. A Reader with a GroupID refuses it. The end of each partition is its high watermark, which the program reads before it starts.",
			"In the loop over partitions: r := kafka.NewReader(kafka.ReaderConfig{Brokers: kit.Brokers(), Dialer: kit.Dialer(), Topic: topic, Partition: p}), then if err := r.SetOffsetAt(ctx, since); err != nil { kit.Fail(err) }. Then read while r.Offset() < end[p]. A record stamped $SINCE exactly counts: at or after, not after.",
		},
		Prepare: prepareSince,
		Check:   checkSince,
	}
}

// sincePartitions is how many partitions the source topic has.
const sincePartitions = 3

func prepareSince(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic, out := env.Name("ex16-orders-"+suffix()), env.Name("ex16-since-"+suffix())
	for _, spec := range []lessons.TopicSpec{
		// CreateTime, whatever the broker's default: the times are the orders'.
		{Name: topic, Partitions: sincePartitions, ReplicationFactor: env.Replicas(),
			Configs: map[string]string{"message.timestamp.type": "CreateTime"}},
		{Name: out, Partitions: 1, ReplicationFactor: env.Replicas()},
	} {
		if err := lessons.EnsureTopic(ctx, env, spec); err != nil {
			return nil, err
		}
	}
	// Whole milliseconds: Kafka keeps a record's time in milliseconds.
	since := time.Now().Add(-time.Duration(between(20, 40)) * time.Minute).Truncate(time.Millisecond)
	for p := range sincePartitions {
		older, newer := between(2, 5), between(2, 5)
		var times []time.Time
		for i := older; i > 0; i-- { // a minute apart, the last a minute before since
			times = append(times, since.Add(-time.Duration(i)*time.Minute))
		}
		first := time.Minute
		if p == 1 {
			first = 0 // one record stamped since exactly
		}
		for i := range newer {
			times = append(times, since.Add(first+time.Duration(i)*time.Minute))
		}
		if err := fillAt(ctx, env, topic, p, times); err != nil {
			return nil, err
		}
	}
	return Vars{"TOPIC": topic, "OUT": out, "SINCE": since.Format(time.RFC3339Nano),
		"PARTITIONS": strconv.Itoa(sincePartitions)}, nil
}

// fillAt writes one order a time to partition p of topic, each with that
// time as its record's timestamp.
func fillAt(ctx context.Context, env *lessons.Env, topic string, p int, times []time.Time) error {
	w := &kafka.Writer{
		Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		Balancer: kafka.BalancerFunc(func(kafka.Message, ...int) int { return p }),
	}
	msgs := make([]kafka.Message, len(times))
	for i, o := range lessons.SampleOrders(p*10, len(times)) {
		value, err := o.MarshalValue()
		if err != nil {
			return err
		}
		msgs[i] = kafka.Message{Value: value, Time: times[i]}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		w.Close()
		return fmt.Errorf("write to %s [%d]: %w", topic, p, err)
	}
	return w.Close()
}

func checkSince(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, out := v["TOPIC"], v["OUT"]
	since, err := time.Parse(time.RFC3339Nano, v["SINCE"])
	if err != nil {
		return nil, fmt.Errorf("SINCE %q: %w", v["SINCE"], err)
	}
	source, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	type origin struct {
		partition int
		time      time.Time
	}
	byID := map[string]origin{} // the source's orders
	wanted := 0
	for _, m := range source {
		o, err := lessons.DecodeOrder(m.Value)
		if err != nil {
			return nil, fmt.Errorf("%s [%d] @ %d: %w", topic, m.Partition, m.Offset, err)
		}
		byID[o.OrderID] = origin{m.Partition, m.Time}
		if !m.Time.Before(since) {
			wanted++
		}
	}
	copies, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	recent, older, foreign, atSince := 0, 0, 0, 0
	partitions := map[int]bool{}
	for _, m := range copies {
		o, err := lessons.DecodeOrder(m.Value)
		from, ok := byID[o.OrderID]
		if err != nil || !ok {
			foreign++
			continue
		}
		if seen[o.OrderID]++; seen[o.OrderID] > 1 {
			continue
		}
		partitions[from.partition] = true
		switch {
		case from.time.Before(since):
			older++
		default:
			recent++
			if from.time.Equal(since) {
				atSince++
			}
		}
	}
	twice := 0
	for _, n := range seen {
		if n > 1 {
			twice += n - 1
		}
	}
	all := len(byID)
	stamped := want(fmt.Sprintf("orders of %s written at or after %s, on %s", topic, v["SINCE"], out), wanted, recent)
	switch {
	case stamped.OK:
	case recent == wanted-1 && atSince == 0:
		stamped.Why = "the order stamped exactly at that moment is missing: at or after, not after. SetOffsetAt includes it; a filter with msg.Time.After(since) drops it"
	case len(partitions) == 1 && recent+older < all:
		stamped.Why = "the copies come from one partition only: SetOffsetAt moves a Reader of one partition, so read each partition with a Reader of its own"
	}
	old := want(fmt.Sprintf("orders of %s written before %s, on %s", topic, v["SINCE"], out), 0, older)
	if older > 0 && recent+older == all {
		old.Why = "every order was copied: a Reader of a partition starts at its first offset until SetOffset or SetOffsetAt moves it; r.SetOffsetAt(ctx, since) moves it to the first record at or after since"
	} else if older > 0 {
		old.Why = "a partition was read from its first offset, where a Reader starts until SetOffset or SetOffsetAt moves it: move each partition's Reader with r.SetOffsetAt(ctx, since)"
	}
	lines := []Line{stamped, old,
		want(fmt.Sprintf("orders copied more than once to %s", out), 0, twice),
		want(fmt.Sprintf("records on %s that are not orders of %s", out, topic), 0, foreign),
	}
	return lines, nil
}
