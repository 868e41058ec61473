package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
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
			"A lost acknowledgement makes kafka-go's Writer store a batch twice; an idempotent producer (Java's default since 3.0, franz-go's) stores it once.",
			"Exactly once needs an idempotent producer, transactions and read_committed consumers; kafka-go's Writer has neither of the first two.",
			"A kafka-go v0.4.51 Reader returns transaction markers as records at every isolation level, and aborted records too; franz-go hides them.",
			"read_committed consumers stop at the last stable offset, the start of the oldest open transaction; kafka-go's ReadLag still counts to the high watermark.",
			"A transactional.id fences a zombie: its replacement aborts its open transaction, and the zombie's commit fails with PRODUCER_FENCED.",
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
				Ask: "The broker stores a batch from a kafka-go Writer, and its answer is lost on the way back. What does the partition hold after the Writer's retry?",
				Choices: []string{
					"The batch once: the broker recognises the retry",
					"The batch twice, at two offsets",
					"Nothing more: WriteMessages returns the error",
				},
				Answer: 1,
				Why:    "kafka-go's batches carry no producer id and no sequence number, so the broker stores the retry as a new batch. An idempotent producer's retry is recognised and dropped.",
				Step:   5,
			},
			{
				Ask: "A kafka-go v0.4.51 Reader with IsolationLevel: kafka.ReadCommitted reads a partition holding an aborted transaction. What does it return?",
				Choices: []string{
					"Only the committed records",
					"The aborted records too, and the transaction markers as records",
					"Nothing, until the transaction times out",
				},
				Answer: 1,
				Why:    "The broker leaves dropping aborted records and markers to the client, and kafka-go's Reader does neither (issue #1332); franz-go does both.",
				Step:   8,
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
					{Title: "A lost acknowledgement: kafka-go stores the order twice", Run: g.lostAcknowledgement},
					{Title: "An idempotent producer stores it once (franz-go)", Run: g.idempotentProducer},
					{Title: "Exactly once: a transactional producer (franz-go)", Run: g.transactions},
					{Title: "What a kafka-go Reader returns, at both isolation levels", Run: g.readCommittedKafkaGo, Needs: []int{7}},
					{Title: "read_committed in franz-go", Run: g.readCommittedFranz, Needs: []int{7}},
					{Title: "An open transaction: the last stable offset", Run: g.lastStableOffset},
					{Title: "A zombie fenced by its transactional.id", Run: g.fencing},
				},
			}
		},
	}
}

// Pinned by TestKafkaGo_CommitMessagesIsSynchronousByDefault,
// …ReadMessageCommitsFetchMessageDoesNot, …ReaderCloseLeavesTheGroup,
// …GroupTimeoutsDefaultTo30s, …WriterWritesNoProducerID,
// …WriterMaxAttemptsDefaultsTo10, …WriterRetryAfterALostResponseStoresTwice,
// …WriterOneProduceRequestInFlightPerPartition,
// …ReadCommittedHoldsBackAnOpenTransaction,
// …ReaderReturnsAbortedRecordsAndMarkersAtEveryIsolationLevel and
// …ListOffsetsReadCommittedIsTheLSOAndReadLagCountsToTheHighWatermark.
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
// SessionTimeout and RebalanceTimeout). kafka-go sends that LeaveGroup
// once: if the coordinator has just moved to another broker, it is lost,
// and the restart waits as after a real crash. The restarted program, a new Reader
// with the same GroupID, resumes after the last commit: the third order is
// gone. kafka-go's ReadMessage does exactly this when the Reader has a
// GroupID: it commits the offset before it returns the record.
func (g *guaranteesState) atMostOnce(ctx context.Context, env *Env) error {
	group, err := StartGroupAt(ctx, env, "at-most-once", g.topic, 0, g.first)
	if err != nil {
		return err
	}
	env.Out.Value("group", group)
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second) // the restart may wait 30 s
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
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second) // the restart may wait 30 s
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
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second) // the restart may wait 30 s
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

