package lessons

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// keysLesson is lesson 8: why a key decides a partition, and whose hash.
func keysLesson() Lesson {
	return Lesson{
		Number: 8,
		Title:  "Keys and partitions",
		Goal:   "Key orders by user so that each user's orders stay on one partition, in order, where every client of the topic would put them.",
		Summary: []string{
			"A kafka.Writer without a Balancer goes round-robin: it ignores keys, and one user's orders scatter.",
			"kafka.Hash keeps a key on one partition (hash of the key modulo the partitions): per key, order holds; across keys and partitions, there is no order. Adding partitions moves most keys.",
			"Clients hash differently: kafka.Murmur2Balancer places keys as the Java client does, kafka.CRC32Balancer as librdkafka (the C client under kcat) does by default, kafka.Hash as Sarama does.",
			"Share a topic with other clients? Use their balancer. Otherwise Murmur2Balancer: librdkafka offers it too (partitioner=murmur2_random).",
			"Without a key, Hash goes round-robin and Murmur2Balancer and CRC32Balancer pick at random; an empty key is a key to Hash and Murmur2Balancer.",
		},
		Quiz: []Question{
			{
				Ask: "A kafka.Writer with no Balancer writes three orders with the key \"ada\" to a topic of three partitions. Where do they go?",
				Choices: []string{
					"All to one partition, chosen by hashing \"ada\"",
					"To the partitions in turn: the default balancer ignores keys",
					"All to partition 0",
				},
				Answer: 1,
				Why:    "kafka-go's default balancer is round-robin and never reads the key. Set the Writer's Balancer to keep a key on one partition.",
				Step:   1,
			},
			{
				Ask: "A Java service and a Go service using kafka.Hash both write orders keyed by user to one topic. What happens to one user's orders?",
				Choices: []string{
					"They stay on one partition: a key always maps to one partition",
					"Maybe on two partitions, out of order: they hash keys differently",
					"The broker rejects the Go service's records",
				},
				Answer: 1,
				Why:    "The producer picks the partition, not the broker. The Java client hashes with murmur2, kafka.Hash with FNV-1a: for many keys they pick different partitions. kafka.Murmur2Balancer places keys as Java does.",
				Step:   3,
			},
			{
				Ask:     "Which balancer places keys where librdkafka (kcat, say) puts them by default?",
				Choices: []string{"kafka.Hash", "kafka.Murmur2Balancer", "kafka.CRC32Balancer", "kafka.RoundRobin"},
				Answer:  2,
				Why:     "librdkafka's default partitioner, consistent_random, takes the CRC-32 of the key modulo the partitions: kafka.CRC32Balancer does the same.",
				Step:    3,
			},
		},
		Plan: func() Plan {
			k := &keysState{}
			return Plan{Setup: k.topicReady, Steps: []Step{
				{Title: "The trap: a writer that ignores keys", Run: k.scatter},
				{Title: "kafka.Hash: one user, one partition", Run: k.hashed},
				{Title: "Java, librdkafka and Go: one key, three partitions", Run: k.compare},
				{Title: "Records without a key", Run: k.keyless},
			}}
		},
	}
}

// What this lesson says of kafka-go is pinned by
// TestKafkaGo_WriterDefaultBalancerIsRoundRobin, …HashIsFNV1aLikeSarama,
// …Murmur2BalancerIsTheJavaPartitioner, …CRC32BalancerIsLibrdkafkaConsistent
// and …BalancersWithoutAKey.
type keysState struct {
	topic string
}

// topicReady creates the lesson's topic: three partitions, keyed orders.
func (k *keysState) topicReady(ctx context.Context, env *Env) error {
	k.topic = env.Name("orders-by-user")
	return EnsureTopic(ctx, env, TopicSpec{Name: k.topic, Partitions: 3, ReplicationFactor: env.Replicas()})
}

// Orders are now keyed by user: the record's key is the user's name, its
// value the order as JSON, as before. A key is how a producer says "these
// belong together": one user's orders should share a partition, the only
// place Kafka keeps records in order. But a kafka.Writer without a Balancer
// spreads records round-robin and never reads the key. Ada Lovelace orders
// three times, in one call: her orders land on three partitions, and a
// consumer of one partition may handle her last order before another
// consumer handles her first.
func (k *keysState) scatter(ctx context.Context, env *Env) error {
	msgs, err := KeyedByUser([]Order{SampleOrder(1), SampleOrder(1), SampleOrder(1)}) // Ada Lovelace, three times
	if err != nil {
		return err
	}
	sent := NewDeliveries(env.Out)
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    env.Transport,
		Topic:        k.topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Completion:   sent.Add, // no Balancer: round-robin
	}
	defer w.Close()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("write Ada's orders: %w", err)
	}
	env.Out.Value("Ada Lovelace", sent.Of("Ada Lovelace"))
	return nil
}

