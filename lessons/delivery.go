package lessons

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// GuaranteesTopic is lesson 10's topic: one partition, so that the orders
// come back in the order they were sent and each is named by one offset.
func (e *Env) GuaranteesTopic() TopicSpec {
	return TopicSpec{Name: e.Name("orders-guarantees"), Partitions: 1, ReplicationFactor: e.Replicas()}
}

// StartGroupAt names a new consumer group (name, with the learner's prefix
// and a random suffix, so that every run starts afresh) and commits offset
// for partition of topic on its behalf, as lesson 6 showed: the group's
// first member starts there.
func StartGroupAt(ctx context.Context, env *Env, name, topic string, partition int, offset int64) (string, error) {
	group := env.Name(name + "-" + uuid.NewString()[:8])
	req := &kafka.OffsetCommitRequest{
		GroupID:      group,
		GenerationID: -1, // no member: an administrative commit
		Topics:       map[string][]kafka.OffsetCommit{topic: {{Partition: partition, Offset: offset}}},
	}
	if err := commitRetrying(ctx, env.Client(), req); err != nil {
		return "", fmt.Errorf("commit the start offset of group %s: %w", group, err)
	}
	return group, nil
}

// FranzDelivered turns a record franz-go produced in a transaction into a
// delivery report.
func FranzDelivered(r *kgo.Record) Record {
	return Record{Kind: Delivered, Topic: r.Topic, Partition: int(r.Partition), Offset: r.Offset,
		Key: r.Key, Value: r.Value, From: "franz-go, in a transaction"}
}
