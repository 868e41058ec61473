package exercise

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 7 follows lesson 7: a consumer that goes on past poison pills
// and sets each aside on a dead-letter topic, with where it came from.
//
// The program reads with a GroupID and ReadMessage, which commits each
// record it returns, synchronously with CommitInterval 0 (pinned by
// lessons' TestKafkaGo_ReadMessageCommitsFetchMessageDoesNot and
// TestKafkaGo_CommitMessagesIsSynchronousByDefault): the group's committed
// offsets say how many records the program read, which names the starting
// file's mistake, a loop that ends at the first pill.
func poisonPillsExercise() Exercise {
	return Exercise{
		ID: "7", Dir: "07_poison_pills", Lesson: 7,
		Title: "A consumer that survives poison pills",
		Goal:  "Every order of $TOPIC is on $OUT once; every poison pill of $TOPIC (a record lessons.DecodeOrder refuses) is on $DLQ once, as it was, with the headers source-partition and source-offset naming where it was on $TOPIC, as text, and error saying why; and the program ended on its own after the $COUNT records.",
		Hints: []string{
			"Lesson 7's consumer does not stop at a record it cannot decode: it warns, counts it and goes on with the next. This one breaks out of its loop at the first pill, so the orders after it are never read. Going on is not enough either: a pill that is only skipped is gone for whoever must find out where it came from.",
			"Setting a pill aside is writing it, its Key and Value as they were, to $DLQ, with headers. A kafka.Header is {Key string, Value []byte}: the partition and the offset go as text, strconv.Itoa(msg.Partition) and strconv.FormatInt(msg.Offset, 10). Name both: each partition has offsets of its own, so an offset alone does not say which record it was.",
			"In place of break: dlq.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value, Headers: []kafka.Header{{Key: \"source-partition\", Value: ...}, {Key: \"source-offset\", Value: ...}, {Key: \"error\", Value: []byte(err.Error())}}}), kit.Fail on its error, pills++, then continue: without it the pill goes on to the kitchen's WriteMessages, and reaches $OUT too.",
		},
		Prepare: preparePoisonPills,
		Check:   checkPoisonPills,
	}
}

// The headers a pill on the dead-letter topic carries.
const (
	sourcePartitionHeader = "source-partition"
	sourceOffsetHeader    = "source-offset"
	errorHeader           = "error"
)

// pillValues are the poison pills of exercise 7, lesson 7's and a few
// more. They repeat: two pills may have the same bytes, and only the
// headers say which record a copy on $DLQ is.
var pillValues = []string{
	"pizza please",
	`{"order_id": "42", "user": "Ada", "item": "Tea"}`,
	`{"order_id": "42", "user": "Ada", "item": "Tea", "quantity": "two"}`,
	"",
	`[1, 2, 3]`,
	`{"order_id": "43", "user": "Alan", "item": "Soup", "quantity": 0}`,
}

func preparePoisonPills(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic, out, dlq := env.Name("ex7-orders-"+suffix()), env.Name("ex7-kitchen-"+suffix()), env.Name("ex7-dead-letters-"+suffix())
	partitions := between(2, 4)
	for _, spec := range []lessons.TopicSpec{
		{Name: topic, Partitions: partitions, ReplicationFactor: env.Replicas()},
		{Name: out, Partitions: 1, ReplicationFactor: env.Replicas()},
		{Name: dlq, Partitions: 1, ReplicationFactor: env.Replicas()},
	} {
		if err := lessons.EnsureTopic(ctx, env, spec); err != nil {
			return nil, err
		}
	}
	// Each partition: a few orders, one or two pills at random places.
	count, i := 0, 0
	for p := range partitions {
		n := between(4, 7)
		pills := rand.Perm(n)[:between(1, 2)]
		msgs := make([]kafka.Message, n)
		for j := range msgs {
			if slices.Contains(pills, j) {
				msgs[j].Value = []byte(pillValues[rand.IntN(len(pillValues))])
				if rand.IntN(2) == 0 {
					msgs[j].Key = []byte("console")
				}
				continue
			}
			o := lessons.SampleOrder(i)
			i++
			value, err := o.MarshalValue()
			if err != nil {
				return nil, err
			}
			msgs[j] = kafka.Message{Key: []byte(o.User), Value: value}
		}
		if err := writeToPartition(ctx, env, topic, p, msgs); err != nil {
			return nil, err
		}
		count += n
	}
	return Vars{"TOPIC": topic, "OUT": out, "DLQ": dlq, "GROUP": env.Name("ex7-kitchen-service-" + suffix()),
		"PARTITIONS": strconv.Itoa(partitions), "COUNT": strconv.Itoa(count)}, nil
}

