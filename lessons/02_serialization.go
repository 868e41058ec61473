package lessons

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// serializationLesson is lesson 2: an order becomes bytes and back.
func serializationLesson() Lesson {
	return Lesson{
		Number: 2,
		Title:  "JSON serialization: an order becomes bytes",
		Goal:   "See that Kafka carries bytes, not Go values, and how an order is turned into bytes and back.",
		Summary: []string{
			"Kafka stores and sends bytes; what they mean is agreed between producer and consumer.",
			"encoding/json with struct tags turns an Order into {\"order_id\":...} and back.",
			"A consumer must expect bytes that are not an order, and say so instead of crashing.",
		},
		Quiz: []Question{
			{
				Ask: "The producer sends an order as JSON. What does Kafka do with those bytes?",
				Choices: []string{
					"It checks that they are valid JSON",
					"It turns them back into an Order for the consumer",
					"It stores and delivers them as they are, without looking inside",
				},
				Answer: 2,
				Why:    "To Kafka a record's value is bytes. What they mean is agreed between producer and consumer: here, JSON with the fields order_id, user, item and quantity.",
				Step:   2,
			},
			{
				Ask: "Why are the JSON fields named order_id, user, item and quantity, not OrderID, User, Item and Quantity?",
				Choices: []string{
					"encoding/json always writes field names in snake_case",
					"The struct's json tags name them",
					"Kafka requires lower-case field names",
				},
				Answer: 1,
				Why:    "encoding/json writes a field under its Go name unless a json tag renames it. The tags give the names the topic's consumers expect, whatever the Go fields are called.",
				Step:   1,
			},
			{
				Ask: "A record holds {\"order_id\": \"42\", \"user\": \"Ada\", \"item\": \"Tea\"}: no quantity. What does DecodeOrder return?",
				Choices: []string{
					"An order with Quantity 0",
					"An error: the quantity field is missing",
					"Nothing: the program panics",
				},
				Answer: 1,
				Why:    "json.Unmarshal alone would leave Quantity at 0 and report nothing. DecodeOrder also checks that every field is there with the right type, so a bad record gets a clear reason.",
				Step:   4,
			},
		},
		Plan: func() Plan {
			s := &serialLesson{}
			return Plan{Steps: []Step{
				{Title: "Build an order", Run: s.build},
				{Title: "Encode it: JSON, then bytes", Run: s.encode, Needs: []int{1}},
				{Title: "Decode the bytes back", Run: s.decode, Needs: []int{2}},
				{Title: "Bytes that are not an order", Run: s.decodeBad},
			}}
		},
	}
}

type serialLesson struct {
	order Order
	value []byte
}

// An order is a plain Go struct. Its json tags give the field names the
// record carries (order_id, user, item, quantity), whatever the Go fields
// are called: the names every producer and consumer of the topic agree on.
// The order_id is a random UUID, unique to every order.
//
// If you know the Python client: these are the keys of the order dict the
// original producer.py sent, so the original consumer.py can read our
// orders.
func (s *serialLesson) build(ctx context.Context, env *Env) error {
	s.order = Order{
		OrderID:  uuid.NewString(),
		User:     "SKOURI Youssef",
		Item:     "Pizza Pepperoni",
		Quantity: 1,
	}
	env.Out.Value("order", fmt.Sprintf("%#v", s.order))
	return nil
}

// json.Marshal gives the text; in Go that text already is a []byte, the
// record value Kafka carries. Kafka never looks inside it.
func (s *serialLesson) encode(ctx context.Context, env *Env) error {
	value, err := json.Marshal(s.order)
	if err != nil {
		return fmt.Errorf("encode order: %w", err)
	}
	s.value = value
	env.Out.Value("json", string(value))
	env.Out.Value("length in bytes", len(value))
	env.Out.Block(hex.Dump(value))
	return nil
}

// The consumer receives the same bytes and turns them back into an Order.
// DecodeOrder is json.Unmarshal plus checks that every field is there with
// the right type, so a bad record gets a clear reason.
func (s *serialLesson) decode(ctx context.Context, env *Env) error {
	order, err := DecodeOrder(s.value)
	if err != nil {
		return fmt.Errorf("decode order: %w", err)
	}
	env.Out.Value("decoded", fmt.Sprintf("%#v", order))
	env.Out.Value("same order", order == s.order)
	env.Out.Say("the consumer prints: 🍔 Received order: %s", order)
	return nil
}

// Anything can land in a topic: a typo typed into a console producer, an old
// message format, an empty record. Each of these values is decoded the way
// a consumer would, and each fails with a reason instead of a crash.
func (s *serialLesson) decodeBad(ctx context.Context, env *Env) error {
	for _, value := range [][]byte{
		[]byte("pizza please"),
		[]byte(`{"order_id": "42", "user": "Ada", "item": "Tea"}`),
		[]byte(`{"order_id": "42", "user": "Ada", "item": "Tea", "quantity": "two"}`),
		{},
	} {
		if _, err := DecodeOrder(value); err != nil {
			env.Out.Warn("%q → %v", value, err)
		}
	}
	return nil
}
