package exercise

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/partition"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 8 follows lesson 8: orders keyed by user, on the partition the
// Java client (and Kafka Streams) would choose.
func keysExercise() Exercise {
	return Exercise{
		ID: "8", Dir: "08_keys", Lesson: 8,
		Title: "Keys placed as the Java client places them",
		Goal:  "Every order on $TOPIC is keyed by its user, and all of a user's orders lie on the one partition the Java client would choose for that key (murmur2), so a Java or Kafka Streams service that shares the topic sees each user's orders in order.",
		Hints: []string{
			"The key is set, but a Writer chooses partitions with its Balancer, and the default, kafka.RoundRobin, ignores keys.",
			"kafka-go has one balancer per client family: kafka.Hash (Sarama's FNV-1a), kafka.CRC32Balancer (librdkafka's) and kafka.Murmur2Balancer (the Java client's). Lesson 8 step 4 compares them.",
			"Set Balancer: &kafka.Murmur2Balancer{} in the Writer.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex8-orders-" + suffix())
			partitions := between(4, 6)
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: env.Replicas()})
			var users []string
			// Seven users, more than partitions and prime to their count: a
			// balancer that ignores keys spreads each user's orders.
			for _, name := range []string{"ada", "grace", "alan", "edsger", "barbara", "ken", "margaret"} {
				users = append(users, name+"-"+suffix()[:4])
			}
			return Vars{"TOPIC": topic, "PARTITIONS": strconv.Itoa(partitions), "USERS": strings.Join(users, ","),
				"ORDERS_PER_USER": strconv.Itoa(between(3, 4))}, err
		},
		Check: checkKeys,
	}
}

func checkKeys(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, n := v["TOPIC"], v.Int("PARTITIONS")
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	users := v.List("USERS")
	on := map[string][]int{} // the partitions each key's records are on
	unkeyed := 0
	for _, m := range stored {
		if len(m.Key) == 0 {
			unkeyed++
			continue
		}
		if k := string(m.Key); !slices.Contains(on[k], m.Partition) {
			on[k] = append(on[k], m.Partition)
		}
	}
	lines := []Line{
		want("orders on "+topic, len(users)*v.Int("ORDERS_PER_USER"), len(stored)),
		want("orders without a key", 0, unkeyed),
	}
	// A known mistake is named only when it explains every user, not when
	// a key lands on the right partition by chance.
	placedBy := func(place func([]byte, int) int) bool {
		for _, u := range users {
			if got := on[u]; len(got) != 1 || got[0] != place([]byte(u), n) {
				return false
			}
		}
		return true
	}
	var mistake string
	switch {
	case placedBy(partition.SaramaPartition):
		mistake = "kafka.Hash placed it: FNV-1a, as Sarama; the Java client hashes with murmur2"
	case placedBy(partition.LibrdkafkaPartition):
		mistake = "kafka.CRC32Balancer placed it: librdkafka's CRC32; the Java client hashes with murmur2"
	}
	for _, u := range users {
		java := partition.JavaPartition([]byte(u), n)
		got := on[u]
		slices.Sort(got)
		l := Line{What: u, Want: fmt.Sprintf("partition %d (Java's murmur2)", java), Got: fmt.Sprint(got),
			OK: len(got) == 1 && got[0] == java, Why: mistake}
		switch {
		case l.OK:
			l.Why = ""
		case len(got) == 0:
			l.Got, l.Why = "no order keyed "+u, "each order's Key must be its user's name"
		case len(got) > 1:
			l.Why = "spread over several partitions: the Writer's default balancer, round-robin, ignores keys"
		}
		lines = append(lines, l)
	}
	return lines, nil
}
