package exercise

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Pitfall 3: asynchronous writes whose failures vanish (kafka-go issue
// #405). With Writer.Async, WriteMessages returns once the messages are
// queued (writer.go: `if w.Async { return nil }` before any batch is
// sent), and Close always returns nil: the error of a batch the broker
// refuses reaches Completion(batch.msgs, err) alone (partitionWriter.
// writeBatch), which Close waits for.
//
// The refusal is the same on every broker: $TOPIC has max.message.bytes
// p3MaxBytes, and the orders with a long note make a record batch larger
// than that. Apache Kafka compares each record batch's size with
// max.message.bytes (UnifiedLog.analyzeAndValidateRecords, a
// RecordTooLargeException: MESSAGE_TOO_LARGE), and kfake the records of
// each partition of the request (00_produce.go: kerr.MessageTooLarge). A
// whole batch is refused, so the program keeps BatchSize 1: an order per
// batch, and exactly the long-noted orders fail. kafka-go does not retry
// MessageSizeTooLarge (Error.Temporary is false): the failure comes at
// once.
func asyncErrorsPitfall() Exercise {
	return Exercise{
		ID: "p3", Dir: "p3_async_errors_vanish", Lesson: -1,
		Title: "Pitfall: asynchronous writes whose failures vanish",
		Goal:  "Every order $TOPIC accepts is stored, and the program reports exactly the orders Kafka did not store: its line `sent N, failed M` has N = the orders on $TOPIC and M = $COUNT − N.",
		Hints: []string{
			"Compare the program's line with the orders on $TOPIC: some orders are missing, yet no call returned an error. The orders with a long note are larger than $TOPIC accepts (its max.message.bytes), and Kafka refused them.",
			"With Async: true, WriteMessages only queues the messages and returns: it waits neither for the batch to be sent nor for Kafka's answer, so it cannot return the error of a batch Kafka refuses (here kafka.MessageSizeTooLarge, which kafka-go does not retry). Close returns nil too. kafka-go hands that error to one place: the Writer's Completion func(messages []kafka.Message, err error), called once per batch with the batch's messages.",
			"Set Completion in the Writer: add len(messages) to a failed counter when err != nil, to a sent counter otherwise (atomic.Int64: Completion runs on the writer's goroutines). Call Close before printing: it sends what is pending and waits for every batch and its Completion call. Keep RequiredAcks: kafka.RequireAll: with RequireNone Kafka does not answer, and there is no error to see.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex-p3-orders-" + suffix())
			count := between(20, 30)
			// A random few orders carry a note too long for the topic.
			long := rand.Perm(count)[:between(3, 6)]
			notes := make([]string, count)
			for i := range notes {
				notes[i] = strconv.Itoa(between(0, 60))
			}
			for _, i := range long {
				notes[i] = strconv.Itoa(between(3*p3MaxBytes/2, 4*p3MaxBytes))
			}
			// One partition: the orders keep their order and go out one
			// batch after another.
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: 1, ReplicationFactor: env.Replicas(),
				Configs: map[string]string{"max.message.bytes": strconv.Itoa(p3MaxBytes)}})
			return Vars{"TOPIC": topic, "COUNT": strconv.Itoa(count), "NOTES": strings.Join(notes, ",")}, err
		},
		Check: checkAsyncErrors,
	}
}

// p3MaxBytes is the max.message.bytes of p3's topic: an order with a short
// note makes a record batch of about 300 bytes, one with a long note (1.5
// to 4 times this) a batch larger than it.
const p3MaxBytes = 1024

// summary is the line the program of p3 prints.
var summary = regexp.MustCompile(`(?m)^sent (\d+), failed (\d+)\s*$`)

func checkAsyncErrors(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error) {
	topic, count := v["TOPIC"], v.Int("COUNT")
	fits := 0
	for _, n := range v.List("NOTES") {
		if l, _ := strconv.Atoi(n); l < p3MaxBytes {
			fits++
		}
	}
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	orders := 0
	for _, m := range stored {
		if _, err := lessons.DecodeOrder(m.Value); err == nil {
			orders++
		}
	}
	on := Line{What: "orders on " + topic, Want: fmt.Sprintf("%d (every order whose record fits in max.message.bytes = %d)", fits, p3MaxBytes),
		Got: strconv.Itoa(orders), OK: orders == fits}

	all := summary.FindAllStringSubmatch(r.Stdout, -1)
	if len(all) == 0 {
		return []Line{on, {What: "the program's line `sent N, failed M`", Want: "printed", Got: "no such line in its output"}}, nil
	}
	last := all[len(all)-1]
	sent, _ := strconv.Atoi(last[1])
	failed, _ := strconv.Atoi(last[2])

	s := want("orders reported sent", orders, sent)
	f := want("orders reported failed", fmt.Sprintf("%d (%d − the %d stored)", count-orders, count, orders), failed)
	f.OK = failed == count-orders
	switch {
	case sent+failed < count:
		why := fmt.Sprintf("only %d of the %d orders reported: the program printed before its writer was done; Close sends what is pending and waits for every batch and its Completion call", sent+failed, count)
		f.Why = why
		if !on.OK && orders < fits {
			on.Why = "the program ended before its writer had sent every order: Close sends what is pending and waits for it"
		}
	case failed == 0 && sent == count && orders < count:
		f.Why = "Async: WriteMessages returned nil for writes that failed; only Completion sees their errors"
	}
	return []Line{on, s, f}, nil
}
