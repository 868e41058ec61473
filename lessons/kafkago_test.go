package lessons_test

// Pins of what the lessons say about kafka-go (v0.4.51): its defaults and its
// behaviour, asserted against the library and a broker. When an upgrade of
// kafka-go changes one, the test named beside the sentence in the lesson
// fails, and the narration gets fixed before a class reads it.
//
//	go test -run KafkaGo ./lessons/
//
// Each test creates its own topic (uuid name). They pass on the embedded
// broker and on a real one (KAFKA_BOOTSTRAP_SERVERS). Where a fact is the
// broker's rather than kafka-go's, the test says so.

import (
	"context"
	"errors"
	"net"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
)

// A zero-config Writer reports its defaults through Stats: BatchTimeout 1 s,
// BatchSize 100, RequiredAcks RequireNone (0), MaxAttempts 10, read and write
// timeouts 10 s, write back-off 100 ms to 1 s, synchronous.
func TestKafkaGo_WriterDefaultsInStats(t *testing.T) {
	w := &kafka.Writer{}
	s := w.Stats()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"BatchTimeout", s.BatchTimeout, time.Second},
		{"MaxBatchSize", s.MaxBatchSize, int64(100)},
		{"RequiredAcks", s.RequiredAcks, int64(kafka.RequireNone)},
		{"MaxAttempts", s.MaxAttempts, int64(10)},
		{"ReadTimeout", s.ReadTimeout, 10 * time.Second},
		{"WriteTimeout", s.WriteTimeout, 10 * time.Second},
		{"WriteBackoffMin", s.WriteBackoffMin, 100 * time.Millisecond},
		{"WriteBackoffMax", s.WriteBackoffMax, time.Second},
		{"Async", s.Async, false},
	} {
		if c.got != c.want {
			t.Errorf("zero-config Writer: Stats().%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// Stats().BatchBytes is a summary of the batches sent, not the limit:
	// the 1 MiB BatchBytes default is pinned by TestKafkaGo_WriterBatchBytesDefaultIs1MiB.
}

// Lesson 3: "kafka-go sends a batch ... when BatchTimeout has passed since its
// first record: 1 s by default. One order per call thus waits a full second."
func TestKafkaGo_WriterBatchTimeoutDefaultIs1s(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireOne}
	defer w.Close()
	if got := w.Stats().BatchTimeout; got != time.Second {
		t.Errorf("Stats().BatchTimeout = %v, want 1s", got)
	}
	start := time.Now()
	if err := w.WriteMessages(kgCtx(t, 30*time.Second), kafka.Message{Value: []byte("one")}); err != nil {
		t.Fatal(err)
	}
	// Only a lower bound: the batch's timer cannot fire early; a loaded
	// machine can only make it later.
	if d := time.Since(start); d < 950*time.Millisecond {
		t.Errorf("one synchronous write with the default BatchTimeout took %v, want about 1s", d)
	}
}

// Lesson 3: "kafka-go sends a batch when it is full (BatchSize, 100
// records)": with a BatchTimeout of 30 s, 99 messages wait, and the 100th
// sends all of them in one produce request.
func TestKafkaGo_WriterBatchSizeDefaultIs100(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireOne, BatchTimeout: 30 * time.Second}
	defer w.Close()
	ctx := kgCtx(t, 20*time.Second)
	first := make(chan error, 1)
	go func() {
		msgs := make([]kafka.Message, 99)
		for i := range msgs {
			msgs[i] = kafka.Message{Value: []byte("x")}
		}
		first <- w.WriteMessages(ctx, msgs...)
	}()
	select {
	case err := <-first:
		t.Fatalf("99 messages were sent without waiting for BatchTimeout (err %v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("the 100th")}); err != nil {
		t.Fatalf("the 100th message: %v", err)
	}
	if err := <-first; err != nil {
		t.Fatalf("the first 99: %v", err)
	}
	s := w.Stats()
	if s.Writes != 1 || s.Messages != 100 {
		t.Errorf("%d produce requests carrying %d messages, want 1 carrying 100", s.Writes, s.Messages)
	}
}

// Lesson 3 and DESIGN: the zero-value RequiredAcks is RequireNone (acks=0):
// the broker sends no answer, so Completion gets a nil error and messages
// with no topic, partition or offset filled in, although the records are
// stored (here at offsets 0, 1, 2).
func TestKafkaGo_WriterRequiredAcksDefaultIsNone(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	var mu sync.Mutex
	var reported []kafka.Message
	var reportErr error
	w := &kafka.Writer{
		Addr:         kafka.TCP(addrs...),
		Topic:        topic,
		BatchTimeout: time.Millisecond,
		Completion: func(msgs []kafka.Message, err error) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, msgs...)
			reportErr = errors.Join(reportErr, err)
		},
	}
	defer w.Close()
	if w.RequiredAcks != kafka.RequireNone || w.Stats().RequiredAcks != 0 {
		t.Fatalf("zero-value RequiredAcks = %v, want RequireNone (0)", w.RequiredAcks)
	}
	err := w.WriteMessages(kgCtx(t, 20*time.Second),
		kafka.Message{Value: []byte("a")}, kafka.Message{Value: []byte("b")}, kafka.Message{Value: []byte("c")})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if reportErr != nil || len(reported) != 3 {
		t.Errorf("Completion: %d messages, error %v; want 3, nil", len(reported), reportErr)
	}
	for _, m := range reported {
		if m.Topic != "" || m.Partition != 0 || m.Offset != 0 {
			t.Errorf("acks=0 Completion message %s: want no topic, partition 0, offset 0 (nothing filled in)", kgDescribe(m))
		}
	}
	mu.Unlock()
	// The records did land, at offsets 0..2: acks=0 is fire-and-forget, not
	// fire-and-lose. The broker appends them after the call returned.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, last := kgWatermarks(t, addrs, topic, 0); last == 3 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("high watermark %d, want 3", last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Lesson 3: "The writer spreads records over the partitions in turn (its
