// Pitfall 6 · A new group that starts at the end
//
// This program works: an audit service, the consumer group $GROUP, passes
// every order on $TOPIC on to $OUT, where the auditors count them, and
// commits each order once it is there. It was copied from the live order
// tracker, which only cares about orders placed from now on. But the audit
// must cover the whole history: the orders already on $TOPIC, and those
// placed while it runs. $GROUP is new: it has never committed anything.
// The check starts the program, places a few more orders once the group
// has joined, and presses Ctrl-C when they are through.
//
// Goal, as the check sees it: every order of $TOPIC, those already there
// when the program started and those placed while it ran, is on $OUT
// exactly once, and the group $GROUP has committed the end offset of
// every partition of $TOPIC.
//
// Check it:      go run ./runner check p6
// A hint:        go run ./runner hint p6
package main

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx, stop := kit.Context() // cancelled on Ctrl-C
	defer stop()

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     kit.Brokers(),
		Dialer:      kit.Dialer(),
		GroupID:     kit.Env("GROUP"),
		Topic:       kit.Env("TOPIC"),
		StartOffset: kafka.FirstOffset,      // the default: a partition without a commit starts at its first offset
		MaxWait:     250 * time.Millisecond, // a fetch at the end of a partition (and Close) waits no longer
	})
	defer r.Close()

	auditors := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("OUT"),
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	defer auditors.Close()

	for {
		msg, err := r.FetchMessage(ctx)
		if ctx.Err() != nil {
			return // Ctrl-C
		}
		if err != nil {
			kit.Fail(err)
		}
		// Pass the order on to the auditors, then commit it.
		if err := auditors.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value}); err != nil {
			if ctx.Err() != nil {
				return
			}
			kit.Fail(err)
		}
		if err := r.CommitMessages(ctx, msg); err != nil {
			if ctx.Err() != nil {
				return
			}
			kit.Fail(err)
		}
		printAudited(msg)
	}
}

// printAudited says which order was passed on, and where it was read.
func printAudited(msg kafka.Message) {
	o, err := lessons.DecodeOrder(msg.Value)
	if err != nil {
		fmt.Printf("passed on partition %d offset %d: %v\n", msg.Partition, msg.Offset, err)
		return
	}
	fmt.Printf("audited order %s (partition %d, offset %d)\n", o.OrderID, msg.Partition, msg.Offset)
}
