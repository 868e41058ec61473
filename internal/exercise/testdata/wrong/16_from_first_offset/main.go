// A wrong answer to exercise 16: every partition read from its first offset: every order copied, the old ones too.
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
	partitions := kit.Int("PARTITIONS")
	since, err := time.Parse(time.RFC3339Nano, kit.Env("SINCE"))
	if err != nil {
		kit.Fail(err)
	}

	// Where each partition ends now: its high watermark, the offset after
	// its last record. The copy stops there.
	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: kit.Transport()}
	var requests []kafka.OffsetRequest
	for p := range partitions {
		requests = append(requests, kafka.LastOffsetOf(p))
	}
	resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: requests}})
	if err != nil {
		kit.Fail(err)
	}
	end := map[int]int64{}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			kit.Fail(p.Error)
		}
		end[p.Partition] = p.LastOffset
	}

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        out,
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	fmt.Printf("copying the orders of %s since %s to %s\n", topic, since.Format(time.RFC3339), out)

	for p := range partitions {
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers:   kit.Brokers(),
			Dialer:    kit.Dialer(),
			Topic:     topic,
			Partition: p,
			MaxWait:   250 * time.Millisecond,
		})
		for r.Offset() < end[p] {
			msg, err := r.ReadMessage(ctx)
			if err != nil {
				kit.Fail(err)
			}
			if err := w.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value}); err != nil {
				kit.Fail(err)
			}
			fmt.Printf("copied %s [%d] @ %d, taken at %s\n", topic, msg.Partition, msg.Offset, msg.Time.Format(time.TimeOnly))
		}
		if err := r.Close(); err != nil {
			kit.Fail(err)
		}
	}

	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
}
