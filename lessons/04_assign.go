package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// assignLesson is lesson 4: read one partition from a chosen offset.
func assignLesson() Lesson {
	return Lesson{
		Number: 4,
		Title:  "Assign a partition and an offset",
		Goal:   "Read exactly one partition from exactly one offset, and learn what happens past the end.",
		Summary: []string{
			"A partition's records are numbered by offset; a consumer can start at any offset the partition still keeps.",
			"Read the first offset and the high watermark before choosing where to start.",
			"Past the end, a kafka-go Reader waits until the partition gets there, unless OffsetOutOfRangeError is set; then you get an error to act on.",
			"kafka.FirstOffset and kafka.LastOffset are explicit start positions; auto.offset.reset is only a fallback. A kafka-go group with no committed offset starts at StartOffset: FirstOffset by default.",
		},
		Quiz: []Question{
			{
				Ask: "Partition 0 holds offsets 0 to 2. A Reader with OffsetOutOfRangeError: true is set to offset 50. What does ReadMessage do?",
				Choices: []string{
					"It returns the record at offset 2, the last one",
					"It returns an OffsetOutOfRange error",
					"It starts again at offset 0",
				},
				Answer: 1,
				Why:    "With the flag, kafka-go hands you the error to act on. Without it, the Reader retries about once a second until the partition reaches offset 50, and ReadMessage just blocks.",
				Step:   3,
			},
			{
				Ask: "What is a partition's high watermark?",
				Choices: []string{
					"The offset of its oldest record",
					"The most records it may ever hold",
					"The end of what consumers may read",
				},
				Answer: 2,
				Why:    "ListOffsets gives the first offset and the high watermark: past every record that all in-sync replicas have copied. On one broker it is also the offset the next record gets.",
				Step:   2,
			},
			{
				Ask: "A kafka-go Reader with a GroupID finds no committed offset for a partition. Where does it start by default?",
				Choices: []string{
					"At the first offset: StartOffset defaults to kafka.FirstOffset",
					"At the end: it only reads records produced from now on",
					"Nowhere: it returns an error",
				},
				Answer: 0,
				Why:    "ReaderConfig.StartOffset applies to a group without a committed offset, and its default is FirstOffset: a new group reads what the partitions already hold.",
				Step:   4,
			},
		},
		Plan: func() Plan {
			a := &assignState{partition: 0, offset: 50}
			return Plan{Setup: topicReady, Steps: []Step{
				{Title: "Put a few orders in partition 0", Run: a.fill},
				{Title: "Read the partition's first and last offsets", Run: a.watermarks},
				{Title: "Assign partition 0 at offset 50", Run: a.readAt, Needs: []int{2}},
				{Title: "Start from the first or the last offset instead", Run: a.firstAndLast, Needs: []int{2}},
			}}
		},
	}
}

// Pinned by TestKafkaGo_ReaderOffsetOutOfRangeErrorPastTheEnd,
// …ReaderPastTheEndWaitsThenReadsThere, …ReaderBeforeTheStartMovesToFirstOffset,
// …ReaderStartOffsetDefaultIsFirstOffset and (the markers)
// …ReaderReturnsAbortedRecordsAndMarkersAtEveryIsolationLevel.
type assignState struct {
	partition   int
	offset      int64
	first, last int64
}

// The producer decides a record's partition. kafka-go asks the Writer's
// Balancer; this one sends every order to partition 0, so the partition we
// are about to read is sure to hold some.
func (a *assignState) fill(ctx context.Context, env *Env) error {
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    env.Transport,
		Topic:        env.Topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Balancer: kafka.BalancerFunc(func(m kafka.Message, partitions ...int) int {
			return 0
		}),
	}
	defer w.Close()
	for i := 0; i < 3; i++ {
		order, err := SampleOrder(i).MarshalValue()
		if err != nil {
			return err
		}
		if err := w.WriteMessages(ctx, kafka.Message{Value: order}); err != nil {
			return fmt.Errorf("write to partition 0: %w", err)
		}
	}
	env.Out.Event("3 orders written to %s [0]", env.Topic)
	return nil
}