// writeToPartition writes msgs to one partition of topic, in their order.
func writeToPartition(ctx context.Context, env *lessons.Env, topic string, p int, msgs []kafka.Message) error {
	w := &kafka.Writer{
		Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		Balancer: kafka.BalancerFunc(func(kafka.Message, ...int) int { return p }),
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		w.Close()
		return fmt.Errorf("write to %s [%d]: %w", topic, p, err)
	}
	return w.Close()
}

// keyValue is a record's key and value, what a copy keeps.
func keyValue(m kafka.Message) string { return string(m.Key) + "\x00" + string(m.Value) }

func checkPoisonPills(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, out, dlq, count := v["TOPIC"], v["OUT"], v["DLQ"], v.Int("COUNT")
	source, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	handled, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	dead, err := readAll(ctx, env, dlq)
	if err != nil {
		return nil, err
	}

	records := map[at]kafka.Message{}
	orders := map[string]bool{} // the order ids of $TOPIC
	pills := map[at]bool{}
	pillBytes := map[string]bool{}
	for _, m := range source {
		where := at{m.Partition, m.Offset}
		records[where] = m
		if o, err := lessons.DecodeOrder(m.Value); err == nil {
			orders[o.OrderID] = true
		} else {
			pills[where] = true
			pillBytes[string(m.Value)] = true
		}
	}

	// $OUT: each order once, and nothing else.
	seen := map[string]int{}
	notOrders, pillsOut := 0, 0
	for _, m := range handled {
		if o, err := lessons.DecodeOrder(m.Value); err == nil && orders[o.OrderID] {
			seen[o.OrderID]++
			continue
		}
		notOrders++
		if pillBytes[string(m.Value)] {
			pillsOut++
		}
	}
	twice := 0
	for _, n := range seen {
		if n > 1 {
			twice++
		}
	}
	all := Line{What: "orders of " + topic + " on " + out, Want: fmt.Sprintf("%d, each once", len(orders)),
		Got: strconv.Itoa(len(seen)), OK: len(seen) == len(orders) && twice == 0}
	var notes []string
	if missing := len(orders) - len(seen); missing > 0 {
		notes = append(notes, fmt.Sprintf("%d missing", missing))
	}
	if twice > 0 {
		notes = append(notes, fmt.Sprintf("%d more than once", twice))
	}
	if len(notes) > 0 {
		all.Got += " (" + strings.Join(notes, ", ") + ")"
	}
	if !all.OK && len(dead) == 0 && twice == 0 {
		// ReadMessage commits each record it returns: the group's offsets
		// say how many the program read.
		if read, ok := recordsRead(ctx, env, v["GROUP"], topic, v.Int("PARTITIONS")); ok && read < count && len(seen) == read-1 {
			all.Why = fmt.Sprintf("the group committed %d of the %d records: %d order(s), all handled, and one poison pill, where the loop ended; the records after it were never read", read, count, read-1)
		}
	}
	through := want("records on "+out+" that are not orders", 0, notOrders)
	if notOrders > 0 && pillsOut == notOrders {
		through.Why = "they are poison pills that went on to the kitchen after being set aside: continue to the next record once a pill is on " + dlq
	}

	// $DLQ: each pill once, as it was, its headers naming where it was.
	left := map[string]int{}
	for where := range pills {
		left[keyValue(records[where])]++
	}
	copies := 0
	others := tally{}
	named, problems := map[at]int{}, tally{}
	headed, errs := 0, tally{}
	for _, m := range dead {
		switch {
		case left[keyValue(m)] > 0:
			left[keyValue(m)]--
			copies++
		case pillBytes[string(m.Value)]:
			others["a pill with another key"]++
		default:
			if _, err := lessons.DecodeOrder(m.Value); err == nil {
				others["an order"]++
			} else {
				others["not a record of "+topic+" as it was"]++
			}
		}
		if where, problem := namedSource(m, records); problem != "" {
			problems[problem]++
		} else {
			named[where]++
		}
		if h, ok := lessons.Header(m, errorHeader); ok && len(bytes.TrimSpace(h)) > 0 {
			headed++
		} else if ok {
			errs["an empty error header"]++
		} else {
			errs["no error header"]++
		}
	}
	set := Line{What: "poison pills on " + dlq, Want: fmt.Sprintf("%d (the pills of %s, each once, as they were)", len(pills), topic),
		Got: strconv.Itoa(len(dead)), OK: len(dead) == len(pills) && copies == len(pills)}
	if len(others) > 0 {
		set.Got += " (" + others.list() + ")"
	}
	if len(dead) == 0 && all.OK {
		set.Why = "the pills were skipped, as lesson 7's consumer skips them, and nothing set them aside: write each to " + dlq + " before going on"
	}

	right := 0
	for _, n := range named {
		if n > 1 {
			problems["naming a record named by another copy too"] += n
		} else {
			right++
		}
	}
	naming := Line{What: fmt.Sprintf("pills on %s whose headers %s and %s name the record they copy", dlq, sourcePartitionHeader, sourceOffsetHeader),
		Want: strconv.Itoa(len(pills)), Got: problems.got(right), OK: right == len(pills) && len(problems) == 0}
	why := Line{What: "pills on " + dlq + " with a header error that says why", Want: strconv.Itoa(len(dead)),
		Got: errs.got(headed), OK: headed == len(dead)}
	return []Line{all, through, set, naming, why}, nil
}

