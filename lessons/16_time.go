package lessons

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// timeLesson is lesson 16: the time every record carries.
func timeLesson() Lesson {
	return Lesson{
		Number: 16,
		Title:  "Time: when a record happened",
		Goal:   "See the timestamp every record carries and who sets it, the producer or the broker, and read a partition from a moment instead of an offset.",
		Summary: []string{
			"Every record carries a timestamp in milliseconds, kafka.Message.Time: by default (CreateTime) the producer's.",
			"A record sent with a zero Time gets the Writer's clock as kafka-go encodes it; set Time yourself when the order happened earlier.",
			"message.timestamp.type=LogAppendTime makes the broker stamp each batch as it appends it; kafka-go's Reader does not read that stamp, franz-go and Java do.",
			"SetOffsetAt (Java: offsetsForTimes) starts a Reader of one partition at the first record at or after a moment; later than every record, at kafka.LastOffset.",
			"Time-based retention and Kafka Streams' windows count on these timestamps.",
		},
		Quiz: []Question{
			{
				Ask: "A Writer sends a Message whose Time is left zero, to a topic left as created. What time does the record get?",
				Choices: []string{
					"Zero: 1 January 1970",
					"The Writer's clock, as it encodes the batch",
					"The time the broker appends it",
				},
				Answer: 1,
				Why:    "kafka-go stamps a record whose Time is zero with time.Now() as it encodes the batch, and a CreateTime topic keeps the producer's time.",
				Step:   1,
			},
			{
				Ask: "On a LogAppendTime topic, a producer sets Time to 10 minutes ago. What does kafka-go's Reader return as Message.Time?",
				Choices: []string{
					"The broker's append time, as Java's consumer does",
					"10 minutes ago: it does not read the broker's stamp",
					"Zero: the producer's time was dropped",
				},
				Answer: 1,
				Why:    "The broker leaves the records' own times in the batch, and adds its clock and a LogAppendTime mark; franz-go, Java and librdkafka read the mark, kafka-go v0.4.51's Reader does not.",
				Step:   2,
			},
			{
				Ask: "Where does a partition Reader start after SetOffsetAt(ctx, t)?",
				Choices: []string{
					"At the last record written before t",
					"At the first record with a timestamp at or after t",
					"At the record whose time is closest to t",
				},
				Answer: 1,
				Why:    "ListOffsets with a timestamp answers the earliest offset whose record's timestamp is at or after it: -1 when there is none, kafka.LastOffset to kafka-go.",
				Step:   3,
			},
		},
		Plan: func() Plan {
			s := &timeState{}
			return Plan{Setup: s.keepEnv, Steps: []Step{
				{Title: "Every record carries a time", Run: s.stamp},
				{Title: "The broker's clock: LogAppendTime", Run: s.brokerClock, Requires: Requirement{RealKafka: true}},
				{Title: "Read from a moment: SetOffsetAt", Run: s.replay, Needs: []int{1}},
			}, Cleanup: s.cleanup}
		},
	}
}

// Pinned by TestKafkaGo_RecordTimeIsTheProducersOrTheBrokers,
// …SetOffsetAtFindsTheFirstRecordAtOrAfter and (the broker's)
// …Kafka4RefusesATimeAnHourAhead.
type timeState struct {
	env      *Env
	topic    string    // CreateTime: the producer's clock
	logTopic string    // LogAppendTime: the broker's
	sent     time.Time // when step 1 sent its orders
}

// keepEnv keeps the env, for cleanup.
func (s *timeState) keepEnv(_ context.Context, env *Env) error {
	s.env = env
	return nil
}

// cleanup deletes the topics of this run: each run makes its own.
func (s *timeState) cleanup() {
	if s.env != nil {
		DeleteTopics(s.env, s.topic, s.logTopic)
	}
}

// Every record carries a timestamp beside its key and value:
// kafka.Message.Time, kept in milliseconds. On a topic left as created
// (message.timestamp.type=CreateTime) it is the producer's, and it can say
// when the thing happened: these orders were taken 30, 20 and 10 minutes
// ago by a till that was offline, and are sent now with those times, to a
// topic of this run's own. The fourth leaves Time zero: as kafka-go encodes
// the batch, it stamps that record with the Writer's clock (the Message,
// and its delivery report, keep a zero Time). The broker stores the times
// as given: a past one at any age, but since Kafka 4.0 it refuses one more
// than an hour ahead of its clock (message.timestamp.after.max.ms). The
// Reader reads them back.
func (s *timeState) stamp(ctx context.Context, env *Env) error {
	var err error
	s.topic, err = FreshTopic(ctx, env, "orders-time", nil)
	if err != nil {
		return err
	}
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    env.Transport,
		Topic:        s.topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
	}
	defer w.Close()
	s.sent = time.Now()
	var msgs []kafka.Message
	for i, ago := range []time.Duration{30 * time.Minute, 20 * time.Minute, 10 * time.Minute, 0} {
		value, err := SampleOrder(i).MarshalValue()
		if err != nil {
			return err
		}
		m := kafka.Message{Value: value}
		if ago > 0 {
			m.Time = s.sent.Add(-ago) // when the till took the order
		}
		msgs = append(msgs, m)
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("write to %s: %w", s.topic, err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   env.Brokers,
		Dialer:    env.Dialer,
		Topic:     s.topic,
		Partition: 0,
		MaxWait:   FetchWait,
	})
	defer r.Close()
	for range msgs {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("read %s: %w", s.topic, err)
		}
		env.Out.Value(fmt.Sprintf("time at offset %d", m.Offset), m.Time)
		env.Out.Say("%v before sending", s.sent.Sub(m.Time).Round(time.Second))
	}
	return nil
}

