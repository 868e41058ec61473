// A wrong answer to exercise 8: kafka.Hash, as Sarama places keys.
package main

import (
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	users := strings.Split(kit.Env("USERS"), ",")
	perUser := kit.Int("ORDERS_PER_USER")

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("TOPIC"),
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
		Balancer:     &kafka.Hash{},
	}

	var msgs []kafka.Message
	for i := range perUser {
		for _, user := range users {
			value, err := lessons.NewOrder(user, "pizza", i+1).MarshalValue()
			if err != nil {
				kit.Fail(err)
			}
			msgs = append(msgs, kafka.Message{Key: []byte(user), Value: value})
		}
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		kit.Fail(err)
	}
	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
}
