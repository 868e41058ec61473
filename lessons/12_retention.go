package lessons

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// retentionLesson is lesson 12: how old data goes away.
func retentionLesson() Lesson {
	return Lesson{
		Number: 12,
		Title:  "Retention and compaction",
		Goal:   "Watch the broker delete old records by age, and compact a topic of order statuses down to the last status of each order.",
		Summary: []string{
			"Retention (retention.ms, retention.bytes) deletes a partition's oldest segments, whole: its first offset moves up.",
			"An offset that was deleted is out of range: kafka-go moves a reader to the first offset that is left.",
			"A compacted topic (cleanup.policy=compact) keeps at least the last record of every key, for ever: a table, not a log.",
			"A tombstone (a key with no value: Value nil, not []byte{}) deletes a key from a compacted topic, once the cleaner has run.",
			"The cleaner never touches the segment being written; the settings here make it act in seconds, which no production topic wants.",
		},
		Quiz: []Question{
			{
				Ask: "A consumer was stopped for longer than the topic's retention. It asks for its old offset. What does a kafka-go Reader do?",
				Choices: []string{
					"Reads the deleted records from a backup",
					"Moves to the first offset left: the rest are gone",
					"Blocks until the offset exists again",
				},
				Answer: 1,
				Why:    "Retention deleted those records; an offset before the start is moved to the first offset, silently.",
				Step:   2,
			},
			{
				Ask: "A compacted topic gets placed, cooking, delivered for one order. What is kept once the cleaner has run?",
				Choices: []string{
					"All three: compaction only deletes old segments",
					"At least the last one, delivered, at its own offset",
					"Only the first one, placed",
				},
				Answer: 1,
				Why:    "Compaction keeps the last record of each key and drops the ones it replaces; offsets do not change, so gaps appear.",
				Step:   3,
			},
			{
				Ask: "How do you delete an order from a compacted topic?",
				Choices: []string{
					"Write its key with no value: a tombstone",
					"Call DeleteRecords on its offset",
					"Write an empty JSON object as its value",
				},
				Answer: 0,
				Why:    "A tombstone (key, nil value) makes the cleaner drop the key's earlier records; it stays itself for delete.retention.ms. An empty value, []byte{}, is a value like any other: kept.",
				Step:   4,
			},
		},
		Plan: func() Plan {
			s := &retentionState{}
			return Plan{Steps: []Step{
				{Title: "Retention: old orders go, the first offset moves", Run: s.retention},
				{Title: "An offset that existed is gone", Run: s.deletedOffset, Needs: []int{1}},
				{Title: "A compacted topic of order statuses", Run: s.compaction},
				{Title: "A tombstone deletes an order; an empty value does not", Run: s.tombstone, Needs: []int{3}},
			}}
		},
	}
}

// What this lesson says of kafka-go is pinned by
// TestKafkaGo_ReaderBeforeTheStartMovesToFirstOffset and
// …ReaderReturnsNilForNullAndEmptyValues.
type retentionState struct {
	orders   string // the topic with a short retention
	statuses string // the compacted topic
}

// A partition's log is a row of segments, and retention deletes whole
// segments, oldest first: one goes once its newest record is older than
// retention.ms (7 days by default), or while the partition holds more than
// retention.bytes (per partition; unlimited by default). The partition's
// first offset moves up. Segments roll at segment.bytes (1 GiB) or
// segment.ms (7 days) by default, so records routinely outlive
// retention.ms. Even the segment being written to can go: the broker rolls
// a new, empty one first (only compaction leaves it alone). This topic
// keeps records for 2 s, in segments of 500 ms (segment.ms), so it happens
// in front of you: five orders, a 3 s pause, then one more order, in a new
// segment. The broker checks retention every second here
// (log.retention.check.interval.ms in the compose files; 5 minutes by
// default).
func (s *retentionState) retention(ctx context.Context, env *Env) error {
	s.orders = env.Name("orders-retention")
	err := EnsureTopic(ctx, env, TopicSpec{Name: s.orders, Partitions: 1, ReplicationFactor: env.Replicas(),
		Configs: map[string]string{"retention.ms": "2000", "segment.ms": "500"}})
	if err != nil {
		return err
	}
	if err := ProduceOrders(ctx, env, s.orders, SampleOrders(0, 5), env.Out.Record); err != nil {
		return err
	}
	before, err := ReadWatermarks(ctx, env, s.orders)
	if err != nil {
		return err
	}
	env.Out.Block(DrawPartition(before[0], -1))
	env.Out.Say("3 s pass: the five orders are now older than retention.ms…")
	time.Sleep(3 * time.Second)
	if err := ProduceOrders(ctx, env, s.orders, SampleOrders(5, 1), env.Out.Record); err != nil {
		return err
	}
	after, err := WaitForCleaner(ctx, env, s.orders, func(w Watermarks) bool { return w.First > before[0].First })
	if err != nil {
		return err
	}
	env.Out.Block(DrawPartition(after[0], -1))
	env.Out.Value("first offset before", before[0].First)
	env.Out.Value("first offset after", after[0].First)
	return nil
}

