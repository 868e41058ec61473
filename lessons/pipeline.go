package lessons

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The order pipeline of lesson 15: what the kitchen writes, and how it reads
// its state back from its changelog.

// StatusesTopic is where the kitchen writes what happens to each order:
// three partitions, keyed by order id. (Lesson 12's order-status is a
// compacted table of the last status; this is the stream of every status.)
func (e *Env) StatusesTopic() TopicSpec {
	return TopicSpec{Name: e.Name("order-status-events"), Partitions: 3, ReplicationFactor: e.Replicas()}
}

// DeadLettersTopic is where the kitchen sets aside the records it cannot
// handle, as they were.
func (e *Env) DeadLettersTopic() TopicSpec {
	return TopicSpec{Name: e.Name("orders-dead-letters"), Partitions: 1, ReplicationFactor: e.Replicas()}
}

// ChangelogSpec is the compacted topic that keeps a kitchen's totals: as
// many partitions as the orders topic, keyed by user like the orders.
func (e *Env) ChangelogSpec(app string) TopicSpec {
	return TopicSpec{Name: app + "-totals-changelog", Partitions: 3, ReplicationFactor: e.Replicas(),
		Configs: map[string]string{"cleanup.policy": "compact"}}
}

// KitchenStatuses are the status events of an order, in the order the
// kitchen writes them.
var KitchenStatuses = []string{"accepted", "cooking", "ready"}

// StatusEvent is the value of one order-status event.
type StatusEvent struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
}

// StatusEvents returns the events of an order the kitchen cooks: one per
// status, keyed by the order's id, so an order's events stay in order on
// one partition.
func StatusEvents(topic string, o Order) []kafka.Message {
	msgs := make([]kafka.Message, len(KitchenStatuses))
	for i, s := range KitchenStatuses {
		v, _ := json.Marshal(StatusEvent{OrderID: o.OrderID, Status: s}) // two strings: cannot fail
		msgs[i] = kafka.Message{Topic: topic, Key: []byte(o.OrderID), Value: v}
	}
	return msgs
}

// DeadLetter returns the record msg, as it was (key and value), addressed
// to topic, with headers that say where it came from and why it was set
// aside (the headers exercise 7 asks for).
func DeadLetter(topic string, msg kafka.Message, why error) kafka.Message {
	return kafka.Message{Topic: topic, Key: msg.Key, Value: msg.Value, Headers: []kafka.Header{
		{Key: "source-topic", Value: []byte(msg.Topic)},
		{Key: "source-partition", Value: []byte(strconv.Itoa(msg.Partition))},
		{Key: "source-offset", Value: []byte(strconv.FormatInt(msg.Offset, 10))},
		{Key: "error", Value: []byte(why.Error())},
	}}
}

// Total is one user's running total, the value of a changelog record keyed
// by the user. The at-least-once kitchen also writes which orders it
// covers: every order of the user on Partition below NextOffset.
type Total struct {
	Items      int   `json:"items"`  // the quantities ordered, added up
	Orders     int   `json:"orders"` // how many orders
	Partition  int   `json:"partition,omitempty"`
	NextOffset int64 `json:"next_offset,omitempty"`
}

