package lessons_test

// Pins of what lessons 0, 3, 11, 12 and 14 say of kafka-go (v0.4.51) and of
// Apache Kafka, after the read of issue 20. Like kafkago_test.go, each test
// uses kafka-go's own API and a topic of its own; a fact that is the
// broker's, not kafka-go's, runs on real Kafka only and says so.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol/produce"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

// kgProduceSpy is a kafka.RoundTripper around a Transport that watches the
// Produce requests a Writer sends: how many are in flight at once, per
// partition and in all. Each one is held for delay, so that requests that
// could overlap do. When failFirst is set, the first Produce request fails
// with io.ErrUnexpectedEOF (a dropped connection) before reaching Kafka.
type kgProduceSpy struct {
	transport *kafka.Transport
	delay     time.Duration
	failFirst bool

	mu          sync.Mutex
	inFlight    map[int32]int
	maxPer      map[int32]int
	total, most int
	failed      bool
}

func newProduceSpy(delay time.Duration) *kgProduceSpy {
	return &kgProduceSpy{transport: &kafka.Transport{}, delay: delay,
		inFlight: map[int32]int{}, maxPer: map[int32]int{}}
}

func (s *kgProduceSpy) RoundTrip(ctx context.Context, addr net.Addr, req kafka.Request) (kafka.Response, error) {
	p, ok := req.(*produce.Request)
	if !ok {
		return s.transport.RoundTrip(ctx, addr, req)
	}
	var partitions []int32
	for _, t := range p.Topics {
		for _, tp := range t.Partitions {
			partitions = append(partitions, tp.Partition)
		}
	}
	s.mu.Lock()
	if s.failFirst && !s.failed {
		s.failed = true
		s.mu.Unlock()
		return nil, io.ErrUnexpectedEOF
	}
	for _, id := range partitions {
		s.inFlight[id]++
		s.maxPer[id] = max(s.maxPer[id], s.inFlight[id])
	}
	s.total++
	s.most = max(s.most, s.total)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, id := range partitions {
			s.inFlight[id]--
		}
		s.total--
	}()
	time.Sleep(s.delay)
	return s.transport.RoundTrip(ctx, addr, req)
}

// kgConcurrently calls WriteMessages with one message from each of n
// goroutines at once, and fails the test on an error.
func kgConcurrently(t *testing.T, w *kafka.Writer, n int) {
	t.Helper()
	ctx := kgCtx(t, 60*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- w.WriteMessages(ctx, kafka.Message{Value: []byte("handler")})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Lesson 10, step 5: "one produce request in flight per partition", and
// lesson 14, step 7: "A Writer sends one produce request per partition at
// a time … With BatchSize 1 every order is a batch of its own, so the
// handlers queue behind each other." Twenty goroutines write one message
// each, at once, through a writer on two partitions; every Produce request
// is held 20 ms. With BatchSize 1: twenty requests, never two in flight
// for one partition, but the two partitions' requests overlap (the limit is
// per partition, not per writer). With BatchSize 100 and BatchTimeout 5 ms
// the twenty messages share a few requests.
func TestKafkaGo_WriterOneProduceRequestInFlightPerPartition(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 2)

	spy := newProduceSpy(20 * time.Millisecond)
	defer spy.transport.CloseIdleConnections()
	alone := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, Transport: spy,
		RequiredAcks: kafka.RequireAll, BatchSize: 1}
	kgConcurrently(t, alone, 20)
	alone.Close()
	s := alone.Stats()
	if s.Writes != 20 || s.Messages != 20 {
		t.Errorf("BatchSize 1, 20 concurrent writes: %d produce requests carrying %d messages, want 20 and 20", s.Writes, s.Messages)
	}
	for p, most := range spy.maxPer {
		if most != 1 {
			t.Errorf("partition %d had %d produce requests in flight at once, want 1", p, most)
		}
	}
	if len(spy.maxPer) != 2 || spy.most != 2 {
		t.Errorf("requests in flight at once: %d over %d partitions, want 2 (one per partition)", spy.most, len(spy.maxPer))
	}

	batched := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, Transport: newProduceSpy(20 * time.Millisecond),
		RequiredAcks: kafka.RequireAll, BatchSize: 100, BatchTimeout: 5 * time.Millisecond}
	kgConcurrently(t, batched, 20)
	batched.Close()
	if s := batched.Stats(); s.Messages != 20 || s.Writes >= 20 {
		t.Errorf("BatchSize 100, BatchTimeout 5ms, 20 concurrent writes: %d produce requests carrying %d messages, want fewer requests than messages", s.Writes, s.Messages)
	}
	var stored int64
	for p := range 2 {
		_, last := kgWatermarks(t, addrs, topic, p)
		stored += last
	}
	if stored != 40 {
		t.Errorf("the topic holds %d records, want 40", stored)
	}
}

