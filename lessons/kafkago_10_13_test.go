package lessons_test

// Pins of what lessons 10 and 13 say about kafka-go v0.4.51 (and, where a
// lesson contrasts the two, franz-go). Same rules as kafkago_test.go: each
// test has its own topic and runs on the embedded broker or a real one.
// The transaction pins need a broker that can host the transaction state
// log: on one node, transaction.state.log.replication.factor=1 and
// min.isr=1 (docker-compose.yml sets both).

import (
	"bytes"
	"context"
	"io"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	produceAPI "github.com/segmentio/kafka-go/protocol/produce"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Lesson 10: "kafka-go's ReadMessage does exactly this ... it commits the
// offset before it returns the record" is pinned by
// TestKafkaGo_ReadMessageCommitsFetchMessageDoesNot. This one pins the
// other half: with CommitInterval 0 (the default), CommitMessages returns
// once the broker has stored the commit, so a crash right after it cannot
// undo it.
func TestKafkaGo_CommitMessagesIsSynchronousByDefault(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "a", "b", "c")
	group := "kafkago-" + uuid.NewString()[:8]
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, MaxWait: 250 * time.Millisecond})
	defer r.Close()
	if r.Config().CommitInterval != 0 {
		t.Fatalf("default CommitInterval %v, want 0 (synchronous commits)", r.Config().CommitInterval)
	}
	ctx := kgCtx(t, 30*time.Second)
	for want := int64(1); want <= 3; want++ {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
		if c := kgCommitted(t, addrs, group, topic); c != want {
			t.Errorf("right after CommitMessages(offset %d) the broker has %d, want %d", m.Offset, c, want)
		}
	}
}

// kgCommitted is a group's committed offset of partition 0, -1 for none.
func kgCommitted(t *testing.T, addrs []string, group, topic string) int64 {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.OffsetFetch(kgCtx(t, 10*time.Second), &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: {0}}})
	if err != nil {
		t.Fatalf("offset fetch: %v", err)
	}
	if parts := resp.Topics[topic]; len(parts) == 1 && parts[0].Error == nil {
		return parts[0].CommittedOffset
	}
	t.Fatalf("offset fetch: %+v", resp.Topics[topic])
	return -1
}

