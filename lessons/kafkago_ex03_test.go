package lessons_test

import (
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// Exercise 3's check: "kafka-go fills in Topic, Partition and Offset only in
// the messages it hands to Completion (never in those passed to
// WriteMessages)". With acks=all, the caller's messages after the call
// returned still have no topic, partition 0 and offset 0, while Completion
// got each one's partition and offset (here 0, 1, 2 on partition 0).
func TestKafkaGo_WriteMessagesLeavesTheCallersMessagesAlone(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	var mu sync.Mutex
	var reported []kafka.Message
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Completion: func(msgs []kafka.Message, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				reported = append(reported, msgs...)
			}
		}}
	defer w.Close()
	msgs := []kafka.Message{{Value: []byte("a")}, {Value: []byte("b")}, {Value: []byte("c")}}
	if err := w.WriteMessages(kgCtx(t, 20*time.Second), msgs...); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Topic != "" || m.Partition != 0 || m.Offset != 0 {
			t.Errorf("the caller's message after WriteMessages: %s; want it untouched (no topic, partition 0, offset 0)", kgDescribe(m))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 3 {
		t.Fatalf("Completion got %d messages, want 3", len(reported))
	}
	for i, m := range reported {
		if m.Topic != topic || m.Partition != 0 || m.Offset != int64(i) {
			t.Errorf("Completion's message %d: %s; want %s [0] @ %d", i, kgDescribe(m), topic, i)
		}
	}
}
