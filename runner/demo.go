package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// produce sends --count orders, each with its delivery report, like the
// original producer.py.
func (c *command) produce(ctx context.Context, env *lessons.Env) error {
	if err := c.checkTopic(ctx, env); err != nil {
		return c.target.explain(err)
	}
	orders := make([]lessons.Order, c.count)
	for i := range orders {
		orders[i] = lessons.SampleOrder(i)
		if c.key != "" {
			orders[i].User = c.key
		}
	}
	var delivered atomic.Int64 // Completion runs on the writer's goroutines
	outage := lessons.NewOutage(ctx, env)
	ride := newRider(env.Out, outage, env.Brokers)
	stopRiding := every(time.Second, ride.check)
	report := func(r lessons.Record) {
		if r.Kind == lessons.Delivered {
			delivered.Add(1)
		}
		env.Out.Record(r)
	}
	var err error
	if c.key == "" && c.balancer == "" {
		err = lessons.ProducePatiently(ctx, env, env.Topic, orders, report, outage)
	} else {
		err = c.produceKeyed(ctx, env, orders, report, outage)
	}
	stopRiding()
	ride.check()
	if ctx.Err() != nil {
		env.Out.Say("producer closed: %d of %d orders delivered (each reported above); the rest were not sent", delivered.Load(), len(orders))
		return errInterrupted
	}
	if err != nil {
		return c.target.explain(err)
	}
	return nil
}

// produceKeyed sends the orders keyed by --key (or without a key) through
// the --balancer, as lesson 8 shows: with a key and no --balancer, the one
// lesson 8 recommends.
func (c *command) produceKeyed(ctx context.Context, env *lessons.Env, orders []lessons.Order, report func(lessons.Record), outage *lessons.Outage) error {
	name := c.balancer
	if name == "" {
		name = lessons.RecommendedBalancer
	}
	balancer, err := lessons.NewBalancer(name)
	if err != nil {
		return err
	}
	var msgs []kafka.Message
	if c.key != "" {
		msgs, err = lessons.KeyedByUser(orders)
		env.Out.Say("Orders keyed by %q, placed by the %s balancer.", c.key, name)
	} else {
		msgs, err = lessons.Keyless(orders)
		env.Out.Say("Orders without a key, placed by the %s balancer.", name)
	}
	if err != nil {
		return err
	}
	return lessons.Send(ctx, env, env.Topic, msgs, report, lessons.Sending{Balancer: balancer, Outage: outage})
}

