package lessons_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// committedEpoch reads back, with franz-go, the offset and leader epoch a
// group committed for partition 0 of topic: kafka-go's OffsetFetch does not
// return the epoch.
func committedEpoch(t *testing.T, addrs []string, group, topic string) (offset int64, epoch int32) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic, rt.Partitions = topic, []int32{0}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(kgCtx(t, 20*time.Second), cl)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		t.Fatalf("offset fetch answered %+v", resp)
	}
	p := resp.Topics[0].Partitions[0]
	return p.Offset, p.LeaderEpoch
}

// kafka-go's Client.OffsetCommit sends OffsetCommit v6 or later without
// setting CommittedLeaderEpoch: the broker stores leader epoch 0 with the
// offset, which a KIP-320 client (franz-go, the Java consumer) checks
// against the partition's history. Once the leader has changed, epoch 0
// ended before the offset and the check reports lost records. The lessons'
// administrative commits (StartGroup, StartGroupAt) send -1: no epoch, and
// nothing to check.
func TestKafkaGo_ClientOffsetCommitStoresLeaderEpochZero(t *testing.T) {
	env, _ := testkit.Env(t) // for StartGroup, and its broker for the rest
	addrs := env.Brokers
	topic := kgTopic(t, addrs, 1)
	group := "kafkago-epoch-" + topic
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	var resp *kafka.OffsetCommitResponse
	err := lessons.RetryTemporary(kgCtx(t, 30*time.Second), 20*time.Second, func(ctx context.Context) error {
		var err error
		if resp, err = client.OffsetCommit(ctx, &kafka.OffsetCommitRequest{GroupID: group, GenerationID: -1,
			Topics: map[string][]kafka.OffsetCommit{topic: {{Partition: 0, Offset: 3}}}}); err != nil {
			return err
		}
		return resp.Topics[topic][0].Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if offset, epoch := committedEpoch(t, addrs, group, topic); offset != 3 || epoch != 0 {
		t.Errorf("kafka-go's Client.OffsetCommit stored offset %d, leader epoch %d; want 3 and 0", offset, epoch)
	}

	ours, err := lessons.StartGroup(kgCtx(t, 30*time.Second), env, "epoch", topic, map[int]int64{0: 3})
	if err != nil {
		t.Fatal(err)
	}
	if offset, epoch := committedEpoch(t, addrs, ours, topic); offset != 3 || epoch != -1 {
		t.Errorf("StartGroup stored offset %d, leader epoch %d; want 3 and -1", offset, epoch)
	}
}
