package exercise

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 9 follows lesson 9: two Readers with one GroupID, members of
// one group, split a topic's partitions.
//
// Members do not join at the same instant: the first one alone gets every
// partition, and the second one's join starts a rebalance that the first
// hears of at its next heartbeat (HeartbeatInterval, 3 s by default). Orders
// produced before that may all go to the first member, and a correct
// program would pass or fail by chance. So During asks the cluster
// (DescribeGroups) until the group is Stable with two members that both
// hold partitions of the topic, and only then produces the orders: from
// then on the assignment does not change, and what each member prints must
// be its share. The assignment seen is kept in Vars for the check. A
// program whose group never gets there (no GroupID, two groups, one Reader
// shared) gets its orders after the wait all the same, and fails by what it
// printed and by the group line.
func twoMembersExercise() Exercise {
	return Exercise{
		ID: "9", Dir: "09_two_members", Lesson: 9,
		Title: "Two members of one group split the partitions",
		Goal:  "$GROUP had two members, each holding some of the partitions of $TOPIC, when the orders arrived; every order was printed exactly once; A and B each printed some; no partition's orders were printed by both; and the partitions each member printed are the share the group assigned to one member.",
		Hints: []string{
			"A Reader without a GroupID is no member of any group: it reads one partition, ReaderConfig.Partition, 0 unless you set it. Members of one group share the partitions, one member per partition, and each member is a Reader of its own.",
			"Set GroupID: kit.Env(\"GROUP\") in the ReaderConfig, and call member twice, each time in a goroutine of its own, so that both Readers run at once. main must then wait for both: when main returns, the program ends.",
			"var wg sync.WaitGroup; for _, name := range []string{\"A\", \"B\"} { wg.Go(func() { member(ctx, name) }) }; wg.Wait(). Ctrl-C cancels ctx: each member's ReadMessage returns, its deferred Close leaves the group, and wg.Wait returns.",
		},
		Limit: 60 * time.Second, // a program whose group never gets two members waits out During's bounds
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex9-orders-" + suffix())
			partitions := between(2, 4)
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: env.Replicas()})
			return Vars{"TOPIC": topic, "GROUP": env.Name("ex9-kitchen-" + suffix()),
				"PARTITIONS": strconv.Itoa(partitions)}, err
		},
		During: duringTwoMembers,
		Check:  checkTwoMembers,
	}
}

// How long During waits for the group to hold two members with partitions
// (a member hears of the other's join at its next heartbeat, 3 s by
// default), and for the orders to be printed once produced.
const (
	joinBound        = 20 * time.Second
	printBound       = 10 * time.Second
	secondPrintGrace = 3 * time.Second
)

// groupSeen is what DescribeGroups said of a group: its state and each
// member's partitions of one topic.
type groupSeen struct {
	state  string  // "" when the coordinator never answered
	shares [][]int // one per member, sorted
}

// ready says whether the group is Stable with two members that both hold
// partitions.
func (g groupSeen) ready() bool {
	return g.state == "Stable" && len(g.shares) == 2 && len(g.shares[0]) > 0 && len(g.shares[1]) > 0
}

func (g groupSeen) String() string {
	switch {
	case g.state == "":
		return "no answer from its coordinator"
	case g.state == "Dead" && len(g.shares) == 0:
		return "no such group (state Dead), no member"
	case len(g.shares) == 0:
		return fmt.Sprintf("%s, no member", g.state)
	}
	var parts []string
	for _, s := range g.shares {
		parts = append(parts, fmt.Sprint(s))
	}
	noun := "members"
	if len(g.shares) == 1 {
		noun = "member"
	}
	return fmt.Sprintf("%s, %d %s holding partitions %s", g.state, len(g.shares), noun, strings.Join(parts, " and "))
}

// describeGroup asks the group's coordinator about group, on a transport
// of its own (a fresh view, not metadata cached before the program ran).
func describeGroup(ctx context.Context, client *kafka.Client, group, topic string) (groupSeen, error) {
	resp, err := client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil {
		return groupSeen{}, err
	}
	if len(resp.Groups) == 0 {
		return groupSeen{state: "Dead"}, nil
	}
	g := resp.Groups[0]
	if g.Error != nil {
		return groupSeen{}, g.Error
	}
	seen := groupSeen{state: g.GroupState}
	for _, m := range g.Members {
		share := []int{}
		for _, t := range m.MemberAssignments.Topics {
			if t.Topic == topic {
				share = append(share, t.Partitions...)
			}
		}
		sort.Ints(share)
		seen.shares = append(seen.shares, share)
	}
	sort.Slice(seen.shares, func(i, j int) bool { return fmt.Sprint(seen.shares[i]) < fmt.Sprint(seen.shares[j]) })
	return seen, nil
}

