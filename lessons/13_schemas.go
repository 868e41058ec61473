package lessons

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// schemasLesson is lesson 13: headers, and an order that changes shape.
func schemasLesson() Lesson {
	return Lesson{
		Number: 13,
		Title:  "Headers and schema evolution",
		Goal:   "Put metadata in headers, change the order's shape without breaking its consumers, and see a change that does break them.",
		Summary: []string{
			"Headers are ordered (key, bytes) pairs beside the value: content type, schema version, a trace id.",
			"Adding a field with a default is compatible both ways: old consumers ignore it, new ones give old records the default.",
			"Renaming a field breaks every consumer of the old name; defensive decoding (lesson 7) skips such records, it cannot cook them.",
			"A schema registry versions the schemas and refuses an incompatible one before any record is written.",
		},
		Quiz: []Question{
			{
				Ask: "Version 2 of the order adds price_cents, with a default. Which consumers still read every order?",
				Choices: []string{
					"Only consumers upgraded to version 2",
					"Both: v1 ignores the price, v2 gives old orders the default",
					"Neither, until the old records are deleted",
				},
				Answer: 1,
				Why:    "A field added with a default is forward compatible (old readers, new data) and backward compatible (new readers, old data).",
				Step:   5,
			},
			{
				Ask: "A producer renames quantity to qty. What does lesson 7's consumer do with its records?",
				Choices: []string{
					"Reads them: JSON field names do not matter",
					"Skips each one, naming the missing field and its offset",
					"Stops with an error at the first one",
				},
				Answer: 1,
				Why:    "Its decoder finds no quantity, reports the record as not an order, and goes on.",
				Step:   6,
			},
			{
				Ask: "Where would a schema registry stop the rename?",
				Choices: []string{
					"In the broker, which checks every record against the schema",
					"In the producer's serializer: the new schema is refused",
					"In the consumer, which asks the registry for a fix",
				},
				Answer: 1,
				Why:    "The broker stores bytes; the registry checks a new schema when a serializer registers it, before any record is sent.",
				Step:   7,
			},
		},
		Plan: func() Plan {
			s := &schemasState{}
			return Plan{Setup: topicReady, Steps: []Step{
				{Title: "An order with headers", Run: s.writeHeaders},
				{Title: "Read the headers back", Run: s.readHeaders, Needs: []int{1}},
				{Title: "Version 2 of the order adds a price", Run: s.produceVersions},
				{Title: "A version 1 consumer reads both", Run: s.consumeV1, Needs: []int{3}},
				{Title: "A version 2 consumer reads both", Run: s.consumeV2, Needs: []int{3}},
				{Title: "A breaking change: quantity becomes qty", Run: s.breakingChange},
				{Title: "What a schema registry adds", Run: s.registryFrame},
			}}
		},
	}
}

// Pinned by TestKafkaGo_HeadersRoundTripInOrder.
type schemasState struct {
	headersAt  map[int]int64 // each partition's end before the order with headers
	versionsAt map[int]int64 // … before the version 1 and version 2 orders
}

// A record carries headers beside its key and value (since Kafka 0.11,
// KIP-82): a list of pairs, each a string key and a value of bytes, kept
// in order; a key may repeat. They describe the value without being part
// of it, so a consumer can route, trace or pick a decoder before it decodes
// anything. This order carries three: content-type (how the value is
// encoded), schema-version (which version of the order it is) and
// traceparent, the W3C trace context, which OpenTelemetry's
// instrumentations pass from producer to consumer in a header of that name.
func (s *schemasState) writeHeaders(ctx context.Context, env *Env) error {
	ends, err := PartitionEnds(ctx, env, env.Topic)
	if err != nil {
		return err
	}
	s.headersAt = ends
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: env.Topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		Completion: func(msgs []kafka.Message, err error) {
			for _, r := range Reported(msgs, err) {
				env.Out.Record(r)
			}
		}}
	defer w.Close()
	value, _ := SampleOrder(0).MarshalValue()
	msg := kafka.Message{Value: value, Headers: []kafka.Header{
		{Key: "content-type", Value: []byte("application/json")},
		{Key: "schema-version", Value: []byte("1")},
		{Key: "traceparent", Value: []byte(NewTraceparent())},
	}}
	return w.WriteMessages(ctx, msg)
}

// The consumer finds them in msg.Headers as they were written: the same
// keys with the same bytes, in the same order. Like the value, they are
// bytes to Kafka, which never reads them; what they mean is a convention
// between producers and consumers.
func (s *schemasState) readHeaders(ctx context.Context, env *Env) error {
	poller, err := NewPoller(env, env.Topic, s.headersAt)
	if err != nil {
		return err
	}
	defer poller.Close()
	msg, err := poller.Poll(ctx, 5*time.Second)
	if err != nil {
		return fmt.Errorf("read the order with headers: %w", err)
	}
	Receive(env.Out, msg)
	for _, h := range msg.Headers {
		env.Out.Value("header "+h.Key, string(h.Value))
	}
	return nil
}