// default balancer is round-robin)", and DESIGN: the default Writer ignores
// keys. Three keyless messages land on three partitions, and so do three
// messages with the same key.
func TestKafkaGo_WriterDefaultBalancerIsRoundRobin(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	var mu sync.Mutex
	partitions := map[string][]int{}
	w := &kafka.Writer{
		Addr:         kafka.TCP(addrs...),
		Topic:        topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Completion: func(msgs []kafka.Message, err error) {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				if err == nil {
					partitions[string(m.Key)] = append(partitions[string(m.Key)], m.Partition)
				}
			}
		},
	}
	defer w.Close()
	if w.Balancer != nil {
		t.Fatal("zero-value Balancer is not nil")
	}
	ctx := kgCtx(t, 20*time.Second)
	for _, key := range []string{"", "same-key"} {
		var msgs []kafka.Message
		for i := 0; i < 3; i++ {
			m := kafka.Message{Value: []byte("v")}
			if key != "" {
				m.Key = []byte(key)
			}
			msgs = append(msgs, m)
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for key, ps := range partitions {
		seen := map[int]bool{}
		for _, p := range ps {
			seen[p] = true
		}
		if len(ps) != 3 || len(seen) != 3 {
			t.Errorf("key %q: partitions %v, want 3 different ones", key, ps)
		}
	}
	if len(partitions) != 2 {
		t.Errorf("delivery reports for keys %v, want \"\" and \"same-key\"", partitions)
	}
}

// Issue 14 (lesson 3): Completion runs on the writer's goroutines, one per
// partition, concurrently, not on the goroutine that called WriteMessages
// (unlike the Python client's callbacks, which run inside poll()/flush()).
// Here each of three partitions' Completion waits until all three are
// running at once: were they called one after another, it would time out.
func TestKafkaGo_CompletionRunsConcurrentlyOnWriterGoroutines(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	var mu sync.Mutex
	callers := map[string]bool{}
	inside := 0
	allInside := make(chan struct{})
	timedOut := atomic.Bool{}
	w := &kafka.Writer{
		Addr:         kafka.TCP(addrs...),
		Topic:        topic,
		RequiredAcks: kafka.RequireOne,
		BatchTimeout: time.Millisecond,
		Completion: func([]kafka.Message, error) {
			mu.Lock()
			callers[kgGoroutineID()] = true
			inside++
			if inside == 3 {
				close(allInside)
			}
			mu.Unlock()
			select {
			case <-allInside:
			case <-time.After(5 * time.Second):
				timedOut.Store(true)
			}
		},
	}
	defer w.Close()
	caller := kgGoroutineID()
	err := w.WriteMessages(kgCtx(t, 30*time.Second),
		kafka.Message{Value: []byte("a")}, kafka.Message{Value: []byte("b")}, kafka.Message{Value: []byte("c")})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if timedOut.Load() {
		t.Error("the three partitions' Completion calls did not run at the same time")
	}
	if callers[caller] {
		t.Error("Completion ran on the goroutine that called WriteMessages")
	}
	if len(callers) != 3 {
		t.Errorf("Completion ran on %d goroutines, want 3 (one per partition)", len(callers))
	}
}

// kgGoroutineID is the number runtime.Stack prints for the calling goroutine.
func kgGoroutineID() string {
	b := make([]byte, 64)
	return strings.Fields(string(b[:runtime.Stack(b, false)]))[1]
}

// Issue 14 (lesson 3): Writer.Close returns nil even when messages failed;
// failures reach the program only through WriteMessages (synchronous) or
// Completion (asynchronous). Here the broker goes away after the first
// delivery: the next three messages fail in Completion, and Close still
// returns nil. This uses a broker of its own (embedded), which it stops.
func TestKafkaGo_WriterCloseReturnsNilAfterFailures(t *testing.T) {
	b, err := broker.StartEmbedded(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	topic := kgTopic(t, b.Addrs, 1)
	var delivered, failed atomic.Int32
	tr := &kafka.Transport{} // not DefaultTransport: keep the dead broker out of it
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{
		Addr:            kafka.TCP(b.Addrs...),
		Topic:           topic,
		Transport:       tr,
		RequiredAcks:    kafka.RequireAll,
		Async:           true,
		BatchTimeout:    time.Millisecond,
		MaxAttempts:     2,
		WriteBackoffMin: 10 * time.Millisecond,
		WriteBackoffMax: 50 * time.Millisecond,
		Completion: func(msgs []kafka.Message, err error) {
			if err != nil {
				failed.Add(int32(len(msgs)))
			} else {
				delivered.Add(int32(len(msgs)))
			}
		},
	}
	ctx := kgCtx(t, 30*time.Second)
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	for delivered.Load() == 0 {
		if ctx.Err() != nil {
			t.Fatal("the first message was never delivered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Close()
	queueErr := w.WriteMessages(ctx, kafka.Message{Value: []byte("1")}, kafka.Message{Value: []byte("2")}, kafka.Message{Value: []byte("3")})
	if err := w.Close(); err != nil {
		t.Errorf("Writer.Close returned %v, want nil (it always does)", err)
	}
	switch {
	case queueErr == nil && failed.Load() != 3:
		t.Errorf("3 messages queued after the broker went away: %d failures reported to Completion, want 3", failed.Load())
	case queueErr != nil:
		t.Logf("WriteMessages refused them at once (no cached metadata): %v", queueErr)
	}

	// A broker that never answered: the Writer fails the write, Close is nil.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := l.Addr().String()
	l.Close()
	w2 := &kafka.Writer{Addr: kafka.TCP(nobody), Topic: topic, Transport: tr, MaxAttempts: 1}
	if err := w2.WriteMessages(ctx, kafka.Message{Value: []byte("x")}); err == nil {
		t.Errorf("WriteMessages to %s (nobody listening) succeeded", nobody)
	}
	if err := w2.Close(); err != nil {
		t.Errorf("Writer.Close returned %v, want nil", err)
	}
}

// Issue 14 (lesson 3): Writer.Close does not close the connections of the
// Transport it used (a Writer built as a struct literal, with no Transport,
// uses the shared kafka.DefaultTransport); closing them is the transport's
// business: CloseIdleConnections.
func TestKafkaGo_WriterCloseLeavesTransportConnectionsOpen(t *testing.T) {
	if _, ok := kafka.DefaultTransport.(*kafka.Transport); !ok {
		t.Errorf("kafka.DefaultTransport is a %T, want *kafka.Transport", kafka.DefaultTransport)
	}
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	var open atomic.Int32
	tr := &kafka.Transport{
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			open.Add(1)
			return &kgCountedConn{Conn: c, open: &open}, nil
		},
	}
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, Transport: tr, RequiredAcks: kafka.RequireOne, BatchTimeout: time.Millisecond}
	if err := w.WriteMessages(kgCtx(t, 20*time.Second), kafka.Message{Value: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := open.Load(); n == 0 {
		t.Fatal("Writer.Close closed its transport's connections")
	}
	tr.CloseIdleConnections()
	deadline := time.Now().Add(5 * time.Second)
	for open.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still open after Transport.CloseIdleConnections", open.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type kgCountedConn struct {
	net.Conn
	open *atomic.Int32
	once sync.Once
}

func (c *kgCountedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// Lesson 3 ("a synchronous WriteMessages returns when the batch is sent")
// and lesson 7 ("the Writer's BatchBytes is 1 MiB"): a message larger than
// BatchBytes (1048576 by default) is refused by WriteMessages before
// anything is sent, with a MessageTooLargeError. Raise BatchBytes and the
// broker refuses it instead: its message.max.bytes (1048588 by default)
// bounds a record batch; that half is the broker's behaviour.
func TestKafkaGo_WriterBatchBytesDefaultIs1MiB(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	big := kafka.Message{Value: make([]byte, 1<<20)}
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, MaxAttempts: 1}
	defer w.Close()
	err := w.WriteMessages(kgCtx(t, 20*time.Second), big)
	var tooLarge kafka.MessageTooLargeError
	if !errors.As(err, &tooLarge) || !errors.Is(err, kafka.MessageSizeTooLarge) {
		t.Fatalf("a 1 MiB value with the default BatchBytes: %v (%T), want a kafka.MessageTooLargeError", err, err)
	}
	if s := w.Stats(); s.Writes != 0 {
		t.Errorf("%d produce requests sent, want none: the Writer refuses it itself", s.Writes)
	}

	// The broker's limit: message.max.bytes, 1048588 by default (kfake too).
	w2 := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		MaxAttempts: 1, BatchBytes: 2 << 20}
	defer w2.Close()
	err = w2.WriteMessages(kgCtx(t, 20*time.Second), big)
	var werrs kafka.WriteErrors
	if !errors.As(err, &werrs) || !errors.Is(werrs[0], kafka.MessageSizeTooLarge) {
		t.Fatalf("a 1 MiB value with BatchBytes 2 MiB: %v, want the broker's MessageSizeTooLarge", err)
	}
}

// Issue 14 (lesson 3): batches are per partition and also flush at
// BatchBytes: two 600 kB messages to one partition need two produce
// requests.
func TestKafkaGo_WriterBatchBytesSplitsBatches(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireOne, BatchTimeout: time.Millisecond}
	defer w.Close()
	v := make([]byte, 600_000)
	if err := w.WriteMessages(kgCtx(t, 20*time.Second), kafka.Message{Value: v}, kafka.Message{Value: v}); err != nil {
		t.Fatal(err)
	}
	if s := w.Stats(); s.Writes != 2 || s.Messages != 2 {
		t.Errorf("%d produce requests for %d messages, want 2 for 2", s.Writes, s.Messages)
	}
}

// Lesson 7: "one of a million bytes ... kafka-go's defaults carry it": the
// default Writer (BatchBytes 1 MiB) sends it and the default Reader
// (MaxBytes 1e6, which the record's batch exceeds) reads it whole.
func TestKafkaGo_MillionByteRecordWithDefaults(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	value := make([]byte, 1_000_000)
	kgProduce(t, addrs, topic, 0, string(value))
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	if got := r.Config().MaxBytes; got != 1_000_000 {
		t.Errorf("Reader MaxBytes default %d, want 1e6", got)
	}
	if m := kgRead(t, r, 20*time.Second); len(m.Value) != len(value) {
		t.Errorf("read %d bytes, want %d", len(m.Value), len(value))
	}
}

// Lesson 7 (KIP-74): a fetch returns the first record batch even when it is
// larger than the Reader's MaxBytes (contrary to ReaderConfig.MaxBytes' doc
// comment, "the broker will truncate a message"): a 10 KiB record is read
// whole with MaxBytes 1 KiB. The broker's behaviour since Kafka 0.10.1
// (Fetch v3+); kfake does the same.
func TestKafkaGo_FetchReturnsRecordLargerThanMaxBytes(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	value := strings.Repeat("x", 10<<10)
	kgProduce(t, addrs, topic, 0, value, "after")
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxBytes: 1 << 10, MaxWait: 250 * time.Millisecond})
	if m := kgRead(t, r, 20*time.Second); string(m.Value) != value {
		t.Fatalf("read %d bytes at offset %d, want the 10 KiB record whole", len(m.Value), m.Offset)
	}
	if m := kgRead(t, r, 20*time.Second); string(m.Value) != "after" {
		t.Fatalf("then read %s, want the next record", kgDescribe(m))
	}
}

// Lessons 4 and 6 (and DESIGN): with a GroupID, SetOffset fails with
// "unavailable when GroupID is set"; Offset and Lag report -1. Partition and
// GroupID are exclusive, but Partition 0 is the zero value: only a non-zero
// Partition next to a GroupID is refused.
func TestKafkaGo_ReaderWithGroupIDRefusesSetOffset(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: "kafkago-" + uuid.NewString()[:8], MaxWait: 250 * time.Millisecond})
	defer r.Close()
	err := r.SetOffset(5)
	if err == nil || err.Error() != "unavailable when GroupID is set" {
		t.Errorf("SetOffset with a GroupID: %v, want \"unavailable when GroupID is set\"", err)
	}
	if r.Offset() != -1 || r.Lag() != -1 {
		t.Errorf("with a GroupID: Offset %d, Lag %d; want -1, -1", r.Offset(), r.Lag())
	}
	both := kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: "g", Partition: 1}
	if err := both.Validate(); err == nil || !strings.Contains(err.Error(), "either Partition or GroupID") {
		t.Errorf("GroupID with Partition 1: %v, want \"either Partition or GroupID may be specified, but not both\"", err)
	}
}

