// A wrong answer to exercise 12: the tombstone is an empty value, []byte(""), not Value nil.
package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	// One transport for the client and the writer: after CreateTopics it
	// reads the new topic's metadata, so the writer finds the topic.
	transport := kit.Transport()
	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: transport, Timeout: 10 * time.Second}
	topic := kit.Env("TOPIC")
	replicas := kit.Int("REPLICAS")
	orders := strings.Split(kit.Env("ORDERS"), ",")
	cancelled := kit.Env("CANCELLED")

	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic:             topic,
		NumPartitions:     1,
		ReplicationFactor: replicas,
		ConfigEntries:     []kafka.ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "compact"}},
	}}})
	if err != nil {
		kit.Fail(err)
	}
	if err := resp.Errors[topic]; err != nil {
		kit.Fail(err)
	}

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    transport,
		Topic:        topic,
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	var msgs []kafka.Message
	for _, status := range []string{"accepted", "cooking", "ready"} {
		for _, order := range orders {
			msgs = append(msgs, kafka.Message{Key: []byte(order), Value: []byte(status)})
		}
	}
	msgs = append(msgs, kafka.Message{Key: []byte(cancelled), Value: []byte("")})

	if err := w.WriteMessages(ctx, msgs...); err != nil {
		kit.Fail(err)
	}
	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
	fmt.Println("wrote", len(msgs), "records to", topic)
}