// groupState returns group's state and its number of members. A group the
// broker does not know has none ("Dead"). A fresh broker may answer
// "coordinator loading" for a moment: a temporary error, asked again for
// up to 10 s.
func groupState(ctx context.Context, env *lessons.Env, group string) (state string, members int, err error) {
	err = lessons.RetryTemporary(ctx, 10*time.Second, func(ctx context.Context) error {
		seen, err := describeGroup(ctx, env.Client(), group, "")
		if errors.Is(err, kafka.GroupIdNotFound) {
			seen, err = groupSeen{state: "Dead"}, nil // kfake's answer for a group it does not know
		}
		state, members = seen.state, len(seen.shares)
		return err
	})
	if err != nil {
		err = fmt.Errorf("describe group %s: %w", group, err)
	}
	return state, members, err
}

// waitForTwoMembers asks about the group until it is ready or joinBound
// has passed (or the program has ended), and returns the last answer.
func waitForTwoMembers(ctx context.Context, env *lessons.Env, group, topic string, p *Process) groupSeen {
	transport := env.NewTransport()
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(env.Brokers...), Transport: transport, Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, joinBound)
	defer cancel()
	var last groupSeen
	pollUntil(ctx, joinBound, 200*time.Millisecond, p.Done(), func() bool {
		// Errors (no coordinator yet for a new group) mean: ask again.
		seen, err := describeGroup(ctx, client, group, topic)
		if err == nil {
			last = seen
		}
		return err == nil && seen.ready()
	})
	return last
}

func duringTwoMembers(ctx context.Context, env *lessons.Env, v Vars, _ int, p *Process) error {
	topic, group := v["TOPIC"], v["GROUP"]
	seen := waitForTwoMembers(ctx, env, group, topic, p)
	v["SEEN_GROUP"] = seen.String()
	if seen.state != "" {
		v["SEEN_MEMBERS"] = strconv.Itoa(len(seen.shares))
	}
	if seen.ready() {
		v["SEEN_SHARES"] = fmt.Sprint(seen.shares[0]) + " and " + fmt.Sprint(seen.shares[1])
	}
	// Orders on every partition, more on some: each member gets some,
	// whichever partitions it holds.
	n := v.Int("PARTITIONS")
	count := n + between(2, 6)
	byPartition := map[string]int{}
	var msgs []kafka.Message
	var ids []string
	for i := range count {
		o := lessons.SampleOrder(i)
		value, err := o.MarshalValue()
		if err != nil {
			return err
		}
		byPartition[o.OrderID] = i % n
		if i >= n {
			byPartition[o.OrderID] = between(0, n-1)
		}
		msgs = append(msgs, kafka.Message{Key: []byte(o.OrderID), Value: value})
		ids = append(ids, o.OrderID)
	}
	w := &kafka.Writer{
		Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		Balancer: kafka.BalancerFunc(func(m kafka.Message, _ ...int) int { return byPartition[string(m.Key)] }),
	}
	err := w.WriteMessages(ctx, msgs...)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write the orders to %s: %w", topic, err)
	}
	v["ORDERS"] = strings.Join(ids, ",")
	p.WaitPrinted(ctx, printBound, ids...)
	// Members in groups of their own each print every order, one after
	// the other: the second print of an order may come a moment after the
	// first print of the last one. A correct program prints nothing more.
	select {
	case <-p.Done():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(secondPrintGrace):
	}
	if err := p.Interrupt(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("interrupt the program: %w", err)
	}
	return nil
}

