// A wrong answer to exercise 22: framed with the registered id, but the order in JSON after it.
package main

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	topic, subject := kit.Env("TOPIC"), kit.Env("SUBJECT")
	count := kit.Int("COUNT")

	client, err := sr.NewClient(kit.Registry()...)
	if err != nil {
		kit.Fail(err)
	}

	// The registry gives the schema its id, or finds the one it gave.
	registered, err := client.CreateSchema(ctx, subject, sr.Schema{Schema: lessons.OrderV1Avro, Type: sr.TypeAvro})
	if err != nil {
		kit.Fail(err)
	}
	id := registered.ID

	w := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        topic,
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	var msgs []kafka.Message
	for i := range count {
		data, err := lessons.SampleOrder(i).MarshalValue()
		if err != nil {
			kit.Fail(err)
		}
		value := append([]byte{0}, binary.BigEndian.AppendUint32(nil, uint32(id))...) // the magic byte, the id
		msgs = append(msgs, kafka.Message{Value: append(value, data...)})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		kit.Fail(err)
	}
	if err := w.Close(); err != nil {
		kit.Fail(err)
	}
	fmt.Printf("wrote %d Avro orders to %s, framed with schema id %d (subject %s)\n", len(msgs), topic, id, subject)
}