// Issue 14 (lesson 6): a Reader with a GroupID offers the coordinator
// [Range, RoundRobin] by default: client-side assignment strategies of the
// classic group protocol.
func TestKafkaGo_ReaderGroupBalancersDefaultRangeThenRoundRobin(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: "kafkago-" + uuid.NewString()[:8], MaxWait: 250 * time.Millisecond})
	defer r.Close()
	want := []kafka.GroupBalancer{kafka.RangeGroupBalancer{}, kafka.RoundRobinGroupBalancer{}}
	if got := r.Config().GroupBalancers; !reflect.DeepEqual(got, want) {
		t.Errorf("default GroupBalancers %#v, want %#v", got, want)
	}
}

// Issue 14 (lesson 6): in the classic group protocol that kafka-go speaks,
// the group's leader, a client, computes the assignment with its
// GroupBalancer; the coordinator only hands it out (SyncGroup). A balancer
// that gives the one member partition 2 alone is obeyed: the reader gets
// partition 2's record and never those of partitions 0 and 1.
func TestKafkaGo_GroupLeaderClientComputesAssignment(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	for p := 0; p < 3; p++ {
		kgProduce(t, addrs, topic, p, "from partition "+string(rune('0'+p)))
	}
	only2 := &kgOnlyPartition{partition: 2}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:           addrs,
		Topic:             topic,
		GroupID:           "kafkago-" + uuid.NewString()[:8],
		GroupBalancers:    []kafka.GroupBalancer{only2},
		MaxWait:           250 * time.Millisecond,
		HeartbeatInterval: time.Second,
	})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := r.FetchMessage(ctx)
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if m.Partition != 2 {
		t.Errorf("got %s, want partition 2's record", kgDescribe(m))
	}
	if only2.calls.Load() == 0 {
		t.Error("the client's GroupBalancer was never asked to assign")
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel2()
	if m, err := r.FetchMessage(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("then %s (%v): want nothing, partitions 0 and 1 are not assigned", kgDescribe(m), err)
	}
}

