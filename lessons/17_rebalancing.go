package lessons

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kgo"
)

// rebalancingLesson is lesson 17: cooperative rebalancing, where a
// rebalance stops only the partitions that move.
func rebalancingLesson() Lesson {
	return Lesson{
		Number: 17,
		Title:  "Rebalancing without stopping the world",
		Goal:   "See a rebalance revoke only the partitions that change owner, with franz-go's cooperative-sticky balancer, where the eager protocol (kafka-go's only one) stops every member; and commit on revoke, so that the next owner does not handle an order again.",
		Summary: []string{
			"In an eager rebalance every member gives up all its partitions before the group is dealt out anew; kafka-go's Reader and ConsumerGroup know only this protocol.",
			"A cooperative rebalance (KIP-429) revokes only the partitions that change owner, in a first round, and assigns them in the next; the other partitions are read throughout. franz-go's default balancer is cooperative-sticky.",
			"A sticky balancer keeps partitions where they were; only an incremental protocol (cooperative, or KIP-848's consumer protocol of lesson 9) also spares the members the stop.",
			"franz-go calls OnPartitionsAssigned with what a member gains, OnPartitionsRevoked with what it gives up (commit there), and OnPartitionsLost when the group has thrown it out (do not commit: the partitions may be another's).",
			"BlockRebalanceOnPoll holds a rebalance's callbacks until the program has handled what it polled (AllowRebalance), so a commit in OnPartitionsRevoked covers exactly the handled records; handling must stay well under the rebalance timeout, or the member is thrown out.",
		},
		Quiz: []Question{
			{
				Ask:     "Six partitions, two cooperative-sticky members holding three each. A third member joins. How many partitions are revoked?",
				Choices: []string{"All six", "Two", "None: the newcomer waits for a member to leave"},
				Answer:  1,
				Why:     "The sticky balancer moves one partition from each member to the newcomer. Only those two are revoked, in the first round, and assigned in the next; the four others are read throughout.",
				Step:    3,
			},
			{
				Ask: "A member joins a group of kafka-go Readers. What do the members already there do?",
				Choices: []string{
					"Give up all their partitions, then get a new share",
					"Give up only the partitions that move",
					"Nothing: the broker assigns the newcomer idle partitions",
				},
				Answer: 0,
				Why:    "kafka-go's ConsumerGroup is eager whatever its balancer (Range, RoundRobin, RackAffinity or your own): each new generation ends the previous one, and every partition with it. It has no cooperative rebalancing, and does not speak KIP-848's consumer protocol.",
				Step:   4,
			},
			{
				Ask: "A member stopped heartbeating; its session expired and the group gave its partitions to others. What does franz-go call, and should the member commit there?",
				Choices: []string{
					"OnPartitionsRevoked: commit what it handled",
					"OnPartitionsLost: no, the partitions may be another's already",
					"Nothing: franz-go commits for it",
				},
				Answer: 1,
				Why:    "Lost means the member is out of the group: its commit would be refused, and another member may already be reading those partitions. What it handled since its last commit will be handled again.",
				Step:   2,
			},
		},
		Plan: func() Plan {
			s := &rebalancingState{}
			return Plan{Setup: s.topicReady, Steps: []Step{
				{Title: "Orders on six partitions", Run: s.orders},
				{Title: "Two members, cooperative-sticky", Run: s.twoMembers, Needs: []int{1}, Reset: s.newCoop},
				{Title: "A third member joins: two partitions move", Run: s.thirdJoins, Needs: []int{2}, Reset: s.thirdLeaves},
				{Title: "The same joins, eager: every member stops", Run: s.eagerJoins, Needs: []int{2}, Reset: s.newEager},
				{Title: "A member leaves, and commits on revoke", Run: s.leave, Needs: []int{3}, Ends: []int{2, 3}},
			}, Cleanup: s.cleanup}
		},
	}
}

// Pinned by TestFranz_DefaultBalancerIsCooperativeSticky (with the 3 s
// heartbeat and the 60 s rebalance timeout) and …StickyBalancerIsEager.
type rebalancingState struct {
	env         *Env
	topic       string      // six partitions, this run's own
	coop, eager *FranzGroup // cooperative-sticky members, and eager ones
	join        func(g *FranzGroup, name string, balancer kgo.GroupBalancer) (*FranzMember, error)
}

// topicReady makes this run's topic, of six partitions, so that a
// rebalance has something to move; cleanup deletes it.
func (s *rebalancingState) topicReady(ctx context.Context, env *Env) error {
	s.env = env
	s.topic = env.Name("orders-rebalancing-" + uuid.NewString()[:6])
	s.coop, s.eager = NewFranzGroup(env, "kitchen-coop"), NewFranzGroup(env, "kitchen-eager")
	return EnsureTopic(ctx, env, TopicSpec{Name: s.topic, Partitions: 6, ReplicationFactor: env.Replicas()})
}

