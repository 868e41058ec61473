package lessons

import (
	"context"
	"fmt"

	"github.com/segmentio/kafka-go"
)

// LastOffset asks the broker where a partition ends for a consumer at an
// isolation level: the high watermark at ReadUncommitted, the last stable
// offset at ReadCommitted (ListOffsets "latest", version 2 and later).
func LastOffset(ctx context.Context, env *Env, topic string, partition int, level kafka.IsolationLevel) (int64, error) {
	resp, err := env.Client().ListOffsets(ctx, &kafka.ListOffsetsRequest{
		IsolationLevel: level,
		Topics:         map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(partition)}},
	})
	if err != nil {
		return 0, fmt.Errorf("list offsets of %s [%d]: %w", topic, partition, err)
	}
	for _, p := range resp.Topics[topic] {
		if p.Partition == partition {
			if p.Error != nil {
				return 0, fmt.Errorf("list offsets of %s [%d]: %w", topic, partition, p.Error)
			}
			return p.LastOffset, nil
		}
	}
	return 0, fmt.Errorf("list offsets: no answer for %s [%d]", topic, partition)
}

// ShowPartition reads a partition with a kafka-go Reader from offset from
// up to offset to (not included) and reports every record, orders and
// whatever else the partition holds there, with the key of what is not an
// order.
func ShowPartition(ctx context.Context, env *Env, topic string, partition int, from, to int64) error {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: topic,
		Partition: partition, MaxWait: FetchWait})
	defer r.Close()
	if err := r.SetOffset(from); err != nil {
		return fmt.Errorf("set offset: %w", err)
	}
	for offset := from; offset < to; {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("read %s [%d] @ %d: %w", topic, partition, offset, err)
		}
		if _, err := Receive(env.Out, msg); err != nil {
			env.Out.Value("its key", fmt.Sprintf("% x", msg.Key))
		}
		offset = msg.Offset + 1
	}
	return nil
}
