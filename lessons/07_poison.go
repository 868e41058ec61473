package lessons

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// poisonPillLesson is lesson 7: records that are not orders.
func poisonPillLesson() Lesson {
	return Lesson{
		Number: 7,
		Title:  "Poison pills: records that are not orders",
		Goal:   "Put records in the topic that no order decoder accepts, and keep a consumer running through them.",
		Summary: []string{
			"Kafka accepts any bytes: nothing stops a record that is not an order from reaching your consumer.",
			"A poison pill is a record the consumer cannot handle; crashing on it means crashing on every restart.",
			"Decode defensively: on failure, warn with topic, partition and offset, count it, and go on.",
			"Large records are bounded by the broker (message.max.bytes, about 1 MiB per batch by default) and the producer (BatchBytes), not by the consumer.",
		},
		Quiz: []Question{
			{
				Ask: "What is a poison pill?",
				Choices: []string{
					"A record the broker refuses to store",
					"A record the consumer cannot handle",
					"A record that expired under the topic's retention",
				},
				Answer: 1,
				Why:    "Kafka accepts any bytes, so nothing stops a bad record from reaching the consumer. One that crashes on it, and restarts from before it, crashes again on every restart.",
				Step:   1,
			},
			{
				Ask: "What does a consumer that survives poison pills do with a record that is not an order?",
				Choices: []string{
					"It stops and waits for someone to fix the topic",
					"It deletes the record from the topic",
					"It warns with topic, partition and offset, counts it and goes on",
				},
				Answer: 2,
				Why:    "Decoding fails with a reason; the warning says where the record is, so someone can look at it, and the loop goes on. A real service would also copy it to a dead-letter topic.",
				Step:   2,
			},
			{
				Ask: "With default settings, what limits how large a record can be?",
				Choices: []string{
					"The consumer's MaxBytes",
					"The broker's message.max.bytes and the Writer's BatchBytes",
					"Nothing: Kafka takes records of any size",
				},
				Answer: 1,
				Why:    "The broker refuses batches over message.max.bytes (about 1 MiB) and the Writer refuses records over BatchBytes (1 MiB). Since KIP-74 a fetch returns at least the first batch, however small MaxBytes is.",
				Step:   1,
			},
		},
		Plan: func() Plan {
			l := &poisonState{}
			return Plan{Setup: topicReady, Steps: []Step{
				{Title: "Produce orders and poison pills", Run: l.produce},
				{Title: "A consumer that survives them", Run: l.consume, Needs: []int{1}},
			}}
		},
	}
}

// Pinned by TestKafkaGo_WriterBatchBytesDefaultIs1MiB,
// …MillionByteRecordWithDefaults and …FetchReturnsRecordLargerThanMaxBytes.
type poisonState struct {
	start map[int]int64 // each partition's end before the pills were produced
	sent  int
}

// Between two real orders go five records that are not orders: plain text,
// JSON without a quantity, JSON with a quantity that is a string, an empty
// value and one of a million bytes, just under the broker's default limit on
// a record batch (message.max.bytes, 1,048,588 bytes, counted after
// compression). The Writer checks too: a record over its BatchBytes (1 MiB)
// is refused with a MessageTooLargeError. And since KIP-74 a fetch always
// returns at least the first batch, even one larger than the Reader's
// MaxBytes, whatever kafka-go's comment on MaxBytes says.
func (l *poisonState) produce(ctx context.Context, env *Env) error {
	marks, err := ReadWatermarks(ctx, env, env.Topic)
	if err != nil {
		return err
	}
	l.start = map[int]int64{}
	for _, w := range marks {
		l.start[w.Partition] = w.Last
	}
	first, _ := SampleOrder(0).MarshalValue()
	last, _ := SampleOrder(1).MarshalValue()
	values := [][]byte{
		first,
		[]byte("pizza please"),
		[]byte(`{"order_id": "42", "user": "Ada", "item": "Tea"}`),
		[]byte(`{"order_id": "42", "user": "Ada", "item": "Tea", "quantity": "two"}`),
		{},
		bytes.Repeat([]byte("x"), 1_000_000),
		last,
	}
	l.sent = len(values)
	return ProduceValues(ctx, env, env.Topic, values, env.Out.Record)
}

// The consumer decodes every record. A record that fails is not fatal: it
// gets a warning naming its partition and offset, so someone can look at it
// (kcat -b BROKER -C -t orders -p P -o O -c 1 -e prints that one record; -e
// makes it exit, not wait, if the offset is gone), and the loop goes on. A
// real service would also copy it to a "dead letter" topic. The count comes
// at the end.
func (l *poisonState) consume(ctx context.Context, env *Env) error {
	poller, err := NewPoller(env, env.Topic, l.start)
	if err != nil {
		return err
	}
	defer poller.Close()
	orders, skipped := 0, 0
	for orders+skipped < l.sent {
		msg, err := poller.Poll(ctx, 5*time.Second)
		if err != nil {
			return fmt.Errorf("after %d of %d records: %w", orders+skipped, l.sent, err)
		}
		if _, err := Receive(env.Out, msg); err != nil {
			skipped++
		} else {
			orders++
		}
	}
	env.Out.Value("orders", orders)
	env.Out.Value("skipped records", skipped)
	return nil
}
