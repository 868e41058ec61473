// Exercise 16 · Every order since a moment (after lesson 16)
//
// The kitchen's display was down from $SINCE until now. The orders taken
// since then must be shown again: copied to a topic of their own, the
// display's, not one order more. Every record carries the time its order
// was taken, its timestamp; the orders are spread over the partitions of
// the topic, each partition holding orders from before and after $SINCE.
//
// Goal, as the check sees it on the cluster: $OUT holds a copy of every
// order of $TOPIC whose record was written at or after $SINCE (its
// timestamp), from each of its $PARTITIONS partitions, once, and nothing
// older; the program ended on its own.
//
// Check it:      go run ./runner check 16
// A hint:        go run ./runner hint 16
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

	// TODO: read partition 0 from the first order taken at or after since,
	// not from its first offset; then the other partitions too.
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   kit.Brokers(),
		Dialer:    kit.Dialer(),
		Topic:     topic,
		Partition: 0,
		MaxWait:   250 * time.Millisecond,
	})
	for r.Offset() < end[0] {
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

	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
}