func (t Total) String() string {
	s := plural(t.Items, "item") + " in " + plural(t.Orders, "order")
	if t.NextOffset > 0 {
		s += fmt.Sprintf(" (covers [%d] below offset %d)", t.Partition, t.NextOffset)
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Message is the changelog record of user's total.
func (t Total) Message(topic, user string) kafka.Message {
	v, _ := json.Marshal(t) // ints: cannot fail
	return kafka.Message{Topic: topic, Key: []byte(user), Value: v}
}

// ErrNotATotal says a changelog record's value is not a total.
var ErrNotATotal = errors.New("not a total")

// DecodeTotal reads a changelog record's value.
func DecodeTotal(v []byte) (Total, error) {
	var t Total
	if err := json.Unmarshal(v, &t); err != nil {
		return Total{}, fmt.Errorf("%w: %v", ErrNotATotal, err)
	}
	return t, nil
}

// ReportTotals reports each user's total under label+user, users in
// alphabetical order.
func ReportTotals(out Printer, label string, totals map[string]Total) {
	users := make([]string, 0, len(totals))
	for u := range totals {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		out.Value(label+u, totals[u])
	}
}

// OrderedBy adds up, per user, the orders among delivered records: what a
// kitchen's totals must come to. Records that are not orders are left out.
func OrderedBy(delivered []Record) map[string]Total {
	totals := map[string]Total{}
	for _, r := range delivered {
		if o, err := DecodeOrder(r.Value); err == nil && r.Kind == Delivered {
			t := totals[o.User]
			totals[o.User] = Total{Items: t.Items + o.Quantity, Orders: t.Orders + 1}
		}
	}
	return totals
}

// ReadTotals rebuilds the totals from a changelog: it reads every partition
// from its first offset to its high watermark, and the last record of each
// user wins (a record without a value deletes the user). Compacted or not,
// the result is the same: compaction only drops records a later one of the
// same key replaces.
func ReadTotals(ctx context.Context, env *Env, changelog string) (map[string]Total, error) {
	msgs, err := ReadFrom(ctx, env, changelog, nil)
	if err != nil {
		return nil, err
	}
	return totalsOf(msgs)
}

// ReadCommittedTotals is ReadTotals through franz-go with read_committed:
// the records of aborted transactions are not state. It reads to the high
// watermark, so no transaction may be open on the changelog.
func ReadCommittedTotals(ctx context.Context, env *Env, changelog string) (map[string]Total, error) {
	msgs, err := ReadCommittedFrom(ctx, env, changelog, nil)
	if err != nil {
		return nil, err
	}
	return totalsOf(msgs)
}

func totalsOf(msgs []kafka.Message) (map[string]Total, error) {
	totals := map[string]Total{}
	for _, m := range msgs {
		if m.Value == nil {
			delete(totals, string(m.Key))
			continue
		}
		t, err := DecodeTotal(m.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Position(m.Topic, m.Partition, m.Offset), err)
		}
		totals[string(m.Key)] = t
	}
	return totals, nil
}

// readWait bounds each read of a whole topic.
const readWait = 15 * time.Second

// ReadFrom reads every partition of topic from the offsets in from (a
// partition not in it, or a nil map: from its first offset) up to its high
// watermark as it is now, with kafka-go (read_uncommitted: every record,
// and transaction markers as records). Records come partition by
// partition, each in offset order.
func ReadFrom(ctx context.Context, env *Env, topic string, from map[int]int64) ([]kafka.Message, error) {
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, readWait)
	defer cancel()
	var msgs []kafka.Message
	for _, w := range marks {
		start, ok := from[w.Partition]
		if !ok || start < w.First {
			start = w.First
		}
		if start >= w.Last {
			continue
		}
		got, err := readRange(ctx, env, topic, w.Partition, start, w.Last)
		msgs = append(msgs, got...)
		if err != nil {
			return msgs, err
		}
	}
	return msgs, nil
}

// readRange reads partition from offset start until the record before end
// (compaction may have left gaps: it stops at the end, not after a count).
func readRange(ctx context.Context, env *Env, topic string, partition int, start, end int64) ([]kafka.Message, error) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: topic,
		Partition: partition, MaxWait: FetchWait})
	defer r.Close()
	if err := r.SetOffset(start); err != nil {
		return nil, fmt.Errorf("position the reader of %s [%d] at %d: %w", topic, partition, start, err)
	}
	var msgs []kafka.Message
	for {
		msg, err := r.ReadMessage(ctx)
		if err != nil {
			return msgs, fmt.Errorf("read %s [%d] from %d to %d: %w", topic, partition, start, end, err)
		}
		msgs = append(msgs, msg)
		if msg.Offset+1 >= end {
			return msgs, nil
		}
	}
}

