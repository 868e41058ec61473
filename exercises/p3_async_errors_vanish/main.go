// Pitfall 3 · Asynchronous writes whose failures vanish
//
// This program works: a kitchen service writes $COUNT orders to $TOPIC
// asynchronously, each in a batch of its own, so that no order waits for
// the one before it. Some customers leave the kitchen a long note ($NOTES
// lists the length of each order's note, in bytes). At the end the program
// says how many orders were sent and how many failed: none, it says.
//
// Goal, as the check sees it: every order $TOPIC accepts is stored, and
// the program reports exactly the orders Kafka did not store: its line
// `sent N, failed M` has N = the orders on $TOPIC and M = $COUNT − N. Keep
// the orders, their notes and BatchSize 1 as they are.
//
// Check it:      go run ./runner check p3
// A hint:        go run ./runner hint p3
package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// order is an order with the customer's note for the kitchen.
type order struct {
	lessons.Order
	Note string `json:"note,omitempty"`
}

// note returns a note of n bytes.
func note(n int) string { return strings.Repeat("please ring twice. ", n/19+1)[:n] }

func main() {
	ctx, stop := kit.Context()
	defer stop()
	count := kit.Int("COUNT")
	notes := strings.Split(kit.Env("NOTES"), ",")

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("TOPIC"),
		RequiredAcks: kafka.RequireAll,
		Async:        true, // WriteMessages does not wait: the orders leave one after another
		BatchSize:    1,    // each order in a batch of its own
	}

	sent := 0
	for i := range count {
		n, err := strconv.Atoi(notes[i])
		if err != nil {
			kit.Fail(err)
		}
		value, err := json.Marshal(order{Order: lessons.SampleOrder(i), Note: note(n)})
		if err != nil {
			kit.Fail(err)
		}
		if err := w.WriteMessages(ctx, kafka.Message{Value: value}); err != nil {
			kit.Fail(err)
		}
		sent++
	}
	if err := w.Close(); err != nil { // sends what is pending and waits for it
		kit.Fail(err)
	}
	fmt.Printf("sent %d, failed %d\n", sent, count-sent)
}
