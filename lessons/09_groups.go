package lessons

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// groupsLesson is lesson 9: consumer groups share a topic, and fan it out.
func groupsLesson() Lesson {
	return Lesson{
		Number: 9,
		Title:  "Consumer groups",
		Goal:   "Share a topic's partitions among the members of a group, watch a rebalance, fan a topic out to several groups, measure how far behind a group is, free the partitions of a member that hangs, and see where groups are going.",
		Summary: []string{
			"The members of a group share the partitions: each partition is read by one member; the group's leader computes the assignment, the coordinator hands it out.",
			"kafka-go's ConsumerGroup shows a member's partitions (Generation.Assignments); a Reader with a GroupID hides them.",
			"More members than partitions: the extra ones get nothing and wait, as standbys.",
			"A member that leaves (Close sends LeaveGroup) triggers a rebalance within a heartbeat; one that crashes, only after its session timeout.",
			"Every group gets every record: groups fan a topic out; members of one group share it.",
			"Lag = high watermark (ListOffsets) − committed offset (OffsetFetch), per partition, in offsets, not records; with nothing committed (-1) it is unknown. Reader.Lag() is -1 with a GroupID.",
			"kafka-go heartbeats on its own goroutine and has no max.poll.interval.ms: a member whose handler hangs keeps its partitions. Give handlers a deadline, and Close the Reader to leave the group.",
			"A restart is a leave and a join: two rebalances. Java's static membership (group.instance.id) avoids them; kafka-go has none.",
			"The leader runs the GroupBalancer: Range cuts the partitions into one run per member, RoundRobin deals them out in turn; kafka-go has neither sticky nor cooperative rebalancing.",
			"Where groups are going: the consumer protocol (KIP-848, Kafka 4.0) lets the broker assign, incrementally (franz-go speaks it, kafka-go does not); share groups (KIP-932, a preview in 4.1) share partitions record by record.",
		},
		Quiz: []Question{
			{
				Ask: "A kafka-go group member's handler hangs for an hour. What happens to its partitions?",
				Choices: []string{
					"They stay with it: its heartbeats go on, their orders wait",
					"After max.poll.interval.ms, another member takes them",
					"After the session timeout, the coordinator moves them",
				},
				Answer: 0,
				Why:    "kafka-go heartbeats from its own goroutine and has no max.poll.interval.ms, so the member stays alive to the coordinator. Only a deadline in your handler, or Close (LeaveGroup), gives the partitions to another member.",
				Step:   8,
			},
			{
				Ask: "Two consumer groups, billing and delivery, read the same topic. Who gets each order?",
				Choices: []string{
					"One member of one of the two groups",
					"One member of each group",
					"Every member of both groups",
				},
				Answer: 1,
				Why:    "Groups are independent: each reads every record, from its own committed offsets. Within a group, a record goes to the member that owns its partition.",
				Step:   5,
			},
			{
				Ask:     "A group committed offset 7 on partition 0, whose high watermark is 10. What is its lag there?",
				Choices: []string{"3", "7", "10", "-1, as Reader.Lag() says"},
				Answer:  0,
				Why:     "Lag is the high watermark minus the committed offset: records 7, 8 and 9 are not handled yet. Reader.Lag() returns -1 whenever the Reader has a GroupID.",
				Step:    6,
			},
		},
		Plan: func() Plan {
			id := uuid.NewString()[:8]
			g := &groupsState{group: "kitchen-" + id, billing: "billing-" + id, delivery: "delivery-" + id, next: "kitchen-next-" + id}
			return Plan{Setup: g.topicReady, Steps: []Step{
				{Title: "Orders to share", Run: g.produce},
				{Title: "Three members, three partitions", Run: g.joinThree, Reset: g.cleanup},
				{Title: "A fourth member waits", Run: g.joinFourth, Needs: []int{2}},
				{Title: "A member leaves: a rebalance", Run: g.leave, Needs: []int{2, 3}},
				{Title: "Two groups, every order each", Run: g.fanOut, Needs: []int{1}},
				{Title: "Lag: how far behind a group is", Run: g.lag, Needs: []int{2, 5}},
				{Title: "Catch up: lag back to 0", Run: g.catchUp, Needs: []int{6}},
				{Title: "A handler hangs: its member keeps its partitions", Run: g.hang, Reset: g.closeStuck},
				{Title: "A deadline, then leave the group", Run: g.unstick, Needs: []int{8}, Ends: []int{8}},
				{Title: "Range against RoundRobin", Run: g.strategies},
				{Title: "Where groups are going: the consumer protocol (KIP-848)", Run: g.consumerProtocol,
					Requires: Requirement{ConsumerProtocol: true}},
				{Title: "Where groups are going: share groups (KIP-932)", Run: g.shareGroups},
			}, Cleanup: g.cleanup}
		},
	}
}

