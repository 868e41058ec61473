// Pitfall 5 · A kitchen that opens before its topic exists
//
// This program works: a kitchen service, a member of the consumer group
// $GROUP, reads the orders on $TOPIC and handles each one by passing it on
// to $OUT, where the cooks pick it up. It closes once it has handled the
// day's $COUNT orders, or when no order has come for 12 seconds. Today the
// kitchen opens first: $TOPIC does not exist yet. The orders service
// creates it a moment later, with the $PARTITIONS partitions and $REPLICAS
// replica(s) the system is planned for (unless the topic is already
// there), and sends the $COUNT orders. The kitchen handles none of them,
// and no call returns an error.
//
// Goal, as the check sees it: $TOPIC has $PARTITIONS partitions of
// $REPLICAS replica(s) each, and the kitchen handled every one of the
// $COUNT orders: $OUT holds each of them once. Keep the kitchen opening
// first, and its group.
//
// Check it:      go run ./runner check p5
// A hint:        go run ./runner hint p5
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

// idle is how long the kitchen waits for an order before it closes.
const idle = 12 * time.Second

func main() {
	ctx, stop := kit.Context()
	defer stop()
	topic, count := kit.Env("TOPIC"), kit.Int("COUNT")

	// The kitchen makes sure its topic exists, as the system plans it,
	// before its group is formed: a group formed without the topic gets no
	// partition of it. Whoever creates the topic first decides its
	// partitions, so the kitchen creates it exactly as the orders service
	// would, and takes TopicAlreadyExists as the topic being there.
	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: kit.Transport(), Timeout: 10 * time.Second}
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: topic, NumPartitions: kit.Int("PARTITIONS"), ReplicationFactor: kit.Int("REPLICAS"),
	}}})
	if err != nil {
		kit.Fail(err)
	}
	if err := resp.Errors[topic]; err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		kit.Fail(err)
	}
	// Each broker learns the topic a moment after the controller, and the
	// group's coordinator may be any of them.
	if err := kit.WaitForTopic(ctx, client, topic); err != nil {
		kit.Fail(err)
	}

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		GroupID: kit.Env("GROUP"),
		Topic:   topic,
		MaxWait: 250 * time.Millisecond, // a fetch at the end of the topic (and Close) waits no longer
	})
	defer r.Close()

	kitchen := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("OUT"),
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	defer kitchen.Close()

	fmt.Printf("kitchen open, waiting for orders on %s\n", topic)
	handled := 0
	for handled < count {
		readCtx, cancel := context.WithTimeout(ctx, idle)
		msg, err := r.ReadMessage(readCtx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			fmt.Printf("no order for %v: closing\n", idle)
			break
		}
		if err != nil {
			kit.Fail(err)
		}
		// Handle the order: pass it on to the kitchen.
		if err := kitchen.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value}); err != nil {
			kit.Fail(err)
		}
		handled++
		fmt.Printf("handled the order at [%d] @ %d\n", msg.Partition, msg.Offset)
	}
	fmt.Printf("handled %d orders\n", handled)
}
