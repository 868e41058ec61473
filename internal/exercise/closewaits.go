package exercise

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Pitfall 4: Close waits for the fetch (kafka-go issue #428, "Reader.Close
// hangs for ReaderConfig.MaxWait", open). Each partition's reader fetches
// with Conn.ReadBatchWith on a connection whose read deadline is MaxWait
// away (reader.go, reader.read); the fetch asks the broker to wait for
// MaxWait less kafka-go's 1 s allowance for the round trip (conn.go,
// adjustDeadlineForRTT), and at the end of a partition the broker holds it
// that long unless a record comes. A cancelled context does not interrupt
// the read. Reader.Close cancels the readers and waits for them
// (r.join.Wait()), then, with a GroupID, for the consumer group, which
// sends LeaveGroup as it closes (ConsumerGroup.run: ErrGroupClosed →
// leaveGroup). So with the default MaxWait of 10 s, Close takes about 9 s
// after a record, with or without a GroupID; with MaxWait 250 ms, a
// fraction of a second. Measured on Apache Kafka 3.8.1 (three nodes), a
// record read 300 ms before Close: 8.7 s with the default, with and
// without a GroupID; 54 and 77 ms with 250 ms. A program that exits
// before Close returns (os.Exit, a Close bounded by a timer) never sends
// LeaveGroup: the member stays in the group until its session times out
// (SessionTimeout, 30 s by default). Pinned by
// TestKafkaGo_ReaderCloseWaitsForTheFetchUpToMaxWait,
// TestKafkaGo_GroupReaderCloseWaitsForTheFetchThenLeaves,
// TestKafkaGo_ReaderCloseLeavesTheGroup and
// TestKafkaGo_GroupTimeoutsDefaultTo30s.
func closeWaitsPitfall() Exercise {
	return Exercise{
		ID: "p4", Dir: "p4_close_waits", Lesson: -1,
		Title: "Pitfall: Close waits for the fetch",
		Goal:  fmt.Sprintf("Every order on $TOPIC is printed once, the program exits 0 within %v of the Ctrl-C, and right after it exits the group $GROUP has no member: it left.", stopWithin),
		Hints: []string{
			"Time what happens after Ctrl-C: \"Ctrl-C: leaving the loop\" comes at once, and the seconds go by in r.Close(), before \"reader closed\".",
			"Close waits for the reader's fetch in flight (kafka-go issue #428). At the end of the topic the broker holds a fetch until a record comes, for up to ReaderConfig.MaxWait: 10 s by default. A cancelled context does not cut it short. Close cannot be hurried from outside either: a program that exits before Close returns never sends LeaveGroup, and the member stays in the group until its session times out.",
			"Set MaxWait: 250 * time.Millisecond in the ReaderConfig, as the lessons do: a fetch then returns within a quarter of a second, with the records or without, and Close waits no longer. A record that comes meanwhile is still delivered at once.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex-p4-orders-" + suffix())
			partitions := between(2, 3)
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: env.Replicas()})
			return Vars{"TOPIC": topic, "PARTITIONS": strconv.Itoa(partitions),
				"GROUP": env.Name("ex-p4-tracker-" + suffix())}, err
		},
		During: duringCloseWaits,
		Check:  checkCloseWaits,
	}
}

// duringCloseWaits orders on every partition while the program runs (a new
// group reads from the first offset, so whenever it joins, it reads them
// all), waits until it has printed each, and presses Ctrl-C: the reader's
// next fetch is then in flight at the end of every partition.
func duringCloseWaits(ctx context.Context, env *lessons.Env, v Vars, _ int, p *Process) error {
	defer interrupt(p)
	partitions := v.Int("PARTITIONS")
	orders := lessons.SampleOrders(between(0, 4), between(partitions+1, 3*partitions))
	ids, err := spreadOver(ctx, env, v["TOPIC"], partitions, orders)
	if err != nil {
		return err
	}
	p.WaitPrinted(ctx, 20*time.Second, ids...)
	return nil
}

func checkCloseWaits(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error) {
	topic, group := v["TOPIC"], v["GROUP"]
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	once := 0
	for _, m := range stored {
		var o lessons.Order
		if json.Unmarshal(m.Value, &o) == nil && o.OrderID != "" && strings.Count(r.Stdout, o.OrderID) == 1 {
			once++
		}
	}
	state, members, err := groupState(ctx, env, group)
	if err != nil {
		return nil, err
	}
	stop := stopLine(r, stopWithin)
	left := Line{What: "members of " + group + " right after the exit", Want: "0 (Empty: the member left)",
		Got: fmt.Sprintf("%d (%s)", members, state), OK: members == 0 && state == "Empty"}
	if members > 0 && stop.OK {
		left.Why = "the program exited before Reader.Close returned, or without it: Close sends LeaveGroup only after the fetches in flight end, and a member that does not leave stays until its session times out (SessionTimeout, 30 s by default)"
	}
	return []Line{
		want("orders on "+topic+" printed once", len(stored), once),
		stop,
		left,
	}, nil
}
