package exercise

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 10 follows lesson 10 step 4: an idempotent consumer, whose
// memory of what it handled survives a crash.
//
// Two kinds of duplicate reach the program. The producer's: an order
// written twice to $TOPIC, the same key and value at two offsets, as a
// retry after a lost acknowledgement writes it (kafka-go's Writer has no
// idempotent mode, lesson 10 step 5). The consumer's: run 1 "crashes"
// (returns from main) after writing the order at $CRASH_AT to $OUT and
// before committing it, and run 2 resumes at the committed offset,
// $CRASH_AT, and gets that very record again. The producer's duplicates lie
// on one side of the crash each (one pair before it, one after), so a map
// kept in memory handles them and fails only on the redelivery, and a
// memory of offsets handles the redelivery and fails only on them.
func idempotentExercise() Exercise {
	return Exercise{
		ID: "10", Dir: "10_idempotent", Lesson: 10,
		Title: "An idempotent consumer",
		Goal:  "Every order of $TOPIC is on $OUT exactly once, although the producer wrote some orders twice and a crash after passing on the order at offset $CRASH_AT, before its commit, makes the restarted program receive it again.",
		Hints: []string{
			"Two things deliver an order twice: the producer wrote some orders at two offsets, and the restarted run resumes at the offset the group committed, $CRASH_AT, whose order the crashed run had passed on already. An order's identity is its order_id, not its offset.",
			"A map of order ids in memory, as lesson 10 step 4 keeps, is gone after the crash: the restarted run starts with an empty one. Lesson 10 says it: the memory must outlive the program. Here what was handled is on $OUT itself: read $OUT back when the program starts, and start the map from it.",
			"Before the loop: passedOn := map[string]bool{}; make a Reader of $OUT (no GroupID: it reads partition 0 from its first offset) and, while the next offset is below end, ReadMessage and set passedOn[orderID(m.Value)] = true, the next offset being m.Offset+1; then Close it. In the loop: if passedOn[id], skip the write; otherwise write and set passedOn[id] = true. Leave the commit and the crash as they are: a skipped order is committed too.",
		},
		Runs:    2,
		Prepare: prepareIdempotent,
		During:  duringIdempotent,
		Check:   checkIdempotent,
	}
}

func prepareIdempotent(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic, out := env.Name("ex10-orders-"+suffix()), env.Name("ex10-kitchen-"+suffix())
	// One partition each: offsets name the records in order.
	for _, t := range []string{topic, out} {
		if err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: t, Partitions: 1, ReplicationFactor: env.Replicas()}); err != nil {
			return nil, err
		}
	}
	next := 0
	orders := func(n int) []lessons.Order {
		list := make([]lessons.Order, n)
		for i := range list {
			list[i] = lessons.SampleOrder(next)
			next++
		}
		return list
	}
	// withRetry writes one of the orders again a little later, as a
	// producer's retry does.
	withRetry := func(list []lessons.Order) []lessons.Order {
		i := between(0, len(list)-1)
		at := between(i+1, len(list))
		return append(list[:at:at], append([]lessons.Order{list[i]}, list[at:]...)...)
	}
	before, after := withRetry(orders(between(3, 5))), withRetry(orders(between(3, 5)))
	all := append(append(before, orders(1)...), after...)
	var msgs []kafka.Message
	for _, o := range all {
		value, err := o.MarshalValue()
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, kafka.Message{Key: []byte(o.User), Value: value})
	}
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	err := w.WriteMessages(ctx, msgs...)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write the orders to %s: %w", topic, err)
	}
	return Vars{"TOPIC": topic, "OUT": out, "GROUP": env.Name("ex10-kitchen-service-" + suffix()),
		"CRASH_AT": strconv.Itoa(len(before)), "LAST": strconv.Itoa(len(all) - 1)}, nil
}

// duringIdempotent looks at the cluster once the first run has crashed:
// what the group committed, and whether the order in flight is on $OUT.
func duringIdempotent(ctx context.Context, env *lessons.Env, v Vars, run int, p *Process) error {
	if run != 0 {
		return nil
	}
	select {
	case <-p.Done():
	case <-ctx.Done():
		return nil // out of time: the run is a problem of its own
	}
	offsets, err := committedRetrying(ctx, env, v["GROUP"], v["TOPIC"], 1)
	if err != nil {
		return err
	}
	committed := offsets[0]
	handled, err := readAll(ctx, env, v["OUT"])
	if err != nil {
		return err
	}
	v["AFTER_CRASH_COMMITTED"] = strconv.FormatInt(committed, 10)
	v["AFTER_CRASH_ON_OUT"] = strconv.Itoa(len(handled))
	var ids []string
	for _, m := range handled {
		ids = append(ids, orderIDOf(m))
	}
	v["AFTER_CRASH_IDS"] = strings.Join(ids, ",")
	return nil
}

