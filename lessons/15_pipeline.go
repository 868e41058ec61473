package lessons

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// pipelineLesson is lesson 15: a service that consumes, transforms and
// produces, keeps state, and survives a restart.
func pipelineLesson() Lesson {
	return Lesson{
		Number: 15,
		Title:  "The order pipeline: consume, transform, produce",
		Goal:   "Build the kitchen: it turns orders into status events, keeps each user's total in a compacted changelog, and stops and starts again without counting an order twice, at least once and then exactly once.",
		Summary: []string{
			"A service that consumes, transforms and produces is a consumer and a producer in one loop: outputs first, then the offset commit.",
			"State in memory dies with the process: a compacted changelog keyed like the state (here, by user) lets a restart rebuild it.",
			"At least once repeats work after a crash; an update that records what it covers (the offset after the user's last order) skips the repeat.",
			"Exactly once puts the outputs, the changelog and the input offsets in one transaction; the restart's transactional.id aborts what the dead one left open.",
			"Consumers of a transactional pipeline read with read_committed, in a client that drops aborted records (franz-go), not kafka-go v0.4.51.",
			"Records the service cannot handle go to a dead-letter topic, with where they came from and why.",
			"Kafka Streams, ksqlDB and Flink do all this for you: state stores, changelogs or checkpoints, repartitioning and exactly once.",
		},
		Quiz: []Question{
			{
				Ask: "The at-least-once kitchen dies after writing an order's total to the changelog, before committing the order's offset. What does the restarted kitchen do with that order?",
				Choices: []string{
					"Adds it to the total a second time",
					"Skips it: the changelog's offset says it is counted",
					"Never sees it: the group moved past it",
				},
				Answer: 1, Step: 2,
				Why: "The group hands the order out again (its offset was not committed), and the rebuilt total says it covers the user's orders below the next offset, so the kitchen skips it.",
			},
			{
				Ask: "The transactional kitchen dies in the middle of a transaction. What keeps its half-done work from counting?",
				Choices: []string{
					"Compaction deletes the records of the dead kitchen",
					"The restart's InitProducerId aborts it; read_committed hides it",
					"kafka-go's ReadCommitted drops the records it wrote",
				},
				Answer: 1, Step: 4,
				Why: "A producer that starts with the same transactional.id bumps the epoch, fencing the dead one, and the coordinator aborts its open transaction. Consumers with read_committed (in a client that drops aborted records) never see it.",
			},
			{
				Ask: "Why are the orders keyed by user?",
				Choices: []string{
					"So one user's orders reach one instance, in order",
					"Because a compacted topic needs keys on its input",
					"Because a consumer group refuses records without a key",
				},
				Answer: 0, Step: 1,
				Why: "State per user needs each user's orders on one partition, in order: one instance owns it, and one offset says which orders the total covers. Kafka Streams repartitions by the new key when they are not.",
			},
		},
		Plan: func() Plan {
			k := &pipelineState{}
			return Plan{
				Setup: func(ctx context.Context, env *Env) error {
					for _, spec := range []TopicSpec{env.OrdersTopic(), env.StatusesTopic(), env.DeadLettersTopic()} {
						if err := EnsureTopic(ctx, env, spec); err != nil {
							return err
						}
					}
					k.statuses, k.deadLetters = env.StatusesTopic().Name, env.DeadLettersTopic().Name
					return nil
				},
				Steps: []Step{
					{Title: "Orders for the kitchen, and two it cannot handle", Run: k.produce},
					{Title: "At least once: stopped mid-stream, started again", Run: k.atLeastOnce, Needs: []int{1}},
					{Title: "What the at-least-once kitchen left in Kafka", Run: k.checkAtLeastOnce, Needs: []int{2}},
					{Title: "Exactly once: one transaction per batch (franz-go)", Run: k.exactlyOnce, Needs: []int{1}},
					{Title: "What the transactional kitchen left: read_committed", Run: k.checkExactlyOnce, Needs: []int{4}},
					{Title: "What Kafka Streams, ksqlDB and Flink do for you", Run: k.frameworks},
				},
			}
		},
	}
}

// Pinned by TestKafkaGo_WriterTakesEachMessagesTopic,
// …Murmur2BalancerIsTheJavaPartitioner, …ReadMessageCommitsFetchMessageDoesNot,
// …CommitMessagesIsSynchronousByDefault, …ReaderCloseLeavesTheGroup,
// …SyncSliceKeepsEachKeysOrder,
// …ReaderReturnsAbortedRecordsAndMarkersAtEveryIsolationLevel; what it says of franz-go's Close by
// TestFranzGo_CloseLeavesTheTransactionOpenUntilTheSameIDInits.
type pipelineState struct {
	statuses, deadLetters string
	start                 map[int]int64 // the end of each partition of orders before step 1's records
	sent                  int           // the records step 1 wrote, orders or not
	// Each kitchen's changelog, and where its outputs begin.
	aloChangelog, eosChangelog string
	aloFrom, eosFrom           Positions
}