// consume prints orders as they arrive until Ctrl-C (or --for), like the
// original consumer.py: from every partition's end, from one partition and
// offset, or as a consumer group that commits after each order.
func (c *command) consume(ctx context.Context, env *lessons.Env, b *broker.Broker) error {
	if err := c.checkTopic(ctx, env); err != nil {
		return c.target.explain(err)
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

// groupSource reads as one member of a consumer group, with auto-commit
// off: each record is committed once it has been printed, so a restarted
// consumer misses none. It prints this member's partitions when it joins
// and after every rebalance. A kafka-go Reader with a GroupID would do the
// group work alone, but it tells the program nothing when the group
// rebalances: it has no callback, and neither its Stats nor its Config name
// its partitions. So this member is built as the Reader is built inside
// (reader.go, Reader.run): a ConsumerGroup hands it each generation (Next),
// whose Assignments are this member's partitions, printed at once; one
// partition Reader per assigned partition reads from the generation's
// starting offset (the group's commit, else FirstOffset) until the
// generation ends in a rebalance; then the next generation begins.
type groupSource struct {
	env     *lessons.Env
	group   string
	topic   string
	cg      *kafka.ConsumerGroup
	records chan groupRecord
	cancel  context.CancelFunc
	stopped chan struct{}
	last    *kafka.Generation // the generation of the record poll returned last
	// outage notes the broker going away: the group is joined again, and
	// reading goes on from the group's commits, once it answers.
	outage *lessons.Outage
}

// groupRecord is a record read in a generation, or why reading stopped.
type groupRecord struct {
	msg kafka.Message
	gen *kafka.Generation
	err error
}

func newGroupSource(env *lessons.Env, group string, outage *lessons.Outage) (source, error) {
	env.Out.Value("consumer group", group)
	cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                group,
		Brokers:           env.Brokers,
		Dialer:            env.Dialer,
		Topics:            []string{env.Topic},
		StartOffset:       kafka.FirstOffset,
		HeartbeatInterval: time.Second,
		SessionTimeout:    6 * time.Second, // the broker's minimum: a killed consumer's partitions move on sooner
		RebalanceTimeout:  10 * time.Second,
		JoinGroupBackoff:  time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("consumer group %s: %w", group, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &groupSource{env: env, group: group, topic: env.Topic, cg: cg, records: make(chan groupRecord), cancel: cancel,
		stopped: make(chan struct{}), outage: outage}
	go s.run(ctx)
	return s, nil
}

// run takes each generation of the group, announces this member's
// partitions, and starts a reader for each of them, bound to the generation.
func (s *groupSource) run(ctx context.Context) {
	defer close(s.stopped)
	failing := false // warn once per run of failed joins, not every second
	for {
		gen, err := s.cg.Next(ctx)
		if errors.Is(err, kafka.ErrGroupClosed) || ctx.Err() != nil {
			return
		}
		if err != nil {
			if !failing {
				s.env.Out.Warn("group %s: %v (joining again)", s.group, err)
			}
			failing = true
			s.outage.Fail("group %s: %v", s.group, err)
			select { // kafka-go retries at once: do not spin while the broker is away
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		failing = false
		var partitions []int
		for _, a := range gen.Assignments[s.topic] {
			partitions = append(partitions, a.ID)
			gen.Start(func(genCtx context.Context) { s.read(genCtx, gen, a) })
		}
		sort.Ints(partitions)
		if len(partitions) == 0 {
			s.env.Out.Event("group %s, generation %d: no partition for this member (more members than partitions): it waits", gen.GroupID, gen.ID)
			continue
		}
		s.env.Out.Event("group %s, generation %d: this member reads %s partitions %v", gen.GroupID, gen.ID, s.topic, partitions)
	}
}

// read reads one assigned partition until its generation ends. Returning
// early (on an error) ends the generation too: the group rebalances.
func (s *groupSource) read(ctx context.Context, gen *kafka.Generation, a kafka.PartitionAssignment) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     s.env.Brokers,
		Dialer:      s.env.Dialer,
		Topic:       s.topic,
		Partition:   a.ID,
		MaxWait:     lessons.FetchWait,
		MaxBytes:    2 << 20,
		ErrorLogger: kafka.LoggerFunc(s.outage.Fail),
	})
	defer r.Close()
	err := r.SetOffset(a.Offset)
	for err == nil {
		var msg kafka.Message
		msg, err = r.ReadMessage(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			err = fmt.Errorf("read %s [%d]: %w", s.topic, a.ID, err)
		}
		select {
		case s.records <- groupRecord{msg: msg, gen: gen, err: err}:
		case <-ctx.Done():
			return
		}
	}
}

func (s *groupSource) poll(ctx context.Context, d time.Duration) (kafka.Message, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-s.records:
		if r.err != nil {
			s.outage.Fail("%v", r.err)
			s.env.Out.Warn("%v (the group rebalances)", r.err)
			return kafka.Message{}, lessons.ErrNoMessage
		}
		s.outage.Clear()
		s.last = r.gen
		return r.msg, nil
	case <-t.C:
		return kafka.Message{}, lessons.ErrNoMessage
	case <-ctx.Done():
		return kafka.Message{}, ctx.Err()
	}
}

// done commits the record in the generation it was read in. When that
// generation has ended (a rebalance came between reading and committing),
// the commit is refused; the record is then read again by whichever member
// owns its partition now: at least once.
func (s *groupSource) done(ctx context.Context, msg kafka.Message) error {
	err := s.last.CommitOffsets(map[string]map[int]int64{msg.Topic: {msg.Partition: msg.Offset + 1}})
	if err != nil {
		s.env.Out.Warn("%s not committed (%v): whoever reads partition %d next reads it again (at least once)",
			lessons.Position(msg.Topic, msg.Partition, msg.Offset), err, msg.Partition)
	}
	return nil
}

// close leaves the group (ConsumerGroup.Close sends LeaveGroup, so the
// others take over this member's partitions at once) and waits for the
// readers.
func (s *groupSource) close() error {
	err := s.cg.Close()
	s.cancel()
	<-s.stopped
	return err
}
