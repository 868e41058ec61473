package lessons

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
)

// replicationLesson is lesson 11: copies of every partition, and a broker
// that dies.
func replicationLesson() Lesson {
	return Lesson{
		Number: 11,
		Title:  "Replication and failover",
		Goal:   "Keep three copies of every partition, stop the broker that leads one while orders flow, and lose nothing that was acknowledged.",
		Summary: []string{
			"Each partition has replicas on several brokers: one leader takes the writes, the followers copy it.",
			"The ISR is the leader and the followers that are caught up; acks=all waits for every replica in it.",
			"When a leader's broker stops, the controller makes an in-sync follower the leader: acknowledged writes survive. Only unclean.leader.election.enable=true (false by default) lets a replica that may lack acknowledged writes lead: available again, writes lost.",
			"min.insync.replicas decides what a lost broker costs: at 2 of 3, acks=all writes go on; at 3 they are refused (NOT_ENOUGH_REPLICAS), and an acks=1 write is kept but unreadable until the ISR is whole again.",
			"In docker-compose.cluster.yml every node is also a voter of the KRaft controller quorum, which needs a majority up; production runs dedicated controllers, an odd number (three or five), and leaves combined nodes to development.",
			"A restarted broker catches up from the leaders and rejoins the ISR.",
		},
		Requires: Requirement{Brokers: 3},
		Quiz: []Question{
			{
				Ask: "The leader of a partition stops while a producer writes with acks=all. What happens to the writes it acknowledged?",
				Choices: []string{
					"They are lost until that broker comes back",
					"They are on the new leader: it was an in-sync replica",
					"The producer must send them again",
				},
				Answer: 1,
				Why:    "acks=all waits until every replica in the ISR has the record, and the controller only elects a replica that holds every acknowledged record: an in-sync one (from Kafka 4.1 also an 'eligible' one, KIP-966), unless unclean.leader.election.enable=true, which is off by default.",
				Step:   2,
			},
			{
				Ask: "Replication factor 3, min.insync.replicas=3, one broker down. What does an acks=all write get?",
				Choices: []string{
					"Accepted: two copies are enough",
					"NOT_ENOUGH_REPLICAS: fewer than 3 copies are in sync",
					"It waits until the broker comes back",
				},
				Answer: 1,
				Why:    "With two replicas in the ISR, below min.insync.replicas, the leader refuses acks=all writes at once. With min.insync.replicas=2 the same write is accepted.",
				Step:   3,
			},
			{
				Ask: "Three nodes are each a broker and a controller. Two of them stop. Can a partition's leader still change?",
				Choices: []string{
					"Yes: the node left becomes the controller",
					"No: one voter of three is no majority, so nothing is committed",
					"Only for the partitions the node left leads",
				},
				Answer: 1,
				Why:    "The KRaft quorum commits a metadata change only when a majority of its voters has it: two of three. One voter alone cannot elect itself or commit anything, so leaders and ISRs stay as they were until a second voter is back.",
				Step:   4,
			},
		},
		Plan: func() Plan {
			r := &replicationState{}
			return Plan{Steps: []Step{
				{Title: "Two topics with three replicas: min.insync.replicas 2 and 3", Run: r.createTopics},
				{Title: "Stop the leader of partition 0 while orders flow", Run: r.failover, Needs: []int{1},
					Reset: r.cleanup, NoEdit: stopsABroker},
				{Title: "One broker down: acks=all accepted at 2, refused at 3; acks=1 accepted", Run: r.oneDown, Needs: []int{2},
					Requires: Requirement{Brokers: 3, RealKafka: true}, NoEdit: stopsABroker},
				{Title: "Start it again: the ISR grows back", Run: r.restart, Needs: []int{2}, Ends: []int{2}, NoEdit: stopsABroker},
			}, Cleanup: r.cleanup}
		},
	}
}

// stopsABroker is why lesson 11's later steps cannot be edited: an edited
// step runs in a program of its own, after step 2 again, which would stop
// a second broker.
const stopsABroker = "its edited run would run step 2 again and stop a second broker"

type replicationState struct {
	topic  string // min.insync.replicas=2
	strict string // min.insync.replicas=3
	// readable is where orders-strict's high watermark goes once step 3's
	// acks=1 order may be read.
	readable int64
	stopped  []int // the brokers this lesson stopped, to start again
	env      *Env
}

