package exercise

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 5 follows lesson 5 (and lesson 6 step 2): a poll loop that
// prints each new order from every partition, and stops cleanly on Ctrl-C.
//
// Without a GroupID a kafka-go Reader reads the one partition of
// ReaderConfig.Partition, 0 unless set (reader.go, NewReader), from its
// first offset until SetOffset (pinned by
// TestKafkaGo_ReaderStartOffsetDefaultIsFirstOffset). The program reads each
// partition's end (its high watermark) before it prints "ready", so a
// reader set there misses nothing produced after "ready": the check waits
// for that line before it orders, and the test does not depend on timing.
// ReadMessage returns ctx's error once ctx is cancelled (FetchMessage
// selects on ctx.Done()): both pinned by
// TestKafkaGo_ReaderWithoutPartitionReadsPartition0Only.
func pollLoopExercise() Exercise {
	return Exercise{
		ID: "5", Dir: "05_poll_loop", Lesson: 5,
		Title: "A poll loop over every partition, stopped by Ctrl-C",
		Goal:  fmt.Sprintf("Every order produced to $TOPIC after the program printed \"ready\", whatever its partition, is printed exactly once (its order_id on a line), none of the orders already there is, and after Ctrl-C the program exits 0 within %v.", stopWithin),
		Hints: []string{
			"Look at the partitions of the orders the program printed, and at what it says when you press Ctrl-C: it reads one partition, and it takes the Ctrl-C for a failure.",
			"Without a GroupID, a Reader reads the one partition ReaderConfig.Partition names (0 unless set): read every partition in ends with a Reader each, set to its end before \"ready\", each polled by its own goroutine. Ctrl-C cancels ctx (kit.Context is signal.NotifyContext), and ReadMessage then returns that context's error: lesson 6 step 2 leaves the loop when ctx.Err() != nil.",
			"In main: for p, end := range ends { r := newReader(topic, p); defer r.Close(); r.SetOffset(end); loops.Add(1); go func() { defer loops.Done(); poll(ctx, r) }() }, then print \"ready\" and loops.Wait() (a sync.WaitGroup). In poll, before the err check: if ctx.Err() != nil { return }.",
		},
		ChecksExit: true,
		// Readers left at the default MaxWait, closed one after another,
		// take up to about 9 s each to close: long enough for the check to
		// say so, rather than to stop the program.
		Limit:   60 * time.Second,
		Prepare: preparePollLoop,
		During:  duringPollLoop,
		Check:   checkPollLoop,
	}
}

// stopWithin is how long a program may take to exit after its Ctrl-C: a
// Reader with MaxWait 250 ms closes in well under a second.
const stopWithin = 2 * time.Second

// readyLine is what the program of exercise 5 prints once every reader is
// at its partition's end.
const readyLine = "ready"

func preparePollLoop(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic := env.Name("ex5-orders-" + suffix())
	partitions := between(2, 4)
	if err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: env.Replicas()}); err != nil {
		return nil, err
	}
	// Orders already there, on every partition: a reader that starts at
	// the first offset prints them.
	old := lessons.SampleOrders(0, between(2*partitions, 3*partitions))
	at := make([]int, len(old))
	for i := range at {
		at[i] = i % partitions
	}
	if err := produceAt(ctx, env, topic, old, at); err != nil {
		return nil, err
	}
	var ids []string
	for _, o := range old {
		ids = append(ids, o.OrderID)
	}
	return Vars{"TOPIC": topic, "PARTITIONS": strconv.Itoa(partitions), "OLD": strings.Join(ids, ",")}, nil
}

// produceAt writes orders[i] to partition at[i] of topic, with acks=all.
func produceAt(ctx context.Context, env *lessons.Env, topic string, orders []lessons.Order, at []int) error {
	msgs := make([]kafka.Message, len(orders))
	for i, o := range orders {
		value, err := o.MarshalValue()
		if err != nil {
			return err
		}
		msgs[i] = kafka.Message{Value: value, Partition: at[i]}
	}
	// A Writer places a message with its Balancer, which is handed the
	// message: this one answers the Partition set above.
	byPartition := kafka.BalancerFunc(func(m kafka.Message, _ ...int) int { return m.Partition })
	return lessons.Send(ctx, env, topic, msgs, env.Out.Record, lessons.Sending{Balancer: byPartition})
}

// spreadOver writes orders over the partitions of topic, in a random
// order, every partition getting at least one when there are as many
// orders, and returns their ids.
func spreadOver(ctx context.Context, env *lessons.Env, topic string, partitions int, orders []lessons.Order) ([]string, error) {
	at := rand.Perm(len(orders))
	for i := range at {
		at[i] %= partitions
	}
	if err := produceAt(ctx, env, topic, orders, at); err != nil {
		return nil, err
	}
	ids := make([]string, len(orders))
	for i, o := range orders {
		ids[i] = o.OrderID
	}
	return ids, nil
}

