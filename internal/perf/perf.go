// Package perf measures kafka-go on a broker: producing (synchronous and
// asynchronous), consuming (by partition and in a group) and the round trip
// of one record, each verified against the topic's end offsets; and
// franz-go producing and consuming the same way (franz.go), so the choice
// of a Go client is measured too. The benchmarks of this package (go test
// -bench . ./internal/perf) and the side-by-side comparison with Apache
// Kafka's own tools (go run ./cmd/kafka-native perf) both run these
// workloads.
package perf

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Conn is how the workloads reach the brokers.
type Conn struct {
	Brokers   []string
	Transport *kafka.Transport // for Writers and the admin Client
	Dialer    *kafka.Dialer    // for Readers
}

// NewConn returns a connection to brokers with plain TCP.
func NewConn(brokers []string) Conn {
	return Conn{
		Brokers:   brokers,
		Transport: &kafka.Transport{DialTimeout: 5 * time.Second},
		Dialer:    &kafka.Dialer{Timeout: 5 * time.Second, DualStack: true},
	}
}

// Client is an admin client on c, each request bounded to 30 s.
func (c Conn) Client() *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(c.Brokers...), Transport: c.Transport, Timeout: 30 * time.Second}
}

// Result is what one run measured.
type Result struct {
	Records int64         // records acknowledged or read
	Bytes   int64         // bytes of their values
	Elapsed time.Duration // from the first write (or the reader's creation) to the last ack or record
	// Latencies are the round trips of RoundTrip, sorted.
	Latencies []time.Duration
}

// PerSecond is the throughput in records per second.
func (r Result) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Records) / r.Elapsed.Seconds()
}

// MBPerSecond is the throughput of values in MB (2^20 bytes, as Kafka's
// tools count) per second.
func (r Result) MBPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Bytes) / (1 << 20) / r.Elapsed.Seconds()
}

// Percentile returns the latency below which the fraction q of the round
// trips fall, picked as EndToEndLatency picks it: the sorted sample at index
// ⌊n·q⌋.
func (r Result) Percentile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := min(int(float64(len(r.Latencies))*q), len(r.Latencies)-1)
	return r.Latencies[i]
}

// Mean is the mean round trip.
func (r Result) Mean() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range r.Latencies {
		sum += l
	}
	return sum / time.Duration(len(r.Latencies))
}

// RandomLetters returns n values of size bytes of random uppercase letters,
// the payload Kafka's ProducerPerformance generates for --record-size. With
// 26 symbols a byte carries 4.7 bits: compression gains little.
func RandomLetters(n, size int, seed uint64) [][]byte {
	rnd := rand.New(rand.NewPCG(seed, 0))
	out := make([][]byte, n)
	for i := range out {
		v := make([]byte, size)
		for j := range v {
			v[j] = byte('A' + rnd.IntN(26))
		}
		out[i] = v
	}
	return out
}

