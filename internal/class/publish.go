package class

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// Options say where a learner's runner publishes.
type Options struct {
	Brokers   []string
	Transport *kafka.Transport // TLS and SASL; nil: plaintext
	Class     string           // the class's name: the topic is NAME.progress
	Learner   string           // the key
	Replicas  int              // of the topic, if this learner creates it
	// StatePath keeps the learner's state between runs (and the sequence
	// number last sent), so a state the broker never got is sent by the
	// next run. "": kept in memory only.
	StatePath string
}

// Publisher sends a learner's state after each event, in the background.
//
// Its queue is one slot, the latest state: bounded, and nothing is lost by
// replacing what waits there, because a state holds every event before it.
// Record never waits for Kafka; while the broker is away the sender retries
// with a growing pause, and sends the latest state when it returns.
type Publisher struct {
	opts   Options
	writer *kafka.Writer

	mu      sync.Mutex
	state   State
	sent    int64  // the highest sequence number Kafka acknowledged
	failure string // why the last send failed, "" after a success

	wake   chan struct{} // a state waits: cap 1
	closed chan struct{}
	done   chan struct{}
}

// stored is the state file: the state, and what of it Kafka has.
type stored struct {
	State State `json:"state"`
	Sent  int64 `json:"sent"`
}

// Open starts the publisher. A state file that cannot be read is a fresh
// start (the view keeps the highest sequence number, so it would show the
// old state until this one passes it: said in the error, not fatal).
func Open(opts Options) (*Publisher, error) {
	p := &Publisher{
		opts: opts,
		writer: &kafka.Writer{
			Addr:  kafka.TCP(opts.Brokers...),
			Topic: Topic(opts.Class),
			// The key decides the partition as the Java client would, so
			// each learner's states stay in order on one partition of a
			// topic of any size.
			Balancer:     &kafka.Murmur2Balancer{},
			RequiredAcks: kafka.RequireAll,
			BatchTimeout: 5 * time.Millisecond, // one record at a time: no reason to wait 1 s
			MaxAttempts:  1,                    // the sender retries, with its own pauses
			WriteTimeout: 10 * time.Second,
			Transport:    transport(opts.Transport),
		},
		wake:   make(chan struct{}, 1),
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	p.state.Learner = opts.Learner
	err := p.load()
	if p.state.Seq > p.sent {
		p.wake <- struct{}{} // a state an earlier run could not send
	}
	go p.run()
	return p, err
}

func transport(t *kafka.Transport) kafka.RoundTripper {
	if t == nil {
		return kafka.DefaultTransport
	}
	return t
}

// load reads the state file, if there is one; a newer state another
// process of the same learner saved is taken too.
func (p *Publisher) load() error {
	if p.opts.StatePath == "" {
		return nil
	}
	b, err := os.ReadFile(p.opts.StatePath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var st stored
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		return fmt.Errorf("class state %s: %w (starting afresh)", p.opts.StatePath, err)
	}
	if st.State.Learner == p.opts.Learner && st.State.Seq > p.state.Seq {
		p.state = st.State
	}
	p.sent = max(p.sent, st.Sent)
	return nil
}

// save writes the state file, whole, through a rename so a reader never
// sees half of it.
func (p *Publisher) save() error {
	if p.opts.StatePath == "" {
		return nil
	}
	b, err := json.Marshal(stored{State: p.state, Sent: p.sent})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p.opts.StatePath), 0o755); err != nil {
		return fmt.Errorf("class state: %w", err)
	}
	tmp := p.opts.StatePath + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("class state: %w", err)
	}
	return os.Rename(tmp, p.opts.StatePath)
}

// Record folds the event into the learner's state, keeps it, and hands it
// to the sender. It never waits for Kafka.
func (p *Publisher) Record(e Event) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	p.mu.Lock()
	loadErr := p.load() // another process of this learner may have moved on
	p.state.Apply(e)
	err := p.save()
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default: // already woken: it will take the latest state
	}
	return errors.Join(loadErr, err)
}

