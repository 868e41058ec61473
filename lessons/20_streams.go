package lessons

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
)

// streamsLesson is lesson 20: a Kafka Streams application, seen from Go.
func streamsLesson() Lesson {
	return Lesson{
		Number:   20,
		Title:    "Kafka Streams, seen from outside",
		Goal:     "Run a Kafka Streams application (Java) next to the broker, and see from Go what it is made of: a consumer group named after its application.id, topics of its own, tasks that move between instances, and its output.",
		Requires: Requirement{RealKafka: true, JVM: true},
		Summary: []string{
			"Kafka Streams is a Java library, not a server: an application is a program you run in as many instances as you like, and they share the work as the members of one consumer group, named after application.id.",
			"A topology splits into sub-topologies, and each runs as one task per input partition (task 0_2: sub-topology 0 on partition 2). Tasks, not partitions, are what the group's members share.",
			"Re-keying (groupBy) goes through a repartition topic; each state store (count) is kept in RocksDB by default and backed by a compacted changelog topic, from which another instance rebuilds it. Streams makes both topics, named after application.id; the input and output topics are yours to make.",
			"A Streams instance that closes does not leave its group: its tasks move once session.timeout.ms (45 s by default) has passed without a heartbeat.",
			"Lesson 15's pipeline did by hand part of what Streams does for you: state rebuilt from a changelog, exactly once (processing.guarantee=exactly_once_v2), work shared in a group. Streams adds re-keying through a repartition topic, and moves tasks with their state.",
			"ksqlDB, Confluent's SQL server for Kafka (not part of Apache Kafka), turns SQL queries into Streams topologies and runs them. Kafka Streams runs only on the JVM; Go has libraries in its spirit (goka), but no port of it.",
		},
		Quiz: []Question{
			{
				Ask: "Two instances of a Streams application run with application.id order-counts. What is the name of their consumer group?",
				Choices: []string{
					"order-counts",
					"One group per instance, named after its client.id",
					"order-counts-counts-changelog",
				},
				Answer: 0,
				Why:    "application.id names the group that every instance's stream threads join, and prefixes the topics Streams makes (order-counts-by-item-repartition, order-counts-counts-changelog).",
				Step:   4,
			},
			{
				Ask: "An instance of a Streams application is stopped cleanly (KafkaStreams.close()). When do its tasks move to the other instance?",
				Choices: []string{
					"At once: close() sends LeaveGroup",
					"Once session.timeout.ms has passed without its heartbeat",
					"Never: its tasks wait for it to come back",
				},
				Answer: 1,
				Why:    "Streams sets its consumers' internal.leave.group.on.close to false, so that an instance that restarts soon causes one rebalance, not two, and its tasks do not move away meanwhile. The coordinator removes it when its session expires: 45 s by default, 10 s in this lesson.",
				Step:   6,
			},
			{
				Ask: "A new instance starts with an empty state directory. How does it get the counts of the tasks it takes over?",
				Choices: []string{
					"It reads them back from the changelog topic",
					"It asks the other instance over the network",
					"It counts the whole input topic again",
				},
				Answer: 0,
				Why:    "Every update of a state store is also written to its changelog, a compacted topic. A task's new owner replays the changelog into its own store before it goes on.",
				Step:   5,
			},
		},
		Plan: func() Plan {
			s := &streamsState{}
			return Plan{Setup: s.topicsReady, Steps: []Step{
				{Title: "A Streams application is a Java program", Run: s.start},
				{Title: "Two topics it made for itself", Run: s.internalTopics, Needs: []int{1}},
				{Title: "Counts, in the output and the changelog", Run: s.counts, Needs: []int{1}},
				{Title: "Its consumer group is its application.id", Run: s.group, Needs: []int{1}},
				{Title: "A second instance: tasks move", Run: s.secondInstance, Needs: []int{1}},
				{Title: "An instance stops, and stays in the group", Run: s.instanceStops, Needs: []int{5}, Ends: []int{1, 5}},
			}, Cleanup: s.cleanup}
		},
	}
}

type streamsState struct {
	env  *Env
	app  *StreamsApp
	sent map[string]int64 // orders sent per item, which the counts must match
}

// topicsReady makes this run's input and output topics (Streams makes only
// its own), three partitions each, and the application that joins them.
func (s *streamsState) topicsReady(ctx context.Context, env *Env) error {
	s.env, s.sent = env, map[string]int64{}
	run := uuid.NewString()[:6]
	app, err := NewStreamsApp(ctx, env, env.Name("order-counts-"+run), env.Name("orders-streams-"+run), env.Name("item-counts-"+run))
	if err != nil {
		return err
	}
	s.app = app
	for _, topic := range []string{app.Orders, app.Counts} {
		if err := EnsureTopic(ctx, env, TopicSpec{Name: topic, Partitions: 3, ReplicationFactor: env.Replicas()}); err != nil {
			return err
		}
	}
	return nil
}

