package lessons

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// guaranteesLesson is lesson 10: at most once, at least once, and what
// exactly once takes.
func guaranteesLesson() Lesson {
	return Lesson{
		Number: 10,
		Title:  "Delivery guarantees: at most once, at least once, exactly once",
		Goal:   "See what a crash between handling an order and committing its offset costs, depending on which comes first, and what exactly once would take.",
		Summary: []string{
			"At most once: commit, then handle. A crash in between loses the order in flight (ReadMessage with a GroupID does this).",
			"At least once: handle, then commit. The same crash handles that order twice; nothing is lost.",
			"An idempotent consumer remembers what it handled (in a store that outlives it) and skips duplicates.",
			"Exactly once needs an idempotent producer, transactions and read_committed consumers; kafka-go's Writer has neither of the first two.",
			"kafka-go v0.4.51's ReadCommitted holds back open transactions but still returns aborted records and transaction markers; franz-go hides them.",
		},
		Quiz: []Question{
			{
				Ask:     "A consumer commits an order's offset, then crashes before printing it. What does the restarted consumer do with that order?",
				Choices: []string{"Prints it once", "Prints it twice", "Never prints it"},
				Answer:  2,
				Why:     "It resumes after the last committed offset, which is past the order: at most once.",
				Step:    2,
			},
			{
				Ask:     "With a GroupID, which kafka-go call commits a record's offset before your code sees the record?",
				Choices: []string{"FetchMessage", "ReadMessage", "Neither: only CommitMessages commits"},
				Answer:  1,
				Why:     "ReadMessage commits before it returns (with CommitInterval 0, synchronously): at most once in disguise. FetchMessage then CommitMessages is at least once.",
				Step:    2,
			},
			{
				Ask: "A kafka-go v0.4.51 Reader with IsolationLevel: kafka.ReadCommitted reads a partition holding an aborted transaction. What does it return?",
				Choices: []string{
					"Only the committed records",
					"The aborted records too, and the transaction markers as records",
					"Nothing, until the transaction times out",
				},
				Answer: 1,
				Why:    "The broker leaves dropping aborted records to the client, and kafka-go does not do it (issue #1332); franz-go does.",
				Step:   6,
			},
		},
		Plan: func() Plan {
			g := &guaranteesState{}
			return Plan{
				Setup: func(ctx context.Context, env *Env) error {
					g.topic = env.GuaranteesTopic().Name
					return EnsureTopic(ctx, env, env.GuaranteesTopic())
				},
				Steps: []Step{
					{Title: "Five orders, and a crash at the third", Run: g.produce},
					{Title: "At most once: commit, then print", Run: g.atMostOnce, Needs: []int{1}},
					{Title: "At least once: print, then commit", Run: g.atLeastOnce, Needs: []int{1}},
					{Title: "An idempotent consumer", Run: g.idempotent, Needs: []int{1}},
					{Title: "Exactly once: a transactional producer (franz-go)", Run: g.transactions},
					{Title: "read_committed in kafka-go", Run: g.readCommittedKafkaGo, Needs: []int{5}},
					{Title: "read_committed in franz-go", Run: g.readCommittedFranz, Needs: []int{5}},
				},
			}
		},
	}
}

// Pinned by TestKafkaGo_CommitMessagesIsSynchronousByDefault,
// …ReadMessageCommitsFetchMessageDoesNot, …ReaderCloseLeavesTheGroup,
// …GroupTimeoutsDefaultTo30s, …WriterWritesNoProducerID,
// …ReadCommittedHoldsBackAnOpenTransaction and
// …ReadCommittedReturnsAbortedRecordsAndMarkers.
type guaranteesState struct {
	topic                string
	first, crashAt, last int64  // the five orders' offsets: the first, the third, the last
	aborted, committed   Record // the orders written in transactions
}

// Five orders go to a topic of one partition, so they keep their order
// and five consecutive offsets name them. Each of the next three steps reads
// them with a new consumer group that starts at the first of them, and
// "crashes" at the third: the order in flight. What that crash costs
// depends on one thing: whether the program commits an order's offset
// before or after it handles the order.
func (g *guaranteesState) produce(ctx context.Context, env *Env) error {
	marks, err := ReadWatermarks(ctx, env, g.topic)
	if err != nil {
		return err
	}
	orders := []Order{SampleOrder(0), SampleOrder(1), SampleOrder(2), SampleOrder(3), SampleOrder(4)}
	if err := ProduceOrders(ctx, env, g.topic, orders, env.Out.Record); err != nil {
		return err
	}
	g.first = marks[0].Last
	g.crashAt = g.first + 2
	g.last = g.first + int64(len(orders)) - 1
	env.Out.Value("the consumer crashes at offset", g.crashAt)
	env.Out.Value("the order in flight", orders[2].OrderID)
	return nil
}

