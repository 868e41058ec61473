// Exercise 2 · Decode orders, reject what is not one (after lesson 2)
//
// Orders reach $IN from several services, each writing JSON its own way:
// the fields in another order, with spaces and line breaks. Some records on
// $IN are not orders at all: text, JSON that is not an object, an order
// without an order_id, a quantity written as a string or below 1. This
// program passes each order on to $OUT, written as the other services
// write it, and sets each record that is not an order aside on $REJECTED
// with the reason. Its reading and writing are done; its Order and its
// decode are not.
//
// Goal, as the check sees it on the cluster: every order of $IN is on $OUT
// once, keyed by its order_id, with the fields order_id, user, item and
// quantity (a JSON number) and no others; every record of $IN that is not
// an order, as lesson 2's DecodeOrder decides, is on $REJECTED as it was,
// with a header error that says why; and nothing else is on either.
//
// Check it:      go run ./runner check 2
// A hint:        go run ./runner hint 2
package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

// Order is an order as the other services write it.
type Order struct {
	// TODO: the JSON field names the other services use.
	OrderID  string
	User     string
	Item     string
	Quantity int
}

// decode turns a record's value into an order, or says why it is not one.
func decode(value []byte) (Order, error) {
	var o Order
	if err := json.Unmarshal(value, &o); err != nil {
		return Order{}, err
	}
	// TODO: reject what json.Unmarshal lets through but is not an order.
	return o, nil
}

// encode turns an order into a record's value.
func encode(o Order) ([]byte, error) { return json.Marshal(o) }

func main() {
	ctx, stop := kit.Context()
	defer stop()
	count := kit.Int("COUNT")

	// $IN has one partition: read it from its first record.
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		Topic:   kit.Env("IN"),
		MaxWait: 250 * time.Millisecond,
	})
	defer r.Close()

	var orders, rejected []kafka.Message
	for range count {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			kit.Fail(err)
		}
		order, err := decode(msg.Value)
		if err != nil {
			fmt.Printf("rejected [%d] @ %d: %v\n", msg.Partition, msg.Offset, err)
			rejected = append(rejected, kafka.Message{Key: msg.Key, Value: msg.Value,
				Headers: []kafka.Header{{Key: "error", Value: []byte(err.Error())}}})
			continue
		}
		value, err := encode(order)
		if err != nil {
			kit.Fail(err)
		}
		fmt.Printf("order [%d] @ %d: %s\n", msg.Partition, msg.Offset, value)
		orders = append(orders, kafka.Message{Key: []byte(order.OrderID), Value: value})
	}

	for topic, msgs := range map[string][]kafka.Message{kit.Env("OUT"): orders, kit.Env("REJECTED"): rejected} {
		w := &kafka.Writer{
			Addr:         kafka.TCP(kit.Brokers()...),
			Transport:    kit.Transport(),
			Topic:        topic,
			BatchTimeout: time.Millisecond,
			RequiredAcks: kafka.RequireAll,
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			kit.Fail(err)
		}
		if err := w.Close(); err != nil {
			kit.Fail(err)
		}
		fmt.Printf("%d record(s) to %s\n", len(msgs), topic)
	}
}