// Balancer: &kafka.Hash{} hashes the key (FNV-1a, as the Go client Sarama
// does) and takes it modulo the number of partitions: a key always goes to
// the same partition, as long as that number does not change (add
// partitions, and most keys move). Five users order twice each, in turn.
// Partition 0 gets none of them, and it is not broken: these five names hash
// to 1 (Ada, Grace, Linus) and 2 (Youssef, Alan) modulo 3, and a hash
// spreads many keys about evenly, but five can easily miss a partition.
// Each user's two orders share a partition and get increasing offsets in
// the order they were sent: per key, order holds. Across keys it does not:
// partitions are read independently, so nothing says whether Ada's second
// order is handled before Alan's first.
func (k *keysState) hashed(ctx context.Context, env *Env) error {
	var orders []Order
	for round := 0; round < 2; round++ {
		for user := 0; user < 5; user++ {
			orders = append(orders, SampleOrder(user))
		}
	}
	msgs, err := KeyedByUser(orders)
	if err != nil {
		return err
	}
	sent := NewDeliveries(env.Out)
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    env.Transport,
		Topic:        k.topic,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond,
		Completion:   sent.Add,
	}
	defer w.Close()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("write keyed orders: %w", err)
	}
	for _, o := range orders[:5] {
		env.Out.Value(o.User, sent.Of(o.User))
	}
	return nil
}

// Every client hashes keys its own way, and the producer, not the broker,
// picks the partition. kafka.Murmur2Balancer puts a key where the Java
// client (and Kafka Streams, built on it) puts it: murmur2 of the key, made
// positive, modulo the partitions. kafka.CRC32Balancer puts it where
// librdkafka does by default (its consistent_random partitioner: CRC-32 of
// the key modulo the partitions); librdkafka is the C client that kcat and
// the clients of many other languages are built on. kafka.Hash matches
// neither of them. Each balancer writes one order per user here; read each
// line across. A Go service and a service in another language writing one
// user's orders with different hashes can put them on two
// partitions, and then nothing keeps them in sequence: that user's later
// order may be handled before an earlier one. Use the balancer of the clients
// you share a topic with; with no constraint, Murmur2Balancer, the Java
// client's placement, which librdkafka offers too
// (partitioner=murmur2_random).
//
// If you know the Python client: it is built on librdkafka, so by default
// it places keys as CRC32Balancer does.
func (k *keysState) compare(ctx context.Context, env *Env) error {
	orders := []Order{SampleOrder(0), SampleOrder(1), SampleOrder(2), SampleOrder(3), SampleOrder(4)}
	msgs, err := KeyedByUser(orders)
	if err != nil {
		return err
	}
	placed := map[string]Choices{}
	for _, b := range []struct {
		name     string
		balancer kafka.Balancer
	}{
		{"Hash (Sarama)", &kafka.Hash{}},
		{"Murmur2 (Java)", kafka.Murmur2Balancer{}},
		{"CRC32 (librdkafka)", kafka.CRC32Balancer{}},
	} {
		sent, err := WriteWith(ctx, env, k.topic, b.balancer, msgs)
		if err != nil {
			return err
		}
		for _, r := range sent {
			placed[string(r.Key)] = append(placed[string(r.Key)], Choice{b.name, r.Partition})
		}
	}
	for _, o := range orders {
		env.Out.Value(o.User, placed[o.User])
	}
	return nil
}

// Without a key there is nothing to hash. kafka.Hash then goes
// round-robin, while Murmur2Balancer and CRC32Balancer pick a partition at
// random for each record: six orders without a key through each show it.
// Other clients differ again: current Java clients, and librdkafka by
// default, stay on one partition for a while (Java until about a batch,
// batch.size, has gone there; librdkafka for 10 ms) before moving on. Beware the empty key, []byte{}: Hash and Murmur2Balancer hash
// it, so all such records land on one partition; CRC32Balancer treats it as
// no key, as librdkafka does.
func (k *keysState) keyless(ctx context.Context, env *Env) error {
	msgs, err := Keyless([]Order{SampleOrder(0), SampleOrder(1), SampleOrder(2), SampleOrder(3), SampleOrder(4), SampleOrder(5)})
	if err != nil {
		return err
	}
	for _, b := range []struct {
		name     string
		balancer kafka.Balancer
	}{
		{"Hash (Sarama)", &kafka.Hash{}},
		{"Murmur2 (Java)", kafka.Murmur2Balancer{}},
		{"CRC32 (librdkafka)", kafka.CRC32Balancer{}},
	} {
		sent, err := WriteWith(ctx, env, k.topic, b.balancer, msgs)
		if err != nil {
			return err
		}
		env.Out.Value(fmt.Sprintf("%s: records on partitions 0, 1, 2", b.name), PerPartition(sent, 3))
	}
	return nil
}