// orderIDOf returns the order_id of a record's value, "" if it is no order.
func orderIDOf(m kafka.Message) string {
	o, _ := lessons.DecodeOrder(m.Value)
	return o.OrderID
}

func checkIdempotent(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, out, group, crashAt := v["TOPIC"], v["OUT"], v["GROUP"], int64(v.Int("CRASH_AT"))
	source, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	handled, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	times := map[string]int{} // order id → times on $OUT
	foreign := 0
	for _, m := range handled {
		times[orderIDOf(m)]++
	}
	offsets := map[string][]int64{} // order id → its offsets on $TOPIC
	var ids []string                // in the order of $TOPIC, each once
	crashed := ""                   // the order at $CRASH_AT
	for _, m := range source {
		id := orderIDOf(m)
		if len(offsets[id]) == 0 {
			ids = append(ids, id)
		}
		offsets[id] = append(offsets[id], m.Offset)
		if m.Offset == crashAt {
			crashed = id
		}
	}
	for id, n := range times {
		if len(offsets[id]) == 0 {
			foreign += n
		}
	}

	// The scenario: after the crash, the order in flight is on $OUT and
	// the group's commit is before it.
	s := Line{What: "after the crash (run 1 of 2)",
		Want: fmt.Sprintf("%s committed offset %d, the order at offset %d already on %s: the restart receives it again", group, crashAt, crashAt, out)}
	if c := v["AFTER_CRASH_COMMITTED"]; c == "" {
		s.Got = "not seen (the first run did not end)"
	} else {
		onOut := strings.Contains(","+v["AFTER_CRASH_IDS"]+",", ","+crashed+",")
		s.OK = c == strconv.FormatInt(crashAt, 10) && onOut
		s.Got = fmt.Sprintf("committed offset %s, %s orders on %s", c, v["AFTER_CRASH_ON_OUT"], out)
		if c == "-1" {
			s.Got = fmt.Sprintf("nothing committed, %s orders on %s", v["AFTER_CRASH_ON_OUT"], out)
		}
		if !onOut {
			s.Got += fmt.Sprintf(", the order at offset %d not among them", crashAt)
		}
	}

	// Every order once.
	var once, more, missing int
	for _, id := range ids {
		switch n := times[id]; {
		case n == 1:
			once++
		case n > 1:
			more++
		default:
			missing++
		}
	}
	all := Line{What: "orders of " + topic + " on " + out, Want: fmt.Sprintf("%d, each once", len(ids)),
		Got: fmt.Sprintf("%d once", once), OK: once == len(ids) && foreign == 0}
	for _, part := range []struct {
		n    int
		what string
	}{{more, "more than once"}, {missing, "missing"}, {foreign, "record(s) not from " + topic}} {
		if part.n > 0 {
			all.Got += fmt.Sprintf("; %d %s", part.n, part.what)
		}
	}

	// The redelivered order.
	r := Line{What: fmt.Sprintf("the order at offset %d, received again after the restart", crashAt),
		Want: "once on " + out, Got: fmt.Sprintf("%d time(s)", times[crashed]), OK: times[crashed] == 1}
	if times[crashed] > 1 {
		r.Why = fmt.Sprintf("the restarted run did not know it was on %s already: what the program remembers must survive the crash, so read the order ids back from %s when it starts", out, out)
	}

	// The producer's duplicates.
	var pairs, got []string
	twice := 0
	for _, id := range ids {
		if len(offsets[id]) < 2 {
			continue
		}
		pairs = append(pairs, fmt.Sprintf("offsets %d and %d", offsets[id][0], offsets[id][1]))
		got = append(got, fmt.Sprintf("%d and %d: %d time(s)", offsets[id][0], offsets[id][1], times[id]))
		if times[id] > 1 {
			twice++
		}
	}
	d := Line{What: "orders the producer wrote twice (" + strings.Join(pairs, "; ") + ")",
		Want: "each once on " + out, Got: strings.Join(got, "; "), OK: twice == 0 && len(pairs) > 0}
	if twice > 0 {
		d.Why = "the same order at two offsets, as a producer's retry writes it: an offset names a record, not an order; recognise an order by its order_id"
	}
	return []Line{s, all, r, d}, nil
}
