package exercise

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 3 follows lesson 3: a producer whose delivery reports say where
// Kafka put each order.
func deliveryExercise() Exercise {
	return Exercise{
		ID: "3", Dir: "03_delivery", Lesson: 3,
		Title: "Delivery reports with the partition and offset Kafka gave",
		Goal:  "$COUNT orders are on $TOPIC, and the program printed one delivery report per order, `TOPIC [PARTITION] @ OFFSET`, naming where Kafka stored it.",
		Hints: []string{
			"A Writer reports each delivery through its Completion func(messages []kafka.Message, err error): print one line per message there.",
			"Kafka answers a produce request only when asked to: set RequiredAcks to kafka.RequireAll (or RequireOne). With the default, RequireNone, there is no answer, so no partition or offset to report.",
			"In Completion, for each m of messages: fmt.Printf(\"%s [%d] @ %d\\n\", m.Topic, m.Partition, m.Offset), and nothing when err is not nil (print the error instead).",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex3-orders-" + suffix())
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: 3, ReplicationFactor: env.Replicas()})
			return Vars{"TOPIC": topic, "COUNT": strconv.Itoa(between(4, 9))}, err
		},
		Check: checkDelivery,
	}
}

// report is a delivery report as kcat and the lessons print it.
var report = regexp.MustCompile(`(?m)^(\S*) \[(\d+)\] @ (\d+)\s*$`)

func checkDelivery(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error) {
	topic, count := v["TOPIC"], v.Int("COUNT")
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	orders := 0
	at := map[[2]int64]bool{}
	for _, m := range stored {
		if _, err := lessons.DecodeOrder(m.Value); err == nil {
			orders++
		}
		at[[2]int64{int64(m.Partition), m.Offset}] = true
	}
	reports := report.FindAllStringSubmatch(r.Stdout, -1)
	named, blank, zero := 0, 0, 0
	for _, rep := range reports {
		p, _ := strconv.ParseInt(rep[2], 10, 64)
		o, _ := strconv.ParseInt(rep[3], 10, 64)
		if rep[1] == topic && at[[2]int64{p, o}] {
			named++
			delete(at, [2]int64{p, o}) // a record is reported once
		}
		if p == 0 && o == 0 {
			zero++
			if rep[1] == "" {
				blank++
			}
		}
	}
	lines := []Line{
		want("orders on "+topic, count, orders),
		want("delivery reports printed", count, len(reports)),
	}
	match := want("reports naming the topic, partition and offset of a stored order", count, named)
	// Orders go round-robin over three partitions: two reports or more
	// cannot all be partition 0, offset 0.
	const filledIn = "kafka-go fills in Topic, Partition and Offset only in the messages it hands to Completion (never in those passed to WriteMessages), and only when Kafka answers: not with RequiredAcks left at RequireNone"
	switch {
	case len(reports) > 1 && blank == len(reports):
		match.Why = "every report has no topic, partition 0 and offset 0: " + filledIn
	case len(reports) > 1 && zero == len(reports):
		match.Why = "every report says partition 0, offset 0: " + filledIn
	}
	return append(lines, match), nil
}

// readAll reads every record of the topic, partition by partition.
func readAll(ctx context.Context, env *lessons.Env, topic string) ([]kafka.Message, error) {
	marks, err := lessons.ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	var all []kafka.Message
	for _, w := range marks {
		msgs, err := lessons.ReadPartition(ctx, env, topic, w.Partition)
		if err != nil {
			return nil, fmt.Errorf("read what the program wrote: %w", err)
		}
		all = append(all, msgs...)
	}
	return all, nil
}