// What this lesson says of kafka-go is pinned by
// TestKafkaGo_ConsumerGroupDefaults, …ConsumerGroupCloseLeavesTheGroup,
// …RangeAndRoundRobinAssignments, …ReaderGroupBalancersDefaultRangeThenRoundRobin,
// …ReaderStartOffsetDefaultIsFirstOffset, …ReadMessageCommitsFetchMessageDoesNot
// (OffsetFetch -1 when nothing is committed), …ReaderWithGroupIDRefusesSetOffset
// (Lag -1), …HungReaderKeepsItsPartitions, …ReaderCloseLeavesTheGroup and
// …GroupJoinIsClassicWithoutInstanceID; what it says of franz-go by
// TestFranzGo_ServerSideBalancerNeedsConsumerGroupHeartbeatV1.
type groupsState struct {
	topic                          string
	group, billing, delivery, next string // new names for every run
	cfg                            kafka.ConsumerGroupConfig
	members                        []*Member
	stuck                          *kafka.Reader // billing's member whose handler hangs
	held                           kafka.Message // the order it was handling
	sent                           int64         // orders this run sent to the topic
}

// topicReady creates the lesson's topic, three partitions for the groups.
func (g *groupsState) topicReady(ctx context.Context, env *Env) error {
	g.topic = env.Name("orders-for-groups")
	return EnsureTopic(ctx, env, TopicSpec{Name: g.topic, Partitions: 3, ReplicationFactor: env.Replicas()})
}

// cleanup makes every member still in a group leave it.
func (g *groupsState) cleanup() {
	CloseMembers(g.members)
	g.members = nil
	g.closeStuck()
}

// closeStuck closes the Reader whose handler hung, if it is still open.
func (g *groupsState) closeStuck() {
	if g.stuck != nil {
		CloseWithin(g.stuck, 5*time.Second)
		g.stuck = nil
	}
}

// Six orders go to the groups' topic, two to each of its three partitions
// (the writer's default round-robin), for the groups below to read.
func (g *groupsState) produce(ctx context.Context, env *Env) error {
	var orders []Order
	for i := 0; i < 6; i++ {
		orders = append(orders, SampleOrder(i))
	}
	if err := ProduceOrders(ctx, env, g.topic, orders, env.Out.Record); err != nil {
		return err
	}
	g.sent += int64(len(orders))
	return nil
}

// A consumer group is the consumers that share one group id. A group's
// generation is a number the coordinator raises by one each time it shares
// the group's partitions out again, as members join or leave. It counts
// from 1; the three members here join one after another, each may start
// another generation, so the first one shown may be 1, 2 or 3 (run the
// step again, and the same group counts on).
//
// In kafka-go a member is a ConsumerGroup: whenever the group changes, it
// hands the program a new Generation, and gen.Assignments is this member's
// share of the partitions (a Reader with a GroupID runs one inside, and does
// not show it). One member, the group's leader (not a partition's), computes
// who reads what with a GroupBalancer; the coordinator, a broker, hands each
// member its part.
//
// Three partitions, three members: one each. Within a group, a partition is
// read by one member at a time. The settings make changes quick: members
// heartbeat every 250 ms, and the coordinator drops a member silent for 6 s
// (the broker's minimum by default; kafka-go's default is 30 s).
func (g *groupsState) joinThree(ctx context.Context, env *Env) error {
	g.cfg = kafka.ConsumerGroupConfig{
		ID:                env.Name(g.group),
		Topics:            []string{g.topic},
		HeartbeatInterval: 250 * time.Millisecond,
		SessionTimeout:    6 * time.Second,
		RebalanceTimeout:  5 * time.Second,        // how long the coordinator waits for members to rejoin
		JoinGroupBackoff:  250 * time.Millisecond, // before retrying a failed join (default 5 s)
	}
	for i := 1; i <= 3; i++ {
		m, err := Join(env, fmt.Sprintf("member-%d", i), g.cfg)
		if err != nil {
			return err
		}
		g.members = append(g.members, m)
	}
	if _, err := Settle(ctx, g.members, 0); err != nil {
		return err
	}
	for _, m := range g.members {
		gen, partitions := m.Assignment()
		env.Out.Value(fmt.Sprintf("generation %d · %s", gen, m.Name), partitions)
	}
	return nil
}

