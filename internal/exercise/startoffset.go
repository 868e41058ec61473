package exercise

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Pitfall 6: a new group that starts at the end. kafka-go's users report a
// group's StartOffset as ignored, or as skipping records (issues #1211,
// #1291, #904, #747): ReaderConfig.StartOffset is not where a group
// starts, only where a partition the group never committed starts
// (ConsumerGroup.fetchOffsets), pinned by
// TestKafkaGo_StartOffsetOnlyWhereNothingIsCommitted. A new audit group
// with StartOffset LastOffset, copied from a service that only wants new
// orders, skips the whole backlog. The fix is the default, FirstOffset.
func startOffsetPitfall() Exercise {
	return Exercise{
		ID: "p6", Dir: "p6_start_offset", Lesson: -1,
		Title: "Pitfall: a new group that starts at the end",
		Goal:  "Every order of $TOPIC, those already there when the program started and those placed while it ran, is on $OUT exactly once, and the group $GROUP has committed the end offset of every partition of $TOPIC.",
		Hints: []string{
			"Look at $OUT: the orders placed while the program ran are there, the ones already on $TOPIC when it started are not. The group began at the end of every partition.",
			"A group starts each partition at the offset it committed there. Where it has committed nothing (a new group: everywhere), kafka-go starts at ReaderConfig.StartOffset: FirstOffset, the oldest record, by default; LastOffset, the end, skips what is already there. StartOffset changes nothing on a partition the group has committed, and SetOffset is refused with a GroupID.",
			"Remove StartOffset: kafka.LastOffset from the ReaderConfig (or set kafka.FirstOffset, the default). $GROUP is new, so it then starts at the first offset of every partition.",
		},
		Prepare: prepareStartOffset,
		During:  duringStartOffset,
		Check:   checkStartOffset,
	}
}

func prepareStartOffset(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic, out := env.Name("ex-p6-orders-"+suffix()), env.Name("ex-p6-audited-"+suffix())
	partitions := between(2, 3)
	for _, spec := range []lessons.TopicSpec{
		{Name: topic, Partitions: partitions, ReplicationFactor: env.Replicas()},
		{Name: out, Partitions: 1, ReplicationFactor: env.Replicas()},
	} {
		if err := lessons.EnsureTopic(ctx, env, spec); err != nil {
			return nil, err
		}
	}
	// The backlog: an order or more on every partition.
	place := make([]int, between(partitions+2, 8))
	for i := range place {
		place[i] = i % partitions
		if i >= partitions {
			place[i] = rand.IntN(partitions)
		}
	}
	backlog, err := produceOrdersAt(ctx, env, topic, place)
	if err != nil {
		return nil, err
	}
	return Vars{
		"TOPIC": topic, "OUT": out, "GROUP": env.Name("ex-p6-audit-" + suffix()),
		"PARTITIONS": strconv.Itoa(partitions),
		// The check's own: which orders were there before the program.
		"BACKLOG": strings.Join(backlog, ","),
	}, nil
}

// duringStartOffset waits until the program's member has joined $GROUP,
// places a few orders (which even the trap passes on: it works), waits
// until they and the backlog are printed, and presses Ctrl-C. A program
// that never joins $GROUP gets the orders after 8 s, and 3 s to print them.
func duringStartOffset(ctx context.Context, env *lessons.Env, v Vars, _ int, p *Process) error {
	topic, group, partitions := v["TOPIC"], v["GROUP"], v.Int("PARTITIONS")
	joined := pollUntil(ctx, 8*time.Second, 100*time.Millisecond, p.Done(), func() bool {
		state, members, err := groupState(ctx, env, group)
		return err == nil && state == "Stable" && members > 0
	})
	// Time for the member to start reading its partitions: at their end,
	// with the trap, before these orders arrive.
	select {
	case <-time.After(time.Second):
	case <-p.Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	place := make([]int, between(2, 4))
	for i := range place {
		place[i] = rand.IntN(partitions)
	}
	live, err := produceOrdersAt(ctx, env, topic, place)
	if err != nil {
		return err
	}
	wait := 3 * time.Second
	if joined {
		wait = printWait
	}
	if p.WaitPrinted(ctx, wait, live...) && p.WaitPrinted(ctx, 3*time.Second, v.List("BACKLOG")...) {
		awaitCommitted(ctx, env, group, topic, 2*time.Second)
	}
	interrupt(p)
	return nil
}

func checkStartOffset(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, out, group := v["TOPIC"], v["OUT"], v["GROUP"]
	orders, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	audited, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	onOut := map[string]int{}
	for _, m := range audited {
		if o, err := lessons.DecodeOrder(m.Value); err == nil {
			onOut[o.OrderID]++
		}
	}
	inBacklog := map[string]bool{}
	for _, id := range v.List("BACKLOG") {
		inBacklog[id] = true
	}
	// The backlog, and the orders placed while the program ran: how many of
	// each reached $OUT once, and how many more than once.
	var backlog, live, backlogOnce, liveOnce, twice int
	for _, m := range orders {
		n := onOut[string(m.Key)]
		if inBacklog[string(m.Key)] {
			backlog++
			if n == 1 {
				backlogOnce++
			}
		} else {
			live++
			if n == 1 {
				liveOnce++
			}
		}
		if n > 1 {
			twice++
		}
	}
	b := Line{What: "orders on " + topic + " before the program started, on " + out + " once",
		Want: strconv.Itoa(backlog), Got: strconv.Itoa(backlogOnce), OK: backlogOnce == backlog}
	l := Line{What: "orders placed while it ran, on " + out + " once",
		Want: strconv.Itoa(live), Got: strconv.Itoa(liveOnce), OK: liveOnce == live && live > 0}
	if twice > 0 {
		b.Got += fmt.Sprintf(" (%d orders of %s are on %s more than once)", twice, topic, out)
	}
	if backlogOnce == 0 && twice == 0 && l.OK {
		b.Why = "the group began at the end of every partition: a partition the group never committed starts at StartOffset, and LastOffset is the end"
	}

	commits, err := committedLine(ctx, env, group, topic)
	if err != nil {
		return nil, err
	}
	if commits.Got == "nothing" && len(audited) > 0 {
		commits.Why = fmt.Sprintf("orders reached %s, but not as the group %s: a restarted audit would begin again from StartOffset", out, group)
	}
	return []Line{b, l, commits}, nil
}

// committedLine compares what group committed on every partition of topic
// with the partitions' ends. Got is "nothing" when it committed nowhere.
func committedLine(ctx context.Context, env *lessons.Env, group, topic string) (Line, error) {
	marks, err := lessons.ReadWatermarks(ctx, env, topic)
	if err != nil {
		return Line{}, err
	}
	committed, err := committedRetrying(ctx, env, group, topic, len(marks))
	if err != nil {
		return Line{}, err
	}
	var want, got []string
	all, none := true, true
	for _, w := range marks {
		want = append(want, fmt.Sprintf("[%d] %d", w.Partition, w.Last))
		c := committed[w.Partition]
		if c < 0 {
			got = append(got, fmt.Sprintf("[%d] nothing", w.Partition))
		} else {
			got = append(got, fmt.Sprintf("[%d] %d", w.Partition, c))
			none = false
		}
		all = all && c == w.Last
	}
	l := Line{What: "committed offsets of " + group + " on " + topic,
		Want: strings.Join(want, ", ") + " (the end of each partition)", Got: strings.Join(got, ", "), OK: all}
	if none {
		l.Got = "nothing"
	}
	return l, nil
}