// cleanup starts again every broker the lesson stopped, however it ended:
// the cluster is left as it was found.
func (r *replicationState) cleanup() {
	if r.env == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := len(r.stopped) - 1; i >= 0; i-- {
		r.env.Out.Say("starting broker %d again, which this lesson stopped…", r.stopped[i])
		if err := r.env.Nodes.Start(ctx, r.stopped[i]); err != nil {
			r.env.Out.Warn("broker %d is still stopped (%v): start it yourself", r.stopped[i], err)
		}
	}
	r.stopped = nil
}

// A replicated topic keeps every partition on three brokers. One replica is
// the leader, which takes the writes and (by default) serves the reads; the
// two followers fetch from it, as consumers do, and those caught up with it
// form the ISR. min.insync.replicas=2 says that an acks=all write needs at
// least two copies in the ISR, the leader's included: one broker can fail
// without losing an acknowledged write, and without stopping the writes.
// A second topic asks for all three copies; step 3 shows what that costs.
// CreateTopics returns once the controller has committed the topics to
// the cluster's metadata log; each broker learns them a moment later, by
// replaying that log. So the step waits until every broker describes them
// alike, all replicas in sync.
func (r *replicationState) createTopics(ctx context.Context, env *Env) error {
	r.topic, r.strict, r.env = env.Name("orders-replicated"), env.Name("orders-strict"), env
	resp, err := env.Client().CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic:             r.topic,
		NumPartitions:     3,
		ReplicationFactor: 3,
		ConfigEntries:     []kafka.ConfigEntry{{ConfigName: "min.insync.replicas", ConfigValue: "2"}},
	}, {
		Topic:             r.strict,
		NumPartitions:     1,
		ReplicationFactor: 3,
		ConfigEntries:     []kafka.ConfigEntry{{ConfigName: "min.insync.replicas", ConfigValue: "3"}},
	}}})
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	for _, topic := range []string{r.topic, r.strict} {
		if err := resp.Errors[topic]; err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", topic, err)
		}
	}
	allInSync := func(p Replicas) bool { return len(p.ISR) == 3 }
	strict, err := WaitForReplicas(ctx, env, r.strict, 30*time.Second, allInSync)
	if err != nil {
		return err
	}
	topic, err := WaitForReplicas(ctx, env, r.topic, 30*time.Second, allInSync)
	if err != nil {
		return err
	}
	ReportReplicas(env.Out, topic)
	env.Out.Value("orders-strict", strict[0])
	return nil
}

