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
			"When a leader's broker stops, the controller makes an in-sync follower the leader: acknowledged writes survive.",
			"min.insync.replicas=2 refuses acks=all writes (NOT_ENOUGH_REPLICAS) when fewer copies are in sync; acks=1 still writes: safety against availability.",
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
				Why:    "acks=all waits until every replica in the ISR has the record, and the controller only makes an in-sync replica the new leader.",
				Step:   2,
			},
			{
				Ask: "Replication factor 3, min.insync.replicas=2, two brokers down. What does an acks=all write get?",
				Choices: []string{
					"Accepted: the leader has it",
					"NOT_ENOUGH_REPLICAS: fewer than 2 copies are in sync",
					"It waits until a broker comes back",
				},
				Answer: 1,
				Why:    "With one replica in the ISR, below min.insync.replicas, the leader refuses acks=all writes rather than keep a single copy; acks=1 would be accepted.",
				Step:   3,
			},
			{
				Ask: "A stopped broker starts again. When is it back in the ISR?",
				Choices: []string{
					"At once, as soon as it answers",
					"Once it has fetched what it missed from the leaders",
					"Only after an administrator adds it",
				},
				Answer: 1,
				Why:    "A follower joins the ISR when it has caught up with the leader's log; then it counts for acks=all again.",
				Step:   4,
			},
		},
		Plan: func() Plan {
			r := &replicationState{}
			return Plan{Steps: []Step{
				{Title: "A topic with three replicas and min.insync.replicas=2", Run: r.createTopic},
				{Title: "Stop the leader of partition 0 while orders flow", Run: r.failover, Needs: []int{1},
					Reset: r.cleanup},
				{Title: "Stop a second broker: acks=all refused, acks=1 accepted", Run: r.twoDown, Needs: []int{2},
					Requires: Requirement{Brokers: 3, RealKafka: true}, Reset: r.cleanup},
				{Title: "Start them again: the ISR grows back", Run: r.restart, Needs: []int{2}},
			}, Cleanup: r.cleanup}
		},
	}
}

type replicationState struct {
	topic   string
	stopped []int // the brokers this lesson stopped, to start again
	env     *Env
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
// the leader, which takes the writes and serves the reads; the two followers
// fetch from it, as consumers do, and those caught up with it form the ISR.
// min.insync.replicas=2 says that an acks=all write needs at least two
// copies in the ISR, the leader's included: one broker can fail without
// losing an acknowledged write, and without stopping the writes.
func (r *replicationState) createTopic(ctx context.Context, env *Env) error {
	r.topic, r.env = env.Name("orders-replicated"), env
	resp, err := env.Client().CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic:             r.topic,
		NumPartitions:     3,
		ReplicationFactor: 3,
		ConfigEntries:     []kafka.ConfigEntry{{ConfigName: "min.insync.replicas", ConfigValue: "2"}},
	}}})
	if err != nil {
		return fmt.Errorf("create topic %s: %w", r.topic, err)
	}
	if err := resp.Errors[r.topic]; err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("create topic %s: %w", r.topic, err)
	}
	topic, err := WaitForReplicas(ctx, env, r.topic, 30*time.Second, func(p Replicas) bool { return len(p.ISR) == 3 })
	if err != nil {
		return err
	}
	ReportReplicas(env.Out, topic)
	return nil
}

// A producer writes an order every 20 ms with acks=all and keeps the id of
// each order acknowledged. Once ten are, the broker that leads partition 0
// stops, cleanly, as docker compose stop does. The controller makes an
// in-sync follower the new leader and drops the stopped broker from every
// ISR. Writes to the old leader fail for a moment: the Writer retries them
// with a growing back-off (hence MaxAttempts: 20) until its transport has
// re-read the metadata (on a timer, within MetadataTTL, 6 s by default) and
// sends them to the new leader. Once ten more are acknowledged, the
// producer stops, and every record is read back: each acknowledged order
// must be there.
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

// A second broker stops. Each partition's ISR is now its leader alone,
// fewer than min.insync.replicas=2: Kafka refuses an acks=all write with
// NOT_ENOUGH_REPLICAS rather than acknowledge what one broker holds. An
// acks=1 write needs only the leader, and is accepted. That is the
// trade-off: acks=all with min.insync.replicas=2 chooses safety, acks=1
// availability. (With two of three nodes stopped, the KRaft quorum has lost
// its majority too: no leader can change until one comes back.)
func (r *replicationState) twoDown(ctx context.Context, env *Env) error {
	nodes, err := env.Nodes.Nodes(ctx)
	if err != nil {
		return err
	}
	var up []int
	for _, n := range nodes {
		if n.Up {
			up = append(up, n.ID)
		}
	}
	if len(up) < 2 {
		return fmt.Errorf("%d broker(s) up: this step stops one of two; start the others first", len(up))
	}
	second := up[len(up)-1]
	env.Out.Event("stopping broker %d as well: broker %d is left", second, up[0])
	if err := env.Nodes.Stop(ctx, second); err != nil {
		return err
	}
	r.stopped = append(r.stopped, second)
	topic, err := WaitForReplicas(ctx, env, r.topic, 30*time.Second, func(p Replicas) bool {
		return p.Leader == up[0] && len(p.ISR) == 1
	})
	if err != nil {
		return err
	}
	ReportReplicas(env.Out, topic)

	value, _ := SampleOrder(0).MarshalValue()
	for _, acks := range []struct {
		name     string
		required kafka.RequiredAcks
	}{{"acks=all", kafka.RequireAll}, {"acks=1", kafka.RequireOne}} {
		w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: r.topic,
			RequiredAcks: acks.required, BatchTimeout: time.Millisecond, MaxAttempts: 1}
		err := WriteOutcome(w.WriteMessages(ctx, kafka.Message{Value: value}))
		w.Close()
		if err == nil {
			env.Out.Value("write with "+acks.name, "accepted")
		} else {
			env.Out.Value("write with "+acks.name, err)
		}
	}
	return nil
}

// The stopped brokers start again. Each fetches from the leaders what it
// missed and rejoins the ISR once it has caught up: three copies again.
// Leadership does not move back at once; Kafka hands it back to each
// partition's preferred leader later (auto.leader.rebalance.enable, checked
// every 5 minutes by default).
func (r *replicationState) restart(ctx context.Context, env *Env) error {
	for len(r.stopped) > 0 {
		id := r.stopped[len(r.stopped)-1]
		env.Out.Event("starting broker %d", id)
		if err := env.Nodes.Start(ctx, id); err != nil {
			return err
		}
		r.stopped = r.stopped[:len(r.stopped)-1]
	}
	topic, err := WaitForReplicas(ctx, env, r.topic, 60*time.Second, func(p Replicas) bool { return len(p.ISR) == 3 })
	if err != nil {
		return err
	}
	ReportReplicas(env.Out, topic)
	return nil
}
