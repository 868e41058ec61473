package lessons_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// Pins of what lesson 0's first three steps say of kafka-go v0.4.51.

// "kafka-go passes it to Completion: that is the delivery report. Without
// Async, WriteMessages returns after it." (writer.go: the partition writer
// calls Completion, then completes the batch WriteMessages waits for.)
func TestKafkaGo_SyncWriteReturnsAfterItsDeliveryReport(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	kgProduce(t, addrs, topic, 2, "before") // so the order's offset is not the zero value
	var reported atomic.Bool
	var partition, offset atomic.Int64
	w := &kafka.Writer{
		Addr:         kafka.TCP(addrs...),
		Topic:        topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Balancer:     kafka.BalancerFunc(func(kafka.Message, ...int) int { return 2 }),
		Completion: func(messages []kafka.Message, err error) {
			time.Sleep(200 * time.Millisecond) // a slow report: WriteMessages still waits for it
			if err == nil && len(messages) == 1 {
				partition.Store(int64(messages[0].Partition))
				offset.Store(messages[0].Offset)
				reported.Store(true)
			}
		},
	}
	defer w.Close()
	msg := kafka.Message{Value: []byte("order")}
	if err := w.WriteMessages(kgCtx(t, 30*time.Second), msg); err != nil {
		t.Fatal(err)
	}
	if !reported.Load() {
		t.Fatal("WriteMessages returned before its delivery report")
	}
	_, last := kgWatermarks(t, addrs, topic, 2)
	if partition.Load() != 2 || offset.Load() != last-1 {
		t.Errorf("the report says partition %d offset %d; the partition ends at %d", partition.Load(), offset.Load(), last)
	}
	// The caller's Message is a copy: only the report carries the offset.
	if msg.Offset != 0 || msg.Partition != 0 {
		t.Errorf("the caller's message was filled in (%d@%d): the lesson need not read the report", msg.Partition, msg.Offset)
	}
}

// "Given a topic and one partition, it reads that partition from the offset
// SetOffset names. ReadMessage returns the record there." and "Reading
// removes nothing".
func TestKafkaGo_PartitionReaderReadsFromSetOffset(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	offsets := kgProduce(t, addrs, topic, 1, "a", "b", "c")
	if len(offsets) != 3 || offsets[1] != 1 {
		t.Fatalf("offsets %v, want 0 1 2", offsets)
	}
	for round := 1; round <= 2; round++ { // a second reader finds it again
		r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, Partition: 1, MaxWait: 250 * time.Millisecond})
		if err := r.SetOffset(1); err != nil {
			t.Fatal(err)
		}
		m := kgRead(t, r, 15*time.Second)
		if m.Partition != 1 || m.Offset != 1 || string(m.Value) != "b" {
			t.Errorf("round %d: read %s, want b at partition 1 offset 1", round, kgDescribe(m))
		}
	}
	if first, last := kgWatermarks(t, addrs, topic, 1); first != 0 || last != 3 {
		t.Errorf("after reading, partition 1 holds offsets %d..%d, want 0..3: reading removes nothing", first, last)
	}
}
