// A wrong answer to pitfall 5: a Reader without GroupID, which waits for
// the topic and then reads it, but only partition 0.
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
	_ = kit.Env("GROUP")

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		// No GroupID: a Reader of partition 0 waits for a missing topic.
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