// A fourth member joins. The coordinator starts a rebalance: each member
// hears of it at its next heartbeat, gives up its partitions and joins
// again, and the leader deals the three partitions out anew (kafka-go knows
// only this "eager" way). Four members, three partitions: one member gets
// none. It stays in the group, heartbeating, idle: a standby that takes
// over when another leaves. It need not be the newcomer: kafka-go's Range
// balancer orders the members by id and gives the first ones fewer.
func (g *groupsState) joinFourth(ctx context.Context, env *Env) error {
	m, err := Join(env, fmt.Sprintf("member-%d", len(g.members)+1), g.cfg)
	if err != nil {
		return err
	}
	g.members = append(g.members, m)
	if _, err := Settle(ctx, g.members, 0); err != nil {
		return err
	}
	for _, m := range g.members {
		gen, partitions := m.Assignment()
		env.Out.Value(fmt.Sprintf("generation %d · %s", gen, m.Name), partitions)
	}
	return nil
}

// member-2 closes. ConsumerGroup.Close sends LeaveGroup, so the coordinator
// starts a rebalance at once; the others hear of it at their next heartbeat
// and join again, and the leader deals the partitions out over the members
// that remain. The time shown runs from Close until every remaining member
// holds the new generation. A member that crashes sends no LeaveGroup: the
// coordinator notices only when its session times out (6 s here), and its
// partitions go unread until then. A restart is a Close and a Join: two
// rebalances. Java's static membership (KIP-345, group.instance.id, Kafka
// 2.3) saves them: a member that comes back under the same instance id
// within its session timeout gets its partitions back without a rebalance.
// kafka-go has no such setting: ConsumerGroupConfig and ReaderConfig have
// no instance id, and the JoinGroup it sends (v1 or v2) has no field for
// one (v5 added it).
func (g *groupsState) leave(ctx context.Context, env *Env) error {
	leaving, rest, err := TakeMember(g.members, "member-2")
	if err != nil {
		return err
	}
	g.members = rest
	before, _ := leaving.Assignment()
	start := time.Now()
	if err := leaving.Close(); err != nil {
		return err
	}
	if _, err := Settle(ctx, g.members, before); err != nil {
		return err
	}
	env.Out.Value("rebalance took", time.Since(start).Round(time.Millisecond))
	for _, m := range g.members {
		gen, partitions := m.Assignment()
		env.Out.Value(fmt.Sprintf("generation %d · %s", gen, m.Name), partitions)
	}
	return nil
}

// Groups do not share with each other. Billing and delivery are two groups
// on the same topic: each reads every order, from its own committed
// offsets, and neither holds the other back. Each is a single Reader with a
// GroupID here (alone in its group, it gets every partition); it reads
// every order it has not read yet, which the first time is all of them (a
// new group starts at StartOffset, FirstOffset by default), and commits
// them. Within a group a record goes to one member; across groups, to every
// group: that is how one topic feeds several applications.
func (g *groupsState) fanOut(ctx context.Context, env *Env) error {
	if err := g.sayEarlierOrders(ctx, env); err != nil {
		return err
	}
	for _, group := range []string{g.billing, g.delivery} {
		unread, err := Unread(ctx, env, env.Name(group), g.topic)
		if err != nil {
			return err
		}
		if unread == 0 {
			env.Out.Say("%s committed every order already: nothing new to read.", group)
		}
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers:           env.Brokers,
			Dialer:            env.Dialer,
			GroupID:           env.Name(group),
			Topic:             g.topic,
			MaxWait:           FetchWait,
			HeartbeatInterval: time.Second,
			JoinGroupBackoff:  250 * time.Millisecond,
		})
		err = ReadAndCommit(ctx, From(env.Out, group), r, unread)
		r.Close()
		if err != nil {
			return err
		}
		env.Out.Value(group+" read", unread)
	}
	return nil
}