// cleanup stops the instances, and deletes the run's topics, Streams' too.
func (s *streamsState) cleanup() {
	if s.app == nil {
		return
	}
	s.app.StopAll()
	DeleteTopics(s.env, s.app.Orders, s.app.Counts, s.app.Repartition(), s.app.Changelog())
}

// send produces orders and counts them per item, as the application should.
func (s *streamsState) send(ctx context.Context, env *Env, from, n int) error {
	var orders []Order
	for i := range n {
		o := SampleOrder(from + i)
		orders = append(orders, o)
		s.sent[o.Item]++
	}
	return ProduceOrders(ctx, env, s.app.Orders, orders, env.Out.Record)
}

// Kafka Streams is a Java library for programs that read topics, compute,
// and write topics. It runs only on the JVM, so this lesson runs one in
// Java, beside the broker, and looks at it from Go: OrderCounts (its source
// is in internal/native/java), which counts the orders of each item. Its
// topology is below: read orders, keep the item, group by item, count,
// write the counts out. An application is a program, started here as a JVM
// instance (java OrderCounts.java): it connects to the broker as a client,
// and runs until it is stopped. Its settings name it: application.id.
// Ten orders go in, two of each item, then one instance starts; it is
// running once its group has given it the work: the assignor in one member
// deals the work out, and the coordinator passes it on.
func (s *streamsState) start(ctx context.Context, env *Env) error {
	env.Out.Block(Topology())
	if err := s.send(ctx, env, 0, 10); err != nil {
		return err
	}
	env.Out.Value("application.id", s.app.ID)
	started := time.Now()
	if err := s.app.Start(ctx, "instance-1"); err != nil {
		return err
	}
	if _, err := s.app.WaitForTasks(ctx, 60*time.Second); err != nil {
		return err
	}
	env.Out.Event("instance-1 runs: it joined its group and was given the work, %v after its JVM started",
		time.Since(started).Round(100*time.Millisecond))
	return nil
}

// Streams made two topics: their names start with the application.id, and
// end with the names the topology gave its steps. groupBy re-keys every
// record by item; so that all the orders of an item meet in one place,
// Streams writes them, keyed by item, to a repartition topic, and reads
// them back. cleanup.policy=delete with retention.ms=-1: kept until
// Streams deletes what it has read and committed (DeleteRecords, every
// 30 s by default). count() keeps a count per item in a state store, on
// the instance's disk (RocksDB); every change also goes to a changelog
// topic, compacted, as lesson 12's order statuses were: the last count of
// each item stays, from which the store can be rebuilt. Its retention.ms
// is the broker's default; with compact alone, it deletes nothing. Streams
// sized the repartition topic like its input, and the changelog with one
// partition per task.
func (s *streamsState) internalTopics(ctx context.Context, env *Env) error {
	for _, topic := range []string{s.app.Repartition(), s.app.Changelog()} {
		partitions, settings, err := DescribeMadeTopic(ctx, env, topic, "cleanup.policy", "retention.ms")
		if err != nil {
			return err
		}
		env.Out.Say("%s:", topic)
		env.Out.Value("partitions", partitions)
		env.Out.Value("cleanup.policy", settings["cleanup.policy"])
		env.Out.Value("retention.ms", settings["retention.ms"])
	}
	return nil
}

// The output topic gets each new count as it changes: the cache is off
// here (statestore.cache.max.bytes=0). By default Streams caches counts,
// and sends each item's latest one when it commits, every 30 s, or sooner
// when the cache (10 MB) is full. Key the item, value a number of 8 bytes,
// which Kafka Streams' Long serde writes big-endian. Read with kafka-go, each
// item's last count is the number of its orders. The changelog holds the
// same counts: it is what the state store would be rebuilt from.
func (s *streamsState) counts(ctx context.Context, env *Env) error {
	out, updates, err := WaitForCounts(ctx, env, s.app.Counts, s.sent)
	if err != nil {
		return err
	}
	for _, item := range sortedKeys(out) {
		env.Out.Value(item, out[item])
	}
	env.Out.Value(fmt.Sprintf("count updates in %s", s.app.Counts), updates)
	changelog, _, err := WaitForCounts(ctx, env, s.app.Changelog(), s.sent)
	if err != nil {
		return err
	}
	env.Out.Value("the changelog's counts are the same", fmt.Sprint(maps.Equal(changelog, out)))
	return nil
}

