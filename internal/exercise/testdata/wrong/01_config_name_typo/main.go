// A wrong answer to exercise 1: the setting's name misspelled, and only CreateTopics' own error checked, not resp.Errors[topic].
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

	_, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic:             topic,
		NumPartitions:     partitions,
		ReplicationFactor: replicas,
		ConfigEntries:     []kafka.ConfigEntry{{ConfigName: "retention_ms", ConfigValue: retention}},
	}}})
	if err != nil {
		kit.Fail(err)
	}

	fmt.Println("created", topic)
}