// sayEarlierOrders says when the topic holds more orders than this run
// sent (a step run again, or after an earlier run of the lesson): a new
// group reads those too, and its count is theirs as well.
func (g *groupsState) sayEarlierOrders(ctx context.Context, env *Env) error {
	marks, err := ReadWatermarks(ctx, env, g.topic)
	if err != nil {
		return err
	}
	var held int64
	for _, w := range marks {
		held += w.Last - w.First
	}
	if held > g.sent {
		env.Out.Value("orders in the topic", held)
		env.Out.Value("sent before this run of the lesson", held-g.sent)
		env.Out.Say("A new group reads them all, from the first offset.")
	}
	return nil
}

// Three new orders arrive. A group's lag on a partition is the partition's
// high watermark minus the offset the group committed there: how many
// offsets it has yet to handle. ListOffsets gives the first, OffsetFetch the
// second; kafka-consumer-groups (its LAG column) and "go run ./runner
// watch" compute it the same way. Offsets, not records:
// a transaction's commit marker takes an offset, and compaction leaves
// gaps, so 3 behind can be fewer than three records to read. Where a group
// committed nothing, OffsetFetch answers -1 and the lag is unknown, not the
// high watermark: where the group starts there depends on its StartOffset
// (kafka-consumer-groups shows "-"). The group of steps 2 to 4 (kitchen-…)
// is such a group: its members hold every partition, and never committed.
// Reader.Lag() cannot tell: with a GroupID it returns -1. Billing
// committed all it read, so its lag is exactly the orders that arrived.
func (g *groupsState) lag(ctx context.Context, env *Env) error {
	if err := ProduceOrders(ctx, env, g.topic, []Order{SampleOrder(6), SampleOrder(7), SampleOrder(8)}, env.Out.Record); err != nil {
		return err
	}
	g.sent += 3
	marks, err := ReadWatermarks(ctx, env, g.topic)
	if err != nil {
		return err
	}
	for _, group := range []string{g.billing, g.group} {
		resp, err := env.Client().OffsetFetch(ctx, &kafka.OffsetFetchRequest{
			GroupID: env.Name(group),
			Topics:  map[string][]int{g.topic: {0, 1, 2}},
		})
		if err == nil {
			err = resp.Error
		}
		if err != nil {
			return fmt.Errorf("fetch the offsets of group %s: %w", env.Name(group), err)
		}
		committed := map[int]int64{}
		for _, p := range resp.Topics[g.topic] {
			committed[p.Partition] = p.CommittedOffset
		}
		for _, w := range marks {
			lag := PartitionLag{Partition: w.Partition, HighWatermark: w.Last, Committed: committed[w.Partition], Behind: -1}
			if lag.Committed >= 0 { // -1: nothing committed, no lag to compute
				lag.Behind = w.Last - lag.Committed
			}
			env.Out.Value(fmt.Sprintf("%s lag on partition %d", group, w.Partition), lag)
		}
	}
	return nil
}

// Billing starts again with the same GroupID: it resumes from its
// committed offsets, reads the new orders, commits, and its lag is 0 on
// every partition. A lag that keeps growing means the group reads more
// slowly than its producers write: add members, up to one per partition.
func (g *groupsState) catchUp(ctx context.Context, env *Env) error {
	unread, err := Unread(ctx, env, env.Name(g.billing), g.topic)
	if err != nil {
		return err
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:           env.Brokers,
		Dialer:            env.Dialer,
		GroupID:           env.Name(g.billing),
		Topic:             g.topic,
		MaxWait:           FetchWait,
		HeartbeatInterval: time.Second,
		JoinGroupBackoff:  250 * time.Millisecond,
	})
	err = ReadAndCommit(ctx, From(env.Out, g.billing), r, unread)
	r.Close()
	if err != nil {
		return err
	}
	lags, err := GroupLag(ctx, env, env.Name(g.billing), g.topic)
	if err != nil {
		return err
	}
	for _, l := range lags {
		env.Out.Value(fmt.Sprintf("%s lag on partition %d", g.billing, l.Partition), l)
	}
	return nil
}