// Offset 0 existed a moment ago; now it is below the first offset. A new
// order arrives, and a reader asked to start at 0 is moved to the first
// offset that is left, silently, whether OffsetOutOfRangeError is set or
// not (lesson 4 showed the other end, past the last offset). A consumer
// that fell further behind than the retention has lost those records: size
// retention for the slowest consumer you must not lose.
func (s *retentionState) deletedOffset(ctx context.Context, env *Env) error {
	if err := ProduceOrders(ctx, env, s.orders, SampleOrders(6, 1), env.Out.Record); err != nil {
		return err
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: s.orders,
		Partition: 0, MaxWait: FetchWait})
	defer r.Close()
	if err := r.SetOffset(0); err != nil {
		return fmt.Errorf("set offset: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	msg, err := r.ReadMessage(ctx)
	if err != nil {
		return fmt.Errorf("read %s [0] from offset 0: %w", s.orders, err)
	}
	env.Out.Value("asked for offset", 0)
	env.Out.Value("got the record at offset", msg.Offset)
	return nil
}

// A compacted topic (cleanup.policy=compact) keeps, for ever, at least the
// last record of each key: the latest status of each order, here. The log
// cleaner rewrites old segments and drops every record a later one with the
// same key replaces; offsets do not change, so gaps appear. It never touches
// the segment being written, so a new order arriving a moment later closes
// the first segment. To see it within seconds: segments of 100 ms, a cleaner
// that starts as soon as 1% of the log is dirty (min.cleanable.dirty.ratio,
// 0.5 by default) and looks every second (log.cleaner.backoff.ms in the
// compose files). In production that would mean thousands of tiny files and
// a cleaner rewriting logs all day.
func (s *retentionState) compaction(ctx context.Context, env *Env) error {
	s.statuses = env.Name("order-status")
	err := EnsureTopic(ctx, env, TopicSpec{Name: s.statuses, Partitions: 1, ReplicationFactor: env.Replicas(),
		Configs: map[string]string{"cleanup.policy": "compact", "segment.ms": "100",
			"min.cleanable.dirty.ratio": "0.01", "delete.retention.ms": "60000"}})
	if err != nil {
		return err
	}
	statuses := []kafka.Message{
		{Key: []byte("order-A"), Value: []byte("placed")},
		{Key: []byte("order-B"), Value: []byte("placed")},
		{Key: []byte("order-A"), Value: []byte("cooking")},
		{Key: []byte("order-C"), Value: []byte("placed")},
		{Key: []byte("order-B"), Value: []byte("cooking")},
		{Key: []byte("order-A"), Value: []byte("delivered")},
	}
	if err := ProduceMessages(ctx, env, s.statuses, statuses, env.Out.Record); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	next := []kafka.Message{{Key: []byte("order-D"), Value: []byte("placed")}}
	if err := ProduceMessages(ctx, env, s.statuses, next, env.Out.Record); err != nil {
		return err
	}
	kept, err := WaitForCompaction(ctx, env, s.statuses, func(byKey map[string]int) bool { return byKey["order-A"] == 1 })
	if err != nil {
		return err
	}
	ReportStatuses(env.Out, kept)
	return nil
}

// A record with a key and no value, a tombstone, says "this key is gone".
// The cleaner drops every earlier record of that key; the tombstone itself
// stays for delete.retention.ms (a minute here, a day by default), so a
// consumer that was behind still sees the delete, then it goes too. No
// value is Value: nil, which kafka-go sends as a null; []byte{} is a value
// of 0 bytes, and order-B, written so here, keeps it as its last status. A
// kafka.Reader returns nil for both, so the lesson reads the topic with
// kafka.Client.Fetch, which tells them apart (FetchPartition, in
// cleaner.go).
func (s *retentionState) tombstone(ctx context.Context, env *Env) error {
	deletes := []kafka.Message{
		{Key: []byte("order-C"), Value: nil},      // no value: a tombstone
		{Key: []byte("order-B"), Value: []byte{}}, // 0 bytes: a value
	}
	if err := ProduceMessages(ctx, env, s.statuses, deletes, env.Out.Record); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	next := []kafka.Message{{Key: []byte("order-E"), Value: []byte("placed")}}
	if err := ProduceMessages(ctx, env, s.statuses, next, env.Out.Record); err != nil {
		return err
	}
	kept, err := WaitForCompaction(ctx, env, s.statuses, func(byKey map[string]int) bool {
		return byKey["order-C"] == 1 && byKey["order-B"] == 1
	})
	if err != nil {
		return err
	}
	ReportStatuses(env.Out, kept)
	return nil
}
