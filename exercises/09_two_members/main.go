// Exercise 9 · Two members of one group split the partitions (after lesson 9)
//
// The kitchen has two cooks now, A and B: two Readers with the same
// GroupID, $GROUP, side by side in one program, each printing the orders
// of $TOPIC it receives, one line per order starting with its name. The
// program runs until Ctrl-C. The check waits until the cluster shows both
// members in the group, then produces orders over the topic's $PARTITIONS
// partitions, waits for them to be printed, and presses Ctrl-C.
//
// Goal, as the check sees it: $GROUP had two members, each holding some
// of the partitions of $TOPIC, when the orders arrived; every order was
// printed exactly once; A and B each printed some; no partition's orders
// were printed by both; and the partitions each member printed are the
// share the group assigned to one member.
//
// Check it:      go run ./runner check 9
// A hint:        go run ./runner hint 9
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()

	// TODO: run two members side by side, member(ctx, "A") and
	// member(ctx, "B"), each in a goroutine of its own, and wait until both
	// have returned.
	member(ctx, "A")
}

// member reads the orders of $TOPIC and prints each one, with the member's
// name first and the partition it came from, until ctx is cancelled
// (Ctrl-C).
func member(ctx context.Context, name string) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		Topic:   kit.Env("TOPIC"),
		// TODO: make this Reader a member of the consumer group $GROUP.
		MaxWait: 250 * time.Millisecond, // a fetch at the end of the topic (and Close) waits no longer
	})
	defer r.Close()

	for {
		msg, err := r.ReadMessage(ctx)
		if ctx.Err() != nil {
			return // Ctrl-C
		}
		if err != nil {
			kit.Fail(fmt.Errorf("member %s: %w", name, err))
		}
		fmt.Printf("%s [%d] %s\n", name, msg.Partition, msg.Value)
	}
}