// kgOnlyPartition is a GroupBalancer that assigns one partition of each
// topic to every member, and counts its calls.
type kgOnlyPartition struct {
	partition int
	calls     atomic.Int32
}

func (b *kgOnlyPartition) ProtocolName() string      { return "lessons-only-one-partition" }
func (b *kgOnlyPartition) UserData() ([]byte, error) { return nil, nil }
func (b *kgOnlyPartition) AssignGroups(members []kafka.GroupMember, _ []kafka.Partition) kafka.GroupMemberAssignments {
	b.calls.Add(1)
	out := kafka.GroupMemberAssignments{}
	for _, m := range members {
		out[m.ID] = map[string][]int{}
		for _, topic := range m.Topics {
			out[m.ID][topic] = []int{b.partition}
		}
	}
	return out
}

// Lesson 6: "FetchMessage does not commit (ReadMessage would, like
// enable.auto.commit)": with a GroupID and no CommitInterval, ReadMessage
// commits the offset before returning the record; FetchMessage does not.
func TestKafkaGo_ReadMessageCommitsFetchMessageDoesNot(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "a", "b")
	group := "kafkago-" + uuid.NewString()[:8]
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, MaxWait: 250 * time.Millisecond, HeartbeatInterval: time.Second})
	defer r.Close()
	ctx := kgCtx(t, 30*time.Second)
	committed := func() int64 {
		client := &kafka.Client{Addr: kafka.TCP(addrs...)}
		resp, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: {0}}})
		if err != nil {
			t.Fatalf("offset fetch: %v", err)
		}
		for _, p := range resp.Topics[topic] {
			return p.CommittedOffset
		}
		return -1
	}
	m, err := r.FetchMessage(ctx)
	if err != nil || m.Offset != 0 {
		t.Fatalf("FetchMessage: %s, %v", kgDescribe(m), err)
	}
	if c := committed(); c != -1 {
		t.Errorf("after FetchMessage the group's committed offset is %d, want none (-1)", c)
	}
	m, err = r.ReadMessage(ctx)
	if err != nil || m.Offset != 1 {
		t.Fatalf("ReadMessage: %s, %v", kgDescribe(m), err)
	}
	if c := committed(); c != 2 {
		t.Errorf("after ReadMessage returned offset 1 the committed offset is %d, want 2", c)
	}
}

