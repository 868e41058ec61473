// Pitfall 2 · Committed before it was handled
//
// This program works: a kitchen service, a member of the consumer group
// $GROUP, reads the orders on $TOPIC and handles each one by passing it on
// to $OUT, where the cooks pick it up. Then it crashes on the order at
// offset $CRASH_AT, before that order reaches $OUT (returning from main
// stands in for the crash). A restarted service resumes at the offset the
// group committed.
//
// Goal, as the check sees it: the group $GROUP has committed exactly the
// orders it handled: its committed offset on $TOPIC is the number of orders
// on $OUT, so a restart would handle the order at offset $CRASH_AT again.
// Keep the crash where it is: that order never reaches $OUT.
//
// Check it:      go run ./runner check p2
// A hint:        go run ./runner hint p2
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
		msg, err := r.FetchMessage(ctx) // commits nothing
		if err != nil {
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
		// Handled: now commit it, so a restart resumes after it.
		if err := r.CommitMessages(ctx, msg); err != nil {
			kit.Fail(err)
		}
		fmt.Printf("handled the order at offset %d\n", msg.Offset)
	}
}