// namedSource returns the pill a record on the dead-letter topic names by
// its headers, or what is wrong with them.
func namedSource(m kafka.Message, records map[at]kafka.Message) (at, string) {
	p, problem := numberHeader(m, sourcePartitionHeader)
	if problem != "" {
		return at{}, problem
	}
	o, problem := numberHeader(m, sourceOffsetHeader)
	if problem != "" {
		return at{}, problem
	}
	where := at{int(p), o}
	src, ok := records[where]
	switch {
	case !ok:
		return at{}, "naming no record"
	case keyValue(src) == keyValue(m):
		return where, ""
	}
	if _, err := lessons.DecodeOrder(src.Value); err == nil {
		return at{}, "naming an order"
	}
	return at{}, "naming another pill"
}

// numberHeader reads a header that holds a number as text.
func numberHeader(m kafka.Message, key string) (int64, string) {
	raw, ok := lessons.Header(m, key)
	if !ok {
		return 0, "no " + key + " header"
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Sprintf("%s %q, not a number as text", key, raw)
	}
	return n, ""
}

// recordsRead returns how many records the group committed on topic, in
// all: with ReadMessage, the records the program read. ok is false when
// the offsets cannot be read.
func recordsRead(ctx context.Context, env *lessons.Env, group, topic string, partitions int) (int, bool) {
	committed, err := committedRetrying(ctx, env, group, topic, partitions)
	if err != nil {
		return 0, false
	}
	n := 0
	for _, p := range slices.Sorted(maps.Keys(committed)) {
		n += int(max(committed[p], 0))
	}
	return n, true
}
