package lessons

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
)

// closeLesson is lesson 6: close cleanly, on Ctrl-C too, and resume where you were.
func closeLesson() Lesson {
	return Lesson{
		Number: 6,
		Title:  "Close: defer, Ctrl-C and committed offsets",
		Goal:   "Close readers and writers on every way out, and let a consumer group resume where it stopped.",
		Summary: []string{
			"defer Close() right after opening: deferred calls run on every return, last opened first.",
			"signal.NotifyContext turns Ctrl-C into a cancelled context; the loop ends and the deferred Closes run.",
			"A consumer group stores its position as committed offsets in the broker.",
			"With auto-commit off, commit after handling a record: a restarted consumer resumes after the last commit.",
			"That is at least once: an order handled but not yet committed when the program dies comes again.",
			"Once a kafka-go group is empty, its offsets expire after offsets.retention.minutes (7 days); then StartOffset decides, and its default, FirstOffset, replays the topic.",
		},
		Quiz: []Question{
			{
				Ask: "You press Ctrl-C while ReadMessage waits, in a program that uses signal.NotifyContext. What happens?",
				Choices: []string{
					"The program dies at once; the reader is never closed",
					"The context is cancelled, ReadMessage returns, deferred Closes run",
					"Nothing until the next record arrives",
				},
				Answer: 1,
				Why:    "signal.NotifyContext turns SIGINT into a cancelled context. ReadMessage takes it and returns at once, and the deferred Close runs before the program exits (Close takes no context: it waits for the fetch in flight, up to MaxWait).",
				Step:   2,
			},
			{
				Ask: "A Reader with a GroupID: which call commits a record's offset before your code has handled it?",
				Choices: []string{
					"ReadMessage",
					"FetchMessage",
					"Neither: kafka-go never commits by itself",
				},
				Answer: 0,
				Why:    "With a GroupID, ReadMessage commits the offset itself, synchronously, before it returns: a crash afterwards loses that record (at most once). Java's enable.auto.commit commits later, at a poll, what earlier polls returned. FetchMessage leaves the commit to CommitMessages.",
				Step:   4,
			},
			{
				Ask: "The consumer commits each order after printing it. It dies after printing one and before committing it. What happens after a restart?",
				Choices: []string{
					"That order is lost",
					"That order is printed again: at least once",
					"Kafka sees the crash and commits it: exactly once",
				},
				Answer: 1,
				Why:    "A restarted member resumes after the last committed offset, so the order handled but not committed comes again. Commit-after-handling is at least once.",
				Step:   5,
			},
		},
		Plan: func() Plan {
			c := &closeState{group: "order_tracker_debug-" + uuid.NewString()[:8]}
			return Plan{Setup: topicReady, Steps: []Step{
				{Title: "defer Close", Run: deferClose},
				{Title: "Ctrl-C closes the consumer", Run: interrupt},
				{Title: "A consumer group, positioned at the end", Run: c.newGroup},
				{Title: "Consume two orders and commit them", Run: c.consumeAndCommit, Needs: []int{3}},
				{Title: "Restart: resume from the committed offsets", Run: c.resume, Needs: []int{3}},
				{Title: "Committed offsets expire", Run: c.expiry, Needs: []int{3}},
			}}
		},
	}
}

// defer runs a call when the function returns, whichever return it is. Put
// it right after the open, and a later error cannot leak the writer or the
// reader. Deferred calls run last-in, first-out: the reader closes first.
// Neither Close takes a context, and both can wait (a Reader for its fetch
// in flight, up to MaxWait), which is why the runner bounds its own closes.
func deferClose(ctx context.Context, env *Env) error {
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: env.Topic,
		RequiredAcks: kafka.RequireAll}
	defer func() {
		w.Close()
		env.Out.Say("writer closed (deferred first, runs last)")
	}()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: env.Topic, Partition: 0,
		MaxWait: FetchWait})
	defer func() {
		r.Close()
		env.Out.Say("reader closed (deferred last, runs first)")
	}()
	env.Out.Say("writer and reader open; returning now")
	return nil
}

