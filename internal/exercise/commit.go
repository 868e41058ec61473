package exercise

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Pitfall 2: committed before it was handled (kafka-go issue #626). With a
// GroupID, Reader.ReadMessage is FetchMessage followed by CommitMessages of
// the message it returns (reader.go, ReadMessage), and with CommitInterval 0
// CommitMessages waits for the commit (useSyncCommits). A crash while the
// order is handled loses it: at most once. The fix is lesson 10's at least
// once: FetchMessage, handle, then CommitMessages. Both behaviours are
// pinned by lessons' TestKafkaGo_ReadMessageCommitsFetchMessageDoesNot and
// TestKafkaGo_CommitMessagesIsSynchronousByDefault.
func commitBeforeWorkPitfall() Exercise {
	return Exercise{
		ID: "p2", Dir: "p2_commit_before_work", Lesson: -1,
		Title: "Pitfall: committed before it was handled",
		Goal:  "The group $GROUP has committed exactly the orders it handled: its committed offset on $TOPIC is the number of orders on $OUT, so a restart would handle the order at offset $CRASH_AT again.",
		Hints: []string{
			"Compare the group's committed offset after the crash with the orders on $OUT: it is one more than their number, so the group counts the order in flight, at offset $CRASH_AT, as done. A restarted consumer resumes after it, and that order is never handled.",
			"With a GroupID, ReadMessage is FetchMessage followed by CommitMessages of the message it returns, before your code sees it. With CommitInterval 0, the default, that commit is synchronous: the offset is on the broker when ReadMessage returns. A CommitInterval only delays the commit (to the next tick, or to the end of the generation: Close or a rebalance); the offset is still handed over before the order is handled.",
			"Call r.FetchMessage(ctx), which commits nothing, write the order to $OUT, then call r.CommitMessages(ctx, msg), as lesson 10 step 3 does: at least once. Committing msg stores msg.Offset + 1, the next offset to read.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex-p2-orders-" + suffix())
			out := env.Name("ex-p2-handled-" + suffix())
			count := between(6, 9)
			// One partition each: the orders keep their order, and order i
			// is at offset i.
			for _, t := range []string{topic, out} {
				if err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: t, Partitions: 1, ReplicationFactor: env.Replicas()}); err != nil {
					return nil, err
				}
			}
			orders := make([]lessons.Order, count)
			for i := range orders {
				orders[i] = lessons.SampleOrder(i)
			}
			if err := lessons.ProduceOrders(ctx, env, topic, orders, env.Out.Record); err != nil {
				return nil, err
			}
			return Vars{
				"TOPIC": topic, "OUT": out, "GROUP": env.Name("ex-p2-kitchen-service-" + suffix()),
				"COUNT": strconv.Itoa(count), "CRASH_AT": strconv.Itoa(between(2, count-2)),
			}, nil
		},
		Check: checkCommitBeforeWork,
	}
}

func checkCommitBeforeWork(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, out, group, crashAt := v["TOPIC"], v["OUT"], v["GROUP"], v.Int("CRASH_AT")
	orders, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	handled, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	offsets, err := committedRetrying(ctx, env, group, topic, 1)
	if err != nil {
		return nil, err
	}
	committed := offsets[0]
	// Handled: the orders before the crash, each once, in order.
	first := 0
	for first < len(handled) && first < len(orders) && bytes.Equal(handled[first].Value, orders[first].Value) {
		first++
	}
	h := Line{What: "orders handled (on " + out + ")", Want: fmt.Sprintf("%d (offsets 0 to %d of %s, in order)", crashAt, crashAt-1, topic),
		Got: strconv.Itoa(len(handled)), OK: len(handled) == crashAt && first == crashAt}
	if first < len(handled) {
		h.Got += fmt.Sprintf(" (only the first %d are the orders of %s, in order)", first, topic)
	}

	n := int64(len(handled))
	c := Line{What: "committed offset of " + group + " on " + topic + " [0]",
		Want: fmt.Sprintf("%d (the orders on %s: a restart resumes at offset %d)", n, out, n),
		Got:  strconv.FormatInt(committed, 10), OK: committed == n}
	switch {
	case c.OK:
	case committed < 0:
		c.Got = "nothing committed"
		if n > 0 {
			c.Why = fmt.Sprintf("a restart would handle all %d orders again: commit each order after it is handled", n)
		}
	case committed == n+1 && h.OK:
		c.Why = fmt.Sprintf("the order at offset %d was committed before it was handled, as ReadMessage does with a GroupID: a restart skips it", crashAt)
	}
	return []Line{h, c}, nil
}

// committedRetrying returns the offsets group committed on partitions 0 to
// partitions-1 of topic, -1 for none. A fresh broker may answer "not
// coordinator" for a moment while it sets up its offsets topic: a
// temporary error, asked again for up to 10 s.
func committedRetrying(ctx context.Context, env *lessons.Env, group, topic string, partitions int) (map[int]int64, error) {
	var committed map[int]int64
	err := lessons.RetryTemporary(ctx, 10*time.Second, func(ctx context.Context) error {
		var err error
		committed, err = lessons.CommittedOffsets(ctx, env, group, topic, partitions)
		return err
	})
	return committed, err
}
