package lessons_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

// Exercise 1's check: "CreateTopics returns Kafka's answer for each topic in
// resp.Errors[topic] (an unknown ConfigName, 0 partitions or 0 replicas are
// refused there), not as its own error". kafka-go sends NumPartitions 0 as
// it is, and Kafka (and the emulation) refuse it in the topic's answer; an
// unknown setting name Apache Kafka refuses the same way, while the
// embedded emulation takes it.
func TestKafkaGo_CreateTopicsRefusalIsInResponseErrors(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	create := func(tc kafka.TopicConfig) error {
		t.Helper()
		tc.Topic = "kafkago-" + uuid.NewString()[:8]
		resp, err := client.CreateTopics(kgCtx(t, 30*time.Second), &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{tc}})
		if err != nil {
			t.Fatalf("CreateTopics itself failed: %v; want its error nil and the refusal in resp.Errors", err)
		}
		return resp.Errors[tc.Topic]
	}
	if err := create(kafka.TopicConfig{ReplicationFactor: 1}); !errors.Is(err, kafka.InvalidPartitionNumber) {
		t.Errorf("NumPartitions 0: resp.Errors[topic] = %v, want %v", err, kafka.InvalidPartitionNumber)
	}
	err := create(kafka.TopicConfig{NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "retention_ms", ConfigValue: "3600000"}}})
	switch {
	case cluster.Embedded && err != nil:
		t.Errorf("an unknown ConfigName on the emulation: %v, want it taken", err)
	case !cluster.Embedded && !errors.Is(err, kafka.InvalidConfiguration):
		t.Errorf("an unknown ConfigName: resp.Errors[topic] = %v, want %v", err, kafka.InvalidConfiguration)
	}
	if !cluster.Embedded {
		if err := create(kafka.TopicConfig{NumPartitions: 1}); !errors.Is(err, kafka.InvalidReplicationFactor) {
			t.Errorf("ReplicationFactor 0: resp.Errors[topic] = %v, want %v", err, kafka.InvalidReplicationFactor)
		}
	}
}