// Lesson 10: "Close ... tells the coordinator that the member left": after
// Reader.Close the group has no member and is Empty, so a restarted member
// does not wait for the old one.
func TestKafkaGo_ReaderCloseLeavesTheGroup(t *testing.T) {
	addrs := kgBroker(t)
	group, r := kgGroupMember(t, addrs)
	describe := func() kafka.DescribeGroupsResponseGroup {
		client := &kafka.Client{Addr: kafka.TCP(addrs...)}
		resp, err := client.DescribeGroups(kgCtx(t, 10*time.Second), &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		if err != nil || len(resp.Groups) != 1 || resp.Groups[0].Error != nil {
			t.Fatalf("describe group %s: %v %+v", group, err, resp)
		}
		return resp.Groups[0]
	}
	if g := describe(); g.GroupState != "Stable" || len(g.Members) != 1 {
		t.Fatalf("while the reader reads: state %s, %d members; want Stable, 1", g.GroupState, len(g.Members))
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if g := describe(); g.GroupState != "Empty" || len(g.Members) != 0 {
		t.Errorf("after Close: state %s, %d members; want Empty, 0 (the member left)", g.GroupState, len(g.Members))
	}
}

// Lesson 10: "kafka-go sends that LeaveGroup once: when the coordinator
// has just moved to another broker, it is lost". Here the emulation answers
// LeaveGroup with NOT_COORDINATOR, as a broker that is no longer the
// group's coordinator does: Close asks once, returns no error, and the
// member stays in the group until its session times out.
func TestKafkaGo_ReaderCloseSendsLeaveGroupOnceAndIgnoresItsError(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var leaves atomic.Int32
	c.ControlKey(int16(kmsg.LeaveGroup), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		leaves.Add(1)
		resp := req.(*kmsg.LeaveGroupRequest).ResponseKind().(*kmsg.LeaveGroupResponse)
		resp.ErrorCode = kerr.NotCoordinator.Code
		return resp, nil, true
	})
	addrs := c.ListenAddrs()
	group, r := kgGroupMember(t, addrs)
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v; want nil, the LeaveGroup error ignored", err)
	}
	if n := leaves.Load(); n != 1 {
		t.Errorf("Close sent %d LeaveGroup requests; want 1", n)
	}
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.DescribeGroups(kgCtx(t, 10*time.Second), &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil || len(resp.Groups) != 1 || resp.Groups[0].Error != nil {
		t.Fatalf("describe group %s: %v %+v", group, err, resp)
	}
	if g := resp.Groups[0]; len(g.Members) != 1 {
		t.Errorf("after a lost LeaveGroup: state %s, %d members; want the member still there", g.GroupState, len(g.Members))
	}
}

// kgGroupMember is a Reader in a new group on a new one-partition topic
// holding one record, which it has read: a member of the group.
func kgGroupMember(t *testing.T, addrs []string) (group string, r *kafka.Reader) {
	t.Helper()
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "a")
	group = "kafkago-" + uuid.NewString()[:8]
	r = kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, MaxWait: 250 * time.Millisecond})
	if _, err := r.FetchMessage(kgCtx(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	return group, r
}

// Lesson 10: "up to 30 s with kafka-go's default SessionTimeout and
// RebalanceTimeout". A Reader passes its zero values to the consumer
// group, whose Validate fills in these defaults.
func TestKafkaGo_GroupTimeoutsDefaultTo30s(t *testing.T) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{"localhost:9"}, Topic: "t", GroupID: "g"})
	defer r.Close()
	if c := r.Config(); c.SessionTimeout != 0 || c.RebalanceTimeout != 0 {
		t.Errorf("ReaderConfig keeps SessionTimeout %v, RebalanceTimeout %v: want 0, left to the group's defaults", c.SessionTimeout, c.RebalanceTimeout)
	}
	cfg := kafka.ConsumerGroupConfig{ID: "g", Brokers: []string{"localhost:9"}, Topics: []string{"t"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.SessionTimeout != 30*time.Second || cfg.RebalanceTimeout != 30*time.Second {
		t.Errorf("group defaults: SessionTimeout %v, RebalanceTimeout %v; want 30s, 30s", cfg.SessionTimeout, cfg.RebalanceTimeout)
	}
}

// Lesson 10: "kafka-go's Writer has neither [an idempotent nor a
// transactional mode] ... every batch it writes carries producer id -1".
// No Writer field names either, and a record the Writer wrote reads back
// (with franz-go, which exposes it) with producer id -1 and epoch -1, while
// franz-go's own producer, idempotent by default, writes a real id.
func TestKafkaGo_WriterWritesNoProducerID(t *testing.T) {
	wt := reflect.TypeOf(kafka.Writer{})
	for i := 0; i < wt.NumField(); i++ {
		name := strings.ToLower(wt.Field(i).Name)
		for _, word := range []string{"idempot", "transact", "producer"} {
			if strings.Contains(name, word) {
				t.Errorf("kafka.Writer has a field %s: does it now have an idempotent or transactional mode?", wt.Field(i).Name)
			}
		}
	}
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "from kafka-go")
	franz, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer franz.Close()
	if err := franz.ProduceSync(kgCtx(t, 20*time.Second), &kgo.Record{Value: []byte("from franz-go")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	got := kgFranzRead(t, addrs, topic, 0, false, 2)
	if len(got) != 2 {
		t.Fatalf("read %d records, want 2", len(got))
	}
	if r := got[0]; string(r.Value) != "from kafka-go" || r.ProducerID != -1 || r.ProducerEpoch != -1 {
		t.Errorf("kafka-go's record %q: producer id %d, epoch %d; want -1, -1", r.Value, r.ProducerID, r.ProducerEpoch)
	}
	if r := got[1]; string(r.Value) != "from franz-go" || r.ProducerID < 0 {
		t.Errorf("franz-go's record %q: producer id %d; want an id (idempotent by default)", r.Value, r.ProducerID)
	}
}

// kgFranzRead reads n records of a partition from offset 0 with franz-go,
// read_committed or not, within 20 s.
func kgFranzRead(t *testing.T, addrs []string, topic string, partition int32, committed bool, n int) []*kgo.Record {
	t.Helper()
	opts := []kgo.Opt{kgo.SeedBrokers(addrs...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {partition: kgo.NewOffset().At(0)}})}
	if committed {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := kgCtx(t, 20*time.Second)
	var out []*kgo.Record
	for len(out) < n {
		fs := cl.PollFetches(ctx)
		if err := fs.Err(); err != nil {
			t.Fatalf("franz-go read after %d records: %v", len(out), err)
		}
		out = append(out, fs.Records()...)
	}
	return out
}

// kgTransactional is a franz-go producer with a transactional id of its own.
func kgTransactional(t *testing.T, addrs []string, topic string) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.DefaultProduceTopic(topic),
		kgo.TransactionalID("kafkago-"+uuid.NewString()[:8]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// kgInTransaction produces values in one transaction, ended with end, and
// returns their offsets.
func kgInTransaction(t *testing.T, cl *kgo.Client, end kgo.TransactionEndTry, values ...string) []int64 {
	t.Helper()
	ctx := kgCtx(t, 30*time.Second)
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	var offsets []int64
	for _, v := range values {
		r, err := cl.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).First()
		if err != nil {
			t.Fatal(err)
		}
		offsets = append(offsets, r.Offset)
	}
	if err := cl.EndTransaction(ctx, end); err != nil {
		t.Fatal(err)
	}
	return offsets
}

// Lesson 10: "The broker serves records only up to the last stable offset
// ... so an open transaction's records wait": a kafka-go Reader with
// ReadCommitted gets nothing while the transaction is open, one with
// ReadUncommitted (the default) gets the record at once, and once the
// transaction commits the ReadCommitted Reader gets it too. The broker's
// behaviour (KIP-98); kafka-go asks for it.
func TestKafkaGo_ReadCommittedHoldsBackAnOpenTransaction(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	producer := kgTransactional(t, addrs, topic)
	if err := producer.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := producer.ProduceSync(kgCtx(t, 30*time.Second), &kgo.Record{Value: []byte("open")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	uncommitted := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	if uncommitted.Config().IsolationLevel != kafka.ReadUncommitted {
		t.Errorf("default IsolationLevel %v, want ReadUncommitted", uncommitted.Config().IsolationLevel)
	}
	if m := kgRead(t, uncommitted, 10*time.Second); string(m.Value) != "open" {
		t.Errorf("ReadUncommitted read %s, want the open transaction's record", kgDescribe(m))
	}
	committed := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond,
		IsolationLevel: kafka.ReadCommitted})
	kgBlocks(t, committed, 1500*time.Millisecond)
	if err := producer.EndTransaction(kgCtx(t, 30*time.Second), kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	if m := kgRead(t, committed, 20*time.Second); string(m.Value) != "open" {
		t.Errorf("after the commit, ReadCommitted read %s", kgDescribe(m))
	}
}

// Lesson 10, step 8 (kafka-go issue #1332): at IsolationLevel
// ReadCommitted as at ReadUncommitted, a kafka-go v0.4.51 Reader returns
// the records of an aborted transaction and both transaction markers as
// records: a marker has the 4-byte key 0,0 (version) 0,t (type: 0 abort,
// 1 commit) and a 6-byte value. Its message reader never looks at a batch's
// control attribute, and it ignores the fetch response's list of aborted
// transactions. franz-go with read_committed returns neither. When kafka-go
// learns to drop them, this fails, and lesson 10's steps 8, 9 and 11 and
// lesson 15's step 5 need rewriting.
func TestKafkaGo_ReaderReturnsAbortedRecordsAndMarkersAtEveryIsolationLevel(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	producer := kgTransactional(t, addrs, topic)
	aborted := kgInTransaction(t, producer, kgo.TryAbort, "aborted")
	committed := kgInTransaction(t, producer, kgo.TryCommit, "committed")
	if aborted[0] != 0 || committed[0] != 2 {
		t.Fatalf("aborted record at %d, committed one at %d: want 0 and 2 (the abort marker at 1)", aborted[0], committed[0])
	}
	for _, level := range []kafka.IsolationLevel{kafka.ReadUncommitted, kafka.ReadCommitted} {
		r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond,
			IsolationLevel: level})
		if m := kgRead(t, r, 20*time.Second); m.Offset != 0 || string(m.Value) != "aborted" {
			t.Errorf("level %d first read %s, want the aborted record at 0", level, kgDescribe(m))
		}
		if m := kgRead(t, r, 20*time.Second); m.Offset != 1 || !bytes.Equal(m.Key, []byte{0, 0, 0, 0}) || len(m.Value) != 6 {
			t.Errorf("level %d then read %s (key %v), want the abort marker at 1 (key 0000, 6-byte value)", level, kgDescribe(m), m.Key)
		}
		if m := kgRead(t, r, 20*time.Second); m.Offset != 2 || string(m.Value) != "committed" {
			t.Errorf("level %d then read %s, want the committed record at 2", level, kgDescribe(m))
		}
		if m := kgRead(t, r, 20*time.Second); m.Offset != 3 || !bytes.Equal(m.Key, []byte{0, 0, 0, 1}) || len(m.Value) != 6 {
			t.Errorf("level %d then read %s (key %v), want the commit marker at 3 (key 0001, 6-byte value)", level, kgDescribe(m), m.Key)
		}
	}
	got := kgFranzRead(t, addrs, topic, 0, true, 1)
	if len(got) != 1 || got[0].Offset != 2 || string(got[0].Value) != "committed" {
		t.Errorf("franz-go read_committed returned %d records, first %q at %d; want only the committed one at 2",
			len(got), got[0].Value, got[0].Offset)
	}
}

// Lesson 10, step 10: with an open transaction, kafka-go's ListOffsets
// with IsolationLevel ReadCommitted returns the last stable offset (the
// transaction's first offset), with ReadUncommitted the high watermark;
// Reader.ReadLag counts to the high watermark even for a ReadCommitted
// Reader (it lists offsets through a Conn, without an isolation level).
func TestKafkaGo_ListOffsetsReadCommittedIsTheLSOAndReadLagCountsToTheHighWatermark(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "before")
	producer := kgTransactional(t, addrs, topic)
	ctx := kgCtx(t, 30*time.Second)
	if err := producer.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"open 1", "open 2"} {
		if err := producer.ProduceSync(ctx, &kgo.Record{Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	end := map[kafka.IsolationLevel]int64{}
	for _, level := range []kafka.IsolationLevel{kafka.ReadUncommitted, kafka.ReadCommitted} {
		resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{IsolationLevel: level,
			Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(0)}}})
		if err != nil || len(resp.Topics[topic]) != 1 || resp.Topics[topic][0].Error != nil {
			t.Fatalf("list offsets at level %d: %v %+v", level, err, resp)
		}
		end[level] = resp.Topics[topic][0].LastOffset
	}
	if end[kafka.ReadUncommitted] != 3 || end[kafka.ReadCommitted] != 1 {
		t.Errorf("ListOffsets latest: %d at ReadUncommitted, %d at ReadCommitted; want 3 (high watermark) and 1 (LSO)",
			end[kafka.ReadUncommitted], end[kafka.ReadCommitted])
	}
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond,
		IsolationLevel: kafka.ReadCommitted})
	if err := r.SetOffset(1); err != nil {
		t.Fatal(err)
	}
	if lag, err := r.ReadLag(ctx); err != nil || lag != 2 {
		t.Errorf("ReadLag of a ReadCommitted Reader at the LSO: %d, %v; want 2 (to the high watermark)", lag, err)
	}
	if err := producer.EndTransaction(ctx, kgo.TryAbort); err != nil {
		t.Fatal(err)
	}
}

