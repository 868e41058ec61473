package lessons_test

import (
	"errors"
	"strings"
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
		name := map[bool]string{false: "CreateTime", true: "LogAppendTime"}[logTime]
		t.Run(name, func(t *testing.T) {
			if logTime && cluster.Embedded {
				t.Skip("the embedded emulation keeps CreateTime whatever message.timestamp.type says: LogAppendTime is checked on Apache Kafka")
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
				return
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
		})
	}
}

// Lesson 16, the broker's: "since Kafka 4.0 it refuses a time more than an
// hour ahead of its clock (message.timestamp.after.max.ms, KIP-1030)"; Kafka
// 3.x keeps it. A past time is kept at any age (before.max.ms is unlimited).
func TestKafkaGo_Kafka4RefusesATimeAnHourAhead(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	if cluster.Embedded {
		t.Skip("the embedded emulation checks no timestamp: this is Apache Kafka's rule")
	}
	ctx := kgCtx(t, 30*time.Second)
	topic := kgTopic(t, addrs, 1)
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, MaxAttempts: 1}
	defer w.Close()
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("old"), Time: time.Now().Add(-30 * 24 * time.Hour)}); err != nil {
		t.Errorf("a time 30 days ago: %v, want it kept", err)
	}
	err := w.WriteMessages(ctx, kafka.Message{Value: []byte("ahead"), Time: time.Now().Add(2 * time.Hour)})
	// KIP-848's protocol came with Kafka 4.0, as KIP-1030's default did.
	var written kafka.WriteErrors
	refused := errors.As(err, &written) && len(written) == 1 && errors.Is(written[0], kafka.InvalidTimestamp)
	if cluster.ConsumerProtocol {
		if !refused {
			t.Errorf("Kafka 4: a time two hours ahead: %v, want INVALID_TIMESTAMP", err)
		}
	} else if err != nil {
		t.Errorf("Kafka 3: a time two hours ahead: %v, want it kept", err)
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
	if err := g.SetOffsetAt(ctx, now); err == nil || !strings.Contains(err.Error(), "unavailable when GroupID is set") {
		t.Errorf("SetOffsetAt on a group's Reader: %v, want kafka-go's 'unavailable when GroupID is set'", err)
	}
}
