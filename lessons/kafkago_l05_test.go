package lessons_test

// Pins of what lesson 5 says about kafka-go v0.4.51. Same rules as
// kafkago_test.go.

import (
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// Lesson 5, step 2: an order can be printed as received before its own
// "Delivered" line, because the broker has the record, and a reader can
// get it, before kafka-go calls the writer's Completion (which prints that
// line): Completion runs once the produce response is back. Here Completion
// holds up until a reader, waiting on the partition, has received the
// record: were Completion called before the record reached the broker, the
// reader would get nothing.
func TestKafkaGo_ARecordIsReadableBeforeItsCompletionRuns(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, Partition: 0, MaxWait: 100 * time.Millisecond})
	received := make(chan kafka.Message, 1)
	go func() {
		if m, err := r.ReadMessage(kgCtx(t, 20*time.Second)); err == nil {
			received <- m
		}
	}()
	var readFirst bool
	var offset int64 = -1
	w := &kafka.Writer{
		Addr:         kafka.TCP(addrs...),
		Topic:        topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Completion: func(msgs []kafka.Message, err error) {
			select {
			case m := <-received:
				readFirst = err == nil && len(msgs) == 1 && m.Offset == msgs[0].Offset
				offset = msgs[0].Offset
			case <-time.After(10 * time.Second):
			}
		},
	}
	defer w.Close()
	if err := w.WriteMessages(kgCtx(t, 30*time.Second), kafka.Message{Value: []byte("order")}); err != nil {
		t.Fatal(err)
	}
	if !readFirst {
		t.Errorf("the reader did not get the record (offset %d) while Completion waited for it", offset)
	}
}
