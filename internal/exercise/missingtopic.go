package exercise

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Pitfall 5: a reader on a topic that does not exist yet (kafka-go issue
// #683 and its neighbours). Measured with kafka-go v0.4.51 on the
// emulation and on Apache Kafka 3.8.1 (auto.create.topics.enable=false),
// and pinned by lessons' kafkago_exp5_test.go:
//
//   - With a GroupID, the group leader reads the topic's partitions to
//     assign them, and takes UnknownTopicOrPartition as "no partitions"
//     (consumergroup.go, assignTopicPartitions). The member gets an empty
//     assignment, ReadMessage waits without an error, and the group looks
//     at the topic again only at the next rebalance: orders written once
//     the topic exists are never read. WatchPartitionChanges did not save
//     it in our runs (20 s, both brokers): its watcher fails while the
//     topic is missing, the ErrorLogger sees that dozens of times a second,
//     and the orders written once the topic existed were still not read.
//   - Without a GroupID, the Reader looks up its partition's leader again
//     and again (Dialer.LookupPartition: UnknownTopicOrPartition is
//     temporary), silently, and reads once the topic exists, but only the
//     one partition its ReaderConfig names.
//   - kafka-go's metadata requests ask the broker to create a missing
//     topic (Conn.ReadPartitions: AllowAutoTopicCreation true). Our
//     brokers and the emulation refuse (auto.create.topics.enable=false),
//     so the topic is never created by accident here; on a broker with
//     Kafka's default (true) the reader would create it with num.partitions.
//
// The check plays the orders service (During): once the kitchen says it is
// open and its group has settled (or 4 s have passed, for a program with
// no group), it creates $TOPIC as planned unless it exists, and writes the
// orders round-robin, so that every partition holds some.
func missingTopicPitfall() Exercise {
	return Exercise{
		ID: "p5", Dir: "p5_missing_topic", Lesson: -1,
		Title: "Pitfall: a kitchen that opens before its topic exists",
		Goal:  "$TOPIC has $PARTITIONS partitions of $REPLICAS replica(s) each, and the kitchen handled every one of the $COUNT orders: $OUT holds each of them once.",
		Hints: []string{
			"The kitchen's ReadMessage never returned: not an order, not an error. Its consumer group was formed before $TOPIC existed. What did the group leader find to assign?",
			"With a GroupID, kafka-go assigns the partitions the topic has when the group is formed; a missing topic has none, and it is not an error. The group asks again only at its next rebalance, so the orders written once the topic exists are never read. (A Reader without GroupID waits for the topic, but reads a single partition.) The kitchen must not form its group before its topic exists.",
			"Before NewReader, create $TOPIC with client.CreateTopics, with NumPartitions $PARTITIONS and ReplicationFactor $REPLICAS, as the orders service would (whoever creates a topic first decides its partitions), and take errors.Is(err, kafka.TopicAlreadyExists) as success. CreateTopics returns before every broker knows the topic, and the group's coordinator may be any of them: then call kit.WaitForTopic(ctx, client, topic), which asks each broker until it shows the topic's partitions.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			out := env.Name("ex-p5-cooks-" + suffix())
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: out, Partitions: 1, ReplicationFactor: env.Replicas()})
			return Vars{
				"TOPIC": env.Name("ex-p5-orders-" + suffix()), "OUT": out, "GROUP": env.Name("ex-p5-kitchen-" + suffix()),
				"PARTITIONS": strconv.Itoa(between(2, 4)), "REPLICAS": strconv.Itoa(int(env.Replicas())),
				"COUNT": strconv.Itoa(between(8, 14)),
			}, err
		},
		During: ordersService,
		Check:  checkMissingTopic,
	}
}

// ordersService creates $TOPIC as planned (unless it exists) once the
// kitchen is open and its group has settled, and sends the orders.
func ordersService(ctx context.Context, env *lessons.Env, v Vars, _ int, p *Process) error {
	if !p.WaitPrinted(ctx, 20*time.Second, "kitchen open") {
		return nil // the program ended, or never opened: the check says what it saw
	}
	if err := waitStable(ctx, env, v["GROUP"], 4*time.Second); err != nil {
		return err
	}
	topic := v["TOPIC"]
	// The orders service creates the topic as it plans it, unless the
	// kitchen made it first (with its own partitions: what the check
	// reports), and writes to what is there.
	err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: v.Int("PARTITIONS"),
		ReplicationFactor: int16(v.Int("REPLICAS"))})
	if err != nil && !errors.Is(err, lessons.ErrTopicDiffers) {
		return err
	}
	msgs := make([]kafka.Message, v.Int("COUNT"))
	for i, o := range lessons.SampleOrders(0, len(msgs)) {
		value, err := o.MarshalValue()
		if err != nil {
			return err
		}
		msgs[i] = kafka.Message{Value: value}
	}
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, Balancer: &kafka.RoundRobin{}}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		w.Close()
		return fmt.Errorf("write the orders to %s: %w", topic, err)
	}
	return w.Close()
}

// waitStable returns once the group is Stable (its members have their
// assignments), or after limit: a program without this group never makes
// it so.
func waitStable(ctx context.Context, env *lessons.Env, group string, limit time.Duration) error {
	if !pollUntil(ctx, limit, 50*time.Millisecond, nil, func() bool {
		seen, err := describeGroup(ctx, env.Client(), group, "")
		return err == nil && seen.state == "Stable"
	}) {
		return ctx.Err()
	}
	return nil
}

func checkMissingTopic(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, out, count := v["TOPIC"], v["OUT"], v.Int("COUNT")
	t, err := describeAfterRun(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	parts := want("partitions of "+topic, v["PARTITIONS"], len(t.Partitions))
	if !parts.OK {
		parts.Why = fmt.Sprintf("the orders service found %s already there, with %d partition(s): whoever creates a topic first decides its partitions", topic, len(t.Partitions))
	}
	replicas := want("replicas of each partition", v["REPLICAS"], len(t.Partitions[0].Replicas))

	orders, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	handled, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	partition := map[string]int{} // each order's partition on the topic
	for _, m := range orders {
		partition[string(m.Value)] = m.Partition
	}
	seen := map[string]bool{}
	once, onlyZero := 0, true
	for _, m := range handled {
		p, ok := partition[string(m.Value)]
		if ok && !seen[string(m.Value)] {
			once++
		}
		seen[string(m.Value)] = true
		onlyZero = onlyZero && ok && p == 0
	}
	onZero := 0
	for _, p := range partition {
		if p == 0 {
			onZero++
		}
	}
	h := Line{What: "orders handled (on " + out + ")", Want: fmt.Sprintf("%d (each order of %s once)", count, topic),
		Got: strconv.Itoa(len(handled)), OK: len(handled) == count && once == count && len(orders) == count}
	if once != len(handled) {
		h.Got += fmt.Sprintf(" (%d distinct orders of %s)", once, topic)
	}
	switch {
	case h.OK:
	case len(handled) == 0 && len(orders) == count:
		h.Why = "the kitchen's group was formed before " + topic + " existed: kafka-go assigned it no partition, without an error, and looks again only at the next rebalance"
	case onlyZero && len(handled) == onZero && onZero < len(orders):
		h.Why = "only the orders of partition 0: a Reader without GroupID reads the one partition its ReaderConfig names"
	}
	return []Line{parts, replicas, h}, nil
}
