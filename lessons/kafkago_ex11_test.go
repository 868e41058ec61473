package lessons_test

// Pins of what exercise 11 says about Kafka and kafka-go: a
// min.insync.replicas above the replication factor, and the two ways
// kafka-go's Client changes a topic's settings.

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// kgTopicWith creates a topic of rf replicas with configs, and waits until
// every partition has a leader.
func kgTopicWith(t *testing.T, addrs []string, rf int, configs map[string]string) string {
	t.Helper()
	ctx := kgCtx(t, 30*time.Second)
	topic := "kafkago-" + uuid.NewString()[:8]
	var entries []kafka.ConfigEntry
	for k, v := range configs {
		entries = append(entries, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
	}
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: 1, ReplicationFactor: rf, ConfigEntries: entries}},
	})
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	if err := resp.Errors[topic]; err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	env := lessons.NewEnv(addrs, lessons.Cluster{Brokers: rf}, "", testkit.NewRecorder())
	defer env.Close()
	if _, err := lessons.WaitForTopic(ctx, env, topic); err != nil {
		t.Fatalf("topic %s: %v", topic, err)
	}
	return topic
}

// kgSetting returns one setting of a topic as DescribeConfigs reports it.
func kgSetting(t *testing.T, addrs []string, topic, name string) string {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.DescribeConfigs(kgCtx(t, 10*time.Second), &kafka.DescribeConfigsRequest{
		Resources: []kafka.DescribeConfigRequestResource{{ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: []string{name}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resp.Resources {
		for _, c := range r.ConfigEntries {
			if c.ConfigName == name {
				return c.ConfigValue
			}
		}
	}
	t.Fatalf("%s of %s not reported", name, topic)
	return ""
}

// Exercise 11: Kafka accepts a min.insync.replicas above the replication
// factor and counts it as the replication factor (Partition.effectiveMinIsr:
// min(min.insync.replicas, replicas)): with every replica in sync, an
// acks=all write is acknowledged and readable. A fact of Apache Kafka; the
// emulation enforces no min.insync.replicas at all.
func TestKafkaGo_MinInsyncAboveReplicasCountsAsReplicas(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	if cluster.Embedded {
		t.Skip("a fact of Apache Kafka: the emulation enforces no min.insync.replicas")
	}
	rf := min(3, cluster.Brokers)
	topic := kgTopicWith(t, addrs, rf, map[string]string{"min.insync.replicas": strconv.Itoa(rf + 1)})
	if got := kgSetting(t, addrs, topic, "min.insync.replicas"); got != strconv.Itoa(rf+1) {
		t.Fatalf("min.insync.replicas = %s, want %d as created", got, rf+1)
	}
	offsets := kgProduce(t, addrs, topic, 0, "order") // acks=all; fails the test if refused
	if len(offsets) != 1 {
		t.Fatalf("acks=all write to %d replicas, min.insync.replicas %d: %d offsets acknowledged, want 1", rf, rf+1, len(offsets))
	}
	if _, last := kgWatermarks(t, addrs, topic, 0); last != 1 {
		t.Errorf("high watermark %d after an acknowledged acks=all write, want 1", last)
	}
}

// Exercise 11: AlterConfigs replaces every setting of a topic with those it
// sends (the others fall back to their defaults); IncrementalAlterConfigs
// with ConfigOperationSet changes only the one it names. On Apache Kafka
// and on the emulation alike.
func TestKafkaGo_AlterConfigsResetsTheOtherSettings(t *testing.T) {
	addrs, _ := testkit.Brokers(t)
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	ctx := kgCtx(t, 30*time.Second)
	const week, day = "604800000", "86400000"

	incremental := kgTopicWith(t, addrs, 1, map[string]string{"retention.ms": day})
	iresp, err := client.IncrementalAlterConfigs(ctx, &kafka.IncrementalAlterConfigsRequest{
		Resources: []kafka.IncrementalAlterConfigsRequestResource{{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: incremental,
			Configs: []kafka.IncrementalAlterConfigsRequestConfig{{Name: "max.message.bytes", Value: "100000", ConfigOperation: kafka.ConfigOperationSet}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range iresp.Resources {
		if r.Error != nil {
			t.Fatal(r.Error)
		}
	}

	whole := kgTopicWith(t, addrs, 1, map[string]string{"retention.ms": day})
	aresp, err := client.AlterConfigs(ctx, &kafka.AlterConfigsRequest{
		Resources: []kafka.AlterConfigRequestResource{{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: whole,
			Configs: []kafka.AlterConfigRequestConfig{{Name: "max.message.bytes", Value: "100000"}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range aresp.Errors {
		if e != nil {
			t.Fatal(e)
		}
	}

	// A broker applies a config change a moment after it answers.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := fmt.Sprint(kgSetting(t, addrs, incremental, "max.message.bytes"), kgSetting(t, addrs, incremental, "retention.ms"),
			kgSetting(t, addrs, whole, "max.message.bytes"), kgSetting(t, addrs, whole, "retention.ms"))
		want := fmt.Sprint("100000", day, "100000", week)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("max.message.bytes and retention.ms after IncrementalAlterConfigs, then after AlterConfigs: %s, want %s", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