// Lesson 14, step 4: Stats().Bytes "adds a batch again each time it retries
// it". The first Produce request fails as a dropped connection would
// (io.ErrUnexpectedEOF, which kafka-go retries); the second is stored. Stats
// then counts two produce requests, one retry, and the batch's messages and
// bytes twice, though Kafka holds them once.
func TestKafkaGo_StatsCountARetriedBatchAgain(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	msgs := []kafka.Message{{Value: []byte("first")}, {Value: []byte("second")}, {Value: []byte("third")}}

	once := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchSize: len(msgs)}
	if err := once.WriteMessages(kgCtx(t, 30*time.Second), msgs...); err != nil {
		t.Fatal(err)
	}
	once.Close()
	sent := once.Stats().Bytes

	spy := newProduceSpy(0)
	spy.failFirst = true
	defer spy.transport.CloseIdleConnections()
	retried := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, Transport: spy, RequiredAcks: kafka.RequireAll,
		BatchSize: len(msgs), MaxAttempts: 3, WriteBackoffMin: time.Millisecond, WriteBackoffMax: 10 * time.Millisecond}
	if err := retried.WriteMessages(kgCtx(t, 30*time.Second), msgs...); err != nil {
		t.Fatal(err)
	}
	retried.Close()
	s := retried.Stats()
	if s.Writes != 2 || s.Retries != 1 || s.Errors != 1 {
		t.Errorf("one failed attempt, then success: Writes %d, Retries %d, Errors %d; want 2, 1, 1", s.Writes, s.Retries, s.Errors)
	}
	if s.Messages != 2*int64(len(msgs)) || s.Bytes != 2*sent {
		t.Errorf("Stats counts %d messages and %d bytes; the batch is %d messages and %d bytes: want each twice", s.Messages, s.Bytes, len(msgs), sent)
	}
	if _, last := kgWatermarks(t, addrs, topic, 0); last != 2*int64(len(msgs)) {
		t.Errorf("high watermark %d, want %d: each writer's batch stored once", last, 2*len(msgs))
	}
}

// Lesson 3: "at once for an error kafka-go does not retry (a record too
// large for the topic …), after up to MaxAttempts tries for a temporary
// one (a leader that moved, a dropped connection)".
// A record of 5000 bytes to a topic whose max.message.bytes is 1000 gets
// MESSAGE_TOO_LARGE, which kafka-go does not retry: one produce request,
// no back-off (WriteBackoffMin is 2 s here), though MaxAttempts is 5. The
// temporary case is …StatsCountARetriedBatchAgain.
func TestKafkaGo_WriterNonRetriableErrorFailsAtOnce(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopicWith(t, addrs, 1, map[string]string{"max.message.bytes": "1000"})
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		MaxAttempts: 5, WriteBackoffMin: 2 * time.Second, WriteBackoffMax: 2 * time.Second}
	wrote := w.WriteMessages(kgCtx(t, 60*time.Second), kafka.Message{Value: make([]byte, 5000)})
	w.Close()
	var errs kafka.WriteErrors
	if !errors.As(wrote, &errs) || len(errs) != 1 || !errors.Is(errs[0], kafka.MessageSizeTooLarge) {
		t.Fatalf("WriteMessages returned %v, want MESSAGE_TOO_LARGE", wrote)
	}
	if s := w.Stats(); s.Writes != 1 || s.Retries != 0 {
		t.Errorf("a final error: %d produce requests, %d retries; want 1 and 0 (MaxAttempts is 5)", s.Writes, s.Retries)
	}
	if kafka.MessageSizeTooLarge.Temporary() || !kafka.NotLeaderForPartition.Temporary() || !kafka.NotEnoughReplicas.Temporary() {
		t.Error("kafka-go's list of temporary errors changed: check lesson 3's examples")
	}
}

