// Exercise 10 · An idempotent consumer (after lesson 10)
//
// The kitchen service, a member of the consumer group $GROUP, passes each
// order of $TOPIC on to $OUT, where the cooks pick it up: at least once,
// as lesson 10 step 3 does it, handling an order before committing its
// offset. Two things deliver an order twice here:
//
//   - The producer retried: some orders are on $TOPIC twice, at two
//     offsets, with the same key and the same value.
//   - A crash: the service crashes once, right after passing on the order
//     at offset $CRASH_AT and before committing it. The check then runs the
//     program again; the restarted service resumes at the offset the group
//     committed, $CRASH_AT, and gets that order again.
//
// Make the service idempotent: it passes each order on once, whatever it
// receives twice. What it remembers must survive the crash: the orders it
// passed on are on $OUT, so read them back when it starts.
//
// Goal, as the check sees it: every order of $TOPIC is on $OUT exactly
// once. Keep the crash where it is.
//
// Check it:      go run ./runner check 10
// A hint:        go run ./runner hint 10
package main

import (
	"context"
	"fmt"
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
	passedOn := map[string]bool{} // order ids: what the kitchen has already
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
		passedOn[orderID(m.Value)] = true
		next = m.Offset + 1
	}
	back.Close()

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

		// Handle the order: pass it on to the kitchen, once.
		if passedOn[id] {
			fmt.Printf("skipped order %s (offset %d): on %s already\n", id, msg.Offset, kit.Env("OUT"))
		} else {
			if err := kitchen.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value}); err != nil {
				kit.Fail(err)
			}
			passedOn[id] = true
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
