// Exercise 5 · A poll loop over every partition, stopped by Ctrl-C (after lesson 5)
//
// An order tracker: it prints each new order on $TOPIC as it arrives, from
// whichever partition it lands on, until you press Ctrl-C. It prints only
// orders placed after it started, so each partition is read from its end,
// read before anyone orders (lesson 5 step 1). Once every reader is in
// place it prints "ready", and the check starts ordering.
//
// Goal, as the check sees it: every order produced to $TOPIC after
// "ready", whatever its partition, is printed exactly once (its order_id
// on a line), none of the orders already there is, and after Ctrl-C the
// program leaves its loop, closes its readers and exits 0 within 2 s
// (lesson 6 step 2).
//
// Check it:      go run ./runner check 5
// A hint:        go run ./runner hint 5
package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx := context.Background() // wrong: nothing turns Ctrl-C into a cancelled context
	topic := kit.Env("TOPIC")

	// The end of every partition, partition number → offset: where the
	// next order will go.
	ends, err := partitionEnds(ctx, topic)
	if err != nil {
		kit.Fail(err)
	}

	// One Reader per partition, each at its partition's end and polled by
	// a loop of its own.
	var loops sync.WaitGroup
	for p, end := range ends {
		r := newReader(topic, p)
		defer r.Close()
		if err := r.SetOffset(end); err != nil {
			kit.Fail(err)
		}
		loops.Add(1)
		go func() {
			defer loops.Done()
			poll(ctx, r)
		}()
	}
	fmt.Println("ready")
	loops.Wait() // until Ctrl-C; then the deferred Closes run
}

// poll prints each order r reads, as it arrives.
func poll(ctx context.Context, r *kafka.Reader) {
	for {
		msg, err := r.ReadMessage(ctx)
		if ctx.Err() != nil {
			return // Ctrl-C: the way out of the loop, not a failure
		}
		if err != nil {
			kit.Fail(err)
		}
		o, err := lessons.DecodeOrder(msg.Value)
		if err != nil {
			fmt.Printf("partition %d offset %d: not an order: %v\n", msg.Partition, msg.Offset, err)
			continue
		}
		fmt.Printf("partition %d offset %d: order %s, %s\n", msg.Partition, msg.Offset, o.OrderID, o)
	}
}

// newReader returns a Reader of one partition of topic.
func newReader(topic string, partition int) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:   kit.Brokers(),
		Dialer:    kit.Dialer(),
		Topic:     topic,
		Partition: partition,
		MaxWait:   250 * time.Millisecond, // a fetch at the end of the partition (and Close) waits no longer
	})
}

// partitionEnds returns the high watermark of each partition of topic: its
// partitions from the cluster's metadata, their ends from ListOffsets.
func partitionEnds(ctx context.Context, topic string) (map[int]int64, error) {
	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: kit.Transport()}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, err
	}
	if len(meta.Topics) != 1 || meta.Topics[0].Error != nil {
		return nil, fmt.Errorf("no topic %s: %+v", topic, meta.Topics)
	}
	var last []kafka.OffsetRequest
	for _, p := range meta.Topics[0].Partitions {
		last = append(last, kafka.LastOffsetOf(p.ID))
	}
	resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: last}})
	if err != nil {
		return nil, err
	}
	ends := map[int]int64{}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("end of %s [%d]: %w", topic, p.Partition, p.Error)
		}
		ends[p.Partition] = p.LastOffset
	}
	return ends, nil
}