// Lessons 3 and 14: Close "sends what is still queued and waits"; after it,
// WriteMessages returns io.ErrClosedPipe; and a step may defer Close after
// a helper closed the writer: a second Close returns nil.
func TestKafkaGo_WriterCloseFlushesThenRefusesWrites(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll,
		Async: true, BatchSize: 1000, BatchTimeout: 30 * time.Second}
	ctx := kgCtx(t, 60*time.Second)
	for _, v := range []string{"one", "two", "three"} {
		if err := w.WriteMessages(ctx, kafka.Message{Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, last := kgWatermarks(t, addrs, topic, 0); last != 3 {
		t.Errorf("after Close the partition ends at %d, want 3: Close sends what is queued", last)
	}
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("late")}); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("WriteMessages after Close returned %v, want io.ErrClosedPipe", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("a second Close returned %v, want nil", err)
	}
}

// Lesson 12: a tombstone is a null value, which kafka-go writes for
// Value: nil, while []byte{} is a value of 0 bytes (franz-go, reading
// apart, tells them apart). A kafka.Reader returns nil for both, so a
// program that must tell them apart reads with kafka.Client.Fetch, whose
// records have a nil Value only for a null.
func TestKafkaGo_ReaderReturnsNilForNullAndEmptyValues(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	err := w.WriteMessages(kgCtx(t, 30*time.Second),
		kafka.Message{Key: []byte("null"), Value: nil},
		kafka.Message{Key: []byte("empty"), Value: []byte{}})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}

	// What Kafka holds, read by another client.
	franz := kgFranzRead(t, addrs, topic, 0, false, 2)
	if len(franz) != 2 || franz[0].Value != nil || franz[1].Value == nil || len(franz[1].Value) != 0 {
		t.Fatalf("franz-go reads %q, want a null value, then an empty one", franzValues(franz))
	}

	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, Partition: 0, MaxWait: 250 * time.Millisecond})
	for _, key := range []string{"null", "empty"} {
		m := kgRead(t, r, 10*time.Second)
		if string(m.Key) != key || m.Value != nil {
			t.Errorf("Reader: key %q, value %#v; want key %q and a nil value", m.Key, m.Value, key)
		}
	}

	resp, err := (&kafka.Client{Addr: kafka.TCP(addrs...)}).Fetch(kgCtx(t, 10*time.Second),
		&kafka.FetchRequest{Topic: topic, Partition: 0, Offset: 0, MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 250 * time.Millisecond})
	if err == nil {
		err = resp.Error
	}
	if err != nil {
		t.Fatal(err)
	}
	var values []kafka.Bytes
	for {
		rec, err := resp.Records.ReadRecord()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, rec.Value)
	}
	if len(values) != 2 || values[0] != nil || values[1] == nil || values[1].Len() != 0 {
		t.Errorf("Client.Fetch: %d records, values %#v; want nil (null), then a value of length 0", len(values), values)
	}
}

// Lesson 11, step 3: "A min.insync.replicas above the replication factor
// counts as the replication factor". Kafka's Partition.effectiveMinIsr (3.7
// and later) is min(min.insync.replicas, replicas): on a topic of one
// replica with min.insync.replicas=2, an acks=all write is accepted, and
// readable. A fact of Apache Kafka's, not kafka-go's: the emulation does
// not enforce min.insync.replicas, so this runs on real Kafka only.
func TestKafka_MinInsyncReplicasAboveReplicationFactorIsCapped(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	if cluster.Embedded {
		t.Skip("the emulation does not enforce min.insync.replicas")
	}
	topic := kgTopicWith(t, addrs, 1, map[string]string{"min.insync.replicas": "2"})
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		MaxAttempts: 3, WriteBackoffMin: 10 * time.Millisecond, WriteBackoffMax: 100 * time.Millisecond}
	err := w.WriteMessages(kgCtx(t, 30*time.Second), kafka.Message{Value: []byte("capped")})
	w.Close()
	if err != nil {
		t.Fatalf("acks=all to one replica with min.insync.replicas=2: %v, want it accepted", err)
	}
	if _, last := kgWatermarks(t, addrs, topic, 0); last != 1 {
		t.Errorf("high watermark %d, want 1: the record is readable", last)
	}
}

