package lessons

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol/metadata"
)

// Replicas is one partition's replication as the metadata tells it, by
// broker id.
type Replicas struct {
	Partition int
	Leader    int
	Replicas  []int
	ISR       []int
	Offline   []int // replicas on brokers that are down
}

func (r Replicas) String() string {
	s := fmt.Sprintf("leader %d  replicas %v  isr %v", r.Leader, r.Replicas, r.ISR)
	if len(r.Offline) > 0 {
		s += fmt.Sprintf("  offline %v", r.Offline)
	}
	return s
}

// ReadReplicas returns each partition's leader, replicas and ISR, by
// partition, as one broker of the cluster tells it. It asks through
// kafka-go's protocol package: kafka.Client's Metadata turns a replica on a
// stopped broker into an empty Broker (id 0), which would draw the wrong
// picture just when it matters.
func ReadReplicas(ctx context.Context, env *Env, topic string) ([]Replicas, error) {
	_, rs, err := readMetadata(ctx, env, env.Brokers, topic)
	return rs, err
}

// readMetadata asks one of addrs (a random one that accepts the
// connection) for the topic's metadata, and returns the brokers it lists
// (id to address) and the topic's partitions. A transport of its own: the
// env's caches metadata for a while, and a new one asks the broker it
// dials, now, for this topic only.
func readMetadata(ctx context.Context, env *Env, addrs []string, topic string) (map[int]string, []Replicas, error) {
	tr := env.NewTransport()
	tr.MetadataTopics = []string{topic}
	defer tr.CloseIdleConnections()
	m, err := tr.RoundTrip(ctx, kafka.TCP(addrs...), &metadata.Request{TopicNames: []string{topic}})
	if err != nil {
		return nil, nil, fmt.Errorf("read metadata of %s: %w", topic, err)
	}
	resp := m.(*metadata.Response)
	brokers := map[int]string{}
	for _, b := range resp.Brokers {
		brokers[int(b.NodeID)] = net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
	}
	var out []Replicas
	for _, t := range resp.Topics {
		if t.Name != topic {
			continue
		}
		if t.ErrorCode != 0 {
			return brokers, nil, fmt.Errorf("read metadata of %s: %w", topic, kafka.Error(t.ErrorCode))
		}
		for _, p := range t.Partitions {
			out = append(out, Replicas{Partition: int(p.PartitionIndex), Leader: int(p.LeaderID),
				Replicas: ints(p.ReplicaNodes), ISR: ints(p.IsrNodes), Offline: ints(p.OfflineReplicas)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return brokers, out, nil
}

// BrokerView is what one broker says of a topic's partitions.
type BrokerView struct {
	Broker     int
	Partitions []Replicas
}

// ReadEveryBroker asks each broker the cluster lists, directly, for the
// topic's partitions. In KRaft every broker learns the cluster's metadata
// by replaying the controller's log, a little behind it: right after a
// topic is created, or a broker stops, brokers can disagree. An error says
// which broker did not answer, or does not know the topic yet.
func ReadEveryBroker(ctx context.Context, env *Env, topic string) ([]BrokerView, error) {
	brokers, _, err := readMetadata(ctx, env, env.Brokers, topic)
	if err != nil && brokers == nil {
		return nil, err
	}
	ids := make([]int, 0, len(brokers))
	for id := range brokers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	views := make([]BrokerView, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids { // at once: a cluster far away, over TLS, must not cost N round trips in a row
		wg.Add(1)
		go func() {
			defer wg.Done()
			one, cancel := context.WithTimeout(ctx, 3*time.Second) // a broker that went away must not hold up the rest
			defer cancel()
			_, rs, err := readMetadata(one, env, []string{brokers[id]}, topic)
			views[i] = BrokerView{Broker: id, Partitions: rs}
			if err != nil {
				errs[i] = fmt.Errorf("broker %d (%s): %w", id, brokers[id], err)
			}
		}()
	}
	wg.Wait()
	return views, errors.Join(errs...)
}

// agreed returns the partitions every view shows alike, or false.
func agreed(views []BrokerView) ([]Replicas, bool) {
	if len(views) == 0 || len(views[0].Partitions) == 0 {
		return nil, false
	}
	for _, v := range views[1:] {
		if !slices.EqualFunc(v.Partitions, views[0].Partitions, func(a, b Replicas) bool { return a.String() == b.String() }) {
			return nil, false
		}
	}
	return views[0].Partitions, true
}

func ints(ids []int32) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	slices.Sort(out)
	return out
}

// ReportReplicas reports every partition's replication, one value each.
func ReportReplicas(out Printer, rs []Replicas) {
	for _, r := range rs {
		out.Value(fmt.Sprintf("partition %d", r.Partition), r)
	}
}

// WaitForReplicas returns the topic's replication once every broker of
// the cluster tells the same and ok holds for every partition, or an error
// after limit: leaders move, replicas catch up and brokers learn of it in
// seconds, not at once.
func WaitForReplicas(ctx context.Context, env *Env, topic string, limit time.Duration, ok func(Replicas) bool) ([]Replicas, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var seen string // what the brokers said last, for the error
	for {
		views, err := ReadEveryBroker(ctx, env, topic)
		rs, same := agreed(views)
		if err == nil && same && allOf(rs, ok) {
			return rs, nil
		}
		if err == nil {
			seen = describeViews(views, same)
		} else if ctx.Err() == nil {
			seen = err.Error()
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("not every partition of %s got there within %v (last: %s)", topic, limit, seen)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// describeViews says what the brokers told, for an error.
func describeViews(views []BrokerView, same bool) string {
	if same && len(views) > 0 {
		return fmt.Sprintf("every broker says %v", views[0].Partitions)
	}
	var parts []string
	for _, v := range views {
		parts = append(parts, fmt.Sprintf("broker %d says %v", v.Broker, v.Partitions))
	}
	return strings.Join(parts, "; ")
}

func allOf(rs []Replicas, ok func(Replicas) bool) bool {
	for _, r := range rs {
		if !ok(r) {
			return false
		}
	}
	return true
}

// freshEnv is env on a transport of its own: after a broker stops, the
// env's pooled transport still holds its metadata and connections for a
// while.
func freshEnv(env *Env) *Env {
	fresh := *env
	fresh.Transport = env.NewTransport()
	return &fresh
}

// ReadWatermarksNow is ReadWatermarks through a transport of its own, which
// asks each partition's leader as the cluster names it now: after a broker
// stops, a pooled transport may still send the request to it.
func ReadWatermarksNow(ctx context.Context, env *Env, topic string) ([]Watermarks, error) {
	env = freshEnv(env)
	defer env.Close()
	return ReadWatermarks(ctx, env, topic)
}

// WaitForHighWatermark returns a partition's watermarks once its high
// watermark has reached want, or an error after limit: the leader moves it
// once the followers it waits for have the records.
func WaitForHighWatermark(ctx context.Context, env *Env, topic string, partition int, want int64, limit time.Duration) (Watermarks, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var last Watermarks
	for {
		marks, err := ReadWatermarksNow(ctx, env, topic)
		if err == nil && partition < len(marks) {
			if last = marks[partition]; last.Last >= want {
				return last, nil
			}
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("the high watermark of %s [%d] is %d after %v, not %d", topic, partition, last.Last, limit, want)
			}
			return last, err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// WriteOutcome is what one write got: nil when it was acknowledged, else
// the broker's error (unwrapped from kafka-go's WriteErrors).
func WriteOutcome(err error) error {
	var errs kafka.WriteErrors
	if errors.As(err, &errs) {
		for _, e := range errs {
			if e != nil {
				return e
			}
		}
	}
	return err
}

// ReadOrderIDs reads every record of the topic, from each partition's first
// offset to its high watermark, and counts each order id found.
func ReadOrderIDs(ctx context.Context, env *Env, topic string) (map[string]int, error) {
	env = freshEnv(env)
	defer env.Close()
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	ids := map[string]int{}
	for _, w := range marks {
		msgs, err := ReadPartition(ctx, env, topic, w.Partition)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if o, err := DecodeOrder(m.Value); err == nil {
				ids[o.OrderID]++
			}
		}
	}
	return ids, nil
}

// Acks counts what a producer got acknowledged, from its goroutine, while
// another waits for it.
type Acks struct {
	mu     sync.Mutex
	ids    []string
	failed int
	more   chan struct{} // closed and replaced at each acknowledgement
}

// NewAcks returns an empty count.
func NewAcks() *Acks { return &Acks{more: make(chan struct{})} }

// Acked records an acknowledged order.
func (a *Acks) Acked(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ids = append(a.ids, id)
	close(a.more)
	a.more = make(chan struct{})
}

// Failed records a write that failed.
func (a *Acks) Failed() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failed++
}

// IDs returns the acknowledged order ids.
func (a *Acks) IDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.ids...)
}

// Failures returns how many writes failed.
func (a *Acks) Failures() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.failed
}

// WaitFor returns once n more orders are acknowledged than when it was
// called, or an error after a minute: a producer that stopped getting
// acknowledgements is what this lesson must not hide.
func (a *Acks) WaitFor(ctx context.Context, n int) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	a.mu.Lock()
	want := len(a.ids) + n
	a.mu.Unlock()
	for {
		a.mu.Lock()
		got, more := len(a.ids), a.more
		a.mu.Unlock()
		if got >= want {
			return nil
		}
		select {
		case <-more:
		case <-ctx.Done():
			return fmt.Errorf("%d orders acknowledged, %d wanted, and no more for a minute: the producer is stuck", got, want)
		}
	}
}
