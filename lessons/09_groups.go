package lessons

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
)

// groupsLesson is lesson 9: consumer groups share a topic, and fan it out.
func groupsLesson() Lesson {
	return Lesson{
		Number: 9,
		Title:  "Consumer groups",
		Goal:   "Share a topic's partitions among the members of a group, watch a rebalance, fan a topic out to several groups and measure a group's lag.",
		Summary: []string{
			"The members of a group share the partitions: each partition is read by one member; the group's leader computes the assignment, the coordinator hands it out.",
			"kafka-go's ConsumerGroup shows a member's partitions (Generation.Assignments); a Reader with a GroupID hides them.",
			"More members than partitions: the extra ones get nothing and wait, as standbys.",
			"A member that leaves (Close sends LeaveGroup) triggers a rebalance within a heartbeat; one that crashes, only after its session timeout.",
			"Every group gets every record: groups fan a topic out; members of one group share it.",
			"Lag = high watermark (ListOffsets) − committed offset (OffsetFetch), per partition; Reader.Lag() is -1 with a GroupID.",
			"The leader runs the GroupBalancer: Range cuts the partitions into one run per member, RoundRobin deals them out in turn; kafka-go has neither sticky nor cooperative rebalancing.",
		},
		Quiz: []Question{
			{
				Ask: "A group has four members and its topic three partitions. One member gets no partition. What does it do?",
				Choices: []string{
					"It reads a partition together with another member",
					"It stays in the group, idle, until a rebalance gives it one",
					"Nothing: the coordinator refuses a fourth member",
				},
				Answer: 1,
				Why:    "Within a group a partition has one reader at a time. The extra member heartbeats and waits; when another member leaves, it takes over.",
				Step:   3,
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
			g := &groupsState{group: "kitchen-" + id, billing: "billing-" + id, delivery: "delivery-" + id}
			return Plan{Setup: g.topicReady, Steps: []Step{
				{Title: "Orders to share", Run: g.produce},
				{Title: "Three members, three partitions", Run: g.joinThree, Reset: g.cleanup},
				{Title: "A fourth member waits", Run: g.joinFourth, Needs: []int{2}},
				{Title: "A member leaves: a rebalance", Run: g.leave, Needs: []int{2, 3}},
				{Title: "Two groups, every order each", Run: g.fanOut, Needs: []int{1}},
				{Title: "Lag: how far behind a group is", Run: g.lag, Needs: []int{5}},
				{Title: "Catch up: lag back to 0", Run: g.catchUp, Needs: []int{6}},
				{Title: "Range against RoundRobin", Run: g.strategies},
			}, Cleanup: g.cleanup}
		},
	}
}

// What this lesson says of kafka-go is pinned by
// TestKafkaGo_ConsumerGroupDefaults, …ConsumerGroupCloseLeavesTheGroup,
// …RangeAndRoundRobinAssignments, …ReaderGroupBalancersDefaultRangeThenRoundRobin,
// …ReaderStartOffsetDefaultIsFirstOffset, …ReadMessageCommitsFetchMessageDoesNot
// (OffsetFetch -1 when nothing is committed) and
// …ReaderWithGroupIDRefusesSetOffset (Lag -1).
type groupsState struct {
	topic                    string
	group, billing, delivery string // new names for every run
	cfg                      kafka.ConsumerGroupConfig
	members                  []*Member
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
}

// Six orders go to the groups' topic, two to each of its three partitions
// (the writer's default round-robin), for the groups below to read.
func (g *groupsState) produce(ctx context.Context, env *Env) error {
	var orders []Order
	for i := 0; i < 6; i++ {
		orders = append(orders, SampleOrder(i))
	}
	return ProduceOrders(ctx, env, g.topic, orders, env.Out.Record)
}

// A consumer group is the consumers that share one group id. In kafka-go a
// member is a ConsumerGroup: whenever the group changes, it hands the
// program a new Generation, and gen.Assignments is this member's share of
// the partitions (a Reader with a GroupID runs one inside, and does not show
// it; Join in groups.go takes each generation as it comes). Three members
// join. One of them, the leader, computes who reads what with a
// GroupBalancer; the coordinator, a broker, hands each member its part.
// Every change of members starts a new generation, hence its number.
// Three partitions, three members: one each. Within a group, a partition
// is read by one member at a time. The settings make changes quick: members
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
// partitions go unread until then.
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
	for _, group := range []string{g.billing, g.delivery} {
		unread, err := Unread(ctx, env, env.Name(group), g.topic)
		if err != nil {
			return err
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

// Three new orders arrive. A group's lag on a partition is the partition's
// high watermark (ListOffsets) minus the offset the group committed there
// (OffsetFetch, -1 where it committed nothing): the records it has not
// handled yet. Reader.Lag() cannot tell: with a GroupID it returns -1.
// Billing committed all it read, so its lag is exactly the orders that
// arrived since.
func (g *groupsState) lag(ctx context.Context, env *Env) error {
	if err := ProduceOrders(ctx, env, g.topic, []Order{SampleOrder(6), SampleOrder(7), SampleOrder(8)}, env.Out.Record); err != nil {
		return err
	}
	marks, err := ReadWatermarks(ctx, env, g.topic)
	if err != nil {
		return err
	}
	resp, err := env.Client().OffsetFetch(ctx, &kafka.OffsetFetchRequest{
		GroupID: env.Name(g.billing),
		Topics:  map[string][]int{g.topic: {0, 1, 2}},
	})
	if err == nil {
		err = resp.Error
	}
	if err != nil {
		return fmt.Errorf("fetch the offsets of group %s: %w", env.Name(g.billing), err)
	}
	committed := map[int]int64{}
	for _, p := range resp.Topics[g.topic] {
		committed[p.Partition] = p.CommittedOffset
	}
	for _, w := range marks {
		c := committed[w.Partition]
		env.Out.Value(fmt.Sprintf("%s lag on partition %d", g.billing, w.Partition),
			PartitionLag{Partition: w.Partition, HighWatermark: w.Last, Committed: c, Behind: w.Last - c})
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
