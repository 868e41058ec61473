// Exercise 11 · A min.insync.replicas a broker failure can live with (after lesson 11)
//
// The topic $TOPIC holds the orders. Someone set its min.insync.replicas
// one higher than its replication factor, to be extra safe. Kafka accepted
// the setting and counts it as the replication factor (Kafka 3.8 and 4.1
// use the smaller of the two): every replica must be in sync, so with two
// or more replicas one broker down is enough for Kafka to refuse every
// acks=all write (NOT_ENOUGH_REPLICAS), as lesson 11 step 3 showed with
// min.insync.replicas=3. Writers with acks=0 or acks=1 are not held to it.
//
// Goal, as the check sees it on the cluster: $TOPIC's min.insync.replicas
// is one less than its replication factor (1 if it has a single replica),
// so one broker can stop while acks=all writes go on, and every other
// setting of $TOPIC (its retention.ms) is as it was.
//
// Check it:      go run ./runner check 11
// A hint:        go run ./runner hint 11
package main

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: kit.Transport(), Timeout: 10 * time.Second}
	topic := kit.Env("TOPIC")

	// TODO: read $TOPIC's replication factor: client.Metadata tells each
	// partition's Replicas.
	replicas := 0

	// TODO: set min.insync.replicas to replicas-1 (at least 1), changing
	// no other setting of the topic. Stop with kit.Fail(err) if Kafka
	// refuses.
	_, _ = ctx, client

	fmt.Printf("%s: %d replicas\n", topic, replicas)
}