// newCoop makes every cooperative member leave, and starts a new group
// (which reads the topic from the start): step 2 runs again.
func (s *rebalancingState) newCoop() {
	s.coop.LeaveAll()
	s.coop = NewFranzGroup(s.env, "kitchen-coop")
}

// thirdLeaves undoes step 3: member-3 leaves.
func (s *rebalancingState) thirdLeaves() { s.coop.Leave("member-3") }

// newEager makes every eager member leave, and starts a new group.
func (s *rebalancingState) newEager() {
	s.eager.LeaveAll()
	s.eager = NewFranzGroup(s.env, "kitchen-eager")
}

// cleanup makes the members leave, and deletes this run's topic.
func (s *rebalancingState) cleanup() {
	if s.env == nil {
		return
	}
	s.coop.LeaveAll()
	s.eager.LeaveAll()
	DeleteTopics(s.env, s.topic)
}

// Lesson 9 showed what kafka-go does when a member joins or leaves a
// group: every member gives up all its partitions, and the group is dealt
// out anew. That is the eager protocol, the only one kafka-go knows. This
// lesson does the same with franz-go, whose default is the other way. A
// topic of this run's own has six partitions, so a rebalance has something
// to move; twelve orders go to it, two per partition (the Writer's default
// balancer deals them out in turn).
func (s *rebalancingState) orders(ctx context.Context, env *Env) error {
	var orders []Order
	for i := range 12 {
		orders = append(orders, SampleOrder(i))
	}
	return ProduceOrders(ctx, env, s.topic, orders, env.Out.Record)
}

// A member is a franz-go client in the group, with the cooperative-sticky
// balancer (franz-go's default) and a function for each thing a rebalance
// can do to it. OnPartitionsAssigned gets the partitions it gains.
// OnPartitionsRevoked gets the ones it gives up while still in the group:
// it commits there what it has handled. OnPartitionsLost gets the ones
// taken from it once the group has thrown it out (its session expired):
// another member may read them already, so it does not commit. Auto-commit
// is off, and BlockRebalanceOnPoll holds a rebalance's callbacks until the
// member has handled what it polled and says so with AllowRebalance: the
// commit in OnPartitionsRevoked covers exactly the orders handled.
// Handling must then stay well under the rebalance timeout (60 s by
// default), or the member is thrown out. Here a member commits only on
// revoke, to show it; a real one also commits after each batch (lesson
// 10), or a crash replays all it handled since the last rebalance. Members
// heartbeat every 250 ms (3 s by default), to hear of a rebalance sooner.
// The first member joins, takes all six partitions and reads the twelve
// orders; when the second joins, the first gives three up (committing what
// it handled, so the second starts after it): a cooperative rebalance,
// which the next step looks at.
func (s *rebalancingState) twoMembers(ctx context.Context, env *Env) error {
	s.join = func(g *FranzGroup, name string, balancer kgo.GroupBalancer) (*FranzMember, error) {
		log := g.Log // what the group's members did, for the report
		cl, err := env.FranzClient(
			kgo.ClientID(name),
			kgo.ConsumerGroup(g.Name),
			kgo.ConsumeTopics(s.topic),
			kgo.Balancers(balancer),
			kgo.HeartbeatInterval(250*time.Millisecond),
			kgo.DisableAutoCommit(),
			kgo.BlockRebalanceOnPoll(),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, gained map[string][]int32) {
				log.Assigned(name, gained[s.topic])
			}),
			kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, given map[string][]int32) {
				log.Revoked(name, given[s.topic])
				if err := cl.CommitUncommittedOffsets(ctx); err != nil {
					log.Failed(name, err)
				}
			}),
			kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
				log.Lost(name, lost[s.topic]) // no commit: it is out of the group
			}),
		)
		if err != nil {
			return nil, fmt.Errorf("member %s: %w", name, err)
		}
		m := NewFranzMember(name, cl, func(ctx context.Context) {
			for ctx.Err() == nil { // until the member leaves
				fetches := cl.PollFetches(ctx)
				fetches.EachError(func(_ string, _ int32, err error) {
					if ctx.Err() == nil { // not the member leaving
						log.Failed(name, err)
					}
				})
				fetches.EachRecord(func(r *kgo.Record) {
					log.Handled(r) // handle the order
				})
				cl.AllowRebalance() // handled: a rebalance may go on
			}
		})
		g.Members[name] = m
		return m, nil
	}
	env.Out.Value("group", s.coop.Name)
	var joined []string
	for _, name := range []string{"member-1", "member-2"} {
		if _, err := s.join(s.coop, name, kgo.CooperativeStickyBalancer()); err != nil {
			return err
		}
		joined = append(joined, name)
		if err := s.coop.Log.Settle(ctx, joined, 6, 12); err != nil {
			return err
		}
	}
	s.coop.Log.Report(env.Out, joined...)
	env.Out.Value("orders handled", s.coop.Log.Count())
	return nil
}