// Duplicates also start at the producer. When the connection breaks after
// the broker stored a batch and before its answer arrived, the producer
// cannot know whether the batch is there, and sending it again is the only
// way not to lose it. kafka-go's Writer retries a batch that failed with a
// network error, up to MaxAttempts attempts in all (10 by default), and its
// batches carry no producer id, so the broker cannot tell a retry from a
// new batch.
// LostResponse stands in for the broken connection: it throws the
// broker's first answer to a produce request away and reports
// io.ErrUnexpectedEOF. WriteMessages returns nil, the delivery report
// names one offset, and the partition holds Ada's order at two. Retries
// cannot reorder, though: the Writer has one produce request in flight per
// partition (one goroutine per partition sends its batches one after the
// other, retries included).
func (g *guaranteesState) lostAcknowledgement(ctx context.Context, env *Env) error {
	from, err := LastOffset(ctx, env, g.topic, 0, kafka.ReadUncommitted)
	if err != nil {
		return err
	}
	transport := env.NewTransport()
	defer transport.CloseIdleConnections()
	network := new(LostResponse) // the broken connection
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    network.Transport(transport),
		Topic:        g.topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Completion: func(messages []kafka.Message, err error) {
			for _, r := range Reported(messages, err) {
				env.Out.Record(r)
			}
		},
	}
	defer w.Close()
	ada, _ := SampleOrder(1).MarshalValue()
	if err := w.WriteMessages(ctx, kafka.Message{Value: ada}); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	env.Out.Value("a produce response was lost", network.Happened())
	env.Out.Value("WriteMessages returned", "nil")
	env.Out.Value("retries", w.Stats().Retries)
	to, err := LastOffset(ctx, env, g.topic, 0, kafka.ReadUncommitted)
	if err != nil {
		return err
	}
	env.Out.Say("what the partition holds from offset %d on:", from)
	return ShowPartition(ctx, env, g.topic, 0, from, to)
}

// An idempotent producer gets a producer id from the broker and numbers
// its batches, per partition. The broker keeps the numbers of each
// producer's last five batches, so a batch it already has is not stored
// again: it answers with the offset it gave the first time. franz-go is
// idempotent unless told otherwise (DisableIdempotentWrite). Through the
// same broken connection, it sends Grace's order, loses the answer and
// sends it again: the partition holds it once. The Java producer is
// idempotent by default since Kafka 3.0 (KIP-679; a bug kept it off in
// 3.0.0 and 3.1.0), with acks=all and up to five requests in flight, whose
// order the numbers keep. librdkafka (the C client kcat is built on) is
// not: set enable.idempotence=true. A producer id lasts as long as the
// producer: a restarted one starts afresh, and the broker cannot link it
// to the batches of the old one.
//
// If you know the Python client: it is built on librdkafka, so it is not
// idempotent either until you set enable.idempotence=true.
func (g *guaranteesState) idempotentProducer(ctx context.Context, env *Env) error {
	from, err := LastOffset(ctx, env, g.topic, 0, kafka.ReadUncommitted)
	if err != nil {
		return err
	}
	network := new(LostResponse) // the same broken connection
	opts := append(network.FranzOpts(env),
		kgo.DefaultProduceTopic(g.topic),
		kgo.MetadataMinAge(250*time.Millisecond), // it refreshes metadata before retrying, at most once per MetadataMinAge (5 s)
	)
	producer, err := env.FranzClient(opts...)
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer producer.Close()
	grace, _ := SampleOrder(3).MarshalValue()
	res, err := producer.ProduceSync(ctx, &kgo.Record{Value: grace}).First()
	if err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	env.Out.Record(Record{Kind: Delivered, Topic: res.Topic, Partition: int(res.Partition), Offset: res.Offset,
		Value: res.Value, From: "franz-go"})
	env.Out.Value("a produce response was lost", network.Happened())
	env.Out.Value("producer id", res.ProducerID)
	to, err := LastOffset(ctx, env, g.topic, 0, kafka.ReadUncommitted)
	if err != nil {
		return err
	}
	env.Out.Say("what the partition holds from offset %d on:", from)
	return ShowPartition(ctx, env, g.topic, 0, from, to)
}

