// A wrong answer to exercise 3: the report printed from the message passed to WriteMessages, once the call returned.
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
	topic := kit.Env("TOPIC")
	count := kit.Int("COUNT")

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        topic,
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}

	for i := range count {
		value, err := lessons.SampleOrder(i).MarshalValue()
		if err != nil {
			kit.Fail(err)
		}
		m := kafka.Message{Value: value}
		if err := w.WriteMessages(ctx, m); err != nil {
			kit.Fail(err)
		}
		fmt.Printf("%s [%d] @ %d\n", topic, m.Partition, m.Offset)
	}
	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
}
