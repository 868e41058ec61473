// Exercise 13 · Headers and an order an old consumer still reads (after lesson 13)
//
// The kitchen's producer moves to version 2 of the order, which adds a
// price, while the kitchen's display still runs a version 1 consumer. Each
// record says what its value is in headers, as lesson 13's producers do,
// so a consumer can choose its decoder before it decodes anything.
//
// Goal, as the check sees it on the cluster: $COUNT orders of version 2
// are on the topic named by $TOPIC, each with the headers content-type =
// application/json and schema-version = 2. A version 1 consumer
// (lessons.DecodeOrder) decodes every one of them, and a version 2
// consumer (lessons.DecodeOrderV2) reads its price, price_cents.
//
// Check it:      go run ./runner check 13
// A hint:        go run ./runner hint 13
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

	var msgs []kafka.Message
	for i := range count {
		order := lessons.SampleOrder(i)
		priceCents := int64(990 + 150*i) // 9.90, 11.40, 12.90...
		value, err := lessons.OrderV2{Order: order, PriceCents: priceCents}.MarshalValue()
		if err != nil {
			kit.Fail(err)
		}
		msgs = append(msgs, kafka.Message{
			Value: value,
			Headers: []kafka.Header{
				{Key: "content-type", Value: []byte("application/json")},
				{Key: "schema-version", Value: []byte("1")},
			},
		})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		kit.Fail(err)
	}
	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
	fmt.Println("wrote", len(msgs), "orders to", topic)
}
