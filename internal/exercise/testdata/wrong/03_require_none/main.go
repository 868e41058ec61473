// A wrong answer to exercise 3: reports printed in Completion, but RequiredAcks left at RequireNone.
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
		Completion: func(messages []kafka.Message, err error) {
			if err != nil {
				fmt.Println("not delivered:", err)
				return
			}
			for _, m := range messages {
				fmt.Printf("%s [%d] @ %d\n", m.Topic, m.Partition, m.Offset)
			}
		},
	}

	for i := range count {
		value, err := lessons.SampleOrder(i).MarshalValue()
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
