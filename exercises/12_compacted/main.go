// Exercise 12 · A compacted topic of order statuses, with a tombstone (after lesson 12)
//
// The kitchen keeps each order's status in a compacted topic, keyed by the
// order id: once the cleaner has run, the topic holds the last status of
// each order, a table more than a log. A cancelled order is deleted from
// it with a tombstone.
//
// Goal, as the check sees it on the cluster: the topic named by $TOPIC
// exists with cleanup.policy=compact; every record on it is keyed by an
// order id of $ORDERS; each order's statuses are accepted, cooking, ready,
// so its last record is "ready", except for $CANCELLED, whose last record
// is a tombstone: its key with no value at all. The check looks at the
// records as written: it does not wait for the cleaner.
//
// Check it:      go run ./runner check 12
// A hint:        go run ./runner hint 12
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

	// TODO: create the topic with client.CreateTopics: one partition, a
	// replication factor of replicas, and the setting that makes it a
	// compacted topic. Stop with kit.Fail(err) if Kafka refuses.
	_, _ = client, replicas

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    transport,
		Topic:        topic,
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	var msgs []kafka.Message
	// TODO: for each order, its statuses accepted, cooking, ready, keyed by
	// the order id; then, for the cancelled order, a tombstone.
	_, _ = orders, cancelled

	if err := w.WriteMessages(ctx, msgs...); err != nil {
		kit.Fail(err)
	}
	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
	fmt.Println("wrote", len(msgs), "records to", topic)
}