// Issue 14 (lesson 4): ReaderConfig.StartOffset defaults to FirstOffset (a
// new group reads from the oldest record; librdkafka's auto.offset.reset
// defaults to the opposite, latest), and a Reader of one partition without
// SetOffset starts at FirstOffset too.
func TestKafkaGo_ReaderStartOffsetDefaultIsFirstOffset(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "oldest", "newer")

	p := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	if p.Offset() != kafka.FirstOffset {
		t.Errorf("a new partition Reader's Offset() = %d, want FirstOffset (%d)", p.Offset(), kafka.FirstOffset)
	}
	if m := kgRead(t, p, 20*time.Second); m.Offset != 0 {
		t.Errorf("partition Reader without SetOffset read %s first, want offset 0", kgDescribe(m))
	}

	g := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: "kafkago-" + uuid.NewString()[:8],
		MaxWait: 250 * time.Millisecond, HeartbeatInterval: time.Second})
	defer g.Close()
	if g.Config().StartOffset != 0 {
		t.Errorf("StartOffset left unset reads back as %d, want 0 (FirstOffset applied inside the group)", g.Config().StartOffset)
	}
	ctx := kgCtx(t, 30*time.Second)
	m, err := g.FetchMessage(ctx)
	if err != nil || m.Offset != 0 {
		t.Errorf("a new group without StartOffset fetched %s, %v first; want offset 0", kgDescribe(m), err)
	}
}