// ListOffsets returns a partition's first offset (the oldest record still
// kept) and its high watermark: the end of what consumers may read, past
// every record that all in-sync replicas have copied. The next record goes
// to the log end offset, which can be ahead of the high watermark while
// followers catch up; on one broker the two are the same. Records sit below
// the watermark, though not at every offset: compaction removes records,
// and a transaction ends with a marker that takes an offset of its own.
// Most clients skip markers, so their offsets are gaps to a reader; a
// kafka-go Reader returns them as records (lesson 10).
func (a *assignState) watermarks(ctx context.Context, env *Env) error {
	resp, err := env.Client().ListOffsets(ctx, &kafka.ListOffsetsRequest{
		Topics: map[string][]kafka.OffsetRequest{
			env.Topic: {kafka.FirstOffsetOf(a.partition), kafka.LastOffsetOf(a.partition)},
		},
	})
	if err != nil {
		return fmt.Errorf("list offsets: %w", err)
	}
	for _, p := range resp.Topics[env.Topic] {
		if p.Error != nil {
			return fmt.Errorf("list offsets of partition %d: %w", p.Partition, p.Error)
		}
		a.first, a.last = p.FirstOffset, p.LastOffset
	}
	env.Out.Value("first offset", a.first)
	env.Out.Value("high watermark", a.last)
	env.Out.Block(DrawPartition(Watermarks{a.partition, a.first, a.last}, a.offset))
	return nil
}

// A consumer group is a set of consumers that share one group id and split
// a topic's partitions between them, each partition read by one member at a
// time. This lesson reads without one (lessons 6 and 9 use groups).
//
// To read one partition from one offset you choose, give a Reader a
// Partition (and no GroupID) and call SetOffset: here partition 0,
// offset 50. At 50 on a young topic there is nothing yet: the offset is past
// the end. Without OffsetOutOfRangeError the Reader retries, about once a
// second, until the partition reaches offset 50, then reads from there;
// ReadMessage just blocks meanwhile. With it, ReadMessage returns the error.
// An offset before the start is moved to the first offset silently, flag or
// no flag.
//
// If you know the Python client: this is the original consumer.py's
// assign([TopicPartition("orders", 0, 50)]). Past the end, the Python
// client did neither of kafka-go's two things: it applied
// auto.offset.reset, latest by default, and jumped to the end; its log said
// "offset reset … to END".
func (a *assignState) readAt(ctx context.Context, env *Env) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:               env.Brokers,
		Dialer:                env.Dialer,
		Topic:                 env.Topic,
		Partition:             a.partition,
		MaxWait:               FetchWait,
		OffsetOutOfRangeError: true,
	})
	defer r.Close()
	if err := r.SetOffset(a.offset); err != nil {
		return fmt.Errorf("set offset: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	msg, err := r.ReadMessage(ctx)
	switch {
	case err == nil:
		Receive(env.Out, msg)
	case errors.Is(err, kafka.OffsetOutOfRange):
		env.Out.Value("ReadMessage returned", err)
		env.Out.Warn("offset %d is out of range: partition %d holds offsets %d to %d (high watermark: %d).",
			a.offset, a.partition, a.first, a.last-1, a.last)
		env.Out.Say("Kafka only keeps the offsets it has written; pick one in range, or start from the first or last.")
	case errors.Is(err, context.DeadlineExceeded):
		env.Out.Say("no record at offset %d yet: it is the end of the partition, the next record will land there.", a.offset)
	default:
		return fmt.Errorf("read %s [%d] @ %d: %w", env.Topic, a.partition, a.offset, err)
	}
	return nil
}

// kafka.FirstOffset starts at the oldest record the partition keeps,
// kafka.LastOffset at the next record to come: explicit start positions.
// They are not auto.offset.reset, which applies only when a consumer has no
// starting position of its own or its offset is out of range. At the end a
// reader simply waits for new records.
//
// If you know the Python client: they are its OFFSET_BEGINNING and
// OFFSET_END.
func (a *assignState) firstAndLast(ctx context.Context, env *Env) error {
	for _, start := range []int64{kafka.FirstOffset, kafka.LastOffset} {
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers:   env.Brokers,
			Dialer:    env.Dialer,
			Topic:     env.Topic,
			Partition: a.partition,
			MaxWait:   FetchWait,
		})
		if err := r.SetOffset(start); err != nil {
			r.Close()
			return fmt.Errorf("set offset: %w", err)
		}
		readCtx, cancel := context.WithTimeout(ctx, time.Second)
		msg, err := r.ReadMessage(readCtx)
		cancel()
		r.Close()
		name := map[int64]string{kafka.FirstOffset: "FirstOffset", kafka.LastOffset: "LastOffset"}[start]
		switch {
		case err == nil:
			env.Out.Say("from %s:", name)
			Receive(env.Out, msg)
			env.Out.Block(DrawPartition(Watermarks{a.partition, a.first, a.last}, msg.Offset))
		case errors.Is(err, context.DeadlineExceeded):
			env.Out.Say("from %s: nothing within 1 s: the reader waits at offset %d for the next order.", name, a.last)
			env.Out.Block(DrawPartition(Watermarks{a.partition, a.first, a.last}, a.last))
		default:
			return fmt.Errorf("read from %s: %w", name, err)
		}
	}
	return nil
}
