package lessons_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Pins of what lesson 15 says about kafka-go.

// Lesson 15, step 2: one Writer without a Topic writes each message to the
// topic the message names (the status events, the changelog, the dead
// letters), and refuses a message that names none.
func TestKafkaGo_WriterTakesEachMessagesTopic(t *testing.T) {
	addrs := kgBroker(t)
	first, second := kgTopic(t, addrs, 1), kgTopic(t, addrs, 1)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	ctx := kgCtx(t, 20*time.Second)
	err := w.WriteMessages(ctx,
		kafka.Message{Topic: first, Value: []byte("a")},
		kafka.Message{Topic: second, Value: []byte("b")},
		kafka.Message{Topic: first, Value: []byte("c")})
	if err != nil {
		t.Fatal(err)
	}
	if _, last := kgWatermarks(t, addrs, first, 0); last != 2 {
		t.Errorf("%s holds %d records, want 2", first, last)
	}
	if _, last := kgWatermarks(t, addrs, second, 0); last != 1 {
		t.Errorf("%s holds %d records, want 1", second, last)
	}
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("nowhere")}); err == nil {
		t.Errorf("a message without a topic, to a Writer without one, was accepted")
	}
}

// Lesson 15, step 4, about franz-go: Close leaves the transaction open ("it
// leaves the group; its transaction stays open"): the last stable offset
// stays at the transaction's first record. A client with the same
// transactional id asking for its producer id (InitProducerId) makes the
// coordinator abort it: the last stable offset reaches the high watermark,
// past the abort marker.
func TestFranzGo_CloseLeavesTheTransactionOpenUntilTheSameIDInits(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	id := "kafkago-" + uuid.NewString()[:8]
	ctx := kgCtx(t, 30*time.Second)
	dead, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(topic), kgo.TransactionalID(id))
	if err != nil {
		t.Fatal(err)
	}
	if err := dead.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := dead.ProduceSync(ctx, &kgo.Record{Value: []byte("left open")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	dead.Close()
	stable := func() int64 {
		resp, err := (&kafka.Client{Addr: kafka.TCP(addrs...)}).ListOffsets(ctx, &kafka.ListOffsetsRequest{
			Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(0)}}, IsolationLevel: kafka.ReadCommitted})
		if err != nil || len(resp.Topics[topic]) != 1 || resp.Topics[topic][0].Error != nil {
			t.Fatalf("list offsets read_committed: %v %+v", err, resp)
		}
		return resp.Topics[topic][0].LastOffset
	}
	if _, hw := kgWatermarks(t, addrs, topic, 0); hw != 1 || stable() != 0 {
		t.Errorf("after Close: high watermark %d, last stable offset %d; want 1 and 0 (the transaction still open)", hw, stable())
	}
	restarted, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(topic), kgo.TransactionalID(id))
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	if _, _, err := restarted.ProducerID(ctx); err != nil {
		t.Fatal(err)
	}
	if _, hw := kgWatermarks(t, addrs, topic, 0); hw != 2 || stable() != 2 {
		t.Errorf("after the same id's InitProducerId: high watermark %d, last stable offset %d; want 2 and 2 (aborted, the marker at 1)", hw, stable())
	}
}