// Lesson 4: with OffsetOutOfRangeError: true, an offset past the end makes
// ReadMessage return kafka.OffsetOutOfRange. The end itself (the high
// watermark) is in range: there the reader waits for the next record.
func TestKafkaGo_ReaderOffsetOutOfRangeErrorPastTheEnd(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "a", "b", "c")
	_, end := kgWatermarks(t, addrs, topic, 0)
	cfg := kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond, OffsetOutOfRangeError: true}

	past := kgPartitionReader(t, cfg)
	if err := past.SetOffset(end + 2); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if m, err := past.ReadMessage(ctx); !errors.Is(err, kafka.OffsetOutOfRange) {
		t.Errorf("SetOffset(end+2): %s, %v; want kafka.OffsetOutOfRange", kgDescribe(m), err)
	}

	atEnd := kgPartitionReader(t, cfg)
	if err := atEnd.SetOffset(end); err != nil {
		t.Fatal(err)
	}
	kgBlocks(t, atEnd, time.Second)
}

// Lesson 4: without OffsetOutOfRangeError, a Reader set past the end does
// not fail and does not skip: it retries (with back-off, ReadBackoffMin to
// ReadBackoffMax) until the partition reaches that offset, then reads from
// there. Set at end+2, it returns the third record produced afterwards.
func TestKafkaGo_ReaderPastTheEndWaitsThenReadsThere(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "a", "b", "c")
	_, end := kgWatermarks(t, addrs, topic, 0)
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	if err := r.SetOffset(end + 2); err != nil {
		t.Fatal(err)
	}
	kgBlocks(t, r, 1500*time.Millisecond)
	offsets := kgProduce(t, addrs, topic, 0, "first after", "second after", "third after")
	m := kgRead(t, r, 20*time.Second)
	if m.Offset != end+2 || string(m.Value) != "third after" {
		t.Errorf("read %s, want offset %d (\"third after\"); produced at %v", kgDescribe(m), end+2, offsets)
	}
}

