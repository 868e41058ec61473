// A wrong answer to exercise 4: no SetOffset, so the Reader starts at the
// partition's first offset.
package main

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	topic, out := kit.Env("TOPIC"), kit.Env("OUT")
	partition := kit.Int("PARTITION")
	from, to := int64(kit.Int("FROM")), int64(kit.Int("TO"))

	// Where the partition starts and ends, as lesson 4 step 2 reads it: its
	// first offset and its high watermark, the offset after its last record.
	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: kit.Transport()}
	resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{
		topic: {kafka.FirstOffsetOf(partition), kafka.LastOffsetOf(partition)},
	}})
	if err != nil {
		kit.Fail(err)
	}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			kit.Fail(p.Error)
		}
		fmt.Printf("%s [%d] holds offsets %d to %d (high watermark %d)\n", topic, p.Partition, p.FirstOffset, p.LastOffset-1, p.LastOffset)
	}
	fmt.Printf("copying offsets %d (included) to %d (excluded) to %s\n", from, to, out)

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   kit.Brokers(),
		Dialer:    kit.Dialer(),
		Topic:     topic,
		Partition: partition,
		MaxWait:   250 * time.Millisecond,
	})
	defer r.Close()

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        out,
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}

	for {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			kit.Fail(err)
		}
		// A new message: the Writer names the topic, so the copy must not.
		if err := w.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value}); err != nil {
			kit.Fail(err)
		}
		// The next record is at to or past it: stop here, not wait for it.
		if msg.Offset+1 >= to {
			break
		}
	}

	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
}
