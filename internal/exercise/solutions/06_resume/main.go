// Exercise 6 · Resume where you stopped (after lesson 6)
//
// An order tracker prints every order placed on $TOPIC, whatever its
// partition. It runs until Ctrl-C, and when it is started again it must go
// on exactly where it stopped: no order missed, none printed twice. The
// check runs it twice: each time it places orders, waits until they are
// printed and presses Ctrl-C; the second batch is placed as the tracker
// starts again, before it has joined its group.
//
// Goal, as the check sees it: across the two runs, every order on $TOPIC
// was printed exactly once; the consumer group $GROUP has committed the
// end offset of every partition of $TOPIC; and once the program has
// stopped, no member of $GROUP is left.
//
// Check it:      go run ./runner check 6
// A hint:        go run ./runner hint 6
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
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		GroupID: kit.Env("GROUP"), // a member: every partition, from the group's commits
		Topic:   kit.Env("TOPIC"),
		MaxWait: 250 * time.Millisecond, // a fetch at the end of a partition (and Close) waits no longer
	})
	defer r.Close() // on Ctrl-C too: commits what is pending and leaves the group

	for {
		msg, err := r.FetchMessage(ctx) // commits nothing
		if ctx.Err() != nil {
			return // Ctrl-C
		}
		if err != nil {
			kit.Fail(err)
		}
		printOrder(msg)
		// Printed: now commit it, so a restart resumes after it.
		if err := r.CommitMessages(ctx, msg); err != nil {
			if ctx.Err() != nil {
				return // Ctrl-C
			}
			kit.Fail(err)
		}
	}
}

// printOrder prints an order with its id and where it was read.
func printOrder(msg kafka.Message) {
	o, err := lessons.DecodeOrder(msg.Value)
	if err != nil {
		fmt.Printf("skipped partition %d offset %d: %v\n", msg.Partition, msg.Offset, err)
		return
	}
	fmt.Printf("order %s: %s (partition %d, offset %d)\n", o.OrderID, o, msg.Partition, msg.Offset)
}
