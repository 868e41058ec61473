// Exercise 22 · Orders a registry's consumers can read (after lesson 22)
//
// The kitchen's new display is a Java service that reads orders as
// Confluent's deserializers do: in Avro, through a schema registry. Each
// value must say which schema wrote it, by the id the registry gave that
// schema. The program below sends Avro orders framed with a made-up id, as
// lesson 13 did by hand: no registry knows it.
//
// Goal, as the check sees it on the cluster: $COUNT orders are on $TOPIC,
// each value framed for the schema registry (kit.Registry()): the magic
// byte 0, then in 4 bytes the id the registry gave the order's schema
// (lessons.OrderV1Avro) under $SUBJECT, the subject of $TOPIC's values,
// then the order in Avro, which that schema decodes.
//
// Check it:      go run ./runner check 22
// A hint:        go run ./runner hint 22
package main

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/hamba/avro/v2"
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
	schema, err := avro.Parse(lessons.OrderV1Avro)
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
		data, err := lessons.AvroMarshal(schema, lessons.SampleOrder(i))
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
