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
	env    *Env
	topic  string
	cancel context.CancelFunc
	done   sync.WaitGroup
	// outage, when set, makes the Poller patient: a reader that fails is
	// opened again at its partition's next offset, for as long as it takes.
	outage  *Outage
	records chan polled

	mu        sync.Mutex
	readers   map[int]*kafka.Reader // the open reader of each partition
	lastErr   string                // last error a reader logged, cleared by each record
	failedFor int                   // polls in a row that ended with a reader error and no record
}

type polled struct {
	msg kafka.Message
	err error
}

// NewPoller starts reading topic at the given offset of each partition
// (an offset, kafka.FirstOffset or kafka.LastOffset). It fails fast: when
// the readers keep failing, Poll says so within seconds.
func NewPoller(env *Env, topic string, offsets map[int]int64) (*Poller, error) {
	return newPoller(env, topic, offsets, nil)
}

// NewPatientPoller is NewPoller for a consumer that must ride through a
// broker going away and coming back: it never gives up (Ctrl-C stops it),
// resumes each partition right after the last record it handed out, and
// notes the trouble in outage meanwhile.
func NewPatientPoller(env *Env, topic string, offsets map[int]int64, outage *Outage) (*Poller, error) {
	return newPoller(env, topic, offsets, outage)
}

func newPoller(env *Env, topic string, offsets map[int]int64, outage *Outage) (*Poller, error) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &Poller{env: env, topic: topic, cancel: cancel, outage: outage, records: make(chan polled),
		readers: map[int]*kafka.Reader{}}
	for partition, offset := range offsets {
		r, err := p.open(partition, offset)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.done.Add(1)
		go p.read(ctx, partition, r)
	}
	return p, nil
}

// open starts the reader of partition at offset.
func (p *Poller) open(partition int, offset int64) (*kafka.Reader, error) {
	logger := kafka.LoggerFunc(p.logError)
	if p.outage != nil {
		logger = kafka.LoggerFunc(p.outage.Fail)
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   p.env.Brokers,
		Dialer:    p.env.Dialer,
		Topic:     p.topic,
		Partition: partition,
		MaxWait:   FetchWait,
		// Past the end, say so instead of waiting; a patient poller waits.
		OffsetOutOfRangeError: p.outage == nil,
		ErrorLogger:           logger,
	})
	if err := r.SetOffset(offset); err != nil {
		r.Close()
		return nil, fmt.Errorf("position the reader of %s [%d] at %d: %w", p.topic, partition, offset, err)
	}
	p.mu.Lock()
	p.readers[partition] = r
	p.mu.Unlock()
	return r, nil
}

func (p *Poller) read(ctx context.Context, partition int, r *kafka.Reader) {
	defer p.done.Done()
	for {
		msg, err := r.ReadMessage(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil && p.outage != nil {
			// Patient: note it, wait, and open the partition again right
			// after the last record handed out.
			p.outage.Fail("read %s [%d]: %v", p.topic, partition, err)
			next := r.Offset()
			r.Close()
			for r = nil; r == nil; {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Second):
				}
				r, _ = p.open(partition, next)
			}
			continue
		}
		if err != nil {
			err = fmt.Errorf("read %s [%d]: %w", p.topic, partition, err)
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
// none came, and (unless patient) ErrBrokerGone when the readers kept
// failing for 3 polls.
func (p *Poller) Poll(ctx context.Context, timeout time.Duration) (kafka.Message, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-p.records:
		p.mu.Lock()
		p.lastErr, p.failedFor = "", 0
		p.mu.Unlock()
		if p.outage != nil && r.err == nil {
			p.outage.Clear()
		}
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
	p.done.Wait()
	// Not under p.mu: a closing reader may still log an error, and its
	// logger takes p.mu.
	p.mu.Lock()
	readers := make([]*kafka.Reader, 0, len(p.readers))
	for _, r := range p.readers {
		readers = append(readers, r)
	}
	p.mu.Unlock()
	var errs []error
	for _, r := range readers {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}
