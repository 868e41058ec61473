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

	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic:             topic,
		NumPartitions:     partitions,
		ReplicationFactor: replicas,
		ConfigEntries:     []kafka.ConfigEntry{{ConfigName: "retention.ms", ConfigValue: retention}},
	}}})
	if err != nil {
		kit.Fail(err)
	}
	if err := resp.Errors[topic]; err != nil {
		kit.Fail(err)
	}

	fmt.Println("created", topic)
}