// OrderJSON returns n orders of the simulation as JSON, each with its own
// order id: the realistic payload.
func OrderJSON(n int) ([][]byte, error) {
	out := make([][]byte, n)
	for i := range out {
		v, err := lessons.SampleOrder(i).MarshalValue()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// Producer is a kafka-go Writer's settings for a run.
type Producer struct {
	Async        bool // WriteMessages queues and returns; Completion reports
	Slice        int  // messages per WriteMessages call
	BatchSize    int
	BatchTimeout time.Duration
	BatchBytes   int64
	Acks         kafka.RequiredAcks
	Compression  kafka.Compression
}

// Recommended is the producer the lessons recommend for throughput: an
// asynchronous Writer with Completion, batches of up to 1000 records that
// wait at most 5 ms, acks=all.
var Recommended = Producer{Async: true, Slice: 1000, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond, Acks: kafka.RequireAll}

// String describes the settings.
func (p Producer) String() string {
	mode := "synchronous"
	if p.Async {
		mode = "asynchronous"
	}
	s := fmt.Sprintf("%s, %d-message calls, BatchSize %d, BatchTimeout %v, acks=%s", mode, p.Slice, p.BatchSize, p.BatchTimeout, acksName(p.Acks))
	if p.Compression != 0 {
		s += ", " + p.Compression.String()
	}
	return s
}

func acksName(a kafka.RequiredAcks) string {
	switch a {
	case kafka.RequireAll:
		return "all"
	case kafka.RequireOne:
		return "1"
	}
	return "0"
}

// Produce writes n records to topic, cycling through values, and returns
// once every one is acknowledged. It fails if any is not.
func Produce(ctx context.Context, c Conn, topic string, p Producer, values [][]byte, n int) (Result, error) {
	if len(values) == 0 || n <= 0 {
		return Result{}, errors.New("produce: nothing to write")
	}
	var t tally
	w := &kafka.Writer{
		Addr: kafka.TCP(c.Brokers...), Transport: c.Transport, Topic: topic,
		Async: p.Async, BatchSize: p.BatchSize, BatchTimeout: p.BatchTimeout, BatchBytes: p.BatchBytes,
		RequiredAcks: p.Acks, Compression: p.Compression, MaxAttempts: 3,
		Completion: func(msgs []kafka.Message, err error) {
			if err != nil {
				t.fail(err)
				return
			}
			var b int64
			for i := range msgs {
				b += int64(len(msgs[i].Value))
			}
			t.add(len(msgs), b)
		},
	}
	slice := max(1, p.Slice)
	msgs := make([]kafka.Message, slice)
	start := time.Now()
	var err error
	for sent := 0; sent < n && err == nil; {
		k := min(slice, n-sent)
		for i := 0; i < k; i++ {
			msgs[i] = kafka.Message{Value: values[(sent+i)%len(values)]}
		}
		err = w.WriteMessages(ctx, msgs[:k]...)
		sent += k
	}
	cerr := w.Close() // flushes what an asynchronous writer still holds
	return t.result(topic, n, time.Since(start), errors.Join(err, cerr))
}

// tally counts the records a producer's callbacks report acknowledged (a
// kafka-go Completion, a franz-go promise: either may run on any
// goroutine) and keeps every failure.
type tally struct {
	records, bytes atomic.Int64
	mu             sync.Mutex
	failure        error
}

func (t *tally) add(records int, bytes int64) {
	t.records.Add(int64(records))
	t.bytes.Add(bytes)
}

func (t *tally) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failure = errors.Join(t.failure, err)
}

// result is the run of n records that took elapsed, and its error: err
// (from writing or flushing), any failure reported, or fewer than n
// records acknowledged.
func (t *tally) result(topic string, n int, elapsed time.Duration, err error) (Result, error) {
	t.mu.Lock()
	err = errors.Join(err, t.failure)
	t.mu.Unlock()
	if err != nil {
		return Result{}, fmt.Errorf("produce to %s: %w", topic, err)
	}
	r := Result{Records: t.records.Load(), Bytes: t.bytes.Load(), Elapsed: elapsed}
	if r.Records != int64(n) {
		return r, fmt.Errorf("produce to %s: %d of %d records acknowledged", topic, r.Records, n)
	}
	return r, nil
}

// EndOffsets returns each partition's high watermark, by partition id.
func EndOffsets(ctx context.Context, c Conn, topic string) (map[int]int64, error) {
	md, err := c.Client().Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil {
		return nil, fmt.Errorf("metadata of %s: %v", topic, md.Topics)
	}
	var reqs []kafka.OffsetRequest
	for _, p := range md.Topics[0].Partitions {
		reqs = append(reqs, kafka.LastOffsetOf(p.ID))
	}
	resp, err := c.Client().ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	out := map[int]int64{}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("list offsets of %s [%d]: %w", topic, p.Partition, p.Error)
		}
		out[p.Partition] = p.LastOffset
	}
	return out, nil
}

// Total adds the end offsets up: the records a topic written from offset 0
// holds.
func Total(ends map[int]int64) int64 {
	var n int64
	for _, e := range ends {
		n += e
	}
	return n
}

// Consumer is a kafka-go Reader's settings for a run.
type Consumer struct {
	MaxBytes      int // 0: kafka-go's default, 1 MB
	QueueCapacity int // 0: kafka-go's default, 100
}

// String describes the settings.
func (c Consumer) String() string {
	mb := "MaxBytes 1 MB (default)"
	if c.MaxBytes != 0 {
		mb = fmt.Sprintf("MaxBytes %d MB", c.MaxBytes/1e6)
	}
	return mb
}

// fetchWait bounds how long Close waits for the fetch in flight.
const fetchWait = 250 * time.Millisecond

