package lessons

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
)

// produceLesson is lesson 3: send orders and get a delivery report for each.
func produceLesson() Lesson {
	return Lesson{
		Number: 3,
		Title:  "Produce with a delivery report",
		Goal:   "Send orders to the topic and learn, for each, the partition and offset Kafka stored it at.",
		Summary: []string{
			"A kafka.Writer sends records; RequiredAcks: kafka.RequireAll waits until every replica in the ISR has them.",
			"A zero-value Writer is fire-and-forget (acks=0): always say which acks you want.",
			"Completion is kafka-go's delivery report, run on the writer's goroutines: each record with its partition and offset, or the error.",
			"Writes are batched per partition: an asynchronous writer returns at once; Close flushes what is pending, then refuses writes (io.ErrClosedPipe); it returns nil, failures only reach Completion.",
			"BatchTimeout (1 s by default) is how long a batch waits to fill: set it low for synchronous writes.",
		},
		Quiz: []Question{
			{
				Ask: "The writer sent three orders without keys to a three-partition topic. Where did they go?",
				Choices: []string{
					"All to partition 0",
					"One to each partition, in turn",
					"To partitions chosen by hashing each order's JSON",
				},
				Answer: 1,
				Why:    "A kafka.Writer's default Balancer is RoundRobin: each record goes to the next partition. Keys only place records with a key-aware balancer, such as kafka.Hash.",
				Step:   2,
			},
			{
				Ask: "A kafka.Writer leaves RequiredAcks at its zero value. What does that mean?",
				Choices: []string{
					"acks=all: every in-sync replica confirms",
					"acks=1: the leader confirms",
					"acks=0: no answer from the broker, so no offsets in the reports",
				},
				Answer: 2,
				Why:    "The zero value is kafka.RequireNone: fire-and-forget. Nothing confirms the write and the delivery report carries no partition or offset. Always say which acks you want.",
				Step:   1,
			},
			{
				Ask: "One synchronous WriteMessages of one order, with kafka-go's defaults, takes about a second. Why?",
				Choices: []string{
					"acks=all waits for the broker's disk",
					"The batch waits for BatchTimeout (1 s by default) to fill",
					"The writer opens a new connection for every call",
				},
				Answer: 1,
				Why:    "kafka-go sends a batch when it is full or when BatchTimeout has passed since its first record: one record per call waits the full second. Set BatchTimeout low for synchronous writes.",
				Step:   4,
			},
		},
		Plan: func() Plan {
			p := &produceState{}
			return Plan{Setup: topicReady, Steps: []Step{
				{Title: "A writer with a delivery report", Run: p.newWriter, Reset: p.restart},
				{Title: "Send three orders", Run: p.send, Needs: []int{1}},
				{Title: "Close: the flush", Run: p.close, Needs: []int{1}, Ends: []int{1}},
				{Title: "What the default BatchTimeout costs", Run: p.batchTimeout},
			}, Cleanup: p.cleanup}
		},
	}
}

// What this lesson says of kafka-go is pinned by TestKafkaGo_WriterDefaultsInStats,
// …RequiredAcksDefaultIsNone, …DefaultBalancerIsRoundRobin, …CompletionRunsConcurrently…,
// …WriterCloseReturnsNilAfterFailures, …WriterCloseFlushesThenRefusesWrites,
// …WriterNonRetriableErrorFailsAtOnce, …StatsCountARetriedBatchAgain (a
// temporary error is retried) and …BatchTimeoutDefaultIs1s.
type produceState struct {
	w       *kafka.Writer
	queued  int
	reports atomic.Int64 // Completion runs on the writer's goroutines
}

// cleanup closes the writer if the lesson ends before the close step.
func (p *produceState) cleanup() {
	if p.w != nil {
		CloseWithin(p.w, 1500*time.Millisecond)
		p.w = nil
	}
}

// restart forgets the writer and what it counted, before step 1 makes a new
// one: the counts of step 3 are the new writer's.
func (p *produceState) restart() {
	p.cleanup()
	p.queued = 0
	p.reports.Store(0)
}

