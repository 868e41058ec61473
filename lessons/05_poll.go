package lessons

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// pollLoopLesson is lesson 5: the consumer's loop.
func pollLoopLesson() Lesson {
	return Lesson{
		Number: 5,
		Title:  "The poll loop",
		Goal:   "Wait for orders in a loop, one second at a time, and print each as it arrives.",
		Summary: []string{
			"A consumer is a loop: wait a bounded time for a record, handle it, go round again.",
			"\"Nothing yet\" is a normal answer: in kafka-go, a ReadMessage whose deadline passed.",
			"A record produced while the loop runs is delivered at once: the reader's fetch is already waiting on the broker.",
			"A record that is not an order gets a warning with its partition and offset, and the loop goes on.",
		},
		Quiz: []Question{
			{
				Ask: "A poll waits 1 s and nothing comes. What should the loop do?",
				Choices: []string{
					"Stop: the topic is empty",
					"Go round again: \"nothing yet\" is a normal answer",
					"Reconnect to the broker",
				},
				Answer: 1,
				Why:    "A poll that times out only says nothing came yet; the loop waits again.",
				Step:   2,
			},
			{
				Ask: "A customer orders while the loop is waiting. When does the order show up?",
				Choices: []string{
					"As soon as it is delivered: the reader's fetch is already waiting",
					"Only after the loop's current 1 s poll has run out",
					"Only when the loop is started again",
				},
				Answer: 0,
				Why:    "A fetch waits on the broker (up to MaxWait) for new records and returns as soon as there is one, so the order reaches the waiting reader at once.",
				Step:   2,
			},
			{
				Ask: "Why does each partition's reader start at that partition's last offset, read before anyone orders?",
				Choices: []string{
					"To print only new orders, and miss none that come later",
					"Because a Reader cannot start at offset 0",
					"To skip the poison pills at the start of the topic",
				},
				Answer: 0,
				Why:    "Placed at the high watermark before the customer orders, each reader gets every record produced after that point and none of the old ones.",
				Step:   1,
			},
		},
		Plan: func() Plan {
			l := &pollState{}
			return Plan{Setup: topicReady, Steps: []Step{
				{Title: "Open a reader at the end of each partition", Run: l.open, Reset: l.cleanup},
				{Title: "Poll while a customer orders", Run: l.loop, Needs: []int{1}},
				{Title: "Close the readers", Run: l.close, Needs: []int{1}, Ends: []int{1}},
			}, Cleanup: l.cleanup}
		},
	}
}

type pollState struct {
	poller *Poller
}

func (l *pollState) cleanup() {
	if l.poller != nil {
		l.poller.Close()
		l.poller = nil
	}
}

// The loop should print only new orders, so each partition's reader starts
// at that partition's last offset, read first with ListOffsets: a reader
// placed there before anyone produces cannot miss a record. Without a
// GroupID, one kafka-go Reader reads one partition; the Poller (poll.go)
// runs one per partition and hands their records out one at a time.
func (l *pollState) open(ctx context.Context, env *Env) error {
	marks, err := ReadWatermarks(ctx, env, env.Topic)
	if err != nil {
		return err
	}
	offsets := map[int]int64{}
	for _, w := range marks {
		offsets[w.Partition] = w.Last
		env.Out.Value(fmt.Sprintf("partition %d starts at", w.Partition), w.Last)
	}
	l.poller, err = NewPoller(env, env.Topic, offsets)
	return err
}

// Each turn waits up to 1 s for an order. When nothing comes, it says so
// and goes round again. Meanwhile a simulated customer, a goroutine standing
// in for a second program, sends three orders; each shows up in the loop as
// soon as it is delivered. An order may be printed as received before its
// own "Delivered" line: the broker answers the waiting reader and the
// customer's writer at about the same moment, and the writer's Completion
// callback, which prints that line, runs only once the answer is back.
//
// If you know the Python client: Poll(ctx, time.Second) is the original
// consumer.py's poll(1.0), and "nothing yet" is its None. The customer
// stands in for running producer.py while consumer.py waits.
func (l *pollState) loop(ctx context.Context, env *Env) error {
	var customer sync.WaitGroup
	var customerErr error
	customer.Add(1)
	go func() { // the other terminal
		defer customer.Done()
		time.Sleep(1200 * time.Millisecond)
		customerErr = ProduceOrders(ctx, env, env.Topic, []Order{SampleOrder(0), SampleOrder(1), SampleOrder(2)},
			func(r Record) { r.From = "customer"; env.Out.Record(r) })
	}()
	defer customer.Wait()

	received := 0
	for polls := 0; received < 3 && polls < 10; polls++ {
		msg, err := l.poller.Poll(ctx, time.Second)
		if errors.Is(err, ErrNoMessage) {
			env.Out.Say("nothing yet")
			continue
		}
		if err != nil {
			return err
		}
		if _, err := Receive(env.Out, msg); err == nil {
			received++
		}
	}
	customer.Wait()
	if customerErr != nil {
		return fmt.Errorf("the customer could not order: %w", customerErr)
	}
	env.Out.Value("orders received", received)
	return nil
}

// Closing stops each reader's fetch loop and its connection. Lesson 6 is
// about doing this on every path out, Ctrl-C included.
func (l *pollState) close(ctx context.Context, env *Env) error {
	if err := l.poller.Close(); err != nil {
		return fmt.Errorf("close readers: %w", err)
	}
	env.Out.Say("readers closed")
	return nil
}
