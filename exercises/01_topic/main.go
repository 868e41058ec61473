// Exercise 1 · A topic with its partitions and a setting (after lesson 1)
//
// Goal, as the check sees it on the cluster: the topic named by $TOPIC
// exists with $PARTITIONS partitions, $REPLICAS replica(s) each, and its
// setting retention.ms (how long Kafka keeps its records) is $RETENTION_MS.
//
// Check it:      go run ./runner check 1
// A hint:        go run ./runner hint 1
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
	partitions := kit.Int("PARTITIONS")
	replicas := kit.Int("REPLICAS")
	retention := kit.Env("RETENTION_MS")

	// TODO: create the topic with client.CreateTopics: its name, its
	// partitions, its replication factor, and retention.ms as a setting.
	// Stop with kit.Fail(err) if Kafka refuses.
	_, _, _, _, _ = ctx, client, partitions, replicas, retention

	fmt.Println("created", topic)
}