// Version 2 of the order adds a price: price_cents, a whole number of
// cents, since floating-point money rounds. Upgraded producers write
// version 2; the topic still holds version 1 orders, and producers not yet
// upgraded keep writing them. Each record names its version in its
// schema-version header.
func (s *schemasState) produceVersions(ctx context.Context, env *Env) error {
	ends, err := PartitionEnds(ctx, env, env.Topic)
	if err != nil {
		return err
	}
	s.versionsAt = ends
	v1, _ := SampleOrder(1).MarshalValue()
	v2, _ := OrderV2{Order: SampleOrder(2), PriceCents: 1450}.MarshalValue()
	env.Out.Value("version 1", string(v1))
	env.Out.Value("version 2", string(v2))
	return ProduceMessages(ctx, env, env.Topic, []kafka.Message{
		{Value: v1, Headers: OrderHeaders(1)},
		{Value: v2, Headers: OrderHeaders(2)},
	}, env.Out.Record)
}

// A consumer that was not upgraded decodes with lesson 7's DecodeOrder. It
// reads both orders: it takes the fields it knows and ignores price_cents.
// Adding a field is forward compatible: old readers read new data.
func (s *schemasState) consumeV1(ctx context.Context, env *Env) error {
	poller, err := NewPoller(env, env.Topic, s.versionsAt)
	if err != nil {
		return err
	}
	defer poller.Close()
	for range 2 {
		msg, err := poller.Poll(ctx, 5*time.Second)
		if err != nil {
			return fmt.Errorf("read the two versions: %w", err)
		}
		Receive(env.Out, msg)
	}
	return nil
}

// An upgraded consumer decodes version 2. The version 1 order has no
// price_cents and gets the default, 0 (DefaultPriceCents), as a default
// declared in a schema would give it. A field added with a default is therefore
// backward compatible too: new readers read old data. The schema-version
// header says which version each record is, without guessing from the
// value.
func (s *schemasState) consumeV2(ctx context.Context, env *Env) error {
	poller, err := NewPoller(env, env.Topic, s.versionsAt)
	if err != nil {
		return err
	}
	defer poller.Close()
	for range 2 {
		msg, err := poller.Poll(ctx, 5*time.Second)
		if err != nil {
			return fmt.Errorf("read the two versions: %w", err)
		}
		version, _ := Header(msg, "schema-version")
		env.Out.Value("schema-version header", string(version))
		ReceiveV2(env.Out, msg)
	}
	return nil
}

// A breaking change: a producer renames quantity to qty. Nothing in Kafka
// stops it: the broker stores bytes. Every consumer of version 1 or 2 now
// finds no quantity, and lesson 7's defensive decoding turns what would be
// a crash into a skipped record, with its reason, partition and offset.
// That is damage control: the order is not cooked. A field is renamed
// safely in stages: add qty beside quantity, move every consumer to qty,
// then stop writing quantity.
func (s *schemasState) breakingChange(ctx context.Context, env *Env) error {
	ends, err := PartitionEnds(ctx, env, env.Topic)
	if err != nil {
		return err
	}
	type renamed struct {
		OrderID string `json:"order_id"`
		User    string `json:"user"`
		Item    string `json:"item"`
		Qty     int    `json:"qty"` // was "quantity"
	}
	o := SampleOrder(3)
	value, _ := json.Marshal(renamed{OrderID: o.OrderID, User: o.User, Item: o.Item, Qty: o.Quantity})
	err = ProduceMessages(ctx, env, env.Topic, []kafka.Message{{Value: value, Headers: OrderHeaders(3)}}, env.Out.Record)
	if err != nil {
		return err
	}
	poller, err := NewPoller(env, env.Topic, ends)
	if err != nil {
		return err
	}
	defer poller.Close()
	msg, err := poller.Poll(ctx, 5*time.Second)
	if err != nil {
		return fmt.Errorf("read the renamed order: %w", err)
	}
	Receive(env.Out, msg)
	return nil
}

// A schema registry, Confluent's for one, keeps every version of a topic's
// value schema, gives each an id and checks a new version before a
// producer may use it. With Avro schemas, its default check, BACKWARD
// ("can the new schema read what the previous one wrote?"), accepts
// version 2, whose price has a default, and refuses a schema that renames
// quantity to qty without one: the producer's serializer cannot register
// it and fails, and the record never reaches the topic. By default,
// Confluent's serializers also frame each value: a magic byte 0, the
// schema's id in 4 bytes (big-endian), then the encoded data. This frames
// an order by hand with a made-up id, 42, and shows what a consumer that
// expects plain JSON makes of it; lesson 22 runs a real registry.
func (s *schemasState) registryFrame(ctx context.Context, env *Env) error {
	order, _ := SampleOrder(4).MarshalValue()
	framed := []byte{0}                                // the magic byte
	framed = binary.BigEndian.AppendUint32(framed, 42) // the schema's id
	framed = append(framed, order...)                  // the data
	env.Out.Block(hex.Dump(framed))
	if _, err := DecodeOrder(framed); err != nil {
		env.Out.Warn("a plain JSON consumer: %v", err)
	}
	return nil
}