// A Writer is kafka-go's producer. RequiredAcks: RequireAll is acks=all:
// the broker answers only when every replica in the ISR appended the record,
// and its answer carries the partition and the offset. A Writer left at its
// zero value is fire-and-forget (acks=0, and no offsets in its reports):
// so every writer here says its RequiredAcks. Completion is called with the
// answer: it is the delivery report. It runs on the writer's own goroutines,
// several at once, so what it touches must be safe for concurrent use, like
// the atomic counter here. Async makes WriteMessages return at once.
//
// If you know the Python client: its default is acks=all. Completion is the
// delivery_report callback, which Python runs inside poll() or flush(), and
// kafka-go on its own goroutines.
func (p *produceState) newWriter(ctx context.Context, env *Env) error {
	p.w = &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    env.Transport,
		Topic:        env.Topic,
		RequiredAcks: kafka.RequireAll,
		Async:        true,
		BatchTimeout: 10 * time.Millisecond,
		MaxAttempts:  3, // a temporary error: three tries, then the report
		Completion: func(messages []kafka.Message, err error) {
			for _, m := range messages {
				p.reports.Add(1)
				// "Delivered to orders [P] @ offset O", or why it failed.
				env.Out.Record(Delivery(m, err))
			}
		},
	}
	env.Out.Say("Writer ready for topic %s, acks=all, asynchronous.", env.Topic)
	return nil
}

// Each order is encoded to JSON and handed to the writer. With Async the
// call only queues the record; the delivery reports arrive a moment later,
// from the writer's own goroutine. The writer spreads records over the
// partitions in turn (its default balancer is round-robin).
func (p *produceState) send(ctx context.Context, env *Env) error {
	for i := 0; i < 3; i++ {
		value, err := json.Marshal(SampleOrder(i))
		if err != nil {
			return fmt.Errorf("encode order: %w", err)
		}
		if err := p.w.WriteMessages(ctx, kafka.Message{Value: value}); err != nil {
			return fmt.Errorf("queue order: %w", err)
		}
		p.queued++
		env.Out.Say("queued order %d", p.queued)
	}
	return nil
}

// Close sends what is still queued and waits until each batch is delivered
// or has failed: at once for an error kafka-go does not retry (a record too
// large for the topic, a topic you may not write to), after up to
// MaxAttempts tries for a temporary one (a leader that moved, a dropped
// connection). When it returns, every delivery report has arrived. Then
// the writer takes no more records: a later WriteMessages returns
// io.ErrClosedPipe. Close always returns
// nil: failures reach you only in Completion, so count the reports against
// the orders queued. (The connections belong to the Transport, which
// outlives the writer.) A program that exits without closing its writer
// loses what is still queued.
//
// If you know the Python client: Close does what producer.flush() did at
// the end of the original producer.py, waiting for every delivery report,
// and then shuts the writer; a kafka.Writer has no Flush method.
func (p *produceState) close(ctx context.Context, env *Env) error {
	if p.queued == 0 {
		env.Out.Say("This writer has queued no order (step 2 did not run with it): Close has nothing to flush.")
	}
	p.w.Close()
	env.Out.Value("orders queued", p.queued)
	env.Out.Value("delivery reports", p.reports.Load())
	err := p.w.WriteMessages(ctx, kafka.Message{Value: []byte("too late")})
	env.Out.Value("a write after Close", err)
	return nil
}

// A synchronous WriteMessages returns when its records are acknowledged, or
// have failed (at once, or after MaxAttempts tries: step 3). kafka-go
// batches per partition and sends a batch when it is full (BatchSize, 100
// records, or BatchBytes, 1 MiB) or when BatchTimeout has passed since its
// first record: 1 s by default. One order per call thus waits a full
// second. Timed here: one write with the default, then three with
// BatchTimeout set to 1 ms.
func (p *produceState) batchTimeout(ctx context.Context, env *Env) error {
	slow := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: env.Topic,
		RequiredAcks: kafka.RequireAll}
	perWrite, err := timeWrites(ctx, slow, 1)
	if err != nil {
		return err
	}
	env.Out.Value("one synchronous write, BatchTimeout default (1s)", perWrite)

	fast := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: env.Topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	perWrite, err = timeWrites(ctx, fast, 3)
	if err != nil {
		return err
	}
	env.Out.Value("one synchronous write, BatchTimeout 1ms (mean of 3)", perWrite)
	env.Out.Say("Every lesson and command here sets BatchTimeout for that reason.")
	return nil
}

// timeWrites writes n orders one call at a time, closes w, and returns the
// mean time of one call.
func timeWrites(ctx context.Context, w *kafka.Writer, n int) (time.Duration, error) {
	defer w.Close()
	start := time.Now()
	for i := 0; i < n; i++ {
		value, err := SampleOrder(i).MarshalValue()
		if err != nil {
			return 0, err
		}
		if err := w.WriteMessages(ctx, kafka.Message{Value: value}); err != nil {
			return 0, fmt.Errorf("write order: %w", err)
		}
	}
	return (time.Since(start) / time.Duration(n)).Round(time.Millisecond), nil
}