// Exactly once within Kafka takes three features together (KIP-98): an
// idempotent producer, whose producer id and sequence numbers let the broker
// drop a batch it already has when the producer retries; transactions, which
// make records on several partitions (and a consumer's committed offsets)
// visible all together or not at all; and consumers that read with
// isolation.level=read_committed. kafka-go's Writer has neither of the first
// two (its maintainers, kafka-go issues #797 and #897): every batch it
// writes carries producer id -1. franz-go, another Go client, has both. It
// writes two transactions here: Ada's order, aborted, then Grace's,
// committed.
//
// Ending a transaction, by committing it (its records count) or aborting it
// (they do not), writes a marker into each of its partitions: a record of
// its own, with an offset of its own. A broker, the transaction
// coordinator, keeps track of each open transaction, as a group's
// coordinator keeps track of a group. A transactional producer has a
// transactional.id, a name that outlives it: step 11 shows what it is for.
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
// broker serves records only up to the last stable offset (step 10), so an
// open transaction's records wait. Hiding an aborted transaction is the
// client's part: the broker sends the list of aborted transactions beside
// the records, and the client drops their records and skips the markers.
// A kafka-go v0.4.51 Reader does neither, at either isolation level: it
// reads that list and ignores it (kafka-go issue #1332), and it returns a
// marker as a message. From Ada's offset to the commit marker after
// Grace's order, both levels return the same four records. A marker
// reaches your code with a 4-byte key (version 0, then type 0 for abort,
// 1 for commit) and a 6-byte value; kafka.Message has no field that says
// "control record", and lesson 7's decoder skips it as not an order.
func (g *guaranteesState) readCommittedKafkaGo(ctx context.Context, env *Env) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	levels := []struct {
		name  string
		level kafka.IsolationLevel
	}{{"ReadUncommitted", kafka.ReadUncommitted}, {"ReadCommitted", kafka.ReadCommitted}}
	for _, l := range levels {
		env.Out.Value("IsolationLevel", l.name)
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: g.topic, Partition: 0,
			MaxWait: FetchWait, IsolationLevel: l.level})
		if err := r.SetOffset(g.aborted.Offset); err != nil {
			r.Close()
			return fmt.Errorf("set offset: %w", err)
		}
		for {
			msg, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				return fmt.Errorf("read at %s: %w", l.name, err)
			}
			if _, err := Receive(env.Out, msg); err != nil {
				env.Out.Value("its key", fmt.Sprintf("% x", msg.Key))
			}
			if msg.Offset == g.committed.Offset+1 { // the commit marker
				break
			}
		}
		r.Close()
	}
	return nil
}

// franz-go's consumer, with FetchIsolationLevel(ReadCommitted()), does the
// client's part: it drops the records of aborted transactions and every
// marker. From the same offset it returns Grace's order alone: to it, the
// offsets of Ada's order and of the abort marker are a gap. A Go
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