// duringPollLoop waits for "ready", orders a random number of orders over
// every partition, waits until the program has printed each one (or a
// while), and presses Ctrl-C.
func duringPollLoop(ctx context.Context, env *lessons.Env, v Vars, _ int, p *Process) error {
	defer interrupt(p)
	if !p.WaitPrinted(ctx, 20*time.Second, readyLine) {
		return nil // the check says what was missing
	}
	partitions := v.Int("PARTITIONS")
	orders := lessons.SampleOrders(between(10, 20), between(partitions+1, 3*partitions))
	ids, err := spreadOver(ctx, env, v["TOPIC"], partitions, orders)
	if err != nil {
		return err
	}
	p.WaitPrinted(ctx, 15*time.Second, ids...)
	return nil
}

// interrupt presses Ctrl-C, unless the program has already ended.
func interrupt(p *Process) {
	select {
	case <-p.Done():
	default:
		p.Interrupt() // fails only when the program has just ended
	}
}

func checkPollLoop(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error) {
	topic := v["TOPIC"]
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	old := v.List("OLD")
	type order struct {
		id        string
		partition int
	}
	var fresh []order // produced after "ready"
	for _, m := range stored {
		var o lessons.Order
		if json.Unmarshal(m.Value, &o) == nil && o.OrderID != "" && !slices.Contains(old, o.OrderID) {
			fresh = append(fresh, order{o.OrderID, m.Partition})
		}
	}
	printed, twice, oldPrinted := 0, 0, 0
	var from []int // the partitions of the new orders printed
	for _, o := range fresh {
		switch strings.Count(r.Stdout, o.id) {
		case 0:
			continue
		case 1:
		default:
			twice++
		}
		printed++
		if !slices.Contains(from, o.partition) {
			from = append(from, o.partition)
		}
	}
	for _, id := range old {
		if strings.Contains(r.Stdout, id) {
			oldPrinted++
		}
	}
	slices.Sort(from)

	partitions := v.Int("PARTITIONS")
	news := Line{What: "new orders printed", Want: fmt.Sprintf("all %d, from %s's %d partitions", len(fresh), topic, partitions),
		Got: fmt.Sprintf("%d, from partitions %v", printed, from), OK: len(fresh) > 0 && printed == len(fresh)}
	switch {
	case !strings.Contains(r.Stdout, readyLine):
		news.Want, news.Got = "orders to print", "none produced"
		news.Why = fmt.Sprintf("the program never printed %q, so the check never ordered: print it once every reader is at its partition's end", readyLine)
	case len(fresh) == 0:
		news.Want, news.Got = "orders to print", "none produced"
	case printed == 0:
		news.Got = "none"
	case !news.OK && slices.Equal(from, []int{0}):
		news.Why = "only partition 0's: a Reader without a GroupID reads the one partition of ReaderConfig.Partition, 0 unless set"
	}
	olds := Line{What: "orders already on " + topic + " printed", Want: "none (the loop starts at each partition's end)",
		Got: fmt.Sprintf("%d of %d", oldPrinted, len(old)), OK: oldPrinted == 0}
	if oldPrinted == len(old) {
		olds.Why = "every partition was read from its first offset, where a Reader without a GroupID starts until SetOffset"
	}
	return []Line{
		news,
		want("new orders printed more than once", 0, twice),
		olds,
		stopLine(r, stopWithin),
	}, nil
}

// stopLine says how the program ended after the check's Ctrl-C: it should
// exit 0 within d.
func stopLine(r Run, d time.Duration) Line {
	l := Line{What: "after Ctrl-C", Want: fmt.Sprintf("%s within %v", exitedOK, d)}
	if !r.Interrupted || r.Stopping < 0 {
		l.Got = fmt.Sprintf("%s before the Ctrl-C", r.Exit)
		return l
	}
	l.Got = fmt.Sprintf("%s after %v", r.Exit, r.Stopping.Round(time.Millisecond))
	l.OK = r.Exit == exitedOK && r.Stopping <= d
	switch {
	case l.OK:
	case r.Exit == "signal: interrupt":
		l.Why = "nothing caught the Ctrl-C, so it killed the program before any Close ran: kit.Context (signal.NotifyContext) turns it into a cancelled context"
	case r.Exit != exitedOK && strings.Contains(r.Stderr, context.Canceled.Error()):
		l.Why = "the loop took the cancelled context for a failure: Ctrl-C is how it should end, so when ctx.Err() != nil leave the loop and let the deferred Closes run"
	case r.Exit == exitedOK:
		l.Why = fmt.Sprintf("Reader.Close waits for the reader's fetch in flight, which the broker holds at the end of a partition until a record comes, for up to MaxWait: %v unless set", defaultMaxWait)
		if r.Stopping > defaultMaxWait+time.Second {
			// Until its Close, a reader goes on fetching: the next Close
			// finds a fetch of its own in flight.
			l.Why += "; readers closed one after another wait in turn"
		}
	}
	return l
}

// defaultMaxWait is ReaderConfig.MaxWait when left unset (pinned by
// TestKafkaGo_ReaderMaxWaitDefaultIs10s).
const defaultMaxWait = 10 * time.Second