// kafka-go sends a member's heartbeats from a goroutine of its own,
// whatever your code does, and has nothing like Java's
// max.poll.interval.ms (5 minutes by default), after which a Java consumer
// that has not called poll() is dropped from its group. So a member whose
// handler hangs stays in the group for as long as the process lives, and
// keeps its partitions until another member joins or leaves: their orders
// wait, and only the lag says so. Here
// three orders arrive, billing's member fetches one and its handler hangs
// (a sleep stands in for a call that never returns). Two seconds, eight
// heartbeats later, the coordinator (DescribeGroups) still lists it
// holding every partition.
func (g *groupsState) hang(ctx context.Context, env *Env) error {
	if err := ProduceOrders(ctx, env, g.topic, []Order{SampleOrder(9), SampleOrder(10), SampleOrder(11)}, env.Out.Record); err != nil {
		return err
	}
	g.sent += 3
	g.stuck = kafka.NewReader(kafka.ReaderConfig{
		Brokers:           env.Brokers,
		Dialer:            env.Dialer,
		GroupID:           env.Name(g.billing),
		Topic:             g.topic,
		MaxWait:           FetchWait,
		HeartbeatInterval: 250 * time.Millisecond,
		JoinGroupBackoff:  250 * time.Millisecond,
	})
	fetchCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	msg, err := g.stuck.FetchMessage(fetchCtx)
	if err != nil {
		return fmt.Errorf("group %s: fetch: %w", env.Name(g.billing), err)
	}
	Receive(From(env.Out, g.billing), msg)
	g.held = msg
	time.Sleep(2 * time.Second) // the handler hangs: no FetchMessage, no commit
	env.Out.Value("handler stuck for", 2*time.Second)
	group, err := DescribeGroup(ctx, env, env.Name(g.billing))
	if err != nil {
		return err
	}
	env.Out.Value(g.billing+" state", group.GroupState)
	env.Out.Value(g.billing+" members", len(group.Members))
	for _, m := range group.Members {
		for _, t := range m.MemberAssignments.Topics {
			env.Out.Value(g.billing+" member holds", t.Partitions)
		}
	}
	lags, err := GroupLag(ctx, env, env.Name(g.billing), g.topic)
	if err != nil {
		return err
	}
	for _, l := range lags {
		env.Out.Value(fmt.Sprintf("%s lag on partition %d", g.billing, l.Partition), l)
	}
	return nil
}

// What to do: give the handler a deadline (context.WithTimeout); a handler
// that honours its context returns when it passes. Then, if the work cannot
// be done, Close the Reader: it sends LeaveGroup, the coordinator
// rebalances at once, and the other members take its partitions (none is
// left here: the group is empty). The order it held was not committed, so
// the next member of billing reads it again: at least once. A handler that
// ignores its context cannot be stopped from outside: close the Reader from
// another goroutine (its partitions move on, but the handler may still
// finish later, and that order is then handled twice), or let the process
// exit and restart.
func (g *groupsState) unstick(ctx context.Context, env *Env) error {
	handleCtx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if err := Cook(handleCtx, g.held); err != nil {
		env.Out.Warn("order at %s [%d] @ %d not handled: %v; leaving the group", g.held.Topic, g.held.Partition, g.held.Offset, err)
		if err := g.stuck.Close(); err != nil {
			return fmt.Errorf("close the reader of group %s: %w", env.Name(g.billing), err)
		}
		g.stuck = nil
	}
	group, err := DescribeGroup(ctx, env, env.Name(g.billing))
	if err != nil {
		return err
	}
	env.Out.Value(g.billing+" state", group.GroupState)
	env.Out.Value(g.billing+" members", len(group.Members))
	return nil
}

// Who reads which partition is the GroupBalancer's choice, and the
// group's leader, a client, runs it. Members offer a list (kafka-go's
// default: Range, then RoundRobin); the coordinator picks one that all of
// them offer, the one most of them list first. Here both are called as the
// leader calls them, with two members and the topic's three partitions:
// Range cuts the list of partitions into consecutive runs, one per member
// (members in id order); RoundRobin deals the partitions out in turn, like
// cards. In a live group kafka-go takes the partitions in the order the
// topic's metadata lists them, which need not be sorted. It applies either
// balancer to each topic on its own, and has no sticky or cooperative
// balancer: a rebalance deals everything out anew.
func (g *groupsState) strategies(ctx context.Context, env *Env) error {
	topic, err := DescribeTopic(ctx, env, g.topic) // its partitions, sorted by id
	if err != nil {
		return err
	}
	members := []kafka.GroupMember{
		{ID: "member-1", Topics: []string{g.topic}},
		{ID: "member-2", Topics: []string{g.topic}},
	}
	for _, b := range []kafka.GroupBalancer{kafka.RangeGroupBalancer{}, kafka.RoundRobinGroupBalancer{}} {
		assigned := b.AssignGroups(members, topic.Partitions)
		for _, m := range members {
			env.Out.Value(fmt.Sprintf("%s · %s", b.ProtocolName(), m.ID), assigned[m.ID][g.topic])
		}
	}
	return nil
}

