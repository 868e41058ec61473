package exercise

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 6 follows lesson 6: a group member that commits each order once
// it is printed, closes on Ctrl-C, and after a restart goes on exactly
// where it stopped. The check runs the program twice. Each run, it places
// orders on random partitions (the second batch as the program starts
// again, before its member has joined: they wait on the topic for the
// group's commits to lead to them), waits until they are printed, and
// presses Ctrl-C.
// Reader.Close leaves the group (pinned by TestKafkaGo_ReaderCloseLeavesTheGroup).
func resumeExercise() Exercise {
	return Exercise{
		ID: "6", Dir: "06_resume", Lesson: 6,
		Title: "Resume where you stopped",
		Goal:  "Across two runs of the program, each stopped with Ctrl-C, every order on $TOPIC was printed exactly once; the group $GROUP has committed the end offset of every partition of $TOPIC, and no member of it is left once the program has stopped.",
		Hints: []string{
			"A Reader without a GroupID reads one partition, from its first offset, every time it starts: it remembers nothing. A consumer group's position is the offsets it committed, which the broker keeps between runs.",
			"Set GroupID: kit.Env(\"GROUP\") (and no Partition): the Reader then reads every partition assigned to it, from the group's committed offsets. Fetch with FetchMessage, print, then CommitMessages(ctx, msg): the broker stores msg.Offset + 1, where a restart resumes. And defer r.Close() right after NewReader: on Ctrl-C, Close leaves the group, so the next run does not wait for a member that is gone.",
			"In the loop: msg, err := r.FetchMessage(ctx); return if ctx.Err() != nil (Ctrl-C); printOrder(msg); then if err := r.CommitMessages(ctx, msg); err != nil, return on ctx.Err() != nil too, else kit.Fail(err). Return, not kit.Fail, on Ctrl-C: kit.Fail exits at once, and deferred calls such as Close do not run.",
		},
		Runs:    2,
		Prepare: prepareResume,
		During:  duringResume,
		Check:   checkResume,
	}
}

// printWait is how long a check waits for a program to print orders that
// are waiting for it, joining included (a broker's first join of a group
// may wait group.initial.rebalance.delay.ms, 3 s by default).
const printWait = 20 * time.Second

func prepareResume(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic := env.Name("ex6-orders-" + suffix())
	partitions := between(2, 3)
	err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: env.Replicas()})
	return Vars{
		"TOPIC": topic, "GROUP": env.Name("ex6-tracker-" + suffix()),
		"PARTITIONS": strconv.Itoa(partitions),
		// How many orders each run gets: the check's own numbers.
		"RUN_ORDERS": fmt.Sprintf("%d,%d", between(partitions+1, partitions+4), between(2, 5)),
	}, err
}

func duringResume(ctx context.Context, env *lessons.Env, v Vars, run int, p *Process) error {
	topic, group, partitions := v["TOPIC"], v["GROUP"], v.Int("PARTITIONS")
	n, _ := strconv.Atoi(v.List("RUN_ORDERS")[run])
	// The first batch has an order on every partition, so the first run
	// commits on each; the second goes where chance puts it.
	place := make([]int, n)
	for i := range place {
		place[i] = rand.IntN(partitions)
		if run == 0 && i < partitions {
			place[i] = i
		}
	}
	ids, err := produceOrdersAt(ctx, env, topic, place)
	if err != nil {
		return err
	}
	if awaitPrinted(ctx, env, p, group, ids) {
		awaitCommitted(ctx, env, group, topic, 2*time.Second)
	}
	interrupt(p)
	return nil
}

// produceOrdersAt writes one fresh order to each partition of place, in
// order, and returns their ids. The order id is the key, so a Balancer
// knows where each goes.
func produceOrdersAt(ctx context.Context, env *lessons.Env, topic string, place []int) ([]string, error) {
	where := map[string]int{}
	msgs := make([]kafka.Message, len(place))
	ids := make([]string, len(place))
	for i, p := range place {
		o := lessons.SampleOrder(i)
		value, err := o.MarshalValue()
		if err != nil {
			return nil, err
		}
		where[o.OrderID], ids[i] = p, o.OrderID
		msgs[i] = kafka.Message{Key: []byte(o.OrderID), Value: value}
	}
	balancer := kafka.BalancerFunc(func(m kafka.Message, _ ...int) int { return where[string(m.Key)] })
	err := lessons.Send(ctx, env, topic, msgs, func(lessons.Record) {}, lessons.Sending{Balancer: balancer})
	return ids, err
}