// Lesson 10, step 5: "up to MaxAttempts attempts in all (10 by default)".
func TestKafkaGo_WriterMaxAttemptsDefaultsTo10(t *testing.T) {
	w := &kafka.Writer{Addr: kafka.TCP("localhost:9"), Topic: "t"}
	if got := w.Stats().MaxAttempts; got != 10 {
		t.Errorf("a Writer's MaxAttempts is %d by default, want 10", got)
	}
}

// kgLosingTransport throws away the response to the first produce request
// it carries (the broker stored the records) and returns
// io.ErrUnexpectedEOF, as a connection that broke before the answer.
type kgLosingTransport struct {
	kafka.RoundTripper
	lost atomic.Bool
}

func (l *kgLosingTransport) RoundTrip(ctx context.Context, addr net.Addr, req kafka.Request) (kafka.Response, error) {
	resp, err := l.RoundTripper.RoundTrip(ctx, addr, req)
	if _, ok := req.(*produceAPI.Request); ok && err == nil && l.lost.CompareAndSwap(false, true) {
		return nil, io.ErrUnexpectedEOF
	}
	return resp, err
}

// Lesson 10, step 5: when the answer to a produce request is lost, the
// Writer retries the batch (io.ErrUnexpectedEOF is a transient network
// error to it), WriteMessages returns nil, Completion reports one offset,
// the retry's, and the partition holds the record twice: the Writer's
// batches carry no producer id for the broker to recognise.
func TestKafkaGo_WriterRetryAfterALostResponseStoresTwice(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	var reported []int64
	tr := &kafka.Transport{}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
		Transport: &kgLosingTransport{RoundTripper: tr},
		Completion: func(msgs []kafka.Message, err error) {
			for _, m := range msgs {
				if err == nil {
					reported = append(reported, m.Offset)
				}
			}
		}}
	if err := w.WriteMessages(kgCtx(t, 30*time.Second), kafka.Message{Value: []byte("once")}); err != nil {
		t.Fatalf("WriteMessages: %v, want nil after a retry", err)
	}
	retries := w.Stats().Retries
	w.Close()
	if retries != 1 || !slices.Equal(reported, []int64{1}) {
		t.Errorf("%d retries, Completion reported offsets %v; want 1 retry and offset 1", retries, reported)
	}
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	for want := int64(0); want < 2; want++ {
		if m := kgRead(t, r, 20*time.Second); m.Offset != want || string(m.Value) != "once" {
			t.Errorf("read %s, want the record again at %d", kgDescribe(m), want)
		}
	}
	if _, last := kgWatermarks(t, addrs, topic, 0); last != 2 {
		t.Errorf("high watermark %d, want 2: the record twice", last)
	}
}

// Lesson 13: "The consumer finds them in msg.Headers as they were written:
// the same keys with the same bytes, in the same order", and "a key may
// repeat".
func TestKafkaGo_HeadersRoundTripInOrder(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	headers := []kafka.Header{
		{Key: "content-type", Value: []byte("application/json")},
		{Key: "k", Value: []byte("first")},
		{Key: "binary", Value: []byte{0, 1, 2, 0xff}},
		{Key: "k", Value: []byte("second")},
		{Key: "empty", Value: []byte{}},
	}
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	if err := w.WriteMessages(kgCtx(t, 20*time.Second), kafka.Message{Value: []byte("v"), Headers: headers}); err != nil {
		t.Fatal(err)
	}
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	m := kgRead(t, r, 20*time.Second)
	if len(m.Headers) != len(headers) {
		t.Fatalf("read %d headers, wrote %d: %v", len(m.Headers), len(headers), m.Headers)
	}
	for i, h := range m.Headers {
		if h.Key != headers[i].Key || !bytes.Equal(h.Value, headers[i].Value) {
			t.Errorf("header %d read as %s=%q, written as %s=%q", i, h.Key, h.Value, headers[i].Key, headers[i].Value)
		}
	}
}
