package lessons

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

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
			Topic:     topic,
			Partition: partition,
			// Fetch requests wait at most this long on the broker, so a
			// record produced now is delivered now and Close is quick.
			MaxWait: 250 * time.Millisecond,
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

// Delivery is the delivery report of one record.
type Delivery struct {
	Topic     string
	Partition int
	Offset    int64
	Value     []byte
	Err       error
}

func (d Delivery) String() string {
	if d.Err != nil {
		return fmt.Sprintf("Delivery failed for record: %v", d.Err)
	}
	return fmt.Sprintf("Delivered to %s [%d] @ offset %d: %s", d.Topic, d.Partition, d.Offset, d.Value)
}

// ProduceOrders sends orders with acks=all and reports each delivery, as
// lesson 3 teaches. It returns once every order is acknowledged or failed.
func ProduceOrders(ctx context.Context, env *Env, topic string, orders []Order, report func(Delivery)) error {
	values := make([][]byte, len(orders))
	for i, o := range orders {
		v, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("encode order: %w", err)
		}
		values[i] = v
	}
	return ProduceValues(ctx, env, topic, values, report)
}

// ProduceValues sends raw values, orders or not, with delivery reports.
func ProduceValues(ctx context.Context, env *Env, topic string, values [][]byte, report func(Delivery)) error {
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Topic:        topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		MaxAttempts:  3,
		WriteTimeout: 5 * time.Second,
		Completion: func(messages []kafka.Message, err error) {
			for _, m := range messages {
				report(Delivery{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Value: m.Value, Err: err})
			}
		},
	}
	// Chunks, so that a cancelled context (Ctrl-C) stops between two of
	// them and Close has at most one chunk left to flush.
	const chunk = 500
	var err error
	for start := 0; start < len(values) && err == nil; start += chunk {
		end := min(start+chunk, len(values))
		msgs := make([]kafka.Message, 0, end-start)
		for _, v := range values[start:end] {
			msgs = append(msgs, kafka.Message{Value: v})
		}
		err = w.WriteMessages(ctx, msgs...)
	}
	var cerr error
	if ctx.Err() != nil {
		// Interrupted: do not let the flush hold up the exit.
		cerr = CloseWithin(w, 1500*time.Millisecond)
	} else {
		cerr = w.Close()
	}
	if err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("produce to %s: %w", topic, err)
	}
	return nil
}

// CloseWithin closes c but waits at most d: a writer whose broker is gone can
// retry for seconds, and Ctrl-C must still end the program promptly.
func CloseWithin(c io.Closer, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- c.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("close: still flushing after %v, gave up", d)
	}
}