// Issue 14 (lesson 4): an offset before the start of the partition (its
// records deleted, as retention does) is silently moved to the first
// offset, with OffsetOutOfRangeError or without.
func TestKafkaGo_ReaderBeforeTheStartMovesToFirstOffset(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "0", "1", "2", "3", "4")
	kgDeleteRecords(t, addrs, topic, 0, 2)
	if first, _ := kgWatermarks(t, addrs, topic, 0); first != 2 {
		t.Fatalf("first offset %d after deleting records before 2", first)
	}
	for _, flag := range []bool{false, true} {
		r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond, OffsetOutOfRangeError: flag})
		if err := r.SetOffset(0); err != nil {
			t.Fatal(err)
		}
		if m := kgRead(t, r, 20*time.Second); m.Offset != 2 {
			t.Errorf("OffsetOutOfRangeError %v, SetOffset(0): read %s, want offset 2 (the first)", flag, kgDescribe(m))
		}
	}
}

// ReaderConfig defaults the lessons rely on: MaxWait 10 s (a fetch waits
// that long for data at the end of a partition), MaxBytes 1e6, MinBytes 1,
// read back-off 100 ms to 1 s, MaxAttempts 3.
func TestKafkaGo_ReaderMaxWaitDefaultIs10s(t *testing.T) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{"localhost:9"}, Topic: "t"})
	defer r.Close()
	c := r.Config()
	for _, d := range []struct {
		name      string
		got, want any
	}{
		{"MaxWait", c.MaxWait, 10 * time.Second},
		{"MaxBytes", c.MaxBytes, 1_000_000},
		{"MinBytes", c.MinBytes, 1},
		{"ReadBackoffMin", c.ReadBackoffMin, 100 * time.Millisecond},
		{"ReadBackoffMax", c.ReadBackoffMax, time.Second},
		{"MaxAttempts", c.MaxAttempts, 3},
		{"StartOffset", c.StartOffset, int64(0)},
	} {
		if d.got != d.want {
			t.Errorf("ReaderConfig default %s = %v, want %v", d.name, d.got, d.want)
		}
	}
}

// Issue 14 (lesson 6): Reader.Close takes no context, and at the end of a
// partition it waits for the fetch in flight, up to MaxWait: about 10 s with
// the default, well under a second with MaxWait 250 ms. Hence a bounded
// close helper, and MaxWait set low in the lessons. Loose bounds only: the
// fetch has just started when Close is called.
func TestKafkaGo_ReaderCloseWaitsForTheFetchUpToMaxWait(t *testing.T) {
	var _ func(*kafka.Reader) error = (*kafka.Reader).Close // no context
	var _ func(*kafka.Writer) error = (*kafka.Writer).Close
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	for _, c := range []struct {
		maxWait  time.Duration
		min, max time.Duration
	}{
		{0, 2 * time.Second, 20 * time.Second},
		{250 * time.Millisecond, 0, 2 * time.Second},
	} {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: c.maxWait})
		if err := r.SetOffset(kafka.LastOffset); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go r.ReadMessage(ctx) // starts the fetch loop
		deadline := time.Now().Add(10 * time.Second)
		for r.Stats().Fetches == 0 { // Stats resets counters: any fetch seen once is enough
			if time.Now().After(deadline) {
				t.Fatal("no fetch started")
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		start := time.Now()
		if err := r.Close(); err != nil {
			t.Errorf("Reader.Close: %v", err)
		}
		d := time.Since(start)
		t.Logf("MaxWait %v: Close took %v", r.Config().MaxWait, d.Round(10*time.Millisecond))
		if d < c.min || d > c.max {
			t.Errorf("MaxWait %v: Close took %v, want between %v and %v", r.Config().MaxWait, d, c.min, c.max)
		}
	}
}

// Lesson 14: "batches are per partition: a slice of 1000 orders becomes
// three batches of 333 or 334, none of them full, so every call waits"
// BatchTimeout, and a slice that gives each partition a full batch is sent
// at once. Here BatchSize 30 over three partitions: 30 messages wait the
// 1 s BatchTimeout; 90 messages, with a BatchTimeout of 30 s, do not.
func TestKafkaGo_SyncSliceSplitOverPartitionsWaitsBatchTimeout(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	slice := func(n int) []kafka.Message {
		msgs := make([]kafka.Message, n)
		for i := range msgs {
			msgs[i] = kafka.Message{Value: []byte("x")}
		}
		return msgs
	}
	ctx := kgCtx(t, 60*time.Second)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireOne,
		BatchSize: 30, BatchTimeout: time.Second}
	start := time.Now()
	if err := w.WriteMessages(ctx, slice(30)...); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 950*time.Millisecond {
		t.Errorf("30 messages over 3 partitions with BatchSize 30 took %v: they should wait BatchTimeout (1s)", d)
	}
	w.Close()
	if s := w.Stats(); s.Writes != 3 || s.Messages != 30 {
		t.Errorf("%d produce requests carrying %d messages, want 3 (one per partition) carrying 30", s.Writes, s.Messages)
	}

	w = &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireOne,
		BatchSize: 30, BatchTimeout: 30 * time.Second}
	defer w.Close()
	start = time.Now()
	if err := w.WriteMessages(ctx, slice(90)...); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("90 messages (a full batch per partition) took %v: they waited for BatchTimeout", d)
	}
}