// Lesson 0, step 1: "A kafka.Client answers Metadata from its transport's
// cache". A topic created through another transport is unknown to a
// Client whose transport read the metadata before (MetadataTTL one minute
// here), while a fresh transport knows it.
func TestKafkaGo_ClientMetadataAnswersFromTheTransportCache(t *testing.T) {
	addrs := kgBroker(t)
	ctx := kgCtx(t, 60*time.Second)
	// Up to three tries: on a cluster whose brokers were just restarted,
	// a transport's first metadata load can still be under way when the
	// topic is made, and then it sees the topic. One try where the cached
	// transport does not see it, and a fresh one does, shows the cache.
	var seen []string
	for try := 0; try < 3; try++ {
		cached := &kafka.Transport{MetadataTTL: time.Minute}
		client := &kafka.Client{Addr: kafka.TCP(addrs...), Transport: cached}
		if _, err := client.Metadata(ctx, &kafka.MetadataRequest{}); err != nil {
			t.Fatal(err)
		}
		topic := kgTopic(t, addrs, 1) // through kafka.DefaultTransport
		fresh := &kafka.Transport{}
		known := map[string]bool{}
		for name, c := range map[string]*kafka.Client{"cached": client, "fresh": {Addr: kafka.TCP(addrs...), Transport: fresh}} {
			md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
			if err != nil {
				t.Fatal(err)
			}
			known[name] = len(md.Topics) == 1 && md.Topics[0].Error == nil
			seen = append(seen, fmt.Sprintf("try %d, %s: %+v", try+1, name, md.Topics))
		}
		cached.CloseIdleConnections()
		fresh.CloseIdleConnections()
		if !known["cached"] && known["fresh"] {
			return
		}
	}
	t.Errorf("in three tries, the cached transport never answered from its cache while a fresh one saw the topic:\n%s", strings.Join(seen, "\n"))
}

// Lesson 0, step 1: the "controller" in a KRaft Metadata answer "is a live
// broker, picked at random for each answer" (KRaftMetadataCache's
// getRandomAliveBroker, Kafka 3.x and 4.x). Thirty answers through one
// Conn, which sends a request for each, name brokers only, and more than
// one of them. A fact of Apache Kafka's on more than one broker: the
// emulation always names the same node.
func TestKafka_KRaftMetadataNamesARandomLiveBrokerAsController(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	if cluster.Embedded || cluster.Brokers < 2 {
		t.Skip("needs real Kafka with more than one broker")
	}
	conn, err := kafka.Dial("tcp", addrs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	brokers, err := conn.Brokers()
	if err != nil {
		t.Fatal(err)
	}
	live := map[int]bool{}
	for _, b := range brokers {
		live[b.ID] = true
	}
	named := map[int]int{}
	for range 30 {
		c, err := conn.Controller()
		if err != nil {
			t.Fatal(err)
		}
		if !live[c.ID] {
			t.Errorf("an answer named node %d, not one of the brokers %v", c.ID, live)
		}
		named[c.ID]++
	}
	if len(named) < 2 {
		t.Errorf("thirty answers all named the same controller: %v", named)
	}
}

func franzValues(rs []*kgo.Record) []string {
	var out []string
	for _, r := range rs {
		if r.Value == nil {
			out = append(out, "<null>")
		} else {
			out = append(out, string(r.Value))
		}
	}
	return out
}

// asError is a recorded value as an error, nil when it is not one.
func asError(v any) error {
	err, _ := v.(error)
	return err
}
