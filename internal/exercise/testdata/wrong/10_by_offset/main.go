// A wrong answer to exercise 10: what was handled is kept on $OUT and read back, but by offset: an order the producer wrote twice is at two offsets.
package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	crashAt, last := int64(kit.Int("CRASH_AT")), int64(kit.Int("LAST"))

	// The orders already on $OUT: passed on by an earlier run.
	end, err := highWatermark(ctx, kit.Env("OUT"))
	if err != nil {
		kit.Fail(err)
	}
	fmt.Printf("%d orders on %s already\n", end, kit.Env("OUT"))
	passedOn := map[int64]bool{} // offsets of $TOPIC, read back from the header "offset" on $OUT
	if end > 0 {
		back := kafka.NewReader(kafka.ReaderConfig{
			Brokers: kit.Brokers(),
			Dialer:  kit.Dialer(),
			Topic:   kit.Env("OUT"),
			MaxWait: 250 * time.Millisecond,
		})
		for next := int64(0); next < end; {
			m, err := back.ReadMessage(ctx)
			if err != nil {
				kit.Fail(err)
			}
			for _, h := range m.Headers {
				if h.Key == "offset" {
					offset, _ := strconv.ParseInt(string(h.Value), 10, 64)
					passedOn[offset] = true
				}
			}
			next = m.Offset + 1
		}
		back.Close()
	}

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		GroupID: kit.Env("GROUP"),
		Topic:   kit.Env("TOPIC"),
		MaxWait: 250 * time.Millisecond, // a fetch at the end of the topic (and Close) waits no longer
	})
	defer r.Close()

	kitchen := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("OUT"),
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll, // when WriteMessages returns, a restart can read the order back
	}
	defer kitchen.Close()

	started := int64(-1) // the offset this run started at
	for {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			kit.Fail(err)
		}
		if started < 0 {
			started = msg.Offset
		}
		id := orderID(msg.Value)

		// Handle the order: pass it on to the kitchen, once per offset.
		if passedOn[msg.Offset] {
			fmt.Printf("skipped offset %d\n", msg.Offset)
		} else {
			order := kafka.Message{Key: msg.Key, Value: msg.Value,
				Headers: []kafka.Header{{Key: "offset", Value: []byte(strconv.FormatInt(msg.Offset, 10))}}}
			if err := kitchen.WriteMessages(ctx, order); err != nil {
				kit.Fail(err)
			}
			passedOn[msg.Offset] = true
			fmt.Printf("passed on order %s (offset %d)\n", id, msg.Offset)
		}

		// The crash, once: the restarted run starts at $CRASH_AT itself.
		if msg.Offset == crashAt && started < crashAt {
			fmt.Printf("💥 crash after passing on the order at offset %d, before committing it\n", msg.Offset)
			return // the program dies here; the check starts it again
		}
		if err := r.CommitMessages(ctx, msg); err != nil {
			kit.Fail(err)
		}
		if msg.Offset == last {
			return // every record of $TOPIC handled
		}
	}
}

// orderID returns the order_id of an order's value ("" if it is no order).
func orderID(value []byte) string {
	order, _ := lessons.DecodeOrder(value)
	return order.OrderID
}

// highWatermark returns the end of partition 0 of topic, the offset its
// next record will get (ListOffsets, lesson 4): the records on it are at
// the offsets before.
func highWatermark(ctx context.Context, topic string) (int64, error) {
	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: kit.Transport()}
	resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(0)}},
	})
	if err != nil {
		return 0, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	partitions := resp.Topics[topic]
	if len(partitions) != 1 {
		return 0, fmt.Errorf("list offsets of %s: %d partitions in the answer, want 1", topic, len(partitions))
	}
	if err := partitions[0].Error; err != nil {
		return 0, fmt.Errorf("list offsets of %s [0]: %w", topic, err)
	}
	return partitions[0].LastOffset, nil
}
