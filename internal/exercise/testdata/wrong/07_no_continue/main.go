// Exercise 7 · A consumer that survives poison pills (after lesson 7)
//
// The kitchen service reads the records on $TOPIC as a member of the group
// $GROUP and passes each order on to $OUT, where the cooks pick it up. Some
// records on $TOPIC are not orders: poison pills, which lessons.DecodeOrder
// refuses. As it is, the service stops at the first one, and every order
// after it waits. A service that survives them sets each pill aside on a
// dead-letter topic, $DLQ, with where it came from and why it was refused,
// so that someone can look at it, and goes on with the next record.
// (Kafka Connect's dead-letter queue does the same, with the headers
// __connect.errors.partition, __connect.errors.offset and
// __connect.errors.exception.message.)
//
// Goal, as the check sees it on the cluster: every order of $TOPIC is on
// $OUT once; every poison pill of $TOPIC is on $DLQ once, as it was
// (its key and value), with the headers source-partition and source-offset
// naming the partition and offset it had on $TOPIC, as text ("2", "17"),
// and error saying why it is not an order; and the program ended on its
// own after the $COUNT records of $TOPIC.
//
// Check it:      go run ./runner check 7
// A hint:        go run ./runner hint 7
package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	count := kit.Int("COUNT")

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		GroupID: kit.Env("GROUP"),
		Topic:   kit.Env("TOPIC"),
		MaxWait: 250 * time.Millisecond,
	})
	defer r.Close()

	kitchen := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("OUT"),
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	defer kitchen.Close()

	dlq := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("DLQ"),
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	defer dlq.Close()

	orders, pills := 0, 0
	for range count { // every record of $TOPIC, orders and pills
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			kit.Fail(err)
		}
		order, err := lessons.DecodeOrder(msg.Value)
		if err != nil {
			fmt.Printf("poison pill at %s [%d] @ %d: %v\n", msg.Topic, msg.Partition, msg.Offset, err)
			pill := kafka.Message{Key: msg.Key, Value: msg.Value, Headers: []kafka.Header{
				{Key: "source-partition", Value: []byte(strconv.Itoa(msg.Partition))},
				{Key: "source-offset", Value: []byte(strconv.FormatInt(msg.Offset, 10))},
				{Key: "error", Value: []byte(err.Error())},
			}}
			if err := dlq.WriteMessages(ctx, pill); err != nil {
				kit.Fail(err)
			}
			pills++
			// A wrong answer: no continue, so the pill goes on to the
			// kitchen too.
		}
		if err := kitchen.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value}); err != nil {
			kit.Fail(err)
		}
		orders++
		fmt.Printf("order %s from [%d] @ %d: %s\n", order.OrderID, msg.Partition, msg.Offset, order)
	}
	fmt.Printf("%d orders handled, %d poison pills set aside\n", orders, pills)
}