// signal.NotifyContext returns a context that is cancelled when the program
// gets SIGINT (Ctrl-C) or SIGTERM. ReadMessage, FetchMessage,
// CommitMessages and WriteMessages take that context, so the loop wakes up
// at once, leaves, and the deferred Close runs before the program exits.
// Close takes no context: it waits for the fetch in flight, up to MaxWait
// (here 250 ms; 10 s by default). While the handler is registered, Ctrl-C
// only cancels the context; stop() unregisters it, and then a second
// Ctrl-C kills the program as usual. A deferred stop() alone would run
// after the Closes, so a slow Close could not be killed: context.AfterFunc
// calls stop() as soon as the context is done. Here a timer stands in for
// your finger: stop() cancels the context exactly as Ctrl-C would. Press
// Ctrl-C during "go run ./runner consume" to see the real one.
func interrupt(ctx context.Context, env *Env) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // the first Ctrl-C unregisters: a second one kills
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: env.Topic, Partition: 0,
		MaxWait: FetchWait})
	defer func() {
		r.Close()
		env.Out.Event("consumer closed")
	}()
	if err := r.SetOffset(kafka.LastOffset); err != nil {
		return fmt.Errorf("set offset: %w", err)
	}
	finger := time.AfterFunc(1500*time.Millisecond, func() {
		env.Out.Say("^C (simulated)")
		stop()
	})
	defer finger.Stop()
	for {
		msg, err := r.ReadMessage(ctx)
		if ctx.Err() != nil {
			env.Out.Say("interrupted: leaving the loop")
			return nil
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		Receive(env.Out, msg)
	}
}

// Pinned by TestKafkaGo_ReaderGroupBalancersDefaultRangeThenRoundRobin,
// …GroupLeaderClientComputesAssignment, …ReadMessageCommitsFetchMessageDoesNot,
// …ReaderCloseWaitsForTheFetchUpToMaxWait, …CommitIntervalQueuesUntilTheTickOrClose,
// …ReaderCloseLeavesTheGroup and …ExpiredOffsetsReplayFromFirstOffset.
type closeState struct {
	group string
}

// To commit an offset is to store it in Kafka as the place a consumer
// group resumes reading a partition from: the offset of the next record to
// handle. A group's position is nothing but its committed offsets, stored
// by the broker. A new group has none; this step commits
// the current end of each partition for it, as
// "kafka-consumer-groups --reset-offsets --to-latest" would (retrying while
// a fresh broker sets up its offsets topic), then produces four new orders
// for it to read. Each run uses a new group name, so the lesson gives the
// same result every time.
//
// If you know the Python client: the original consumer.py set group.id
// order_tracker_debug but used assign(): it never joined the group (no
// rebalance), and with enable.auto.commit off it committed nothing; the
// group id only named where offsets would go. Here a real group does the
// work.
func (c *closeState) newGroup(ctx context.Context, env *Env) error {
	marks, err := ReadWatermarks(ctx, env, env.Topic)
	if err != nil {
		return err
	}
	var commits []kafka.OffsetCommit
	for _, w := range marks {
		commits = append(commits, kafka.OffsetCommit{Partition: w.Partition, Offset: w.Last})
	}
	req := &kafka.OffsetCommitRequest{
		GroupID:      env.Name(c.group),
		GenerationID: -1, // no member: an administrative commit
		Topics:       map[string][]kafka.OffsetCommit{env.Topic: commits},
	}
	if err := commitRetrying(ctx, env.Client(), req); err != nil {
		return fmt.Errorf("commit start offsets for %s: %w", req.GroupID, err)
	}
	env.Out.Value("group", env.Name(c.group))
	for _, w := range marks {
		env.Out.Value(fmt.Sprintf("committed partition %d", w.Partition), w.Last)
	}
	orders := []Order{SampleOrder(0), SampleOrder(1), SampleOrder(2), SampleOrder(3)}
	return ProduceOrders(ctx, env, env.Topic, orders, env.Out.Record)
}

