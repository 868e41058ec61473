// A wrong answer to exercise 1: retention.ms given in seconds.
package main

import (
	"fmt"
	"strconv"
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
	retention := strconv.Itoa(kit.Int("RETENTION_MS") / 1000) // in seconds

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
