// Exercise 8 · Keys placed as the Java client places them (after lesson 8)
//
// A Java service (or Kafka Streams) shares the topic and expects each
// user's orders in order, so on one partition: the one the Java client's
// partitioner (murmur2) picks for the user's name.
//
// Goal, as the check sees it on the cluster: every order on $TOPIC is
// keyed by its user, and all the orders of a user lie on the partition the
// Java client would choose for that key.
//
// Check it:      go run ./runner check 8
// A hint:        go run ./runner hint 8
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
		Balancer:     &kafka.Murmur2Balancer{}, // the Java client's partitioner
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
