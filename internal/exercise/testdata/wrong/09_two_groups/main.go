// A wrong answer to exercise 9: each member in a group of its own, so each gets every order.
package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()

	// Two members side by side, each with a Reader of its own.
	var wg sync.WaitGroup
	for _, name := range []string{"A", "B"} {
		wg.Go(func() { member(ctx, name) })
	}
	wg.Wait()
}

// member reads the orders of $TOPIC and prints each one, with the member's
// name first and the partition it came from, until ctx is cancelled
// (Ctrl-C).
func member(ctx context.Context, name string) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		Topic:   kit.Env("TOPIC"),
		GroupID: kit.Env("GROUP") + "-" + name, // a group per member
		MaxWait: 250 * time.Millisecond,        // a fetch at the end of the topic (and Close) waits no longer
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