// A producer writes an order every 20 ms with acks=all and keeps the id of
// each order acknowledged. Once ten are, the broker that leads partition 0
// stops, cleanly, as docker compose stop does. The controller makes an
// in-sync follower the new leader and drops the stopped broker from every
// ISR. Only a replica known to hold every acknowledged write may lead: one
// in the ISR, or, on clusters made with Kafka 4.1 or later (eligible leader
// replicas, KIP-966, on by default there), one that left the ISR after the
// high watermark stopped moving. So no acknowledged write is lost, unless
// unclean.leader.election.enable=true (false by default): then, when no
// such replica is left, a lagging one may lead, and the partition is
// available again without the writes it lacked. Writes to the old leader
// fail for a moment: the Writer retries them with a growing back-off (hence
// MaxAttempts: 20) until its transport has re-read the metadata (on a
// timer, within MetadataTTL, 6 s by default) and sends them to the new
// leader. Once ten more are acknowledged, the producer stops, and every
// record is read back: each acknowledged order must be there.
func (r *replicationState) failover(ctx context.Context, env *Env) error {
	before, err := ReadReplicas(ctx, env, r.topic)
	if err != nil {
		return err
	}
	leader := before[0].Leader
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: r.topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, MaxAttempts: 20}
	defer w.Close()

	acks := NewAcks() // safe for the producer's goroutine and this one
	producing, stopProducing := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { // the producer
		defer close(done)
		for i := 0; producing.Err() == nil; i++ {
			order := SampleOrder(i)
			value, _ := order.MarshalValue()
			if err := w.WriteMessages(producing, kafka.Message{Value: value}); err != nil {
				if producing.Err() == nil {
					acks.Failed()
				}
				continue
			}
			acks.Acked(order.OrderID)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	err = acks.WaitFor(ctx, 10)
	if err == nil {
		env.Out.Event("stopping broker %d, the leader of partition 0, while the producer writes", leader)
		err = env.Nodes.Stop(ctx, leader)
	}
	if err == nil {
		r.stopped = append(r.stopped, leader)
		err = acks.WaitFor(ctx, 10) // the producer goes on without it
	}
	stopProducing()
	<-done
	if err != nil {
		return err
	}

	after, err := WaitForReplicas(ctx, env, r.topic, 30*time.Second, func(p Replicas) bool {
		return p.Leader != leader && !slices.Contains(p.ISR, leader)
	})
	if err != nil {
		return err
	}
	ReportReplicas(env.Out, after)
	env.Out.Value("new leader of partition 0", after[0].Leader)

	read, err := ReadOrderIDs(ctx, env, r.topic)
	if err != nil {
		return err
	}
	missing := 0
	for _, id := range acks.IDs() {
		if read[id] == 0 {
			missing++
		}
	}
	env.Out.Value("orders acknowledged", len(acks.IDs()))
	env.Out.Value("writes that failed", acks.Failures())
	env.Out.Value("acknowledged orders missing", missing)
	return nil
}

// One broker is still down: every ISR has two replicas. orders-replicated
// asks for two in sync, so an acks=all write is accepted; orders-strict
// asks for three, so Kafka refuses one with NOT_ENOUGH_REPLICAS rather than
// acknowledge what two brokers hold. An acks=1 write needs only the leader
// and is accepted, but since Kafka 3.7 the leader does not move the high
// watermark, the end of what consumers may read, while the ISR is smaller
// than min.insync.replicas: no consumer sees that order until the ISR is
// whole again. (A min.insync.replicas above the replication factor counts
// as the replication factor.) The trade-off: min.insync.replicas equal to
// the replication factor stops acks=all writes whenever any one broker is
// down; 2 of 3 is the usual choice. Each write gets a transport of its own,
// which reads the leaders now.
func (r *replicationState) oneDown(ctx context.Context, env *Env) error {
	strict, err := WaitForReplicas(ctx, env, r.strict, 30*time.Second, func(p Replicas) bool { return len(p.ISR) == 2 })
	if err != nil {
		return err
	}
	env.Out.Value("orders-strict", strict[0])

	value, _ := SampleOrder(0).MarshalValue()
	for _, write := range []struct {
		topic, name string
		acks        kafka.RequiredAcks
	}{
		{r.topic, "acks=all, min.insync.replicas=2", kafka.RequireAll},
		{r.strict, "acks=all, min.insync.replicas=3", kafka.RequireAll},
		{r.strict, "acks=1, min.insync.replicas=3", kafka.RequireOne},
	} {
		transport := env.NewTransport()
		w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: transport, Topic: write.topic,
			RequiredAcks: write.acks, BatchTimeout: time.Millisecond, MaxAttempts: 1}
		err := WriteOutcome(w.WriteMessages(ctx, kafka.Message{Value: value}))
		w.Close()
		transport.CloseIdleConnections()
		if err == nil {
			env.Out.Value("write with "+write.name, "accepted")
		} else {
			env.Out.Value("write with "+write.name, err)
		}
	}
	marks, err := ReadWatermarksNow(ctx, env, r.strict)
	if err != nil {
		return err
	}
	env.Out.Value("orders-strict high watermark", marks[0].Last)
	r.readable = marks[0].Last + 1
	return nil
}

// The stopped broker starts again. It fetches from the leaders what it
// missed and rejoins every ISR once it has caught up: three copies again,
// and orders-strict's high watermark moves past step 3's acks=1 order,
// which consumers can now read. Leadership does not move back at once: with
// auto.leader.rebalance.enable (on by default) Kafka hands it back to each
// partition's preferred leader about 5 minutes later
// (leader.imbalance.check.interval.seconds).
//
// Why not stop a second broker? Each node of docker-compose.cluster.yml is
// also one of the three voters of the KRaft controller quorum, which
// commits a metadata change only with a majority: with two stopped, no
// leader could move and no ISR could shrink until one came back.
// Production runs the controllers on nodes of their own, an odd number
// (three or five): a fourth voter survives no more failures than three.
func (r *replicationState) restart(ctx context.Context, env *Env) error {
	for len(r.stopped) > 0 {
		id := r.stopped[len(r.stopped)-1]
		env.Out.Event("starting broker %d", id)
		if err := env.Nodes.Start(ctx, id); err != nil {
			return err
		}
		r.stopped = r.stopped[:len(r.stopped)-1]
	}
	allInSync := func(p Replicas) bool { return len(p.ISR) == 3 }
	if _, err := WaitForReplicas(ctx, env, r.strict, 60*time.Second, allInSync); err != nil {
		return err
	}
	topic, err := WaitForReplicas(ctx, env, r.topic, 60*time.Second, allInSync)
	if err != nil {
		return err
	}
	ReportReplicas(env.Out, topic)
	marks, err := WaitForHighWatermark(ctx, env, r.strict, 0, r.readable, 10*time.Second)
	if err != nil {
		return err
	}
	env.Out.Value("orders-strict high watermark", marks.Last)
	return nil
}
