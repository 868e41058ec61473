package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// produce sends --count orders, each with its delivery report, like the
// original producer.py.
func (c *command) produce(ctx context.Context, env *lessons.Env) error {
	if err := c.checkTopic(ctx, env); err != nil {
		return err
	}
	orders := make([]lessons.Order, c.count)
	for i := range orders {
		orders[i] = lessons.SampleOrder(i)
	}
	delivered := 0
	outage := lessons.NewOutage(ctx, env)
	ride := newRider(env.Out, outage, env.Brokers)
	stopRiding := every(time.Second, ride.check)
	err := lessons.ProducePatiently(ctx, env, env.Topic, orders, func(r lessons.Record) {
		if r.Kind == lessons.Delivered {
			delivered++
		}
		env.Out.Record(r)
	}, outage)
	stopRiding()
	ride.check()
	if ctx.Err() != nil {
		env.Out.Say("producer closed: %d of %d orders delivered (each reported above); the rest were not sent", delivered, len(orders))
		return errInterrupted
	}
	if err != nil {
		return c.target.explain(err)
	}
	return nil
}

// consume prints orders as they arrive until Ctrl-C (or --for), like the
// original consumer.py: from every partition's end, from one partition and
// offset, or as a consumer group that commits after each order.
func (c *command) consume(ctx context.Context, env *lessons.Env, b *broker.Broker) error {
	if err := c.checkTopic(ctx, env); err != nil {
		return err
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	if b.Hosted {
		produce := "go run ./runner produce"
		if b.Addrs[0] != "127.0.0.1:9092" {
			produce += " --brokers " + b.Addrs[0]
		}
		env.Out.Say("This process hosts the embedded broker: keep it running, and produce from another terminal:")
		env.Out.Say("  %s", produce)
	}
	var src source
	var err error
	outage := lessons.NewOutage(ctx, env)
	if c.group != "" {
		src, err = newGroupSource(env, env.Name(c.group), outage)
	} else {
		src, err = c.newPartitionSource(ctx, env, outage)
	}
	if err != nil {
		return err
	}
	env.Out.Say("Waiting for orders (Ctrl-C to stop)…")
	tally, err := pollLoop(ctx, env, src, newRider(env.Out, outage, env.Brokers))
	cerr := src.close()
	env.Out.Say("consumer closed")
	env.Out.Value("orders", tally.orders)
	if tally.skipped > 0 {
		env.Out.Value("skipped records (not orders)", tally.skipped)
	}
	switch {
	case c.timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return cerr
	case ctx.Err() != nil:
		return errInterrupted
	case err != nil:
		return c.target.explain(err)
	}
	return cerr
}

// checkTopic creates orders when it is missing, as lesson 1 does; any other
// topic must exist, and when it does not the error lists those that do.
func (c *command) checkTopic(ctx context.Context, env *lessons.Env) error {
	if c.topic == "orders" {
		return lessons.EnsureTopic(ctx, env, env.OrdersTopic())
	}
	_, err := lessons.DescribeTopic(ctx, env, env.Topic)
	if !errors.Is(err, lessons.ErrNoTopic) {
		return err
	}
	topics, lerr := lessons.ListTopics(ctx, env)
	if lerr != nil {
		return fmt.Errorf("topic %s does not exist", env.Topic)
	}
	return fmt.Errorf("topic %s does not exist. Existing topics: %s\nCheck the name (and --topic-prefix), or use --topic orders", env.Topic, strings.Join(topics, ", "))
}

type tally struct{ orders, skipped int }

// source is where the consume loop gets records: a Poller over partitions,
// or a consumer group.
type source interface {
	poll(ctx context.Context, timeout time.Duration) (kafka.Message, error)
	done(ctx context.Context, msg kafka.Message) error // the record was handled
	close() error
}

func pollLoop(ctx context.Context, env *lessons.Env, src source, ride *rider) (tally, error) {
	var t tally
	for ctx.Err() == nil {
		msg, err := src.poll(ctx, time.Second)
		ride.check()
		if errors.Is(err, lessons.ErrNoMessage) || ctx.Err() != nil {
			continue
		}
		if err != nil {
			return t, err
		}
		if _, err := lessons.Receive(env.Out, msg); err != nil {
			t.skipped++
		} else {
			t.orders++
		}
		if err := src.done(ctx, msg); err != nil && ctx.Err() == nil {
			return t, err
		}
	}
	return t, nil
}

// newPartitionSource reads every partition from its end, or one partition
// from --offset, after checking that the partition and offset exist.
func (c *command) newPartitionSource(ctx context.Context, env *lessons.Env, outage *lessons.Outage) (source, error) {
	marks, err := lessons.ReadWatermarks(ctx, env, env.Topic)
	if err != nil {
		return nil, err
	}
	offsets := map[int]int64{}
	if c.partition < 0 {
		for _, w := range marks {
			offsets[w.Partition] = w.Last
		}
	} else {
		var ids []string
		found := false
		for _, w := range marks {
			ids = append(ids, fmt.Sprint(w.Partition))
			if w.Partition != c.partition {
				continue
			}
			found = true
			offsets[w.Partition] = c.startOffset(env, w)
		}
		if !found {
			return nil, fmt.Errorf("topic %s has no partition %d: its partitions are %s", env.Topic, c.partition, strings.Join(ids, ", "))
		}
	}
	var ps []int
	for p := range offsets {
		ps = append(ps, p)
	}
	sort.Ints(ps)
	for _, p := range ps {
		env.Out.Value(fmt.Sprintf("%s [%d] from offset", env.Topic, p), offsets[p])
	}
	p, err := lessons.NewPatientPoller(env, env.Topic, offsets, outage)
	if err != nil {
		return nil, err
	}
	return pollerSource{p}, nil
}

// startOffset checks --offset against the partition's range and explains
// what happens when it is outside, as lesson 4 does.
func (c *command) startOffset(env *lessons.Env, w lessons.Watermarks) int64 {
	rng := fmt.Sprintf("partition %d holds offsets %d to %d, its high watermark is %d", w.Partition, w.First, w.Last-1, w.Last)
	if w.First == w.Last {
		rng = fmt.Sprintf("partition %d is empty, its high watermark is %d", w.Partition, w.Last)
	}
	switch {
	case c.offset > w.Last:
		env.Out.Warn("offset %d is past the end: %s.", c.offset, rng)
		env.Out.Warn("Starting at %d instead: the next new order (like auto.offset.reset=latest).", w.Last)
		return w.Last
	case c.offset < w.First:
		env.Out.Warn("offset %d is before the start: %s.", c.offset, rng)
		env.Out.Warn("Starting at %d instead: the oldest record kept (like auto.offset.reset=earliest).", w.First)
		return w.First
	}
	env.Out.Block(lessons.DrawPartition(w, c.offset))
	return c.offset
}

type pollerSource struct{ p *lessons.Poller }

func (s pollerSource) poll(ctx context.Context, d time.Duration) (kafka.Message, error) {
	return s.p.Poll(ctx, d)
}
func (s pollerSource) done(context.Context, kafka.Message) error { return nil }
func (s pollerSource) close() error                              { return s.p.Close() }

// groupSource reads as a consumer group with auto-commit off: each record is
// committed once it has been printed, so a restarted consumer misses none.
// kafka-go's group Reader rejoins by itself when the broker comes back; a
// commit that fails meanwhile is tried again.
type groupSource struct {
	r      *kafka.Reader
	env    *lessons.Env
	outage *lessons.Outage
}

func newGroupSource(env *lessons.Env, group string, outage *lessons.Outage) (source, error) {
	env.Out.Value("consumer group", group)
	return groupSource{env: env, outage: outage, r: kafka.NewReader(kafka.ReaderConfig{
		ErrorLogger:       kafka.LoggerFunc(outage.Fail),
		Brokers:           env.Brokers,
		Dialer:            env.Dialer,
		GroupID:           group,
		Topic:             env.Topic,
		StartOffset:       kafka.FirstOffset,
		MaxWait:           lessons.FetchWait,
		MaxBytes:          2 << 20,
		HeartbeatInterval: time.Second,
		SessionTimeout:    6 * time.Second, // the broker's minimum: a killed consumer's partitions move on sooner
	})}, nil
}

func (s groupSource) poll(ctx context.Context, d time.Duration) (kafka.Message, error) {
	pctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	msg, err := s.r.FetchMessage(pctx)
	switch {
	case err == nil:
		s.outage.Clear()
	case ctx.Err() != nil:
	case errors.Is(err, context.DeadlineExceeded):
		return msg, lessons.ErrNoMessage
	default:
		// The group Reader hands out what its fetches met while the broker
		// was away; it rejoins by itself, so this is trouble, not the end.
		s.outage.Fail("%v", err)
		return msg, lessons.ErrNoMessage
	}
	return msg, err
}

func (s groupSource) done(ctx context.Context, msg kafka.Message) error {
	for {
		err := s.r.CommitMessages(ctx, msg)
		if err == nil || ctx.Err() != nil {
			return nil
		}
		s.outage.Fail("commit %s [%d] @ %d: %v", msg.Topic, msg.Partition, msg.Offset, err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

func (s groupSource) close() error { return s.r.Close() }