func checkTwoMembers(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error) {
	topic, group := v["TOPIC"], v["GROUP"]
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	partitionOf := map[string]int{} // order id → its partition, as the cluster holds it
	for _, m := range stored {
		if o, err := lessons.DecodeOrder(m.Value); err == nil {
			partitionOf[o.OrderID] = m.Partition
		}
	}
	var ids []string // the orders During produced
	if v["ORDERS"] != "" {
		ids = v.List("ORDERS")
	}

	// Who printed which order: the first word of each line that names it.
	times := map[string]map[string]int{} // order id → member → times printed
	perMember := map[string]int{}        // member → orders printed
	held := map[string]map[int]bool{}    // member → partitions of the orders it printed
	for _, line := range strings.Split(r.Stdout, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		name := f[0]
		for _, id := range ids {
			if !strings.Contains(line, id) {
				continue
			}
			if times[id] == nil {
				times[id] = map[string]int{}
			}
			times[id][name]++
			perMember[name]++
			if held[name] == nil {
				held[name] = map[int]bool{}
			}
			held[name][partitionOf[id]] = true
		}
	}
	var once, twice, missing, byBoth int
	for _, id := range ids {
		n := 0
		for _, t := range times[id] {
			n += t
		}
		switch {
		case n == 1:
			once++
		case n == 0:
			missing++
		default:
			twice++
		}
		if times[id]["A"] > 0 && times[id]["B"] > 0 {
			byBoth++
		}
	}
	members := -1 // unknown: the coordinator never answered
	if v["SEEN_MEMBERS"] != "" {
		members = v.Int("SEEN_MEMBERS")
	}

	// The group when the orders were produced.
	g := Line{What: "group " + group + " when the orders were produced", Want: "Stable, 2 members both holding partitions of " + topic,
		Got: v["SEEN_GROUP"], OK: v["SEEN_SHARES"] != ""}
	switch {
	case g.OK:
		g.Got = "Stable, 2 members holding partitions " + v["SEEN_SHARES"]
	case members == 0:
		g.Why = fmt.Sprintf("no Reader is a member of %s: a Reader joins the group named by its ReaderConfig.GroupID", group)
	case members == 1 && perMember["A"] > 0 && perMember["B"] > 0 && twice == 0:
		g.Why = "one member, yet A and B both printed orders: they share one Reader, and a Reader is one member; give each its own kafka.NewReader"
	}

	// Every order once.
	o := Line{What: "orders of " + topic + " printed", Want: fmt.Sprintf("%d, each once", len(ids)),
		Got: fmt.Sprintf("%d once", once), OK: once == len(ids)}
	if twice > 0 {
		o.Got += fmt.Sprintf("; %d more than once", twice)
	}
	if missing > 0 {
		o.Got += fmt.Sprintf("; %d never", missing)
	}
	switch {
	case byBoth > 0 && members == 0:
		o.Why = fmt.Sprintf("A and B both printed %d of the same orders: they are not members of one group (each is in a group of its own, or in none), and only the members of one group share the orders", byBoth)
	case missing > 0 && members == 0 && len(held) == 1 && onlyPartition0(held, partitionOf, times):
		o.Why = "only the orders of partition 0 were printed: a Reader without a GroupID reads one partition, ReaderConfig.Partition, 0 unless set"
	}

	// Both members printed some.
	var got []string
	for _, name := range slices.Sorted(maps.Keys(perMember)) {
		got = append(got, fmt.Sprintf("%s: %d", name, perMember[name]))
	}
	m := Line{What: "members that printed orders", Want: "A and B, each some", Got: strings.Join(got, ", "),
		OK: len(perMember) == 2 && perMember["A"] > 0 && perMember["B"] > 0}
	if len(got) == 0 {
		m.Got = "none"
	}

	// No partition printed by both.
	var shared []int
	for p := range v.Int("PARTITIONS") {
		if held["A"][p] && held["B"][p] {
			shared = append(shared, p)
		}
	}
	b := Line{What: "partitions whose orders both A and B printed", Want: "none", Got: fmt.Sprint(shared), OK: len(shared) == 0}
	if len(shared) == 0 {
		b.Got = "none"
	}

	// What each printed is one member's share.
	a, bb := sortedKeys(held["A"]), sortedKeys(held["B"])
	printed := fmt.Sprintf("A %v, B %v", a, bb)
	s := Line{What: "partitions A and B printed, against the shares " + group + " assigned", Got: printed,
		Want: "one share each: " + cmp.Or(v["SEEN_SHARES"], "(the group never had two members with partitions)"),
		OK:   v["SEEN_SHARES"] != "" && (fmt.Sprint(a)+" and "+fmt.Sprint(bb) == v["SEEN_SHARES"] || fmt.Sprint(bb)+" and "+fmt.Sprint(a) == v["SEEN_SHARES"])}
	return []Line{g, o, m, b, s}, nil
}

// onlyPartition0 says whether the one member that printed printed exactly
// the orders of partition 0, each once.
func onlyPartition0(held map[string]map[int]bool, partitionOf map[string]int, times map[string]map[string]int) bool {
	for _, ps := range held {
		if len(ps) != 1 || !ps[0] {
			return false
		}
	}
	for id, p := range partitionOf {
		n := 0
		for _, t := range times[id] {
			n += t
		}
		if (p == 0) != (n == 1) {
			return false
		}
	}
	return true
}

// sortedKeys returns a set's members, sorted; an empty list for none.
func sortedKeys(set map[int]bool) []int {
	out := []int{}
	for k := range set {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
