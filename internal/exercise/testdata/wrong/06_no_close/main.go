// Wrong answer to exercise 6: it commits each order after printing it, and
// never closes the Reader. On Ctrl-C the member does not leave the group.
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
