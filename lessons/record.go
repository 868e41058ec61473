package lessons

import (
	"fmt"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// RecordKind says what happened to a record.
type RecordKind int

const (
	Delivered      RecordKind = iota // the broker stored it: a delivery report
	DeliveryFailed                   // the producer gave up on it
	Received                         // a consumer read it and it is an order
	Skipped                          // a consumer read it and it is not an order
)

// Record is one record as a step reports it: the facts a test checks and
// the line a learner reads.
type Record struct {
	Kind      RecordKind
	Topic     string
	Partition int
	Offset    int64
	Key       []byte
	Value     []byte
	Order     Order  // Received: the decoded order
	Err       error  // DeliveryFailed, Skipped: why
	From      string // who reports it, when not the step itself ("customer")
}

// Failed says the record is a problem to show: a failed delivery or a
// skipped record.
func (r Record) Failed() bool { return r.Kind == DeliveryFailed || r.Kind == Skipped }

// Position formats where a record is, the way kcat prints it.
func Position(topic string, partition int, offset int64) string {
	return fmt.Sprintf("%s [%d] @ offset %d", topic, partition, offset)
}

// String is the line a learner reads.
func (r Record) String() string { return r.In(nil) }

// In is the line a learner reads, in the catalogue's language (nil:
// English). The position stays as kcat prints it.
func (r Record) In(c *i18n.Catalog) string {
	var s string
	pos := Position(r.Topic, r.Partition, r.Offset)
	switch r.Kind {
	case Delivered:
		s = c.F("Delivered to %s: %s", pos, shorten(r.Value))
	case DeliveryFailed:
		s = c.F("Delivery failed for record: %v", r.Err)
	case Received:
		s = c.F("🍔 Received order: %s  (%s)", r.Order.In(c), pos)
	case Skipped:
		s = c.F("%s: skipped: %v", pos, r.Err)
	}
	if r.From != "" {
		s = "(" + c.T(r.From) + ") " + s
	}
	return s
}

// Delivery is the delivery report of message m: Kafka stored it (err nil)
// at the partition and offset kafka-go set on m before calling Completion,
// or did not, and err says why. It prints as "Delivered to orders [P] @
// offset O: value" or "Delivery failed for record: err".
func Delivery(m kafka.Message, err error) Record {
	if err != nil {
		return Record{Kind: DeliveryFailed, Topic: m.Topic, Key: m.Key, Value: m.Value, Err: err}
	}
	return Record{Kind: Delivered, Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value}
}

// shorten keeps a large value from flooding the screen.
func shorten(v []byte) string {
	if len(v) > 200 {
		return fmt.Sprintf("%s… (%d bytes)", v[:40], len(v))
	}
	return string(v)
}

// Receive decodes a record a consumer read and reports it: the order with
// its position, or why it is skipped. Every consumer here uses it.
func Receive(out Printer, msg kafka.Message) (Order, error) {
	order, err := DecodeOrder(msg.Value)
	r := Record{Kind: Received, Topic: msg.Topic, Partition: msg.Partition, Offset: msg.Offset,
		Key: msg.Key, Value: msg.Value, Order: order}
	if err != nil {
		r.Kind, r.Err = Skipped, err
	}
	out.Record(r)
	return order, err
}

// Reported turns a Writer's Completion call into delivery records.
func Reported(messages []kafka.Message, err error) []Record {
	out := make([]Record, 0, len(messages))
	for _, m := range messages {
		r := Record{Kind: Delivered, Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value}
		if err != nil {
			r.Kind, r.Err = DeliveryFailed, err
		}
		out = append(out, r)
	}
	return out
}
