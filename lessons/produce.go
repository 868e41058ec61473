package lessons

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
)

// ProduceOrders sends orders with acks=all and reports each delivery, as
// lesson 3 teaches. It returns once every order is acknowledged or failed.
func ProduceOrders(ctx context.Context, env *Env, topic string, orders []Order, report func(Record)) error {
	msgs, err := orderMessages(orders)
	if err != nil {
		return err
	}
	return Send(ctx, env, topic, msgs, report, Sending{})
}

// ProduceValues sends raw values, orders or not, with delivery reports.
func ProduceValues(ctx context.Context, env *Env, topic string, values [][]byte, report func(Record)) error {
	msgs := make([]kafka.Message, len(values))
	for i, v := range values {
		msgs[i] = kafka.Message{Value: v}
	}
	return Send(ctx, env, topic, msgs, report, Sending{})
}

// ProduceMessages sends whole messages (keys, headers) with delivery reports.
func ProduceMessages(ctx context.Context, env *Env, topic string, msgs []kafka.Message, report func(Record)) error {
	return Send(ctx, env, topic, msgs, report, Sending{})
}

// ProducePatiently is ProduceOrders for a producer that must ride through a
// broker going away and coming back: see Sending.Outage.
func ProducePatiently(ctx context.Context, env *Env, topic string, orders []Order, report func(Record), outage *Outage) error {
	msgs, err := orderMessages(orders)
	if err != nil {
		return err
	}
	return Send(ctx, env, topic, msgs, report, Sending{Outage: outage})
}

func orderMessages(orders []Order) ([]kafka.Message, error) {
	msgs := make([]kafka.Message, len(orders))
	for i, o := range orders {
		v, err := json.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("encode order: %w", err)
		}
		msgs[i] = kafka.Message{Value: v}
	}
	return msgs, nil
}

// Sending says how Send sends.
type Sending struct {
	// Balancer places each record (nil: kafka-go's default, round-robin).
	Balancer kafka.Balancer
	// Outage, when set, makes sending patient: the records a write could not
	// deliver are sent again, a second later, until they are (or ctx ends),
	// with the trouble noted in it. Acknowledged records are reported once
	// each; a record whose write failed after the broker stored it (the
	// acknowledgement was lost) can be stored twice, as with any producer
	// that retries without idempotence.
	Outage *Outage
}

// Send writes msgs to topic with acks=all and reports each delivery (a nil
// report: no reports). It returns once every record is acknowledged or has
// failed.
func Send(ctx context.Context, env *Env, topic string, msgs []kafka.Message, report func(Record), how Sending) error {
	outage := how.Outage
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    env.Transport,
		Topic:        topic,
		Balancer:     how.Balancer,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		MaxAttempts:  3,
		WriteTimeout: 5 * time.Second,
		Completion: func(messages []kafka.Message, err error) {
			if (err != nil && outage != nil) || report == nil {
				return // sent again: the outage line says what is going on
			}
			for _, r := range Reported(messages, err) {
				report(r)
			}
		},
	}
	// Chunks, so that a cancelled context (Ctrl-C) stops between two of
	// them and Close has at most one chunk left to flush.
	const chunk = 500
	var err error
	for start := 0; start < len(msgs) && err == nil; start += chunk {
		pending := msgs[start:min(start+chunk, len(msgs))]
		err = w.WriteMessages(ctx, pending...)
		for outage != nil && err != nil && ctx.Err() == nil {
			outage.Fail("produce to %s: %v", topic, WriteOutcome(err))
			pending = undelivered(pending, err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
				err = w.WriteMessages(ctx, pending...)
			}
		}
		if err == nil && outage != nil {
			outage.Clear()
		}
	}
	var cerr error
	if ctx.Err() != nil {
		// Interrupted: do not let the flush hold up the exit.
		cerr = CloseWithin(w, 1500*time.Millisecond)
	} else {
		cerr = w.Close()
	}
	if err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("produce to %s: %w", topic, err)
	}
	return nil
}

// undelivered returns the messages a WriteMessages call did not deliver:
// those its WriteErrors name, or all of them when the call failed as a whole.
func undelivered(msgs []kafka.Message, err error) []kafka.Message {
	var errs kafka.WriteErrors
	if !errors.As(err, &errs) || len(errs) != len(msgs) {
		return msgs
	}
	var out []kafka.Message
	for i, e := range errs {
		if e != nil {
			out = append(out, msgs[i])
		}
	}
	return out
}

// CloseWithin closes c but waits at most d: a writer whose broker is gone can
// retry for seconds, and Ctrl-C must still end the program promptly.
func CloseWithin(c io.Closer, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("close: still flushing after %v, gave up", d)
	}
}
