package lessons_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Helpers of kafkago_test.go. They use kafka-go's Client (and franz-go for
// DeleteRecords, which kafka-go lacks) and nothing of the lessons, so the
// pins stay valid whatever the lessons' own helpers become.

// kgBroker returns the addresses of the broker a pin runs against.
func kgBroker(t *testing.T) []string {
	t.Helper()
	addrs, _ := testkit.Brokers(t)
	return addrs
}

// kgCtx is a context that ends with the test, bounded so a hang fails.
func kgCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// kgTopic creates a topic of its own for the test (uuid name, one replica)
// with kafka.Client.CreateTopics, and waits until every partition has a
// leader.
func kgTopic(t *testing.T, addrs []string, partitions int) string {
	t.Helper()
	ctx := kgCtx(t, 30*time.Second)
	topic := "kafkago-" + uuid.NewString()[:8]
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}},
	})
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	if err := resp.Errors[topic]; err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	// Every partition led and serving ListOffsets: on a cluster, a broker
	// learns of a new topic a moment after the controller.
	env := lessons.NewEnv(addrs, lessons.Cluster{Brokers: 1}, "", testkit.NewRecorder())
	defer env.Close()
	if _, err := lessons.WaitForTopic(ctx, env, topic); err != nil {
		t.Fatalf("topic %s: %v", topic, err)
	}
	return topic
}

// kgProduce writes values to one partition with acks=all and returns their
// offsets, as the broker reported them.
func kgProduce(t *testing.T, addrs []string, topic string, partition int, values ...string) []int64 {
	t.Helper()
	var mu sync.Mutex
	offsets := make([]int64, 0, len(values))
	w := &kafka.Writer{
		Addr:         kafka.TCP(addrs...),
		Topic:        topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Balancer: kafka.BalancerFunc(func(kafka.Message, ...int) int {
			return partition
		}),
		Completion: func(msgs []kafka.Message, err error) {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				if err == nil {
					offsets = append(offsets, m.Offset)
				}
			}
		},
	}
	defer w.Close()
	msgs := make([]kafka.Message, len(values))
	for i, v := range values {
		msgs[i] = kafka.Message{Value: []byte(v)}
	}
	if err := w.WriteMessages(kgCtx(t, 30*time.Second), msgs...); err != nil {
		t.Fatalf("produce to %s [%d]: %v", topic, partition, err)
	}
	mu.Lock()
	defer mu.Unlock()
	return offsets // a synchronous WriteMessages returns after Completion
}

// kgWatermarks returns a partition's first offset and its last one (the
// high watermark, as ListOffsets "latest" reports it).
func kgWatermarks(t *testing.T, addrs []string, topic string, partition int) (first, last int64) {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.ListOffsets(kgCtx(t, 10*time.Second), &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{
			topic: {kafka.FirstOffsetOf(partition), kafka.LastOffsetOf(partition)},
		},
	})
	if err != nil {
		t.Fatalf("list offsets of %s [%d]: %v", topic, partition, err)
	}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			t.Fatalf("list offsets of %s [%d]: %v", topic, partition, p.Error)
		}
		if p.Partition == partition {
			return p.FirstOffset, p.LastOffset
		}
	}
	t.Fatalf("list offsets: no answer for %s [%d]", topic, partition)
	return 0, 0
}

// kgDeleteRecords deletes a partition's records before offset, as retention
// would, with franz-go (kafka-go has no DeleteRecords).
func kgDeleteRecords(t *testing.T, addrs []string, topic string, partition int, before int64) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = int32(partition), before
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 5000
	for _, s := range cl.RequestSharded(kgCtx(t, 10*time.Second), req) {
		if s.Err != nil {
			t.Fatalf("delete records: %v", s.Err)
		}
		for _, tp := range s.Resp.(*kmsg.DeleteRecordsResponse).Topics {
			for _, pp := range tp.Partitions {
				if err := kerr.ErrorForCode(pp.ErrorCode); err != nil {
					t.Fatalf("delete records of %s [%d]: %v", topic, pp.Partition, err)
				}
			}
		}
	}
}

// kgPartitionReader is a Reader of one partition (no GroupID), closed after
// the test.
func kgPartitionReader(t *testing.T, cfg kafka.ReaderConfig) *kafka.Reader {
	t.Helper()
	r := kafka.NewReader(cfg)
	t.Cleanup(func() { r.Close() })
	return r
}

// kgRead reads one message within d, failing the test with what happened
// instead.
func kgRead(t *testing.T, r *kafka.Reader, d time.Duration) kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	m, err := r.ReadMessage(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

// kgBlocks asserts that ReadMessage returns nothing within d: it waits,
// without an error.
func kgBlocks(t *testing.T, r *kafka.Reader, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	m, err := r.ReadMessage(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadMessage returned (%s, %v), want it to block until the deadline", kgDescribe(m), err)
	}
}

func kgDescribe(m kafka.Message) string {
	return fmt.Sprintf("%s [%d] @ %d: %q", m.Topic, m.Partition, m.Offset, m.Value)
}
