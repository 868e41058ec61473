// A wrong answer to pitfall 1: a shorter BatchTimeout, still one wait per write.
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
		BatchTimeout: 500 * time.Millisecond,
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
