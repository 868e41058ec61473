package lessons_test

// Pins of what exercise 5 (a poll loop over every partition, stopped by
// Ctrl-C) says about kafka-go v0.4.51. Same rules as kafkago_test.go.

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// Exercise 5: "without a GroupID, a Reader reads the one partition
// ReaderConfig.Partition names (0 unless set)": a record on partition 1
// never reaches it, the one on partition 0 does. And "Ctrl-C cancels ctx,
// and ReadMessage then returns that context's error": a cancelled context
// ends a ReadMessage that waits at the end of the partition, at once.
func TestKafkaGo_ReaderWithoutPartitionReadsPartition0Only(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 2)
	kgProduce(t, addrs, topic, 1, "on partition 1")
	kgProduce(t, addrs, topic, 0, "on partition 0")
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	if p := r.Config().Partition; p != 0 {
		t.Errorf("ReaderConfig.Partition left unset reads back as %d, want 0", p)
	}
	if m := kgRead(t, r, 20*time.Second); m.Partition != 0 || string(m.Value) != "on partition 0" {
		t.Errorf("read %s first, want partition 0's record", kgDescribe(m))
	}
	kgBlocks(t, r, 1500*time.Millisecond) // partition 1's record never comes

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := r.ReadMessage(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ReadMessage after its context was cancelled: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("ReadMessage returned %v after it began, want soon after the cancel at 200ms", d)
	}
}