// State is the learner's state now.
func (p *Publisher) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state.Clone()
}

// Pending says whether a state waits to be sent, and why the last send
// failed.
func (p *Publisher) Pending() (bool, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state.Seq > p.sent, p.failure
}

// Retry pauses: the first after a failure, and the longest.
const (
	firstPause = 250 * time.Millisecond
	longPause  = 10 * time.Second
)

// run sends the latest state each time one waits, until Close.
func (p *Publisher) run() {
	defer close(p.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-p.closed; cancel() }()
	created := false
	pause := firstPause
	for {
		select {
		case <-p.wake:
		case <-p.closed:
			return
		}
		for {
			p.mu.Lock()
			s, pending := p.state.Clone(), p.state.Seq > p.sent
			p.mu.Unlock()
			if !pending {
				break
			}
			err := p.send(ctx, s, &created)
			p.mu.Lock()
			if err == nil {
				p.sent, p.failure = max(p.sent, s.Seq), ""
				p.save()
			} else {
				p.failure = err.Error()
			}
			p.mu.Unlock()
			if err == nil {
				pause = firstPause
				continue // a newer state may have come meanwhile
			}
			select {
			case <-time.After(pause):
				pause = min(2*pause, longPause)
			case <-p.closed:
				return
			}
		}
	}
}

// send writes one state, first creating the topic if this run has not
// seen it yet. A refused creation does not stop the write: on a cluster
// with ACLs a learner may have WRITE on the topic the teacher made, and no
// CREATE.
func (p *Publisher) send(ctx context.Context, s State, created *bool) error {
	var createErr error
	if !*created {
		createErr = EnsureTopic(ctx, p.opts.Brokers, p.opts.Transport, p.opts.Class, p.opts.Replicas)
	}
	value, err := s.Encode()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err = p.writer.WriteMessages(ctx, kafka.Message{
		Key:     []byte(s.Learner),
		Value:   value,
		Headers: []kafka.Header{{Key: HeaderSchema, Value: []byte(SchemaVersion)}},
		Time:    s.Last.Time,
	})
	if err != nil {
		return errors.Join(createErr, fmt.Errorf("send to %s: %w", Topic(p.opts.Class), err))
	}
	*created = true
	return nil
}

// Close waits up to wait for the latest state to be sent, then stops the
// sender. It returns an error when a state is still unsent: the state file
// keeps it for the next run.
func (p *Publisher) Close(wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if pending, _ := p.Pending(); !pending {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(p.closed)
	<-p.done
	// The writer's Close waits for a batch in flight, up to its
	// WriteTimeout (10 s): a broker that accepts and never answers would
	// hold the learner's exit that long. What is unsent stays in the
	// state file, so the wait is bounded here too.
	closed := make(chan struct{})
	go func() { p.writer.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(max(time.Until(deadline), 500*time.Millisecond)):
	}
	if pending, why := p.Pending(); pending {
		if why == "" {
			why = "the broker did not answer in time"
		}
		return fmt.Errorf("class %s: your latest progress is not sent yet (%s); it is kept, and sent the next time you run with --class", p.opts.Class, why)
	}
	return nil
}

// TopicConfig is the class topic's settings: compacted, so it keeps the
// last state of each learner, however long the course runs.
func TopicConfig(class string, replicas int) kafka.TopicConfig {
	return kafka.TopicConfig{
		Topic: Topic(class), NumPartitions: 1, ReplicationFactor: max(1, replicas),
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "compact"}},
	}
}

// EnsureTopic creates the class's topic unless it exists.
func EnsureTopic(ctx context.Context, brokers []string, t *kafka.Transport, class string, replicas int) error {
	c := &kafka.Client{Addr: kafka.TCP(brokers...), Transport: transport(t), Timeout: 10 * time.Second}
	resp, err := c.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{TopicConfig(class, replicas)}})
	if err == nil {
		err = resp.Errors[Topic(class)]
	}
	if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("create topic %s: %w", Topic(class), err)
	}
	return nil
}
