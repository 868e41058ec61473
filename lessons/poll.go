package lessons

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// FetchWait is how long a Reader's fetch waits on the broker for new
// records (ReaderConfig.MaxWait; kafka-go's default is 10 s). A record
// produced meanwhile is returned at once either way, but Close waits for the
// fetch in flight: 250 ms keeps closing a reader quick.
const FetchWait = 250 * time.Millisecond

// ErrNoMessage is what Poll returns when no record came within the timeout,
// like poll() returning None in the Python client.
var ErrNoMessage = errors.New("no message within the poll timeout")

// ErrBrokerGone says the readers have failed to reach the broker for a while.
var ErrBrokerGone = errors.New("the broker stopped answering")

// Poller reads chosen partitions of a topic and hands out their records one
// at a time. kafka-go's Reader reads one partition (or joins a group); the
// Poller runs one Reader per partition and merges what they read.
type Poller struct {
	readers []*kafka.Reader
	records chan polled
	cancel  context.CancelFunc
	done    sync.WaitGroup

	mu        sync.Mutex
	lastErr   string // last error a reader logged, cleared by each record
	failedFor int    // polls in a row that ended with a reader error and no record
}

type polled struct {
	msg kafka.Message
	err error
}

// NewPoller starts reading topic at the given offset of each partition
// (an offset, kafka.FirstOffset or kafka.LastOffset).
func NewPoller(env *Env, topic string, offsets map[int]int64) (*Poller, error) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Poller{records: make(chan polled), cancel: cancel}
	for partition, offset := range offsets {
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers:   env.Brokers,
			Dialer:    env.Dialer,
			Topic:     topic,
			Partition: partition,
			MaxWait:   FetchWait,
			// Past the end, say so instead of retrying forever.
			OffsetOutOfRangeError: true,
			ErrorLogger:           kafka.LoggerFunc(p.logError),
		})
		p.readers = append(p.readers, r)
		if err := r.SetOffset(offset); err != nil {
			p.Close()
			return nil, fmt.Errorf("position the reader of %s [%d] at %d: %w", topic, partition, offset, err)
		}
		p.done.Add(1)
		go p.read(ctx, r)
	}
	return p, nil
}

func (p *Poller) read(ctx context.Context, r *kafka.Reader) {
	defer p.done.Done()
	for {
		msg, err := r.ReadMessage(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			err = fmt.Errorf("read %s [%d]: %w", r.Config().Topic, r.Config().Partition, err)
		}
		select {
		case p.records <- polled{msg, err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

func (p *Poller) logError(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastErr = fmt.Sprintf(format, args...)
}

// Poll waits up to timeout for the next record. It returns ErrNoMessage when
// none came, and ErrBrokerGone when the readers kept failing for 3 polls.
func (p *Poller) Poll(ctx context.Context, timeout time.Duration) (kafka.Message, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-p.records:
		p.mu.Lock()
		p.lastErr, p.failedFor = "", 0
		p.mu.Unlock()
		return r.msg, r.err
	case <-ctx.Done():
		return kafka.Message{}, ctx.Err()
	case <-t.C:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lastErr == "" {
		p.failedFor = 0
		return kafka.Message{}, ErrNoMessage
	}
	p.failedFor++
	last := p.lastErr
	p.lastErr = ""
	if p.failedFor >= 3 {
		return kafka.Message{}, fmt.Errorf("%w: %s", ErrBrokerGone, last)
	}
	return kafka.Message{}, ErrNoMessage
}

// Close stops every reader and waits for their goroutines.
func (p *Poller) Close() error {
	p.cancel()
	var errs []error
	for _, r := range p.readers {
		errs = append(errs, r.Close())
	}
	p.done.Wait()
	return errors.Join(errs...)
}
