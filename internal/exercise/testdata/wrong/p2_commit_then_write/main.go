// A wrong answer to pitfall 2: FetchMessage, but the offset is committed before the order is handled.
package main

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	crashAt := int64(kit.Int("CRASH_AT"))

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		GroupID: kit.Env("GROUP"),
		Topic:   kit.Env("TOPIC"),
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

	for {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			kit.Fail(err)
		}
		if err := r.CommitMessages(ctx, msg); err != nil {
			kit.Fail(err)
		}
		if msg.Offset == crashAt {
			fmt.Printf("💥 crash while handling the order at offset %d\n", msg.Offset)
			return // the program dies here, before the order reaches the kitchen
		}
		// Handle the order: pass it on to the kitchen.
		if err := kitchen.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value}); err != nil {
			kit.Fail(err)
		}
		fmt.Printf("handled the order at offset %d\n", msg.Offset)
	}
}