// At most once: commit the offset, then handle the order. The crash falls
// between the two: the group's committed position has moved past the third
// order, which was never printed. Close stands in for the crash. It also tells the
// coordinator that the member left, so the restarted one joins at once; a
// real crash sends no LeaveGroup, and the restarted member waits until the
// coordinator gives up on the old one (up to 30 s with kafka-go's default
// SessionTimeout and RebalanceTimeout). The restarted program, a new Reader
// with the same GroupID, resumes after the last commit: the third order is
// gone. kafka-go's ReadMessage does exactly this when the Reader has a
// GroupID: it commits the offset before it returns the record.
func (g *guaranteesState) atMostOnce(ctx context.Context, env *Env) error {
	group, err := StartGroupAt(ctx, env, "at-most-once", g.topic, 0, g.first)
	if err != nil {
		return err
	}
	env.Out.Value("group", group)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cfg := kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, GroupID: group, Topic: g.topic, MaxWait: FetchWait}
	r := kafka.NewReader(cfg)
	defer func() { r.Close() }()
	for {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("fetch from group %s: %w", group, err)
		}
		if err := r.CommitMessages(ctx, msg); err != nil {
			return fmt.Errorf("commit offset %d: %w", msg.Offset, err)
		}
		if msg.Offset == g.crashAt {
			r.Close() // 💥 the program dies here
			env.Out.Event("💥 crash: the order at offset %d is committed, never printed", msg.Offset)
			r = kafka.NewReader(cfg) // the restarted program
			env.Out.Say("restarted: a new Reader, the same GroupID")
			continue
		}
		Receive(env.Out, msg)
		if msg.Offset == g.last {
			return nil
		}
	}
}

// At least once: handle the order, then commit. The same crash now falls
// after the third order is printed and before its offset is committed. The
// restarted member resumes at the last commit, which is that order's own
// offset, and prints it again. Nothing is lost; one order is printed twice.
// This is lesson 6's consumer, and what most services choose: a duplicate
// can be recognised, a lost order cannot be brought back.
func (g *guaranteesState) atLeastOnce(ctx context.Context, env *Env) error {
	group, err := StartGroupAt(ctx, env, "at-least-once", g.topic, 0, g.first)
	if err != nil {
		return err
	}
	env.Out.Value("group", group)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cfg := kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, GroupID: group, Topic: g.topic, MaxWait: FetchWait}
	r := kafka.NewReader(cfg)
	defer func() { r.Close() }()
	for crashed := false; ; {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("fetch from group %s: %w", group, err)
		}
		Receive(env.Out, msg)
		if msg.Offset == g.crashAt && !crashed {
			crashed = true
			r.Close() // 💥 the program dies here
			env.Out.Event("💥 crash: the order at offset %d is printed, never committed", msg.Offset)
			r = kafka.NewReader(cfg) // the restarted program
			env.Out.Say("restarted: a new Reader, the same GroupID")
			continue
		}
		if err := r.CommitMessages(ctx, msg); err != nil {
			return fmt.Errorf("commit offset %d: %w", msg.Offset, err)
		}
		if msg.Offset == g.last {
			return nil
		}
	}
}

// An idempotent consumer makes at least once harmless: it remembers the id
// of every order it handled and skips an order it has seen. The same crash
// and the same redelivery happen, and the third order is printed once. The
// memory must outlive the program and change together with the effect: in
// a real service, a table in the database the handler writes to, updated
// in the same database transaction. Here a map stands in for it. The
// order's id does the work, not its offset: a producer that retries after
// a lost acknowledgement can write the same order at two offsets.
func (g *guaranteesState) idempotent(ctx context.Context, env *Env) error {
	group, err := StartGroupAt(ctx, env, "idempotent", g.topic, 0, g.first)
	if err != nil {
		return err
	}
	env.Out.Value("group", group)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	handled := map[string]bool{} // order ids: a table in a real service
	cfg := kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, GroupID: group, Topic: g.topic, MaxWait: FetchWait}
	r := kafka.NewReader(cfg)
	defer func() { r.Close() }()
	for crashed := false; ; {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("fetch from group %s: %w", group, err)
		}
		if order, err := DecodeOrder(msg.Value); err == nil && handled[order.OrderID] {
			env.Out.Value("already handled, skipped", order.OrderID)
		} else if order, err := Receive(env.Out, msg); err == nil {
			handled[order.OrderID] = true
		}
		if msg.Offset == g.crashAt && !crashed {
			crashed = true
			r.Close() // 💥 the program dies here
			env.Out.Event("💥 crash: the order at offset %d is printed, never committed", msg.Offset)
			r = kafka.NewReader(cfg) // the restarted program
			env.Out.Say("restarted: a new Reader, the same GroupID")
			continue
		}
		if err := r.CommitMessages(ctx, msg); err != nil {
			return fmt.Errorf("commit offset %d: %w", msg.Offset, err)
		}
		if msg.Offset == g.last {
			return nil
		}
	}
}