// A topic can take the broker's clock instead: with
// message.timestamp.type=LogAppendTime the broker stamps each batch with
// the time it appends it, whatever the producer said, and marks the batch
// so (the records' own times stay in it). Here the order of 10 minutes ago
// again, and one with Time zero. franz-go, like the Java client and
// librdkafka, reads the mark: both records have the broker's time.
// kafka-go's Reader (v0.4.51) does not: its Message.Time is still the
// producer's. kafka-go's Writer gives the broker's time in the delivery
// report, but only for a Message whose Time was zero. Choose LogAppendTime
// when what counts is when Kafka got the record, and read it with a client
// that reads the mark; CreateTime when it is when the order happened.
func (s *timeState) brokerClock(ctx context.Context, env *Env) error {
	topic, err := FreshTopic(ctx, env, "orders-logtime",
		map[string]string{"message.timestamp.type": "LogAppendTime"})
	if err != nil {
		return err
	}
	s.logTopic = topic
	var reported []kafka.Message
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    env.Transport,
		Topic:        topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Completion: func(messages []kafka.Message, err error) {
			reported = append(reported, messages...)
		},
	}
	defer w.Close()
	late, _ := SampleOrder(2).MarshalValue()
	fresh, _ := SampleOrder(3).MarshalValue()
	err = w.WriteMessages(ctx,
		kafka.Message{Value: late, Time: time.Now().Add(-10 * time.Minute)},
		kafka.Message{Value: fresh}, // Time zero
	)
	if err != nil {
		return fmt.Errorf("write to %s: %w", topic, err)
	}
	env.Out.Value("delivery report, Time zero", reported[1].Time)

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   env.Brokers,
		Dialer:    env.Dialer,
		Topic:     topic,
		Partition: 0,
		MaxWait:   FetchWait,
	})
	defer r.Close()
	for range 2 {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("read %s: %w", topic, err)
		}
		env.Out.Value(fmt.Sprintf("kafka-go, time at offset %d", m.Offset), m.Time)
	}

	cl, err := env.FranzClient(kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
		topic: {0: kgo.NewOffset().AtStart()},
	}))
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer cl.Close()
	for read := 0; read < 2; {
		fetches := cl.PollFetches(ctx)
		if err := fetches.Err(); err != nil {
			return fmt.Errorf("read %s with franz-go: %w", topic, err)
		}
		for _, rec := range fetches.Records() {
			env.Out.Value(fmt.Sprintf("franz-go, time at offset %d", rec.Offset), rec.Timestamp)
			read++
		}
	}
	return nil
}

// To read what happened since a moment, ask for the offset of that moment.
// SetOffsetAt sends ListOffsets with a timestamp (Java's consumer calls it
// offsetsForTimes): the broker answers with the first offset whose record
// has a timestamp at or after it, and the Reader reads on from there. A
// quarter of an hour before step 1 sent its orders is offset 2: the order
// taken 10 minutes before. Later than every record's timestamp there is no
// such offset: Kafka answers -1, which is kafka.LastOffset to kafka-go, so the
// Reader waits for the next record. SetOffsetAt moves a Reader of one
// partition; on a Reader with a GroupID it returns an error. Time-based
// retention (lesson 12) and Kafka Streams' windows count on these
// timestamps too.
func (s *timeState) replay(ctx context.Context, env *Env) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   env.Brokers,
		Dialer:    env.Dialer,
		Topic:     s.topic,
		Partition: 0,
		MaxWait:   FetchWait,
	})
	defer r.Close()
	if err := r.SetOffsetAt(ctx, s.sent.Add(-15*time.Minute)); err != nil {
		return fmt.Errorf("set the offset at a time: %w", err)
	}
	env.Out.Value("offset 15 minutes before sending", r.Offset())
	for range 2 {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("read %s: %w", s.topic, err)
		}
		env.Out.Value(fmt.Sprintf("time at offset %d", m.Offset), m.Time)
	}
	if err := r.SetOffsetAt(ctx, time.Now().Add(time.Minute)); err != nil {
		return fmt.Errorf("set the offset at a time: %w", err)
	}
	env.Out.Value("offset a minute from now", r.Offset())
	return nil
}
