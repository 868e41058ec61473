// A wrong answer to pitfall 6: a fresh group id on every start, the usual
// way round a group that will not rewind. It reads everything, and commits
// under a name that is not $GROUP.
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
	ctx, stop := kit.Context() // cancelled on Ctrl-C
	defer stop()

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: kit.Brokers(),
		Dialer:  kit.Dialer(),
		// A group of its own each run, which starts at the first offset.
		GroupID:     kit.Env("GROUP") + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		Topic:       kit.Env("TOPIC"),
		StartOffset: kafka.FirstOffset,
		MaxWait:     250 * time.Millisecond, // a fetch at the end of a partition (and Close) waits no longer
	})
	defer r.Close()

	auditors := &kafka.Writer{
		Addr:         kafka.TCP(kit.Brokers()...),
		Transport:    kit.Transport(),
		Topic:        kit.Env("OUT"),
		BatchTimeout: time.Millisecond,
		RequiredAcks: kafka.RequireAll,
	}
	defer auditors.Close()

	for {
		msg, err := r.FetchMessage(ctx)
		if ctx.Err() != nil {
			return // Ctrl-C
		}
		if err != nil {
			kit.Fail(err)
		}
		// Pass the order on to the auditors, then commit it.
		if err := auditors.WriteMessages(ctx, kafka.Message{Key: msg.Key, Value: msg.Value}); err != nil {
			if ctx.Err() != nil {
				return
			}
			kit.Fail(err)
		}
		if err := r.CommitMessages(ctx, msg); err != nil {
			if ctx.Err() != nil {
				return
			}
			kit.Fail(err)
		}
		printAudited(msg)
	}
}

// printAudited says which order was passed on, and where it was read.
func printAudited(msg kafka.Message) {
	o, err := lessons.DecodeOrder(msg.Value)
	if err != nil {
		fmt.Printf("passed on partition %d offset %d: %v\n", msg.Partition, msg.Offset, err)
		return
	}
	fmt.Printf("audited order %s (partition %d, offset %d)\n", o.OrderID, msg.Partition, msg.Offset)
}
