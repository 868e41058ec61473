// A wrong answer to exercise 9: one Reader shared by two goroutines, which is one member of the group.
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

	// One Reader, the group's member, shared by two goroutines.
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		Topic:   kit.Env("TOPIC"),
		GroupID: kit.Env("GROUP"),
		MaxWait: 250 * time.Millisecond,
	})
	defer r.Close()
	var wg sync.WaitGroup
	for _, name := range []string{"A", "B"} {
		wg.Go(func() { member(ctx, name, r) })
	}
	wg.Wait()
}

// member prints the orders it reads with r until ctx is cancelled.
func member(ctx context.Context, name string, r *kafka.Reader) {
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
