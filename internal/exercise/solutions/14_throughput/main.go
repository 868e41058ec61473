// Exercise 14 · Ten thousand orders in a rush (after lesson 14)
//
// Rush hour: the kitchen must store $COUNT orders, keyed by their user, in
// $BUDGET_MS milliseconds. The program below stores them with one
// synchronous WriteMessages call per order, and runs out of time: it stops
// at the deadline and says so.
//
// Goal, as the check sees it on the cluster: the $COUNT orders ("dish 0" to
// "dish $COUNT−1") are on $TOPIC, each once; each user's orders lie on one
// partition in the order written; and the program took less than
// $BUDGET_MS ms. Keep the deadline, the keys and the Balancer as they are.
//
// Check it:      go run ./runner check 14
// A hint:        go run ./runner hint 14
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
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
		Balancer:     &kafka.Hash{},    // each user's orders on one partition
		BatchSize:    1000,             // fewer, larger batches: fewer round trips
		BatchTimeout: time.Millisecond, // a partition's last batch is not full: send it at once
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

	// One call for them all: the Writer cuts them into batches per
	// partition and sends each partition's batches one after the other.
	if err := w.WriteMessages(ctx, orders...); err != nil {
		failed(ctx, err)
	}
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
