package exercise

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 17 follows lesson 17: a franz-go member of a cooperative group
// hands partitions over in the middle of its work, and no order is cooked
// twice or never.
//
// The program cooks slowly (COOK_MS per order), each order a ticket on
// $OUT. Once it has cooked a few of the first wave, the check starts a
// second cook in the group (franz-go, cooperative-sticky, the default),
// which takes partitions from the program and starts each at the group's
// committed offset; a second wave of orders follows, which both cook. The
// check counts, for each order of the topic, the tickets and the second
// cook's reads.
func handoverExercise() Exercise {
	return Exercise{
		ID: "17", Dir: "17_handover", Lesson: 17,
		Title: "Hand over without cooking twice",
		Goal:  "Each of the $COUNT orders of $TOPIC is cooked once: by your program (a ticket on $OUT), or by the second cook the check starts in the group $GROUP, who takes partitions from your program in a cooperative rebalance while it cooks; none twice, none never.",
		Hints: []string{
			"In a cooperative rebalance your program gives up some partitions and goes on with the others: franz-go calls OnPartitionsRevoked with those it gives up. The second cook starts each at the group's committed offset, so what your program cooked since its last commit is cooked again, unless it commits on revoke, as lesson 17 step 5 does.",
			"kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, _ map[string][]int32) { ... cl.CommitUncommittedOffsets(ctx) ... }) commits there. But a rebalance may come in the middle of a batch, and that commits what was polled, cooked or not: add kgo.BlockRebalanceOnPoll(), which holds a rebalance's callbacks until you call cl.AllowRebalance().",
			"Call cl.AllowRebalance() at the end of each turn of the loop, once the batch is cooked and committed: the revoke then comes between two batches and commits exactly what was cooked, as long as each batch is cooked to its end, Ctrl-C or not, before the program leaves. Leave OnPartitionsLost without a commit (the partitions may be another's already), and close with cl.CloseAllowingRebalance().",
		},
		Limit:   90 * time.Second,
		Prepare: prepareHandover,
		During:  duringHandover,
		Check:   checkHandover,
	}
}

// handoverPartitions is how many partitions the orders' topic has.
const handoverPartitions = 6

// handoverWaits bounds During's waits: the program's limit is 90 s.
const handoverWaits = 70 * time.Second

func prepareHandover(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic, out := env.Name("ex17-orders-"+suffix()), env.Name("ex17-tickets-"+suffix())
	for _, spec := range []lessons.TopicSpec{
		{Name: topic, Partitions: handoverPartitions, ReplicationFactor: env.Replicas()},
		{Name: out, Partitions: 1, ReplicationFactor: env.Replicas()},
	} {
		if err := lessons.EnsureTopic(ctx, env, spec); err != nil {
			return nil, err
		}
	}
	first, more := 6*between(5, 6), 2*between(4, 6)
	orders := lessons.SampleOrders(0, first)
	at := make([]int, len(orders))
	for i := range at {
		at[i] = i % handoverPartitions
	}
	if err := produceAt(ctx, env, topic, orders, at); err != nil {
		return nil, err
	}
	return Vars{"TOPIC": topic, "OUT": out, "GROUP": env.Name("ex17-kitchen-" + suffix()),
		"COOK_MS": "100", "COUNT": strconv.Itoa(first + more), "_FIRST": strconv.Itoa(first), "_MORE": strconv.Itoa(more)}, nil
}

// secondCook is the check's member: what it was assigned and what it read.
type secondCook struct {
	mu         sync.Mutex
	partitions []int32
	cooked     []string // order ids
}

func (s *secondCook) assigned(p []int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partitions = append(s.partitions, p...)
}

func (s *secondCook) read(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cooked = append(s.cooked, id)
}

func (s *secondCook) snapshot() (partitions []int32, cooked []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.partitions), slices.Clone(s.cooked)
}

