// A wrong answer to pitfall 5: the kitchen creates its topic, but with one
// partition, not the partitions the system is planned for.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
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

	// The kitchen makes sure its topic exists before its group is formed.
	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: kit.Transport(), Timeout: 10 * time.Second}
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: topic, NumPartitions: 1, ReplicationFactor: kit.Int("REPLICAS"),
	}}})
	if err != nil {
		kit.Fail(err)
	}
	if err := resp.Errors[topic]; err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		kit.Fail(err)
	}
	// CreateTopics returns once the controller has the topic; each broker
	// learns it a moment later, and the group's coordinator may be any of
	// them. Wait until every broker shows its partitions.
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		kit.Fail(err)
	}
	for _, b := range meta.Brokers {
		addr := kafka.TCP(net.JoinHostPort(b.Host, strconv.Itoa(b.Port)))
		for {
			m, err := client.Metadata(ctx, &kafka.MetadataRequest{Addr: addr, Topics: []string{topic}})
			if err != nil {
				kit.Fail(err)
			}
			if len(m.Topics) == 1 && m.Topics[0].Error == nil && len(m.Topics[0].Partitions) > 0 {
				break
			}
			select {
			case <-ctx.Done():
				kit.Fail(ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
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
