package lessons

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// WaitForCompaction reads partition 0 of topic (FetchPartition) until ok
// holds for the count of records of each key, and returns the records then.
func WaitForCompaction(ctx context.Context, env *Env, topic string, ok func(byKey map[string]int) bool) ([]kafka.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, cleanerWait)
	defer cancel()
	for {
		msgs, err := FetchPartition(ctx, env, topic, 0)
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
	w, err := partitionMarks(ctx, env, topic, partition)
	if err != nil {
		return nil, err
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

// FetchPartition reads a partition from its first offset to its high
// watermark, as ReadPartition does, but with kafka.Client.Fetch: a Reader
// returns a nil Value for an empty value and for none alike, while Fetch's
// records have a nil Value only where Kafka holds none (a tombstone), and
// an empty one for a value of 0 bytes. FetchPartition keeps that
// difference in the messages it returns.
func FetchPartition(ctx context.Context, env *Env, topic string, partition int) ([]kafka.Message, error) {
	env = freshEnv(env)
	defer env.Close()
	w, err := partitionMarks(ctx, env, topic, partition)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var msgs []kafka.Message
	for offset := w.First; offset < w.Last; {
		resp, err := env.Client().Fetch(ctx, &kafka.FetchRequest{Topic: topic, Partition: partition,
			Offset: offset, MinBytes: 1, MaxBytes: 1 << 20, MaxWait: FetchWait})
		if err == nil {
			err = resp.Error
		}
		if err != nil {
			return msgs, fmt.Errorf("fetch %s [%d] at offset %d: %w", topic, partition, offset, err)
		}
		next := offset
		for {
			r, err := resp.Records.ReadRecord()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return msgs, fmt.Errorf("read %s [%d]: %w", topic, partition, err)
			}
			if r.Offset < offset { // a batch may start before the offset asked for
				continue
			}
			m := kafka.Message{Topic: topic, Partition: partition, Offset: r.Offset, Time: r.Time, Headers: r.Headers}
			if m.Key, err = recordBytes(r.Key); err == nil {
				m.Value, err = recordBytes(r.Value)
			}
			if err != nil {
				return msgs, fmt.Errorf("read %s [%d] at offset %d: %w", topic, partition, r.Offset, err)
			}
			msgs = append(msgs, m)
			next = r.Offset + 1
		}
		if next == offset { // nothing left below the high watermark
			break
		}
		offset = next
	}
	return msgs, nil
}

// recordBytes reads a fetched record's key or value: nil where Kafka holds
// none, a slice of length 0 for 0 bytes.
func recordBytes(b kafka.Bytes) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	defer b.Close()
	v := make([]byte, b.Len())
	_, err := io.ReadFull(b, v)
	return v, err
}

// Status is one record of a compacted topic of statuses, as reported.
type Status struct {
	Offset    int64
	Key       string
	Value     string
	Tombstone bool // the record has no value at all (not an empty one)
}

func (s Status) String() string {
	switch {
	case s.Tombstone:
		return fmt.Sprintf("offset %d  %s = (tombstone: no value)", s.Offset, s.Key)
	case s.Value == "":
		return fmt.Sprintf("offset %d  %s = (empty value, 0 bytes)", s.Offset, s.Key)
	}
	return fmt.Sprintf("offset %d  %s = %s", s.Offset, s.Key, s.Value)
}

// ReportStatuses reports what a compacted topic holds, record by record,
// from messages FetchPartition read: there a nil Value is a tombstone.
// (From a kafka.Reader it could be an empty value as well.)
func ReportStatuses(out Printer, msgs []kafka.Message) {
	for _, m := range msgs {
		out.Value("kept", Status{Offset: m.Offset, Key: string(m.Key), Value: string(m.Value), Tombstone: m.Value == nil})
	}
}

// partitionMarks returns the first offset and high watermark of one
// partition of topic (zero for a partition the topic does not have).
func partitionMarks(ctx context.Context, env *Env, topic string, partition int) (Watermarks, error) {
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return Watermarks{}, err
	}
	for _, m := range marks {
		if m.Partition == partition {
			return m, nil
		}
	}
	return Watermarks{}, nil
}