// A third member joins. The coordinator starts a rebalance, and the members
// join again, each naming the partitions it holds, which it goes on
// reading. The group's leader runs the sticky balancer: two partitions
// each, with as few moves as possible, so member-1 and member-2 each give
// one up. A cooperative rebalance never moves a partition straight from one
// member to another: in this first round, the leader assigns the two that
// move to nobody. Each of their owners revokes its one (OnPartitionsRevoked
// commits what it handled) and joins again at once; in the next round, the
// freed partitions go to member-3: two rounds in all, or three when the two
// owners rejoin at different moments, each round a new generation of the
// group. Two partitions stopped for a moment, and the four others were read
// throughout.
func (s *rebalancingState) thirdJoins(ctx context.Context, env *Env) error {
	first := s.coop.Members["member-1"].Client
	_, before := first.GroupMetadata() // the generation member-1 is in
	if _, err := s.join(s.coop, "member-3", kgo.CooperativeStickyBalancer()); err != nil {
		return err
	}
	members := []string{"member-1", "member-2", "member-3"}
	if err := s.coop.Log.Settle(ctx, members, 6, 12); err != nil {
		return err
	}
	s.coop.Log.Report(env.Out, members...)
	_, after := first.GroupMetadata()
	env.Out.Value("rebalance rounds (generations)", after-before)
	return nil
}

// The same joins in a group of its own, whose members name franz-go's
// StickyBalancer: sticky as well, but eager, the protocol kafka-go knows.
// When member-2 joins, and again when member-3 does, every member already
// there revokes all its partitions before joining again, stops reading
// until the new assignment comes, and then gets back those the sticky
// balancer leaves it: six partitions revoked for each join, where the
// cooperative group revoked three, then two. Sticky keeps partitions where
// they were; only an incremental protocol (cooperative, or the consumer
// protocol of KIP-848 that lesson 9 showed) also spares the stop.
func (s *rebalancingState) eagerJoins(ctx context.Context, env *Env) error {
	var joined []string
	for _, name := range []string{"member-1", "member-2", "member-3"} {
		if _, err := s.join(s.eager, name, kgo.StickyBalancer()); err != nil {
			return err
		}
		joined = append(joined, name)
		if err := s.eager.Log.Settle(ctx, joined, 6, 12); err != nil {
			return err
		}
		s.eager.Log.Report(env.Out, joined...)
	}
	return nil
}

// Twelve more orders arrive, then member-2 leaves: it stops polling once it
// has handled what it polled, and leaving the group revokes all its
// partitions (OnPartitionsRevoked commits what it handled) before
// LeaveGroup is sent. The broker has the commits: on each of its
// partitions, the offset after the last order it handled. In the rebalance
// that follows, member-1 and member-3 keep what they hold and are assigned
// member-2's two partitions in one round, with nothing revoked from them
// (the two partitions revoked are member-2's own, as it left): a member
// that only gains gives nothing up. They start at member-2's commits,
// twelve more orders come, and no order is handled twice. Without that
// commit, they would start at an older one, and handle again what member-2
// had handled since.
func (s *rebalancingState) leave(ctx context.Context, env *Env) error {
	log := s.coop.Log
	more := func(from int) error { // twelve orders, and wait for the group to handle them
		var orders []Order
		for i := from; i < from+12; i++ {
			orders = append(orders, SampleOrder(i))
		}
		want := log.Count() + len(orders)
		if err := ProduceOrders(ctx, env, s.topic, orders, nil); err != nil {
			return err
		}
		return log.Settle(ctx, slices.Sorted(maps.Keys(s.coop.Members)), 6, want)
	}
	if err := more(12); err != nil {
		return err
	}
	given := log.Holds("member-2")
	first := s.coop.Members["member-1"].Client
	_, before := first.GroupMetadata() // the generation member-1 is in
	if err := s.coop.Leave("member-2"); err != nil {
		return err
	}
	committed, err := CommittedOffsets(ctx, env, s.coop.Name, s.topic, 6)
	if err != nil {
		return err
	}
	for _, p := range given {
		env.Out.Value(fmt.Sprintf("partition %d · committed as member-2 left", p), committed[int(p)])
	}
	if err := more(24); err != nil {
		return err
	}
	log.Report(env.Out, "member-1", "member-3")
	_, after := first.GroupMetadata()
	env.Out.Value("rebalance rounds (generations)", after-before)
	env.Out.Value("orders handled", log.Count())
	env.Out.Value("orders handled twice", log.Twice())
	return nil
}
