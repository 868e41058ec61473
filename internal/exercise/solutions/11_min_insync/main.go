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
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil || len(meta.Topics[0].Partitions) == 0 {
		kit.Fail(fmt.Errorf("no partitions of %s in the metadata: %+v", topic, meta.Topics))
	}
	replicas := len(meta.Topics[0].Partitions[0].Replicas)

	resp, err := client.IncrementalAlterConfigs(ctx, &kafka.IncrementalAlterConfigsRequest{
		Resources: []kafka.IncrementalAlterConfigsRequestResource{{
			ResourceType: kafka.ResourceTypeTopic,
			ResourceName: topic,
			Configs: []kafka.IncrementalAlterConfigsRequestConfig{{
				Name:            "min.insync.replicas",
				Value:           strconv.Itoa(max(1, replicas-1)),
				ConfigOperation: kafka.ConfigOperationSet,
			}},
		}},
	})
	if err != nil {
		kit.Fail(err)
	}
	for _, r := range resp.Resources {
		if r.Error != nil {
			kit.Fail(r.Error)
		}
	}

	fmt.Printf("%s: %d replicas\n", topic, replicas)
}