// ReadCommittedFrom is ReadFrom through franz-go with read_committed: no
// record of an aborted transaction, no transaction marker. It keeps the
// markers while it reads (KeepControlRecords), only to know when it has
// reached the high watermark, since the last offset is often a marker; so
// it must not be called while a transaction is open on topic.
func ReadCommittedFrom(ctx context.Context, env *Env, topic string, from map[int]int64) ([]kafka.Message, error) {
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	starts, ends := map[int32]kgo.Offset{}, map[int32]int64{}
	for _, w := range marks {
		start, ok := from[w.Partition]
		if !ok || start < w.First {
			start = w.First
		}
		if start < w.Last {
			starts[int32(w.Partition)] = kgo.NewOffset().At(start)
			ends[int32(w.Partition)] = w.Last
		}
	}
	if len(starts) == 0 {
		return nil, nil
	}
	cl, err := env.FranzClient(
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: starts}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
		kgo.FetchMaxWait(FetchWait),
	)
	if err != nil {
		return nil, fmt.Errorf("franz-go client: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, readWait)
	defer cancel()
	byPartition := map[int32][]kafka.Message{}
	for len(ends) > 0 {
		fetches := cl.PollFetches(ctx)
		if err := fetches.Err(); err != nil {
			return nil, fmt.Errorf("read %s with read_committed (is a transaction still open on it?): %w", topic, err)
		}
		for _, rec := range fetches.Records() {
			end, reading := ends[rec.Partition]
			if !reading {
				continue
			}
			if !rec.Attrs.IsControl() {
				byPartition[rec.Partition] = append(byPartition[rec.Partition], FromFranz(rec))
			}
			if rec.Offset+1 >= end {
				delete(ends, rec.Partition)
			}
		}
	}
	var msgs []kafka.Message
	for _, w := range marks {
		msgs = append(msgs, byPartition[int32(w.Partition)]...)
	}
	return msgs, nil
}

// StartGroup names a new consumer group (name, with the learner's prefix
// and a random suffix, so that every run starts afresh) and commits the
// given offsets of topic on its behalf, as lesson 6 showed: the group's
// first member starts there.
func StartGroup(ctx context.Context, env *Env, name, topic string, offsets map[int]int64) (string, error) {
	group := env.Name(name + "-" + uuid.NewString()[:8])
	commits := make([]kafka.OffsetCommit, 0, len(offsets))
	for p, o := range offsets {
		commits = append(commits, kafka.OffsetCommit{Partition: p, Offset: o})
	}
	req := &kafka.OffsetCommitRequest{
		GroupID:      group,
		GenerationID: -1, // no member: an administrative commit
		Topics:       map[string][]kafka.OffsetCommit{topic: commits},
	}
	if err := commitRetrying(ctx, env.Client(), req); err != nil {
		return "", fmt.Errorf("commit the start offsets of group %s: %w", group, err)
	}
	return group, nil
}

// ToFranz turns kafka-go messages into franz-go records: the same topic,
// key, value and headers.
func ToFranz(msgs ...kafka.Message) []*kgo.Record {
	recs := make([]*kgo.Record, len(msgs))
	for i, m := range msgs {
		r := &kgo.Record{Topic: m.Topic, Key: m.Key, Value: m.Value}
		for _, h := range m.Headers {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: h.Key, Value: h.Value})
		}
		recs[i] = r
	}
	return recs
}

// FromFranz turns a record franz-go read into a kafka-go message, for the
// helpers that take one (Receive, DeadLetter).
func FromFranz(r *kgo.Record) kafka.Message {
	m := kafka.Message{Topic: r.Topic, Partition: int(r.Partition), Offset: r.Offset, Key: r.Key, Value: r.Value,
		Time: r.Timestamp}
	for _, h := range r.Headers {
		m.Headers = append(m.Headers, kafka.Header{Key: h.Key, Value: h.Value})
	}
	return m
}

// Positions is where a kitchen's outputs begin: the end of each partition
// of the status and dead-letter topics before it ran.
type Positions struct {
	Statuses, DeadLetters map[int]int64
}

// OutputEnds returns where the next status events and dead letters will go.
func OutputEnds(ctx context.Context, env *Env) (Positions, error) {
	statuses, err := Ends(ctx, env, env.StatusesTopic().Name)
	if err != nil {
		return Positions{}, err
	}
	letters, err := Ends(ctx, env, env.DeadLettersTopic().Name)
	return Positions{Statuses: statuses, DeadLetters: letters}, err
}

// Outputs sums up what a kitchen wrote to the status and dead-letter
// topics: read back from Kafka, not counted by the kitchen.
type Outputs struct {
	Events      int // status events
	Complete    int // orders with accepted, cooking and ready, once each, in that order
	DeadLetters int
	Markers     int // transaction markers among the records (kafka-go returns them)
}

// CountOutputs reads back what went to the status and dead-letter topics
// from the positions in from, with kafka-go (read_uncommitted) or, when
// committed, with franz-go and read_committed.
func CountOutputs(ctx context.Context, env *Env, from Positions, committed bool) (Outputs, error) {
	read := ReadFrom
	if committed {
		read = ReadCommittedFrom
	}
	var out Outputs
	events, err := read(ctx, env, env.StatusesTopic().Name, from.Statuses)
	if err != nil {
		return out, err
	}
	seen := map[string][]string{}
	for _, m := range events {
		var e StatusEvent
		if json.Unmarshal(m.Value, &e) != nil || e.OrderID == "" {
			out.Markers++ // a transaction marker: a 4-byte key, a 6-byte value
			continue
		}
		out.Events++
		seen[e.OrderID] = append(seen[e.OrderID], e.Status)
	}
	for _, s := range seen {
		if slices.Equal(s, KitchenStatuses) {
			out.Complete++
		}
	}
	letters, err := read(ctx, env, env.DeadLettersTopic().Name, from.DeadLetters)
	if err != nil {
		return out, err
	}
	for _, m := range letters {
		if len(m.Headers) > 0 {
			out.DeadLetters++
		} else {
			out.Markers++
		}
	}
	return out, nil
}

// Ends returns the high watermark of every partition of topic: where the
// next records will go.
func Ends(ctx context.Context, env *Env, topic string) (map[int]int64, error) {
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	out := map[int]int64{}
	for _, w := range marks {
		out[w.Partition] = w.Last
	}
	return out, nil
}
