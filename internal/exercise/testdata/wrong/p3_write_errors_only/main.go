// A wrong answer to pitfall 3: failures counted from the errors of WriteMessages and Close, which an asynchronous Writer never returns for a refused batch.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

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

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("TOPIC"),
		RequiredAcks: kafka.RequireAll,
		Async:        true,
		BatchSize:    1,
	}

	sent, failed := 0, 0
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
			fmt.Fprintf(os.Stderr, "order %d failed: %v\n", i, err)
			failed++
			continue
		}
		sent++
	}
	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
	fmt.Printf("sent %d, failed %d\n", sent, failed)
}