// The kitchen reads the orders topic: here, twelve orders keyed by their
// user and placed by kafka.Murmur2Balancer (lesson 8: the Java client's
// hash, which franz-go's default partitioner uses too, so any of them finds
// a user on the same partition), so each user's orders are on one
// partition, in the order they were sent. Among them go two
// records the kitchen cannot handle: text that is not JSON, and an order of
// quantity 0. What each user ordered, added up from the delivery reports,
// is what each kitchen's totals must come to.
func (k *pipelineState) produce(ctx context.Context, env *Env) error {
	var err error
	if k.start, err = Ends(ctx, env, env.Topic); err != nil { // where the kitchens start
		return err
	}
	msgs, err := KeyedByUser(SampleOrders(0, 12))
	if err != nil {
		return err
	}
	msgs = slices.Insert(msgs, 8, kafka.Message{Key: []byte("Grace Hopper"),
		Value: []byte(`{"order_id": "x-1", "user": "Grace Hopper", "item": "Sushi Box", "quantity": 0}`)})
	msgs = slices.Insert(msgs, 4, kafka.Message{Key: []byte("Alan Turing"), Value: []byte("pizza please")})
	sent := NewDeliveries(env.Out)
	if err := Send(ctx, env, env.Topic, msgs, sent.Report, Sending{Balancer: kafka.Murmur2Balancer{}}); err != nil {
		return err
	}
	k.sent = len(msgs)
	ReportTotals(env.Out, "ordered by ", OrderedBy(sent.Records()))
	return nil
}

// The kitchen, at least once, in kafka-go: a member of its own group
// (started at step 1's records), it fetches an order, writes its three
// status events, then the user's new total to its changelog (a compacted
// topic keyed by user: the totals' copy on the broker), then commits the
// order's offset. Halfway, it dies after writing a total and before
// committing the offset. The restarted kitchen remembers nothing: it reads
// the changelog back, and the group hands it that order again. Each total
// says which orders it covers: the user's partition, and the offset after
// their last order counted. A user's orders are all on one partition, in
// order, so an order below that offset is counted already and is skipped:
// the update is idempotent. The status events and dead letters are only at
// least once: a crash between an order's events and its total, or between a
// dead letter and its commit, writes them again. Commits are per order here,
// for a clear picture; production code commits in batches, and the same
// offsets skip every order a crash replays.
func (k *pipelineState) atLeastOnce(ctx context.Context, env *Env) error {
	app, err := StartGroup(ctx, env, "kitchen", env.Topic, k.start)
	if err != nil {
		return err
	}
	changelog := env.ChangelogSpec(app) // cleanup.policy=compact
	if err := EnsureTopic(ctx, env, changelog); err != nil {
		return err
	}
	k.aloChangelog = changelog.Name
	env.Out.Value("changelog", changelog.Name)
	if k.aloFrom, err = OutputEnds(ctx, env); err != nil { // for step 3
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cfg := kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, GroupID: app, Topic: env.Topic, MaxWait: FetchWait}
	r := kafka.NewReader(cfg)
	defer func() { r.Close() }()
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Balancer: kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond} // no Topic: each message names its own
	defer w.Close()

	totals := map[string]Total{} // the state, in memory
	for handled, counted, crashed := 0, 0, false; handled < k.sent; {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("fetch from group %s: %w", app, err)
		}
		order, err := Receive(env.Out, msg)
		t := totals[order.User]
		replay := err == nil && msg.Partition == t.Partition && msg.Offset < t.NextOffset
		switch {
		case err != nil:
			err = w.WriteMessages(ctx, DeadLetter(k.deadLetters, msg, err))
		case replay:
			env.Out.Value("already counted, skipped", order.OrderID)
		default:
			if err = w.WriteMessages(ctx, StatusEvents(k.statuses, order)...); err == nil {
				t = Total{Items: t.Items + order.Quantity, Orders: t.Orders + 1, Partition: msg.Partition, NextOffset: msg.Offset + 1}
				err = w.WriteMessages(ctx, t.Message(changelog.Name, order.User))
			}
			totals[order.User] = t
			counted++
		}
		if err != nil {
			return fmt.Errorf("handle %s: %w", Position(msg.Topic, msg.Partition, msg.Offset), err)
		}
		if !replay {
			handled++
		}
		if counted == 6 && !crashed {
			crashed = true
			r.Close() // 💥 the total is in the changelog, the offset is not committed
			env.Out.Event("💥 crash after writing the total of %s, before committing offset %d", order.User, msg.Offset)
			if totals, err = ReadTotals(ctx, env, changelog.Name); err != nil {
				return err
			}
			ReportTotals(env.Out, "rebuilt: ", totals)
			r = kafka.NewReader(cfg) // the restarted kitchen
			continue
		}
		if err := r.CommitMessages(ctx, msg); err != nil {
			return fmt.Errorf("commit offset %d: %w", msg.Offset, err)
		}
	}
	ReportTotals(env.Out, "total of ", totals)
	return nil
}

