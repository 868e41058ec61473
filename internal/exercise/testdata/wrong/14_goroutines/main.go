// A wrong answer to exercise 14: a goroutine per order, all sharing the Writer; fast, but each user's orders reach it in any order.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	count := kit.Int("COUNT")
	users := strings.Split(kit.Env("USERS"), ",")
	// The rush: an order not stored by the deadline is late.
	ctx, cancel := context.WithTimeout(ctx, time.Duration(kit.Int("BUDGET_MS"))*time.Millisecond)
	defer cancel()

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("TOPIC"),
		RequiredAcks: kafka.RequireAll,
		Balancer:     &kafka.Hash{}, // each user's orders on one partition
	}

	orders := make([]kafka.Message, count)
	for i := range orders {
		user := users[i%len(users)]
		value, err := lessons.NewOrder(user, fmt.Sprintf("dish %d", i), 1).MarshalValue()
		if err != nil {
			kit.Fail(err)
		}
		orders[i] = kafka.Message{Key: []byte(user), Value: value}
	}

	var wg sync.WaitGroup
	for _, m := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.WriteMessages(ctx, m); err != nil {
				failed(ctx, err)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		failed(ctx, err)
	}
	fmt.Println("stored", count, "orders")
}

// failed ends the program: quietly at the deadline (the check counts what
// was stored by then), with the error otherwise.
func failed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		fmt.Println("out of time:", err)
		os.Exit(0)
	}
	kit.Fail(err)
}