// ConsumePartitions reads every partition of topic from offset 0 up to its
// end offset in ends, one Reader per partition, and returns once all have
// read everything. Elapsed runs from the readers' creation to the last record.
func ConsumePartitions(ctx context.Context, c Conn, topic string, cfg Consumer, ends map[int]int64) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var records, bytes atomic.Int64
	errs := make(chan error, len(ends))
	start := time.Now()
	var readers []*kafka.Reader
	for p, end := range ends {
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers: c.Brokers, Dialer: c.Dialer, Topic: topic, Partition: p,
			MaxBytes: cfg.MaxBytes, QueueCapacity: cfg.QueueCapacity, MaxWait: fetchWait,
		})
		readers = append(readers, r)
		go func() {
			var n, b int64
			defer func() { records.Add(n); bytes.Add(b) }()
			for n < end {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					errs <- fmt.Errorf("read %s [%d] after %d records: %w", topic, p, n, err)
					return
				}
				n++
				b += int64(len(m.Value))
			}
			errs <- nil
		}()
	}
	var err error
	for range ends {
		if e := <-errs; e != nil && err == nil {
			err = e
			cancel()
		}
	}
	elapsed := time.Since(start)
	for _, r := range readers {
		r.Close()
	}
	res := Result{Records: records.Load(), Bytes: bytes.Load(), Elapsed: elapsed}
	if err == nil && res.Records != Total(ends) {
		err = fmt.Errorf("read %d records of %s, its end offsets add up to %d", res.Records, topic, Total(ends))
	}
	return res, err
}

// ConsumeGroup reads total records of topic as the only member of a new
// consumer group, committing in the background every second (as the Java
// consumer's enable.auto.commit does every 5 s). Elapsed runs from the
// reader's creation, so it includes joining the group.
func ConsumeGroup(ctx context.Context, c Conn, topic, group string, cfg Consumer, total int64) (Result, error) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: c.Brokers, Dialer: c.Dialer, Topic: topic, GroupID: group,
		MaxBytes: cfg.MaxBytes, QueueCapacity: cfg.QueueCapacity, MaxWait: fetchWait,
		CommitInterval: time.Second, StartOffset: kafka.FirstOffset,
	})
	defer r.Close()
	start := time.Now()
	var res Result
	for res.Records < total {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return res, fmt.Errorf("read %s in group %s after %d records: %w", topic, group, res.Records, err)
		}
		res.Records++
		res.Bytes += int64(len(m.Value))
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// RoundTrip writes n records one at a time to partition 0 of topic, each
// read back by a Reader waiting there before the next is written, and
// returns each round trip: from WriteMessages to ReadMessage returning it.
// The writer sends each record at once (BatchSize 1) with acks.
func RoundTrip(ctx context.Context, c Conn, topic string, acks kafka.RequiredAcks, values [][]byte, n int) (Result, error) {
	w := &kafka.Writer{
		Addr: kafka.TCP(c.Brokers...), Transport: c.Transport, Topic: topic,
		BatchSize: 1, RequiredAcks: acks, MaxAttempts: 3,
		Balancer: kafka.BalancerFunc(func(kafka.Message, ...int) int { return 0 }),
	}
	defer w.Close()
	// The reader starts at partition 0's end offset, read now: a reader
	// told kafka.LastOffset resolves it when it first fetches, which may
	// be after the first record was written, and then never sees it.
	ends, err := EndOffsets(ctx, c, topic)
	if err != nil {
		return Result{}, err
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Brokers, Dialer: c.Dialer, Topic: topic, Partition: 0, MaxWait: fetchWait})
	defer r.Close()
	if err := r.SetOffset(ends[0]); err != nil {
		return Result{}, err
	}
	res := Result{Latencies: make([]time.Duration, 0, n)}
	start := time.Now()
	for i := 0; i < n; i++ {
		v := values[i%len(values)]
		begin := time.Now()
		if err := w.WriteMessages(ctx, kafka.Message{Value: v}); err != nil {
			return res, fmt.Errorf("round trip %d: write: %w", i, err)
		}
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return res, fmt.Errorf("round trip %d: read: %w", i, err)
		}
		res.Latencies = append(res.Latencies, time.Since(begin))
		if string(m.Value) != string(v) {
			return res, fmt.Errorf("round trip %d: read back a record that is not the one written (offset %d)", i, m.Offset)
		}
		res.Records++
		res.Bytes += int64(len(v))
	}
	res.Elapsed = time.Since(start)
	sort.Slice(res.Latencies, func(i, j int) bool { return res.Latencies[i] < res.Latencies[j] })
	return res, nil
}

// CreateTopic creates topic with the given partitions and replication
// factor and waits until every partition answers ListOffsets.
func CreateTopic(ctx context.Context, c Conn, topic string, partitions, replicas int) error {
	resp, err := c.Client().CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: topic, NumPartitions: partitions, ReplicationFactor: replicas,
	}}})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		return fmt.Errorf("create topic %s: %w", topic, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ends, err := EndOffsets(ctx, c, topic)
		if err == nil && len(ends) == partitions {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topic %s is not ready after 30 s: %v", topic, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// DeleteTopic deletes topic; the comparison cleans up after itself.
func DeleteTopic(ctx context.Context, c Conn, topic string) error {
	resp, err := c.Client().DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{topic}})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		return fmt.Errorf("delete topic %s: %w", topic, err)
	}
	return nil
}
