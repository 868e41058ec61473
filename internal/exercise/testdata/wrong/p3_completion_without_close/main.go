// A wrong answer to pitfall 3: Completion counts, but the program prints and ends without Close, before the batches are done.
package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

type order struct {
	lessons.Order
	Note string `json:"note,omitempty"`
}

func note(n int) string { return strings.Repeat("please ring twice. ", n/19+1)[:n] }

func main() {
	ctx, stop := kit.Context()
	defer stop()
	count := kit.Int("COUNT")
	notes := strings.Split(kit.Env("NOTES"), ",")

	var sent, failed atomic.Int64
	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("TOPIC"),
		RequiredAcks: kafka.RequireAll,
		Async:        true,
		BatchSize:    1,
		Completion: func(messages []kafka.Message, err error) {
			if err != nil {
				failed.Add(int64(len(messages)))
				return
			}
			sent.Add(int64(len(messages)))
		},
	}

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
	}
	fmt.Printf("sent %d, failed %d\n", sent.Load(), failed.Load())
}