// Anyone can check the kitchen's work by reading what it wrote, from where
// this kitchen began: every order's status events (kafka-go), the dead
// letters, and the changelog, whose last record per user is that user's
// total: the same read the restarted kitchen made. Each total is what step
// 1's orders add up to, though the group handed the kitchen one order
// twice: the second time, it skipped it. Had it
// died between an order's status events and its total, the events of that
// order would be there twice: at least once, not exactly once.
func (k *pipelineState) checkAtLeastOnce(ctx context.Context, env *Env) error {
	out, err := CountOutputs(ctx, env, k.aloFrom, false)
	if err != nil {
		return err
	}
	env.Out.Value("status events", out.Events)
	env.Out.Value("orders with accepted, cooking, ready, once each", out.Complete)
	env.Out.Value("dead letters", out.DeadLetters)
	totals, err := ReadTotals(ctx, env, k.aloChangelog)
	if err != nil {
		return err
	}
	ReportTotals(env.Out, "changelog: ", totals)
	return nil
}

// Exactly once takes transactions, which kafka-go cannot do: it has the
// coordinator's requests (Client.InitProducerID, EndTxn, …), but every
// batch it writes carries producer id -1 (lesson 10). This kitchen is
// franz-go's GroupTransactSession, a group member and a transactional
// producer in one client, with a group and a changelog of its own, reading
// the same orders. For each poll of up to five records it begins a
// transaction, writes the events, totals and dead letters, and ends it: End
// commits the group's offsets inside the transaction, so outputs, state and
// position move together or not at all, and a total needs no offset. In
// its second transaction it dies before End. The restarted kitchen has the
// same transactional id: asking for its producer id (InitProducerId) bumps the
// producer epoch, which fences the dead one (its late writes would be
// refused), and makes the coordinator abort the transaction it left open
// (left alone, it would be aborted within about 10 s of its timeout
// passing: 10 s here, franz-go's default is 40 s). Then it rebuilds its totals with
// read_committed, and resumes at the offsets the first transaction
// committed.
func (k *pipelineState) exactlyOnce(ctx context.Context, env *Env) error {
	app, err := StartGroup(ctx, env, "kitchen-eos", env.Topic, k.start)
	if err != nil {
		return err
	}
	changelog := env.ChangelogSpec(app) // cleanup.policy=compact
	if err := EnsureTopic(ctx, env, changelog); err != nil {
		return err
	}
	k.eosChangelog = changelog.Name
	env.Out.Value("changelog", changelog.Name)
	if k.eosFrom, err = OutputEnds(ctx, env); err != nil { // for step 5
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	opts := []kgo.Opt{kgo.ConsumerGroup(app), kgo.ConsumeTopics(env.Topic), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.TransactionalID(app), kgo.TransactionTimeout(10 * time.Second)}
	kitchen, err := env.FranzTransactSession(opts...)
	if err != nil {
		return fmt.Errorf("franz-go session: %w", err)
	}
	defer func() { kitchen.Close() }()

	totals := map[string]Total{}
	for done, crashed := 0, false; done < k.sent; {
		fetches := kitchen.PollRecords(ctx, 5)
		if err := fetches.Err(); err != nil {
			return fmt.Errorf("poll group %s: %w", app, err)
		}
		if err := kitchen.Begin(); err != nil {
			return fmt.Errorf("begin a transaction: %w", err)
		}
		for _, rec := range fetches.Records() {
			msg := FromFranz(rec)
			out := []kafka.Message{}
			if order, err := Receive(env.Out, msg); err != nil {
				out = append(out, DeadLetter(k.deadLetters, msg, err))
			} else {
				t := totals[order.User]
				t = Total{Items: t.Items + order.Quantity, Orders: t.Orders + 1}
				totals[order.User] = t
				out = append(StatusEvents(k.statuses, order), t.Message(changelog.Name, order.User))
			}
			if err := kitchen.ProduceSync(ctx, ToFranz(out...)...).FirstErr(); err != nil {
				return fmt.Errorf("produce in a transaction: %w", err)
			}
		}
		if done > 0 && !crashed {
			crashed = true
			kitchen.Close() // 💥 it leaves the group; its transaction stays open
			env.Out.Event("💥 crash in a transaction: %d records handled, not committed", len(fetches.Records()))
			if kitchen, err = env.FranzTransactSession(opts...); err != nil { // the restarted kitchen
				return fmt.Errorf("franz-go session: %w", err)
			}
			if _, _, err := kitchen.Client().ProducerID(ctx); err != nil { // fences the old one
				return fmt.Errorf("init producer id: %w", err)
			}
			if totals, err = ReadCommittedTotals(ctx, env, changelog.Name); err != nil {
				return err
			}
			ReportTotals(env.Out, "rebuilt: ", totals)
			continue
		}
		committed, err := kitchen.End(ctx, kgo.TryCommit)
		switch {
		case err != nil:
			return fmt.Errorf("end the transaction: %w", err)
		case committed:
			done += len(fetches.Records())
			env.Out.Event("transaction committed: %d records, and the group's offsets", len(fetches.Records()))
		default: // aborted (a rebalance): End rewound the offsets; forget what it counted
			if totals, err = ReadCommittedTotals(ctx, env, changelog.Name); err != nil {
				return err
			}
		}
	}
	ReportTotals(env.Out, "total of ", totals)
	return nil
}

// Read with read_committed (franz-go), the outputs hold each order's three
// events once, each dead letter once, and the changelog's last committed
// record per user is that user's total. The aborted transaction's records
// are still in the log, each at its own offset, followed by an abort marker:
// a read_uncommitted consumer gets them too. So does kafka-go's Reader, at
// either isolation level, with the markers as records: v0.4.51 drops neither
// (lesson 10). A consumer of a transactional pipeline's outputs must read
// committed, in a client that drops aborted records. Exactly once covers
// what the kitchen writes to Kafka: anything it does outside Kafka (a
// payment, an e-mail) happens again after a crash and needs its own
// idempotence, as in lesson 10.
func (k *pipelineState) checkExactlyOnce(ctx context.Context, env *Env) error {
	committed, err := CountOutputs(ctx, env, k.eosFrom, true)
	if err != nil {
		return err
	}
	env.Out.Value("status events (read_committed)", committed.Events)
	env.Out.Value("orders with accepted, cooking, ready, once each", committed.Complete)
	env.Out.Value("dead letters (read_committed)", committed.DeadLetters)
	totals, err := ReadCommittedTotals(ctx, env, k.eosChangelog)
	if err != nil {
		return err
	}
	ReportTotals(env.Out, "changelog: ", totals)
	all, err := CountOutputs(ctx, env, k.eosFrom, false)
	if err != nil {
		return err
	}
	env.Out.Value("status events (kafka-go, read_uncommitted)", all.Events)
	env.Out.Value("transaction markers among them (kafka-go)", all.Markers)
	return nil
}

// Stream processors do all of this for you. Kafka Streams keeps state in
// state stores (RocksDB by default), each backed by a compacted changelog
// topic named after the application.id, and restores a store from it when
// an instance starts without a local copy or takes over its partition.
// Grouping by a key the records do not have (groupBy) sends them through a
// repartition topic first; orders keyed by user need none (groupByKey).
//
// processing.guarantee=exactly_once_v2 (brokers 2.5 and later) puts the
// outputs, the changelog writes and the input offsets in one transaction
// per commit, as the second kitchen did. Its default, at_least_once, does
// not skip a replayed record as the first kitchen did: after a crash, a
// total can count an order twice. ksqlDB builds such an application from
// SQL: CREATE TABLE … AS SELECT … GROUP BY is the kitchen's totals.
//
// Flink keeps keyed state in a state backend of its own and saves it, with
// the Kafka source's offsets, in periodic checkpoints to durable storage,
// not in a Kafka topic; its Kafka sink with DeliveryGuarantee.EXACTLY_ONCE
// writes in transactions that commit when a checkpoint completes.
func (k *pipelineState) frameworks(ctx context.Context, env *Env) error {
	rows := [][2]string{
		{"the kitchen, by hand", "Kafka Streams"},
		{"totals in a map", "a state store (RocksDB by default)"},
		{"<app>-totals-changelog, compacted", "<application.id>-<store>-changelog, compacted"},
		{"ReadTotals after a restart", "the store restored from its changelog"},
		{"orders keyed by user", "groupByKey(); groupBy() adds a repartition topic"},
		{"the offset each total covers", "at_least_once (default): a replay can count twice"},
		{"one transaction per batch (franz-go)", "exactly_once_v2: one transaction per commit"},
	}
	var table strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&table, "%-38s%s\n", r[0], r[1])
	}
	env.Out.Block(strings.TrimSuffix(table.String(), "\n"))
	return nil
}