// A Streams application's instances are the members of one consumer
// group, whose name is the application.id. kafka-go cannot describe it:
// recent Java clients (3.8 here) send version 3 of the consumer protocol's
// member metadata, and kafka-go reads versions 0 and 1 only. franz-go's
// kmsg reads it: the group uses the classic protocol (type consumer), with
// Streams' own assignor, "stream". The member is instance-1's stream
// thread. Streams cuts the topology where it goes through a topic:
// sub-topology 0 reads orders and writes the repartition topic,
// sub-topology 1 reads it, counts, and writes each count out. Each runs as
// one task per partition (0_0, 0_1, 0_2, 1_0...): the assignor deals out
// tasks, and a member's partitions are its tasks'. The lesson names each
// member's tasks from its partitions; Streams writes the task ids in the
// assignment's user data, in a format of its own.
func (s *streamsState) group(ctx context.Context, env *Env) error {
	resp, err := env.Client().DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{s.app.ID}})
	if err != nil {
		return fmt.Errorf("describe group %s: %w", s.app.ID, err)
	}
	for _, g := range resp.Groups { // the error is the group's
		env.Out.Value("kafka-go's DescribeGroups", fmt.Sprint(g.Error))
	}
	g, err := s.app.DescribeStreamsGroup(ctx)
	if err != nil {
		return err
	}
	env.Out.Value("protocol type", g.ProtocolType)
	env.Out.Value("assignor", g.Protocol)
	for _, m := range g.Members {
		env.Out.Value(m.ClientID, strings.Join(s.app.Tasks(m), " "))
		for _, topic := range []string{s.app.Orders, s.app.Repartition()} {
			env.Out.Say("  %s %v", topic, m.Partitions[topic])
		}
	}
	return nil
}

// A second instance of the same application starts: same application.id,
// so it joins the same group. Streams rebalances cooperatively: the first
// instance keeps reading what it keeps, and gives up the tasks that move.
// A stateful task (1_p, a count) moves to an instance with no state for
// it only if that instance lacks at most acceptable.recovery.lag (10,000)
// offsets of its changelog, or no instance is closer; else the task stays
// where it is while a warm-up copy is built on the new instance. Here it
// moves at once: instance-2 rebuilds those counts from the changelog. Five more
// orders go in: the counts go on from where they were, whoever holds them.
func (s *streamsState) secondInstance(ctx context.Context, env *Env) error {
	if err := s.app.Start(ctx, "instance-2"); err != nil {
		return err
	}
	g, err := s.app.WaitForTasks(ctx, 45*time.Second)
	if err != nil {
		return err
	}
	for _, m := range g.Members {
		env.Out.Value(m.ClientID, strings.Join(s.app.Tasks(m), " "))
	}
	if err := s.send(ctx, env, 10, 5); err != nil {
		return err
	}
	out, _, err := WaitForCounts(ctx, env, s.app.Counts, s.sent)
	if err != nil {
		return err
	}
	for _, item := range sortedKeys(out) {
		env.Out.Value(item, out[item])
	}
	return nil
}

// instance-1 is stopped as Ctrl-C would stop it: it closes KafkaStreams,
// which commits and ends. It does not leave the group: Streams keeps its
// consumers from sending LeaveGroup on close, so that an instance that
// restarts soon causes one rebalance, not two. The coordinator removes it
// only when its session expires, session.timeout.ms after its last
// heartbeat (10 s here, 45 s by default); then instance-2 gets every task.
// A crash (kill -9) looks the same to the group. What differs: nothing was
// committed, so the next owner redoes the work since the last commit, and
// under at_least_once some counts go out twice.
func (s *streamsState) instanceStops(ctx context.Context, env *Env) error {
	if err := s.app.Stop(ctx, "instance-1"); err != nil {
		return err
	}
	stopped := time.Now()
	g, err := s.app.DescribeStreamsGroup(ctx)
	if err != nil {
		return err
	}
	env.Out.Value("members right after instance-1 ended", len(g.Members))
	g, err = s.app.WaitForTasks(ctx, SessionTimeout+30*time.Second)
	if err != nil {
		return err
	}
	env.Out.Event("%s holds every task, %v after instance-1 ended",
		g.Members[0].ClientID, time.Since(stopped).Round(100*time.Millisecond))
	env.Out.Value("tasks", strings.Join(s.app.Tasks(g.Members[0]), " "))
	return nil
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