// Kafka 4.0 made a second group protocol generally available, the consumer
// protocol of KIP-848 (in Java, group.protocol=consumer). It changes who
// assigns and how. The coordinator computes the assignment itself, with a
// server-side assignor ("uniform" or "range"), not a leader member. And
// there is no stop-the-world rebalance: JoinGroup, SyncGroup and Heartbeat
// give way to one request, ConsumerGroupHeartbeat, that each member sends
// on its own and through which the coordinator hands it its new share; a
// partition moves once its old owner has released it, and members go on
// reading the partitions they keep.
// Session timeout and heartbeat interval become broker settings (45 s and
// 5 s by default). kafka-go speaks only the classic protocol. franz-go
// speaks the new one when asked: ServerSideBalancer, with a range or sticky
// balancer first, on a broker that offers it (elsewhere it quietly stays
// classic; its docs advise Kafka 4.3 or later for it). Here a franz-go
// member reads the topic in a group of its own, and the broker tells what
// it made of it: the group's type (billing's, a kafka-go group, is
// classic), the assignor it ran, the member's epoch and partitions.
func (g *groupsState) consumerProtocol(ctx context.Context, env *Env) error {
	cl, err := env.FranzClient(
		kgo.ConsumerGroup(env.Name(g.next)),
		kgo.ConsumeTopics(g.topic),
		kgo.Balancers(kgo.RangeBalancer()), // the broker runs its "range" assignor
		kgo.ServerSideBalancer(),           // KIP-848: the coordinator assigns
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.FetchMaxWait(FetchWait),
	)
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer cl.Close() // leaves the group
	pollCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	fetches := cl.PollFetches(pollCtx)
	if err := fetches.Err0(); err != nil {
		return fmt.Errorf("group %s: poll: %w", env.Name(g.next), err)
	}
	env.Out.Value("records read", fetches.NumRecords())
	types, err := GroupTypes(ctx, env)
	if err != nil {
		return err
	}
	for _, group := range []string{g.next, g.billing} {
		env.Out.Value(group+" is a group of type", types[env.Name(group)])
	}
	desc, err := DescribeConsumerGroup(ctx, env, env.Name(g.next))
	if err != nil {
		return err
	}
	env.Out.Value("assignor the broker ran", desc.Assignor)
	for _, m := range desc.Members {
		env.Out.Value(fmt.Sprintf("member epoch %d holds", m.Epoch), m.Partitions)
	}
	return nil
}

// Share groups (KIP-932, "queues for Kafka") change what a group is. The
// members of a share group read the same partitions together: the broker
// lends each record to one member for a while, the member acknowledges it
// (accept, release or reject) record by record, and a record not
// acknowledged in time is delivered again, to any member, up to a delivery
// limit. More members than partitions all get work, a slow record does not
// hold up the ones behind it, and the order within a partition is gone. Kafka 4.0 shipped them
// as early access, 4.1 as a preview that a cluster switches on with the
// feature share.version ("kafka-features.sh --bootstrap-server HOST:PORT
// upgrade --feature share.version=1"); Kafka 4.2 calls them production
// ready. kafka-go has no share consumer; franz-go has one
// (kgo.ShareGroup). Here the broker says how far it goes: the highest
// share.version it supports (0: it does not know share groups) and the one
// switched on (0: off).
func (g *groupsState) shareGroups(ctx context.Context, env *Env) error {
	finalized, supported, err := Feature(ctx, env, "share.version")
	if err != nil {
		return err
	}
	env.Out.Value("share.version this broker supports, up to", supported)
	env.Out.Value("share.version switched on", finalized)
	return nil
}
