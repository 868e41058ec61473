package exercise

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// orderStatuses are what the kitchen writes for each order, in this order.
var orderStatuses = []string{"accepted", "cooking", "ready"}

// Exercise 12 follows lesson 12: a compacted topic of order statuses, and a
// tombstone that deletes the cancelled order.
//
// The check reads the records with kafka.Client.Fetch, not a kafka.Reader:
// kafka-go writes Value nil as a null value (length -1) and []byte{} as a
// value of 0 bytes, and a Reader returns Value nil for both (readNewBytes
// allocates only for a length above 0), while Fetch's Record.Value is nil
// for the null value only. Both brokers return the records as written. It
// reads the last record of each key without waiting for the cleaner, which
// keeps at least that record whenever it runs.
func compactedExercise() Exercise {
	return Exercise{
		ID: "12", Dir: "12_compacted", Lesson: 12,
		Title: "A compacted topic of order statuses, with a tombstone",
		Goal:  "$TOPIC exists with cleanup.policy=compact; every record on it is keyed by an order id of $ORDERS; the last record of each order is its status ready, except $CANCELLED's, which is a tombstone: its key with no value.",
		Hints: []string{
			"A topic is compacted when its setting cleanup.policy is compact; a topic created without the setting gets Kafka's default, delete. The cleaner drops the records of a key that a later record of the same key replaces, so write an order's statuses in the order they happen, keyed by the order id: the last one is its status.",
			"In client.CreateTopics, the kafka.TopicConfig takes ConfigEntries: []kafka.ConfigEntry{{ConfigName: \"cleanup.policy\", ConfigValue: \"compact\"}}. Each status is a kafka.Message{Key: []byte(order), Value: []byte(\"accepted\")}, then cooking, then ready; with one partition, Kafka keeps them all in the order written.",
			"A tombstone is a key with no value at all: kafka.Message{Key: []byte(cancelled), Value: nil}, after that order's statuses. kafka-go sends []byte{} or []byte(\"\") as a value of 0 bytes, which is a value and not a tombstone; a kafka.Reader returns Value nil for both, so reading the topic back with one does not tell them apart.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			n := between(3, 5)
			var orders []string
			for len(orders) < n {
				if id := "order-" + suffix()[:4]; !slices.Contains(orders, id) {
					orders = append(orders, id)
				}
			}
			return Vars{
				"TOPIC":     env.Name("ex12-order-status-" + suffix()),
				"ORDERS":    strings.Join(orders, ","),
				"CANCELLED": orders[between(0, n-1)],
				"REPLICAS":  strconv.Itoa(int(env.Replicas())),
			}, nil
		},
		Check: checkCompacted,
	}
}

// fetched is one record as Kafka holds it: a null key or value is nil, an
// empty one is not.
type fetched struct {
	partition int
	offset    int64
	key       []byte
	value     []byte
}

// describe says what a record's value is, as a check line shows it.
func (s fetched) describe() string {
	switch {
	case s.value == nil:
		return tombstoneGot
	case len(s.value) == 0:
		return "an empty value (0 bytes)"
	}
	return strconv.Quote(string(s.value))
}

const tombstoneGot = "a tombstone (no value)"

func checkCompacted(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, cancelled := v["TOPIC"], v["CANCELLED"]
	_, err := describeAfterRun(ctx, env, topic)
	if errors.Is(err, lessons.ErrNoTopic) {
		return []Line{{What: "topic " + topic, Want: "created", Got: "no such topic", Why: "the program did not create it"}}, nil
	}
	if err != nil {
		return nil, err
	}
	lines := []Line{{What: "topic " + topic, Want: "created", Got: "created", OK: true}}
	policy, err := topicSetting(ctx, env, topic, "cleanup.policy")
	if err != nil {
		return nil, err
	}
	l := want("cleanup.policy", "compact", policy)
	if policy == "delete" {
		l.Why = "Kafka's default: the topic was created without the setting, so Kafka deletes old segments by retention and never compacts by key"
	}
	lines = append(lines, l)

	records, err := fetchAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	orders := v.List("ORDERS")
	byKey := map[string][]fetched{}
	unkeyed, strangers := 0, 0
	for _, r := range records {
		switch {
		case r.key == nil:
			unkeyed++
		case !slices.Contains(orders, string(r.key)):
			strangers++
		default:
			byKey[string(r.key)] = append(byKey[string(r.key)], r)
		}
	}
	l = want("records without a key", 0, unkeyed)
	if unkeyed > 0 {
		l.Why = "each status's Key must be its order id"
	}
	lines = append(lines, l, want("records keyed by no order of "+strings.Join(orders, ", "), 0, strangers))
	for _, order := range orders {
		lines = append(lines, lastStatus(order, order == cancelled, byKey[order]))
	}
	return lines, nil
}

// lastStatus is the line of one order: its last record, and the mistake
// that explains it when it is a known one.
func lastStatus(order string, cancelled bool, recs []fetched) Line {
	l := Line{What: "last record of " + order, Want: strconv.Quote("ready")}
	if cancelled {
		l.What += " (cancelled)"
		l.Want = tombstoneGot
	}
	if len(recs) == 0 {
		l.Got, l.Why = "no record keyed "+order, "each status's Key must be its order id"
		return l
	}
	var on []int
	for _, r := range recs {
		if !slices.Contains(on, r.partition) {
			on = append(on, r.partition)
		}
	}
	if len(on) > 1 {
		slices.Sort(on)
		l.Got = fmt.Sprintf("records on partitions %v", on)
		l.Why = "Kafka keeps records in order within a partition only, and the Writer's balancer ignored the key (round-robin, the default, does): create the topic with one partition"
		return l
	}
	last := recs[len(recs)-1]
	l.Got = last.describe()
	l.OK = l.Got == l.Want
	if l.OK {
		return l
	}
	// earlier says whether a record that describes as d comes before the
	// last one: then they were written in the wrong order.
	earlier := func(d string) bool {
		return slices.ContainsFunc(recs[:len(recs)-1], func(r fetched) bool { return r.describe() == d })
	}
	switch v := string(last.value); {
	case !cancelled && last.value == nil:
		l.Why = "a tombstone deletes the order: only the cancelled order ends with one"
	case earlier(l.Want):
		l.Why = fmt.Sprintf("%s came before %s: the last record of a key is the one the cleaner keeps, so write them in the order they happen", l.Want, l.Got)
	case !cancelled:
	case last.value != nil && len(last.value) == 0:
		l.Why = "an empty value is a value, not a tombstone: kafka-go sends []byte{} as 0 bytes and only Value: nil as no value (a kafka.Reader returns nil for both)"
	case v == "null":
		l.Why = "the text \"null\" is a value of 4 bytes; a tombstone is Value: nil"
	case !slices.Contains(orderStatuses, v):
		l.Why = fmt.Sprintf("%q is a value like a status, kept as the order's last; a tombstone is the key with Value: nil", v)
	default:
		l.Why = "no tombstone after its statuses: write its key with Value: nil last"
	}
	return l
}

// fetchAll reads every record of the topic with lessons.FetchPartition,
// which tells a null value from an empty one.
func fetchAll(ctx context.Context, env *lessons.Env, topic string) ([]fetched, error) {
	marks, err := lessons.ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	var all []fetched
	for _, w := range marks {
		msgs, err := lessons.FetchPartition(ctx, env, topic, w.Partition)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			all = append(all, fetched{partition: m.Partition, offset: m.Offset, key: m.Key, value: m.Value})
		}
	}
	return all, nil
}