// Lesson 14: "With BatchSize: 1 the batch is full as soon as the order is in
// it": a synchronous write does not wait for BatchTimeout (30 s here).
func TestKafkaGo_WriterBatchSizeOneSendsAtOnce(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll,
		BatchSize: 1, BatchTimeout: 30 * time.Second}
	defer w.Close()
	ctx := kgCtx(t, 60*time.Second)
	start := time.Now()
	for i := 0; i < 3; i++ {
		if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("one")}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("3 writes with BatchSize 1 took %v: they waited for BatchTimeout", d)
	}
	if _, last := kgWatermarks(t, addrs, topic, 0); last != 3 {
		t.Errorf("high watermark %d, want 3", last)
	}
}

// Lesson 14: "An asynchronous Writer only queues: WriteMessages returns
// without waiting for the broker ... Close sends what is left and waits for
// it." With a batch that cannot fill and a BatchTimeout of 30 s, the call
// returns at once and nothing is stored until Close.
func TestKafkaGo_AsyncWriteMessagesDoesNotWait(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	var acked atomic.Int64
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll,
		Async: true, BatchSize: 10000, BatchTimeout: 30 * time.Second,
		Completion: func(msgs []kafka.Message, err error) {
			if err == nil {
				acked.Add(int64(len(msgs)))
			}
		}}
	msgs := make([]kafka.Message, 100)
	for i := range msgs {
		msgs[i] = kafka.Message{Value: []byte("queued")}
	}
	start := time.Now()
	if err := w.WriteMessages(kgCtx(t, 60*time.Second), msgs...); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("an asynchronous WriteMessages took %v", d)
	}
	if _, last := kgWatermarks(t, addrs, topic, 0); last != 0 || acked.Load() != 0 {
		t.Errorf("before Close: high watermark %d, %d acknowledged; want nothing sent yet", last, acked.Load())
	}
	w.Close()
	if _, last := kgWatermarks(t, addrs, topic, 0); last != 100 || acked.Load() != 100 {
		t.Errorf("after Close: high watermark %d, %d acknowledged; want 100 and 100", last, acked.Load())
	}
}

// Lesson 14: "Writer.Stats().Bytes ... adds up the messages' sizes as they
// are batched, before the codec runs, the same for every codec", and kafka-go
// offers gzip, snappy, lz4 and zstd.
func TestKafkaGo_StatsBytesCountsBeforeCompression(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	value := []byte(strings.Repeat(`{"user":"Ada Lovelace","item":"Pad Thai"}`, 5))
	msgs := make([]kafka.Message, 200)
	for i := range msgs {
		msgs[i] = kafka.Message{Value: value}
	}
	var want int64 = -1
	for _, codec := range []kafka.Compression{0, kafka.Gzip, kafka.Snappy, kafka.Lz4, kafka.Zstd} {
		w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll,
			BatchSize: len(msgs), Compression: codec}
		if err := w.WriteMessages(kgCtx(t, 30*time.Second), msgs...); err != nil {
			t.Fatalf("%v: %v", codec, err)
		}
		w.Close()
		got := w.Stats().Bytes
		if want < 0 {
			want = got
		}
		if got != want || got < int64(len(msgs)*len(value)) {
			t.Errorf("%v: Stats().Bytes = %d, uncompressed %d (values alone: %d)", codec, got, want, len(msgs)*len(value))
		}
	}
	for codec, name := range map[kafka.Compression]string{kafka.Gzip: "gzip", kafka.Snappy: "snappy", kafka.Lz4: "lz4", kafka.Zstd: "zstd"} {
		if codec.String() != name {
			t.Errorf("codec %d is %q, want %q", codec, codec.String(), name)
		}
	}
}