// duringHandover waits for the program's first tickets, starts the second
// cook, sends the second wave once the second cook holds partitions, waits
// until every order is cooked and the program has stopped cooking, and
// presses Ctrl-C. The second cook leaves after the program has ended.
// What it took and read is recorded in v for the check.
func duringHandover(ctx context.Context, env *lessons.Env, v Vars, _ int, p *Process) error {
	defer interrupt(p) // also when the second cook never starts
	// Every wait below within one deadline, well under the program's limit
	// (the second cook's leaving adds up to 10 s).
	ctx, cancel := context.WithTimeout(ctx, handoverWaits)
	defer cancel()
	topic, out, group := v["TOPIC"], v["OUT"], v["GROUP"]
	tickets := func() []string {
		stored, err := readAll(ctx, env, out)
		if err != nil {
			return nil // looked at again next time
		}
		ids := make([]string, 0, len(stored))
		for _, m := range stored {
			ids = append(ids, orderIDOf(m))
		}
		return ids
	}
	// A few cooked: the program holds all six partitions, and is in the
	// middle of its first batch.
	if !pollUntil(ctx, 30*time.Second, 100*time.Millisecond, p.Done(), func() bool { return len(tickets()) >= 3 }) {
		return nil // the check says what the program did
	}

	second := &secondCook{}
	cl, err := env.FranzClient(
		kgo.ClientID("the-check-second-cook"),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.HeartbeatInterval(250*time.Millisecond),
		kgo.DisableAutoCommit(), // it commits nothing: it cooks, and leaves
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, gained map[string][]int32) {
			second.assigned(gained[topic])
		}),
	)
	if err != nil {
		return fmt.Errorf("the second cook: %w", err)
	}
	polling, stopPolling := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for polling.Err() == nil {
			cl.PollFetches(polling).EachRecord(func(r *kgo.Record) {
				o, _ := lessons.DecodeOrder(r.Value)
				second.read(o.OrderID)
			})
		}
	}()
	defer func() {
		stopPolling()
		<-stopped
		parts, cooked := second.snapshot()
		v["_SECOND_PARTITIONS"] = fmt.Sprint(parts)
		v["_SECOND_COOKED"] = strings.Join(cooked, ",")
		// The second cook leaves after the program has, so that the
		// program gets no partition back to cook again.
		interrupt(p)
		select {
		case <-p.Done():
		case <-time.After(10 * time.Second):
		}
		cl.Close()
	}()

	// The second wave once the second cook holds partitions: both cook it.
	pollUntil(ctx, 30*time.Second, 100*time.Millisecond, p.Done(), func() bool {
		parts, _ := second.snapshot()
		return len(parts) > 0
	})
	more := lessons.SampleOrders(v.Int("_FIRST"), v.Int("_MORE"))
	at := make([]int, len(more))
	for i := range at {
		at[i] = i % handoverPartitions
	}
	if err := produceAt(ctx, env, topic, more, at); err != nil {
		return err
	}
	all := v.Int("COUNT")
	pollUntil(ctx, 40*time.Second, 200*time.Millisecond, p.Done(), func() bool {
		_, cooked := second.snapshot()
		seen := map[string]bool{}
		for _, id := range append(tickets(), cooked...) {
			seen[id] = true
		}
		return len(seen) >= all
	})
	// Then until the program has stopped cooking for a second: the orders
	// of a batch it still holds may come twice.
	last, still := -1, time.Now()
	pollUntil(ctx, 20*time.Second, 200*time.Millisecond, p.Done(), func() bool {
		if n := len(tickets()); n != last {
			last, still = n, time.Now()
		}
		return time.Since(still) >= time.Second
	})
	return nil
}

func checkHandover(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, out, group, count := v["TOPIC"], v["OUT"], v["GROUP"], v.Int("COUNT")
	source, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	tickets, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	times := map[string]int{}
	for _, m := range tickets {
		times[orderIDOf(m)]++
	}
	for _, id := range strings.Split(v["_SECOND_COOKED"], ",") {
		if id != "" {
			times[id]++
		}
	}
	once, twice, never := 0, 0, 0
	for _, m := range source {
		switch n := times[orderIDOf(m)]; {
		case n == 0:
			never++
		case n == 1:
			once++
		default:
			twice++
		}
	}
	parts := strings.Trim(v["_SECOND_PARTITIONS"], "[]")
	took := len(strings.Fields(parts))
	handed := Line{What: fmt.Sprintf("partitions of %s the second cook took in the group %s", topic, group),
		Want: "1 or more", Got: strconv.Itoa(took), OK: took > 0}
	if took == 0 {
		handed.Why = fmt.Sprintf("the second cook joined %s and got no partition: did the program join that group, and keep running until the check pressed Ctrl-C?", group)
	}
	lines := []Line{handed, want(fmt.Sprintf("orders on %s", topic), count, len(source)), want("orders cooked once", count, once)}
	twiceLine := want("orders cooked twice", 0, twice)
	if twice > 0 {
		twiceLine.Why = "the second cook started each partition it took at the group's last commit, before orders your program had cooked: commit what was cooked in OnPartitionsRevoked, with BlockRebalanceOnPoll so the revoke waits until the batch is cooked"
	}
	neverLine := want("orders never cooked", 0, never)
	if never > 0 {
		neverLine.Why = "a commit covered orders polled but not cooked, and the second cook started after them: the revoke must wait until the batch is cooked (BlockRebalanceOnPoll, AllowRebalance after it)"
	}
	return append(lines, twiceLine, neverLine), nil
}