// Exactly once within Kafka takes three features together (KIP-98): an
// idempotent producer, whose producer id and sequence numbers let the
// broker drop a batch it already has when the producer retries;
// transactions, which make records on several partitions (and a consumer's
// committed offsets) visible all together or not at all; and consumers that
// read with isolation.level=read_committed. kafka-go's Writer has neither
// of the first two (its maintainers, kafka-go issues #797 and #897): every
// batch it writes carries producer id -1. franz-go, another Go client, has
// both. It writes two transactions here: Ada's order, aborted, then
// Grace's, committed. Ending a transaction writes a marker into the
// partition: a record of its own, with an offset of its own.
func (g *guaranteesState) transactions(ctx context.Context, env *Env) error {
	producer, err := env.FranzClient(
		kgo.TransactionalID(env.Name("order-desk")),
		kgo.RequiredAcks(kgo.AllISRAcks()), // transactions require acks=all
		kgo.DefaultProduceTopic(g.topic),
	)
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer producer.Close()

	if err := producer.BeginTransaction(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	ada, _ := SampleOrder(1).MarshalValue()
	res, err := producer.ProduceSync(ctx, &kgo.Record{Value: ada}).First()
	if err != nil {
		return fmt.Errorf("produce in a transaction: %w", err)
	}
	g.aborted = FranzDelivered(res)
	env.Out.Record(g.aborted)
	if err := producer.EndTransaction(ctx, kgo.TryAbort); err != nil {
		return fmt.Errorf("abort: %w", err)
	}
	env.Out.Event("transaction aborted")

	if err := producer.BeginTransaction(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	grace, _ := SampleOrder(3).MarshalValue()
	res, err = producer.ProduceSync(ctx, &kgo.Record{Value: grace}).First()
	if err != nil {
		return fmt.Errorf("produce in a transaction: %w", err)
	}
	g.committed = FranzDelivered(res)
	env.Out.Record(g.committed)
	if err := producer.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	env.Out.Event("transaction committed")
	return nil
}

// read_committed is asked for by the consumer, and the work is shared. The
// broker serves records only up to the last stable offset, the first
// offset of the oldest transaction still open, so an open transaction's
// records wait. Hiding an aborted transaction is the client's part: the broker
// sends the list of aborted transactions beside the records, and the
// client drops their records and the markers. kafka-go v0.4.51 reads that
// list and ignores it (kafka-go issue #1332). This Reader, with
// IsolationLevel ReadCommitted, hands out Ada's aborted order, then the
// abort marker as a record (a 4-byte key, a 6-byte value) that lesson 7's
// decoder skips, then Grace's order.
func (g *guaranteesState) readCommittedKafkaGo(ctx context.Context, env *Env) error {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: g.topic, Partition: 0,
		MaxWait: FetchWait, IsolationLevel: kafka.ReadCommitted})
	defer r.Close()
	if err := r.SetOffset(g.aborted.Offset); err != nil {
		return fmt.Errorf("set offset: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		Receive(env.Out, msg)
		if msg.Offset == g.committed.Offset {
			return nil
		}
	}
}

// franz-go's consumer, with FetchIsolationLevel(ReadCommitted()), does the
// client's part: it drops the records of aborted transactions and every
// marker. From the same offset it returns Grace's order alone. A Go
// program that needs exactly once end to end (read, write, and commit the
// offsets read in the same transaction) uses a client that implements
// transactions, such as franz-go (its GroupTransactSession), not kafka-go.
func (g *guaranteesState) readCommittedFranz(ctx context.Context, env *Env) error {
	consumer, err := env.FranzClient(
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{g.topic: {0: kgo.NewOffset().At(g.aborted.Offset)}}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
	)
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer consumer.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		fetches := consumer.PollFetches(ctx)
		if err := fetches.Err(); err != nil {
			return fmt.Errorf("poll: %w", err)
		}
		for _, rec := range fetches.Records() {
			Receive(env.Out, kafka.Message{Topic: rec.Topic, Partition: int(rec.Partition), Offset: rec.Offset, Value: rec.Value})
			if rec.Offset == g.committed.Offset {
				return nil
			}
		}
	}
}
