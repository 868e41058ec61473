package lessons_test

// Pins of what exercise 6 and pitfall p6 say about kafka-go v0.4.51: where
// a group's Reader starts on each partition, and when a CommitInterval
// sends what CommitMessages (or ReadMessage) queued. Same rules as
// kafkago_test.go.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
)

// Pitfall p6 (kafka-go issues #904, #1291): ReaderConfig.StartOffset is
// only where a partition without a committed offset starts
// (ConsumerGroup.fetchOffsets replaces a negative committed offset with
// it). On a partition the group committed, the Reader resumes at the
// commit, whatever StartOffset says; on one it never committed,
// StartOffset LastOffset skips every record already there.
func TestKafkaGo_StartOffsetOnlyWhereNothingIsCommitted(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 2)
	kgProduce(t, addrs, topic, 0, "p0 a", "p0 b", "p0 c")
	kgProduce(t, addrs, topic, 1, "p1 a", "p1 b")
	group := "kafkago-" + uuid.NewString()[:8]
	kgCommit(t, addrs, group, topic, 0, 1) // partition 0 only

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, StartOffset: kafka.LastOffset,
		MaxWait: 250 * time.Millisecond, HeartbeatInterval: time.Second})
	defer r.Close()
	var got []string
	ctx := kgCtx(t, 30*time.Second)
	for len(got) < 2 {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("fetch after %q: %v", got, err)
		}
		got = append(got, string(m.Value))
	}
	if got[0] != "p0 b" || got[1] != "p0 c" {
		t.Errorf("read %q first, want partition 0 from its commit (offset 1): \"p0 b\", \"p0 c\"", got)
	}
	// Partition 1 has nothing committed: LastOffset, its end. Its two
	// records never come.
	quiet, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if m, err := r.FetchMessage(quiet); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("then %s, %v: want nothing, partition 1 starts at its end (StartOffset LastOffset)", kgDescribe(m), err)
	}
}

// kgCommit commits offset for group on one partition of topic as an
// administrative commit (no member, generation -1), as lesson 6 step 3 does.
func kgCommit(t *testing.T, addrs []string, group, topic string, partition int, offset int64) {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	req := &kafka.OffsetCommitRequest{GroupID: group, GenerationID: -1,
		Topics: map[string][]kafka.OffsetCommit{topic: {{Partition: partition, Offset: offset}}}}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := client.OffsetCommit(kgCtx(t, 10*time.Second), req)
		if err == nil {
			for _, p := range resp.Topics[topic] {
				err = p.Error
			}
		}
		var kerr kafka.Error
		if err == nil || !errors.As(err, &kerr) || !kerr.Temporary() || time.Now().After(deadline) {
			if err != nil {
				t.Fatalf("commit %s [%d] at %d for %s: %v", topic, partition, offset, group, err)
			}
			return
		}
		time.Sleep(200 * time.Millisecond) // a fresh broker sets up its offsets topic
	}
}

// Exercise 6 and pitfall p2: with a CommitInterval, CommitMessages (and so
// ReadMessage) only queues the offsets and returns. They reach the broker
// at the next tick, or when the generation ends: Reader.Close sends them.
// A program that exits without Close loses what was queued since the last
// tick.
func TestKafkaGo_CommitIntervalQueuesUntilTheTickOrClose(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "a", "b")
	group := "kafkago-" + uuid.NewString()[:8]
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, CommitInterval: time.Hour,
		MaxWait: 250 * time.Millisecond, HeartbeatInterval: time.Second})
	ctx := kgCtx(t, 30*time.Second)
	for range 2 {
		if _, err := r.ReadMessage(ctx); err != nil {
			r.Close()
			t.Fatal(err)
		}
	}
	if c := kgCommitted(t, addrs, group, topic); c != -1 {
		t.Errorf("after ReadMessage with CommitInterval 1h the broker has %d, want nothing yet (-1)", c)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if c := kgCommitted(t, addrs, group, topic); c != 2 {
		t.Errorf("after Close the broker has %d, want 2: Close sends the queued commit", c)
	}
}
