package lessons_test

import (
	"errors"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

// Lesson 16, what kafka-go does with a record's time:
//   - "a Message whose Time is zero gets the Writer's clock as it encodes the
//     batch": read back, its time lies between just before and just after
//     the write;
//   - a Time you set is stored as it is, to the millisecond, on a CreateTime
//     topic (the default);
//   - on a LogAppendTime topic the broker stamps the batch with its clock:
//     franz-go (as Java and librdkafka) reads that stamp, kafka-go's Reader
//     does not, and returns the producer's times;
//   - "the delivery report's Time stays zero, unless the broker stamped the
//     record (LogAppendTime): then the Writer copies the broker's time into a
//     zero Time; a Time you set stays in the report, though the broker
//     stored its own".
func TestKafkaGo_RecordTimeIsTheProducersOrTheBrokers(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	ctx := kgCtx(t, 60*time.Second)
	for _, logTime := range []bool{false, true} {
		if logTime && cluster.Embedded {
			t.Log("the embedded emulation keeps CreateTime whatever message.timestamp.type says: LogAppendTime is checked on Apache Kafka")
			continue
		}
		configs := map[string]string{}
		if logTime {
			configs["message.timestamp.type"] = "LogAppendTime"
		}
		topic := kgTopicWith(t, addrs, 1, configs)
		var reported []kafka.Message
		w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond,
			Completion: func(messages []kafka.Message, err error) {
				if err == nil {
					reported = append(reported, messages...)
				}
			}}
		set := time.Now().Add(-10 * time.Minute).Truncate(time.Millisecond)
		before := time.Now().Truncate(time.Millisecond)
		if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("set"), Time: set}, kafka.Message{Value: []byte("zero")}); err != nil {
			t.Fatal(err)
		}
		after := time.Now()
		w.Close()
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, Partition: 0, MaxWait: 250 * time.Millisecond})
		var got [2]kafka.Message
		for i := range got {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got[i] = m
		}
		r.Close()
		within := func(tm time.Time) bool { return !tm.Before(before) && !tm.After(after) }
		if len(reported) != 2 {
			t.Fatalf("LogAppendTime %v: %d delivery reports, want 2", logTime, len(reported))
		}
		if !logTime {
			if !got[0].Time.Equal(set) {
				t.Errorf("CreateTime: a Time set to %v is read back as %v", set, got[0].Time)
			}
			if !within(got[1].Time) {
				t.Errorf("CreateTime: a zero Time is read back as %v, want the Writer's clock, between %v and %v", got[1].Time, before, after)
			}
			if !reported[1].Time.IsZero() {
				t.Errorf("CreateTime: the delivery report of a zero Time says %v, want it left zero", reported[1].Time)
			}
			continue
		}
		// The broker stamped the batch; kafka-go's Reader does not read the
		// stamp: it returns the producer's times (first timestamp + delta).
		if !got[0].Time.Equal(set) || !within(got[1].Time) {
			t.Errorf("LogAppendTime: kafka-go reads back %v and %v, want the producer's: %v and the Writer's clock", got[0].Time, got[1].Time, set)
		}
		// franz-go reads the stamp: the broker's time, for both.
		cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))
		if err != nil {
			t.Fatal(err)
		}
		var recs []*kgo.Record
		for len(recs) < 2 && ctx.Err() == nil {
			recs = append(recs, cl.PollFetches(ctx).Records()...)
		}
		cl.Close()
		if len(recs) != 2 {
			t.Fatalf("franz-go read %d records, want 2", len(recs))
		}
		for i, r := range recs {
			if r.Attrs.TimestampType() != 1 || !within(r.Timestamp) {
				t.Errorf("LogAppendTime: franz-go reads record %d at %v, type %d; want the broker's time, between %v and %v, type 1", i, r.Timestamp, r.Attrs.TimestampType(), before, after)
			}
		}
		if !reported[1].Time.Equal(recs[1].Timestamp) {
			t.Errorf("LogAppendTime: the delivery report of a zero Time says %v, the broker stored %v: want the broker's time", reported[1].Time, recs[1].Timestamp)
		}
		if !reported[0].Time.Equal(set) {
			t.Errorf("LogAppendTime: the delivery report of a Time set to %v says %v, want it kept", set, reported[0].Time)
		}
	}
}

// Lesson 16: "SetOffsetAt asks the partition for the first offset whose
// record has a timestamp at or after the moment; after the newest record
// Kafka answers -1, which kafka-go takes as kafka.LastOffset"; "with a
// GroupID, SetOffsetAt returns an error".
func TestKafkaGo_SetOffsetAtFindsTheFirstRecordAtOrAfter(t *testing.T) {
	addrs := kgBroker(t)
	ctx := kgCtx(t, 60*time.Second)
	topic := kgTopic(t, addrs, 1)
	now := time.Now()
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	var msgs []kafka.Message
	for _, ago := range []time.Duration{30, 20, 10} {
		msgs = append(msgs, kafka.Message{Value: []byte("x"), Time: now.Add(-ago * time.Minute)})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, Partition: 0, MaxWait: 250 * time.Millisecond})
	defer r.Close()
	for _, c := range []struct {
		at   time.Time
		want int64
	}{
		{now.Add(-time.Hour), 0},
		{now.Add(-25 * time.Minute), 1},
		{now.Add(-20 * time.Minute), 1}, // at: the record of that very millisecond
		{now.Add(-15 * time.Minute), 2},
		{now.Add(time.Minute), kafka.LastOffset},
	} {
		if err := r.SetOffsetAt(ctx, c.at); err != nil {
			t.Fatal(err)
		}
		if got := r.Offset(); got != c.want {
			t.Errorf("SetOffsetAt(%v before now): offset %d, want %d", now.Sub(c.at), got, c.want)
		}
	}
	if err := r.SetOffsetAt(ctx, now.Add(-15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if m, err := r.ReadMessage(ctx); err != nil || m.Offset != 2 {
		t.Errorf("after SetOffsetAt: read offset %d (%v), want 2", m.Offset, err)
	}
	g := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: topic, MaxWait: 250 * time.Millisecond})
	defer g.Close()
	if err := g.SetOffsetAt(ctx, now); err == nil || errors.Is(err, ctx.Err()) {
		t.Errorf("SetOffsetAt on a group's Reader: %v, want an error", err)
	}
}
