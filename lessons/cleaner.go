package lessons

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// cleanerWait bounds how long the lessons wait for the broker's cleaner:
// with the compose files' settings it acts within a few seconds.
const cleanerWait = 30 * time.Second

// SampleOrders returns n orders of the simulation from the i-th on.
func SampleOrders(i, n int) []Order {
	orders := make([]Order, n)
	for k := range orders {
		orders[k] = SampleOrder(i + k)
	}
	return orders
}

// WaitForCleaner returns the topic's watermarks once ok holds for partition
// 0: the broker deletes and compacts on its own schedule, not at once.
func WaitForCleaner(ctx context.Context, env *Env, topic string, ok func(Watermarks) bool) ([]Watermarks, error) {
	ctx, cancel := context.WithTimeout(ctx, cleanerWait)
	defer cancel()
	for {
		marks, err := ReadWatermarks(ctx, env, topic)
		if err == nil && len(marks) > 0 && ok(marks[0]) {
			return marks, nil
		}
		select {
		case <-ctx.Done():
			return marks, fmt.Errorf("the cleaner did not act on %s within %v (is log.retention.check.interval.ms set as in the compose files?)", topic, cleanerWait)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// WaitForCompaction reads partition 0 of topic until ok holds for the count
// of records of each key, and returns the records then.
func WaitForCompaction(ctx context.Context, env *Env, topic string, ok func(byKey map[string]int) bool) ([]kafka.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, cleanerWait)
	defer cancel()
	for {
		msgs, err := ReadPartition(ctx, env, topic, 0)
		if err == nil {
			byKey := map[string]int{}
			for _, m := range msgs {
				byKey[string(m.Key)]++
			}
			if ok(byKey) {
				return msgs, nil
			}
		}
		select {
		case <-ctx.Done():
			return msgs, fmt.Errorf("the cleaner did not compact %s within %v (is log.cleaner.backoff.ms set as in the compose files?)", topic, cleanerWait)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// ReadPartition reads a partition from its first offset to its high
// watermark. Compaction leaves gaps in the offsets: it stops at the end,
// not after a count.
func ReadPartition(ctx context.Context, env *Env, topic string, partition int) ([]kafka.Message, error) {
	env = freshEnv(env)
	defer env.Close()
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	var w Watermarks
	for _, m := range marks {
		if m.Partition == partition {
			w = m
		}
	}
	if w.Last <= w.First {
		return nil, nil
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: topic,
		Partition: partition, MaxWait: FetchWait})
	defer r.Close()
	if err := r.SetOffset(w.First); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var msgs []kafka.Message
	for {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			return msgs, fmt.Errorf("read %s [%d]: %w", topic, partition, err)
		}
		msgs = append(msgs, msg)
		if msg.Offset+1 >= w.Last {
			return msgs, nil
		}
	}
}

// Status is one record of a compacted topic of statuses, as reported.
type Status struct {
	Offset int64
	Key    string
	Value  string // "(tombstone)" for a record without a value
}

func (s Status) String() string { return fmt.Sprintf("offset %d  %s = %s", s.Offset, s.Key, s.Value) }

// ReportStatuses reports what a compacted topic holds, record by record.
func ReportStatuses(out Printer, msgs []kafka.Message) {
	for _, m := range msgs {
		st := Status{Offset: m.Offset, Key: string(m.Key), Value: string(m.Value)}
		if m.Value == nil {
			st.Value = "(tombstone)"
		}
		out.Value("kept", st)
	}
}