// awaitPrinted waits until the program has printed every id, for up to
// printWait. It gives up sooner when the program has exited, or when after
// 8 s no member has joined group: the program is not in the group, and
// will print no more.
func awaitPrinted(ctx context.Context, env *lessons.Env, p *Process, group string, ids []string) bool {
	start := time.Now()
	for {
		if p.WaitPrinted(ctx, time.Second, ids...) {
			return true
		}
		select {
		case <-p.Done():
			return false
		default:
		}
		if ctx.Err() != nil || time.Since(start) > printWait {
			return false
		}
		if time.Since(start) > 8*time.Second {
			if _, members, err := groupState(ctx, env, group); err == nil && members == 0 {
				return false
			}
		}
	}
}

// awaitCommitted waits until group has committed the end of every
// partition of topic, for at most d: a learner presses Ctrl-C a moment
// after the last order shows, not in the millisecond between its print
// and its commit.
func awaitCommitted(ctx context.Context, env *lessons.Env, group, topic string, d time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	pollUntil(ctx, d, 100*time.Millisecond, nil, func() bool {
		marks, err := lessons.ReadWatermarks(ctx, env, topic)
		if err != nil {
			return false
		}
		committed, err := lessons.CommittedOffsets(ctx, env, group, topic, len(marks))
		return err == nil && slices.IndexFunc(marks, func(w lessons.Watermarks) bool { return committed[w.Partition] != w.Last }) < 0
	})
}

func checkResume(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error) {
	topic, group := v["TOPIC"], v["GROUP"]
	orders, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	state, members, err := groupState(ctx, env, group)
	if err != nil {
		return nil, err
	}
	runs := make([]string, 2)
	for i, run := range r.Each {
		if i < len(runs) {
			runs[i] = run.Stdout
		}
	}

	// Each order of the topic, by its id: printed once in all, in run 1
	// again after run 0 (no resume), or never.
	var once, twice, never, again int
	for _, m := range orders {
		id := string(m.Key)
		n0, n1 := strings.Count(runs[0], id), strings.Count(runs[1], id)
		switch {
		case n0+n1 == 1:
			once++
		case n0+n1 == 0:
			never++
		default:
			twice++
			if n0 > 0 && n1 > 0 {
				again++
			}
		}
	}
	printed := Line{What: "orders of " + topic + " printed exactly once, across both runs",
		Want: strconv.Itoa(len(orders)), Got: strconv.Itoa(once), OK: once == len(orders)}
	var also []string
	if twice > 0 {
		also = append(also, fmt.Sprintf("%d more than once", twice))
	}
	if never > 0 {
		also = append(also, fmt.Sprintf("%d never", never))
	}
	if len(also) > 0 {
		printed.Got += " (" + strings.Join(also, ", ") + ")"
	}
	if again > 0 && again == twice && never == 0 {
		printed.Why = fmt.Sprintf("the second run printed %d orders of the first run again: it did not resume where the group had committed", again)
	}

	commits, err := committedLine(ctx, env, group, topic)
	if err != nil {
		return nil, err
	}
	if commits.Got == "nothing" && once+twice > 0 {
		commits.Why = "orders were printed but the group committed nothing: only a Reader with a GroupID commits, and after FetchMessage only CommitMessages does"
	}

	left := Line{What: "members of " + group + " once the program stopped",
		Want: "0 (Reader.Close leaves the group)", Got: strconv.Itoa(members), OK: members == 0}
	if members > 0 {
		left.Got += " (group " + state + ")"
		left.Why = "the program stopped without Reader.Close, which is what leaves the group: the broker keeps a member that left without a word until its session times out (kafka-go's SessionTimeout, 30 s by default), and a restarted member's join waits for it meanwhile"
	}
	return []Line{printed, commits, left}, nil
}
