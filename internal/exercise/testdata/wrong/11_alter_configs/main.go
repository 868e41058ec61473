// A wrong answer to exercise 11: AlterConfigs, which replaces every setting
// of the topic with those it sends, so retention.ms falls back to Kafka's
// default.
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

	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		kit.Fail(err)
	}
	replicas := len(meta.Topics[0].Partitions[0].Replicas)

	resp, err := client.AlterConfigs(ctx, &kafka.AlterConfigsRequest{
		Resources: []kafka.AlterConfigRequestResource{{
			ResourceType: kafka.ResourceTypeTopic,
			ResourceName: topic,
			Configs:      []kafka.AlterConfigRequestConfig{{Name: "min.insync.replicas", Value: strconv.Itoa(max(1, replicas-1))}},
		}},
	})
	if err != nil {
		kit.Fail(err)
	}
	for _, e := range resp.Errors {
		if e != nil {
			kit.Fail(e)
		}
	}
	fmt.Printf("%s: %d replicas\n", topic, replicas)
}
