package class

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
)

// ErrNoTopic says the class's topic does not exist yet: no learner has
// published.
var ErrNoTopic = errors.New("no learner has published yet")

// Follower reads the class's topic from its beginning, then follows it.
// It reads each partition at its own offset with Fetch requests (no
// consumer group: the view commits nothing and always starts from the
// beginning, which is the class's state).
type Follower struct {
	client  *kafka.Client
	topic   string
	offsets map[int]int64 // next offset to read, per partition
	ends    map[int]int64 // the high watermark the last fetch saw
	known   bool          // the partitions are known
}

// NewFollower reads class NAME's topic on brokers.
func NewFollower(brokers []string, t *kafka.Transport, class string) *Follower {
	return &Follower{
		client: &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport(t), Timeout: 10 * time.Second},
		topic:  Topic(class),
	}
}

// Poll reads what the partitions hold past what was read, waiting up to
// wait for a first record, and folds it into c. It returns how many
// records it read and whether it has read up to each partition's end.
func (f *Follower) Poll(ctx context.Context, c *Class, wait time.Duration) (int, bool, error) {
	if !f.known {
		if err := f.partitions(ctx); err != nil {
			return 0, false, err
		}
	}
	read, caughtUp := 0, true
	for p, offset := range f.offsets {
		res, err := f.client.Fetch(ctx, &kafka.FetchRequest{
			Topic: f.topic, Partition: p, Offset: offset,
			MinBytes: 1, MaxBytes: 4 << 20, MaxWait: wait,
		})
		if err == nil {
			err = res.Error
		}
		if errors.Is(err, kafka.OffsetOutOfRange) {
			f.offsets[p] = kafka.FirstOffset // retention removed it: the log's start
			caughtUp = false
			continue
		}
		if err != nil {
			f.known = false // the partitions may have moved: ask again, keeping the offsets
			return read, false, fmt.Errorf("read %s [%d] @ %d: %w", f.topic, p, offset, err)
		}
		n, next, err := fold(res.Records, offset, c)
		read += n
		if err != nil {
			return read, false, fmt.Errorf("read %s [%d]: %w", f.topic, p, err)
		}
		if offset < 0 { // FirstOffset: Fetch found the start
			offset = max(0, res.LogStartOffset)
		}
		f.offsets[p] = max(offset, next)
		f.ends[p] = res.HighWatermark
		if f.offsets[p] < res.HighWatermark {
			caughtUp = false
		}
	}
	return read, caughtUp, nil
}

// fold adds the records at offset and after to c; it returns how many,
// and the offset after the last.
func fold(records kafka.RecordReader, offset int64, c *Class) (int, int64, error) {
	n, next := 0, offset
	for {
		r, err := records.ReadRecord()
		if errors.Is(err, io.EOF) {
			return n, next, nil
		}
		if err != nil {
			return n, next, err
		}
		if r.Offset < offset { // a batch may start before the offset asked
			continue
		}
		key, err := readBytes(r.Key)
		if err != nil {
			return n, next, err
		}
		var value []byte
		if r.Value != nil {
			if value, err = readBytes(r.Value); err != nil {
				return n, next, err
			}
			if value == nil {
				value = []byte{}
			}
		}
		schema := ""
		for _, h := range r.Headers {
			if h.Key == HeaderSchema {
				schema = string(h.Value)
			}
		}
		c.Add(key, value, schema)
		n, next = n+1, r.Offset+1
	}
}

func readBytes(b kafka.Bytes) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	defer b.Close()
	return io.ReadAll(b)
}

// partitions learns the topic's partitions; each is read from its start.
func (f *Follower) partitions(ctx context.Context) error {
	md, err := f.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{f.topic}})
	if err != nil {
		return fmt.Errorf("metadata of %s: %w", f.topic, err)
	}
	if len(md.Topics) == 0 || errors.Is(md.Topics[0].Error, kafka.UnknownTopicOrPartition) {
		return fmt.Errorf("%s: %w", f.topic, ErrNoTopic)
	}
	if err := md.Topics[0].Error; err != nil {
		return fmt.Errorf("metadata of %s: %w", f.topic, err)
	}
	old := f.offsets
	f.offsets = map[int]int64{}
	if f.ends == nil {
		f.ends = map[int]int64{}
	}
	for _, p := range md.Topics[0].Partitions {
		f.offsets[p.ID] = kafka.FirstOffset
		if off, ok := old[p.ID]; ok {
			f.offsets[p.ID] = off
		}
	}
	f.known = true
	return nil
}

// Lag is how many records the partitions held past what was read, at the
// last fetch: how far the view is behind.
func (f *Follower) Lag() int64 {
	var lag int64
	for p, end := range f.ends {
		if off := f.offsets[p]; off >= 0 && end > off {
			lag += end - off
		}
	}
	return lag
}

// Snapshot reads the whole topic up to its end as it is now, within
// timeout, retrying while the broker does not answer: the view's --once.
func Snapshot(ctx context.Context, brokers []string, t *kafka.Transport, class string, timeout time.Duration) (*Class, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	f := NewFollower(brokers, t, class)
	c := NewClass()
	pause := firstPause
	for {
		_, done, err := f.Poll(ctx, c, 200*time.Millisecond)
		if done || errors.Is(err, ErrNoTopic) {
			return c, err
		}
		if ctx.Err() != nil {
			if err == nil {
				err = ctx.Err()
			}
			return c, fmt.Errorf("read %s within %v: %w", Topic(class), timeout, err)
		}
		if err != nil {
			select {
			case <-time.After(pause):
				pause = min(2*pause, longPause)
			case <-ctx.Done():
			}
		}
	}
}
