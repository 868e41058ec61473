// Pitfall 1 · One write per second
//
// This program works: a kitchen service stores each order before it takes
// the next, $COUNT of them. But a kitchen that takes a second per order
// loses its customers.
//
// Goal, as the check sees it: the $COUNT orders are on $TOPIC in the order
// written, and the program took less than 2 s. Each order must still be
// stored (WriteMessages returned) before the next is written.
//
// Check it:      go run ./runner check p1
// A hint:        go run ./runner hint p1
package main

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	count := kit.Int("COUNT")

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("TOPIC"),
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond, // send a lone message at once, not after 1 s
	}

	for i := range count {
		value, err := lessons.NewOrder("kitchen", fmt.Sprintf("dish %d", i), 1).MarshalValue()
		if err != nil {
			kit.Fail(err)
		}
		if err := w.WriteMessages(ctx, kafka.Message{Value: value}); err != nil {
			kit.Fail(err)
		}
	}
	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
}