// While a transaction is open, a partition has two ends. The high
// watermark is where read_uncommitted consumers stop; the last stable
// offset (LSO), the first offset of the oldest transaction still open, is
// where read_committed consumers stop. ListOffsets says either, by the
// isolation level asked. A till opens a transaction and writes two orders:
// the LSO stays at the first of them, two behind the high watermark. A
// read_committed consumer there has nothing to read: its lag, as the Java
// consumer counts it, is LSO minus its position, 0. kafka-consumer-groups.sh
// counts to the high watermark, and so does kafka-go's ReadLag, whatever
// the Reader's IsolationLevel: 2. Once the till commits, the LSO passes its
// orders and the Reader gets them. A producer that dies in a transaction
// holds read_committed consumers back until the transaction coordinator
// aborts it, at its first check (every 10 s by default) after
// transaction.timeout.ms (Java: 60 s, franz-go: 40 s; the broker refuses
// one above transaction.max.timeout.ms, 15 min by default).
func (g *guaranteesState) lastStableOffset(ctx context.Context, env *Env) error {
	till, err := env.FranzClient(kgo.TransactionalID(env.Name("till")), kgo.DefaultProduceTopic(g.topic))
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer till.Close()
	if err := till.BeginTransaction(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	for _, i := range []int{5, 6} {
		order, _ := SampleOrder(i).MarshalValue()
		res, err := till.ProduceSync(ctx, &kgo.Record{Value: order}).First()
		if err != nil {
			return fmt.Errorf("produce in a transaction: %w", err)
		}
		env.Out.Record(FranzDelivered(res))
	}
	hwm, err := LastOffset(ctx, env, g.topic, 0, kafka.ReadUncommitted)
	if err != nil {
		return err
	}
	lso, err := LastOffset(ctx, env, g.topic, 0, kafka.ReadCommitted)
	if err != nil {
		return err
	}
	env.Out.Value("high watermark", hwm)
	env.Out.Value("last stable offset", lso)

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: g.topic, Partition: 0,
		MaxWait: FetchWait, IsolationLevel: kafka.ReadCommitted})
	defer r.Close()
	if err := r.SetOffset(lso); err != nil {
		return fmt.Errorf("set offset: %w", err)
	}
	lag, err := r.ReadLag(ctx)
	if err != nil {
		return fmt.Errorf("read lag: %w", err)
	}
	env.Out.Value("lag to the last stable offset", lso-r.Offset())
	env.Out.Value("kafka-go ReadLag", lag)

	if err := till.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	env.Out.Event("transaction committed")
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for range 2 {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		Receive(env.Out, msg)
	}
	return nil
}

// A transactional.id names one producer across restarts. When a producer
// starts with it, the transaction coordinator aborts that id's open
// transaction, if any, and bumps the id's epoch; from then on, requests
// that carry an older epoch are refused. That is how it stops a zombie: an
// instance that froze (a long GC pause, a network partition) while a
// replacement took over. The kitchen printer writes an order in a
// transaction and freezes; a new printer with the same transactional.id
// writes the same order and commits. The zombie wakes up and commits:
// PRODUCER_FENCED. Its order stays in the partition, in an aborted
// transaction with the abort marker after it: a read_committed consumer
// skips it, a kafka-go Reader (below) does not. A kafka-go Writer has no
// transactional.id: nothing would stop a frozen one.
func (g *guaranteesState) fencing(ctx context.Context, env *Env) error {
	id := env.Name("kitchen-printer")
	zombie, err := env.FranzClient(kgo.TransactionalID(id), kgo.DefaultProduceTopic(g.topic))
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer zombie.Close()
	order, _ := SampleOrder(2).MarshalValue()
	if err := zombie.BeginTransaction(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	res, err := zombie.ProduceSync(ctx, &kgo.Record{Value: order}).First()
	if err != nil {
		return fmt.Errorf("produce in a transaction: %w", err)
	}
	from := res.Offset
	delivered := FranzDelivered(res)
	delivered.From = "the printer that froze"
	env.Out.Record(delivered)
	env.Out.Event("🧊 the printer freezes; a new one starts with transactional.id %s", id)

	printer, err := env.FranzClient(kgo.TransactionalID(id), kgo.DefaultProduceTopic(g.topic))
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer printer.Close()
	if err := printer.BeginTransaction(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	res, err = printer.ProduceSync(ctx, &kgo.Record{Value: order}).First()
	if err != nil {
		return fmt.Errorf("produce in a transaction: %w", err)
	}
	delivered = FranzDelivered(res)
	delivered.From = "the new printer"
	env.Out.Record(delivered)
	if err := printer.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	env.Out.Event("the new printer committed")

	err = zombie.EndTransaction(ctx, kgo.TryCommit)
	env.Out.Value("the zombie's commit returned", err)
	if errors.Is(err, kerr.ProducerFenced) {
		env.Out.Say("fenced: the zombie must close; its order is in an aborted transaction")
	}
	env.Out.Say("the partition, from the zombie's order to the new printer's:")
	return ShowPartition(ctx, env, g.topic, 0, from, res.Offset+1)
}
