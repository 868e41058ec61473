package lessons_test

import (
	"context"
	"errors"
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

// What the leader epoch 0 of Client.OffsetCommit does, on a real cluster:
// after the partition's leader changes (a reassignment that puts another
// replica first, then a preferred-leader election: no broker stops),
// franz-go starting from an offset committed with epoch 0 past epoch 0's
// end reports lost records that were never lost; from the same offset
// committed by StartGroup (epoch -1) it reads on. This is what made lesson
// 15's transactional kitchen fail on the three-node cluster in CI.
func TestFranzGo_CommittedEpochZeroReadsAsLostRecordsAfterALeaderChange(t *testing.T) {
	env, _ := testkit.ClusterEnv(t, 3)
	if env.Cluster.Embedded || env.Cluster.Brokers < 3 {
		t.Skip("needs a real cluster of three brokers: the embedded one moves no leaders")
	}
	addrs := env.Brokers
	ctx := kgCtx(t, 90*time.Second)
	topic := kgTopicWith(t, addrs, 3, nil)
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	admin, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	// franz-go's Metadata request, not kafka.Client's: that one answers from
	// its transport's cache and would not see the leader move.
	leaderAndReplicas := func() (int, []int) {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		meta, err := req.RequestWith(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		p := meta.Topics[0].Partitions[0]
		var ids []int
		for _, r := range p.Replicas {
			ids = append(ids, int(r))
		}
		return int(p.Leader), ids
	}
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	write := func(values ...string) {
		t.Helper()
		var msgs []kafka.Message
		for _, v := range values {
			msgs = append(msgs, kafka.Message{Value: []byte(v)})
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	write("0", "1", "2") // offsets 0–2, leader epoch 0

	leader, replicas := leaderAndReplicas()
	next := replicas[0]
	for _, r := range replicas {
		if r != leader {
			next = r
			break
		}
	}
	order := []int{next}
	for _, r := range replicas {
		if r != next {
			order = append(order, r)
		}
	}
	if r, err := client.AlterPartitionReassignments(ctx, &kafka.AlterPartitionReassignmentsRequest{Topic: topic, Timeout: 10 * time.Second,
		Assignments: []kafka.AlterPartitionReassignmentsRequestAssignment{{PartitionID: 0, BrokerIDs: order}}}); err != nil {
		t.Fatal(err)
	} else if r.Error != nil {
		t.Fatalf("reassign %s to %v: %v", topic, order, r.Error)
	}
	for now, _ := leaderAndReplicas(); now != next; now, _ = leaderAndReplicas() {
		if r, err := client.ElectLeaders(ctx, &kafka.ElectLeadersRequest{Topic: topic, Partitions: []int{0}, Timeout: 10 * time.Second}); err != nil {
			t.Fatal(err)
		} else if r.Error != nil {
			t.Logf("elect the preferred leader of %s: %v (tried again)", topic, r.Error)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("broker %d did not become the leader of %s (replicas %v)", next, topic, order)
		case <-time.After(200 * time.Millisecond):
		}
	}
	write("3", "4", "5") // offsets 3–5, leader epoch 1

	firstPoll := func(group string) (*kgo.Record, error) {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic))
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		fetches := cl.PollFetches(ctx)
		if err := fetches.Err(); err != nil {
			return nil, err
		}
		return fetches.Records()[0], nil
	}

	theirs := "kafkago-epoch0-" + topic
	if _, err := client.OffsetCommit(ctx, &kafka.OffsetCommitRequest{GroupID: theirs, GenerationID: -1,
		Topics: map[string][]kafka.OffsetCommit{topic: {{Partition: 0, Offset: 4}}}}); err != nil {
		t.Fatal(err)
	}
	var lost *kgo.ErrDataLoss
	if _, err := firstPoll(theirs); !errors.As(err, &lost) || lost.ConsumedTo != 4 || lost.ResetTo != 3 {
		t.Errorf("from offset 4 committed with epoch 0 (epoch 0 ended at 3), franz-go's first poll gave %v; want lost records, 4 reset to 3", err)
	}

	ours, err := lessons.StartGroup(ctx, env, "epoch", topic, map[int]int64{0: 4})
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := firstPoll(ours); err != nil || rec.Offset != 4 {
		t.Errorf("from offset 4 committed by StartGroup, franz-go's first poll gave %v, %v; want the record at offset 4", rec, err)
	}
}
