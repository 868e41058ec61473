// Pitfall 4 · Close waits for the fetch
//
// This program works: an order tracker, a member of the consumer group
// $GROUP, prints every order on $TOPIC as it arrives until you press
// Ctrl-C. Then it leaves its loop at once, and its deferred Close closes
// the reader, which makes the member leave the group. But a tracker that
// takes seconds to stop holds up every restart and every deployment.
//
// Goal, as the check sees it: every order on $TOPIC is printed once (its
// order_id on a line), the program exits 0 within 2 s of the Ctrl-C, and
// right after it exits the group $GROUP has no member: it left, rather
// than being dropped later by the broker. Keep the Close.
//
// Check it:      go run ./runner check p4
// A hint:        go run ./runner hint p4
package main

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx, stop := kit.Context() // cancelled by Ctrl-C
	defer stop()

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		GroupID: kit.Env("GROUP"),
		Topic:   kit.Env("TOPIC"),
		MaxWait: 250 * time.Millisecond, // a fetch at the end of the topic, and so Close, waits no longer
	})
	defer func() {
		r.Close()
		fmt.Println("reader closed: the member left", kit.Env("GROUP"))
	}()

	for {
		msg, err := r.ReadMessage(ctx)
		if ctx.Err() != nil {
			fmt.Println("Ctrl-C: leaving the loop")
			return
		}
		if err != nil {
			kit.Fail(err)
		}
		o, err := lessons.DecodeOrder(msg.Value)
		if err != nil {
			fmt.Printf("partition %d offset %d: not an order: %v\n", msg.Partition, msg.Offset, err)
			continue
		}
		fmt.Printf("partition %d offset %d: order %s, %s\n", msg.Partition, msg.Offset, o.OrderID, o)
	}
}