// A consumer group's coordinator is the broker that manages the group: it
// keeps track of its members and stores the offsets they commit.
//
// A Reader with a GroupID joins the group. Each member offers its
// GroupBalancers (kafka-go's default: Range, then RoundRobin); the
// coordinator picks one protocol that every member offers, the group's
// leader (a member the coordinator chose, not a partition's leader)
// computes who reads which partition with it, and the coordinator hands
// that out to every member (SyncGroup). It starts from the
// group's committed offsets. FetchMessage does not commit. ReadMessage
// would: with a GroupID (and CommitInterval 0) it commits each record
// synchronously before returning it, so a crash while handling it loses
// it. That is not Java's enable.auto.commit, which commits, at a later
// poll, what earlier polls returned. The program commits with
// CommitMessages once an order is handled: one round trip per record, which
// shows each commit; production code commits in batches, every few hundred
// records or with a CommitInterval (CommitMessages then queues the offsets,
// sent every interval and when the Reader closes). After two orders it
// closes, as if the program stopped.
func (c *closeState) consumeAndCommit(ctx context.Context, env *Env) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:           env.Brokers,
		Dialer:            env.Dialer,
		GroupID:           env.Name(c.group),
		Topic:             env.Topic,
		MaxWait:           FetchWait,
		HeartbeatInterval: time.Second,
	})
	defer func() {
		r.Close()
		env.Out.Say("consumer closed")
	}()
	fetchCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for got := 0; got < 2; {
		msg, err := r.FetchMessage(fetchCtx)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("no new order for group %s within 10 s: it has read and committed all of them. "+
				"Run step 3 again to produce more", env.Name(c.group))
		}
		if err != nil {
			return fmt.Errorf("fetch from group %s: %w", env.Name(c.group), err)
		}
		if _, err := Receive(env.Out, msg); err == nil {
			got++
		}
		if err := r.CommitMessages(fetchCtx, msg); err != nil {
			return fmt.Errorf("commit offset %d of partition %d: %w", msg.Offset+1, msg.Partition, err)
		}
		env.Out.Value(fmt.Sprintf("committed: partition %d resumes at", msg.Partition), msg.Offset+1)
	}
	return nil
}

// A restarted consumer with the same GroupID gets the committed offsets
// back from the broker (OffsetFetch, shown here first) and goes on right
// after the last committed order: the other two orders. Nothing is missed;
// but an order printed and not yet committed when a program dies would be
// printed again: commit-after-handling is "at least once". The restarted
// program is the very same code as the previous step.
func (c *closeState) resume(ctx context.Context, env *Env) error {
	resp, err := env.Client().OffsetFetch(ctx, &kafka.OffsetFetchRequest{
		GroupID: env.Name(c.group),
		Topics:  map[string][]int{env.Topic: {0, 1, 2}},
	})
	if err != nil {
		return fmt.Errorf("fetch the offsets of group %s: %w", env.Name(c.group), err)
	}
	for _, p := range resp.Topics[env.Topic] {
		env.Out.Value(fmt.Sprintf("group's offset for partition %d", p.Partition), p.CommittedOffset)
	}
	return c.consumeAndCommit(ctx, env)
}

// Committed offsets are not kept forever. Once a kafka-go group is empty,
// its last member gone as here, the broker keeps its offsets for
// offsets.retention.minutes (7 days by default) and then deletes them
// (KIP-211, Kafka 2.1); the offsets of a standalone consumer, which commits
// without joining, expire that long after its last commit. A group that
// lost its offsets starts where StartOffset says, FirstOffset by default:
// a service stopped for more than a week reads the whole topic again.
// Where skipping is better than replaying, set StartOffset:
// kafka.LastOffset.
func (c *closeState) expiry(ctx context.Context, env *Env) error {
	group, err := DescribeGroup(ctx, env, env.Name(c.group))
	if err != nil {
		return err
	}
	env.Out.Value("group state", group.GroupState) // Empty: the retention clock runs
	env.Out.Value("members", len(group.Members))
	minutes, err := BrokerSetting(ctx, env, "offsets.retention.minutes")
	if err != nil {
		return err
	}
	m, err := strconv.Atoi(minutes)
	if err != nil {
		return fmt.Errorf("offsets.retention.minutes %q: %w", minutes, err)
	}
	env.Out.Value("offsets kept after the group empties", time.Duration(m)*time.Minute)
	return nil
}
