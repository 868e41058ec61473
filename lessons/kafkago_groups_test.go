package lessons_test

// Pins of what lessons 8 and 9 say about kafka-go's balancers and consumer
// groups, in the manner of kafkago_test.go: kafka-go (and a broker, where
// one is needed) against an independent computation, nothing of the
// lessons. The partitions other clients choose come from their published
// algorithms (internal/partition).

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/partition"
)

// keys the balancer pins try: the lessons' users, short and long keys,
// bytes that are not text.
var kgKeys = [][]byte{
	[]byte("SKOURI Youssef"), []byte("Ada Lovelace"), []byte("Alan Turing"), []byte("Grace Hopper"),
	[]byte("Linus Torvalds"), []byte("a"), []byte("ab"), []byte("abc"), []byte("abcd"), []byte("abcde"),
	[]byte("order-42"), []byte("a-little-bit-longer-string"), {0xff, 0x00, 0x80, 0x7f, 0x01}, []byte("🍔"),
}

func kgPartitions(n int) []int {
	ps := make([]int, n)
	for i := range ps {
		ps[i] = i
	}
	return ps
}

// The independent implementations agree with their published test vectors:
// Kafka's UtilsTest.testMurmur2, the CRC-32 check value of "123456789" and
// FNV-1a's of "" and "a".
func TestKafkaGo_IndependentHashesMatchTheirVectors(t *testing.T) {
	for key, want := range map[string]int32{
		"21": -973932308, "foobar": -790332482, "a-little-bit-long-string": -985981536,
		"a-little-bit-longer-string": -1486304829, "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	} {
		if got := partition.JavaMurmur2([]byte(key)); got != want {
			t.Errorf("murmur2(%q) = %d, Kafka's UtilsTest says %d", key, got, want)
		}
	}
	if got := partition.CRC32([]byte("123456789")); got != 0xcbf43926 {
		t.Errorf("CRC-32 check value %#x, want 0xcbf43926", got)
	}
	if a, b := partition.FNV1a(nil), partition.FNV1a([]byte("a")); a != 0x811c9dc5 || b != 0xe40c292c {
		t.Errorf("FNV-1a of \"\" and \"a\": %#x %#x, want 0x811c9dc5 0xe40c292c", a, b)
	}
}

// Lesson 8: "kafka.Hash hashes the key (FNV-1a, as the Go client Sarama
// does) and takes it modulo the number of partitions".
func TestKafkaGo_HashIsFNV1aLikeSarama(t *testing.T) {
	for _, n := range []int{3, 5, 12} {
		for _, key := range append(kgKeys, []byte{}) {
			got := (&kafka.Hash{}).Balance(kafka.Message{Key: key}, kgPartitions(n)...)
			if want := partition.SaramaPartition(key, n); got != want {
				t.Errorf("kafka.Hash, key %q, %d partitions: %d; Sarama's hash partitioner: %d", key, n, got, want)
			}
		}
	}
}

// Lesson 8: "kafka.Murmur2Balancer puts a key where the Java client puts
// it: murmur2 of the key, made positive, modulo the partitions".
func TestKafkaGo_Murmur2BalancerIsTheJavaPartitioner(t *testing.T) {
	for _, n := range []int{3, 5, 12} {
		for _, key := range append(kgKeys, []byte{}) {
			got := kafka.Murmur2Balancer{}.Balance(kafka.Message{Key: key}, kgPartitions(n)...)
			if want := partition.JavaPartition(key, n); got != want {
				t.Errorf("kafka.Murmur2Balancer, key %q, %d partitions: %d; the Java client: %d", key, n, got, want)
			}
		}
	}
}

// Lesson 8: "kafka.CRC32Balancer puts it where librdkafka does by default
// (consistent_random: CRC-32 of the key modulo the partitions)".
func TestKafkaGo_CRC32BalancerIsLibrdkafkaConsistent(t *testing.T) {
	for _, n := range []int{3, 5, 12} {
		for _, key := range kgKeys {
			got := kafka.CRC32Balancer{}.Balance(kafka.Message{Key: key}, kgPartitions(n)...)
			if want := partition.LibrdkafkaPartition(key, n); got != want {
				t.Errorf("kafka.CRC32Balancer, key %q, %d partitions: %d; librdkafka: %d", key, n, got, want)
			}
		}
	}
}

// Lesson 8: "Without a key, kafka.Hash goes round-robin, while
// Murmur2Balancer and CRC32Balancer pick a partition at random for each
// record. The empty key: Hash and Murmur2Balancer hash it, so all such
// records land on one partition; CRC32Balancer treats it as no key."
func TestKafkaGo_BalancersWithoutAKey(t *testing.T) {
	ps := kgPartitions(3)
	balance := func(b kafka.Balancer, key []byte, n int) []int {
		var got []int
		for i := 0; i < n; i++ {
			got = append(got, b.Balance(kafka.Message{Key: key}, ps...))
		}
		return got
	}
	distinct := func(xs []int) int {
		seen := map[int]bool{}
		for _, x := range xs {
			seen[x] = true
		}
		return len(seen)
	}
	if got := balance(&kafka.Hash{}, nil, 6); !reflect.DeepEqual(got, []int{0, 1, 2, 0, 1, 2}) {
		t.Errorf("kafka.Hash without a key: %v, want round-robin 0 1 2 0 1 2", got)
	}
	// Random: 60 draws on one partition would be a 3^-59 chance.
	for name, b := range map[string]kafka.Balancer{"Murmur2Balancer": kafka.Murmur2Balancer{}, "CRC32Balancer": kafka.CRC32Balancer{}} {
		if got := balance(b, nil, 60); distinct(got) < 2 {
			t.Errorf("%s without a key: always partition %d, want random", name, got[0])
		}
	}
	if got := balance(kafka.CRC32Balancer{}, []byte{}, 60); distinct(got) < 2 {
		t.Errorf("CRC32Balancer with an empty key: always partition %d, want random (no key)", got[0])
	}
	for name, c := range map[string]struct {
		b    kafka.Balancer
		want int
	}{
		"Hash":            {&kafka.Hash{}, partition.SaramaPartition(nil, 3)},
		"Murmur2Balancer": {kafka.Murmur2Balancer{}, partition.JavaPartition(nil, 3)},
	} {
		got := balance(c.b, []byte{}, 20)
		if distinct(got) != 1 || got[0] != c.want {
			t.Errorf("%s with an empty key: %v, want always %d (the empty key hashed)", name, got, c.want)
		}
	}
}

// Lesson 9: the ConsumerGroup defaults it quotes: heartbeat every 3 s,
// session timeout 30 s (the lesson sets 6 s), rebalance timeout 30 s, join
// back-off 5 s, balancers [Range, RoundRobin], a new group starts at
// FirstOffset.
func TestKafkaGo_ConsumerGroupDefaults(t *testing.T) {
	cfg := kafka.ConsumerGroupConfig{ID: "g", Brokers: []string{"localhost:9"}, Topics: []string{"t"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"HeartbeatInterval", cfg.HeartbeatInterval, 3 * time.Second},
		{"SessionTimeout", cfg.SessionTimeout, 30 * time.Second},
		{"RebalanceTimeout", cfg.RebalanceTimeout, 30 * time.Second},
		{"JoinGroupBackoff", cfg.JoinGroupBackoff, 5 * time.Second},
		{"StartOffset", cfg.StartOffset, kafka.FirstOffset},
		{"GroupBalancers", fmt.Sprint(cfg.GroupBalancers), fmt.Sprint([]kafka.GroupBalancer{kafka.RangeGroupBalancer{}, kafka.RoundRobinGroupBalancer{}})},
	} {
		if c.got != c.want {
			t.Errorf("ConsumerGroupConfig default %s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// Lesson 9: "Range gives each member a contiguous run of partitions;
// RoundRobin deals them out in turn", "Range orders the members by id and
// gives the first ones fewer", "kafka-go applies either to each topic on
// its own". These are the balancers the group's leader runs, called as it
// calls them.
func TestKafkaGo_RangeAndRoundRobinAssignments(t *testing.T) {
	parts := func(topics map[string]int) []kafka.Partition {
		var out []kafka.Partition
		for topic, n := range topics {
			for i := 0; i < n; i++ {
				out = append(out, kafka.Partition{Topic: topic, ID: i})
			}
		}
		return out
	}
	members := func(topics []string, ids ...string) []kafka.GroupMember {
		var out []kafka.GroupMember
		for _, id := range ids {
			out = append(out, kafka.GroupMember{ID: id, Topics: topics})
		}
		return out
	}
	show := func(a kafka.GroupMemberAssignments, topic string) map[string][]int {
		out := map[string][]int{}
		for id, topics := range a {
			ps := append([]int{}, topics[topic]...)
			sort.Ints(ps)
			out[id] = ps
		}
		return out
	}
	one := []string{"t"}
	for _, c := range []struct {
		name     string
		balancer kafka.GroupBalancer
		ids      []string
		want     map[string][]int
	}{
		{"range, 2 members", kafka.RangeGroupBalancer{}, []string{"m-2", "m-1"},
			map[string][]int{"m-1": {0}, "m-2": {1, 2}}},
		{"roundrobin, 2 members", kafka.RoundRobinGroupBalancer{}, []string{"m-2", "m-1"},
			map[string][]int{"m-1": {0, 2}, "m-2": {1}}},
		{"range, 4 members", kafka.RangeGroupBalancer{}, []string{"m-3", "m-1", "m-4", "m-2"},
			map[string][]int{"m-1": {}, "m-2": {0}, "m-3": {1}, "m-4": {2}}},
		{"roundrobin, 4 members", kafka.RoundRobinGroupBalancer{}, []string{"m-3", "m-1", "m-4", "m-2"},
			map[string][]int{"m-1": {0}, "m-2": {1}, "m-3": {2}, "m-4": {}}},
	} {
		got := show(c.balancer.AssignGroups(members(one, c.ids...), parts(map[string]int{"t": 3})), "t")
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s on 3 partitions: %v, want %v", c.name, got, c.want)
		}
	}
	// Two topics of three partitions, two members: each topic on its own,
	// so member m-1 gets the same share of both (unlike the Java client's
	// RoundRobinAssignor, which deals all six out together).
	two := []string{"t1", "t2"}
	a := kafka.RoundRobinGroupBalancer{}.AssignGroups(members(two, "m-1", "m-2"), parts(map[string]int{"t1": 3, "t2": 3}))
	for _, topic := range two {
		if got := show(a, topic); !reflect.DeepEqual(got, map[string][]int{"m-1": {0, 2}, "m-2": {1}}) {
			t.Errorf("roundrobin, two topics, %s: %v, want m-1 [0 2] and m-2 [1]", topic, got)
		}
	}
	if n1, n2 := (kafka.RangeGroupBalancer{}).ProtocolName(), (kafka.RoundRobinGroupBalancer{}).ProtocolName(); n1 != "range" || n2 != "roundrobin" {
		t.Errorf("protocol names %q %q, want range and roundrobin", n1, n2)
	}
}

// Lesson 9: "ConsumerGroup.Close sends LeaveGroup, so the coordinator
// starts a rebalance at once": two members share three partitions; one
// closes, and the other holds all three in a new generation long before
// the session timeout (10 s here) could have expired the one that left.
func TestKafkaGo_ConsumerGroupCloseLeavesTheGroup(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	group := "kafkago-" + uuid.NewString()[:8]
	type member struct {
		cg   *kafka.ConsumerGroup
		mu   sync.Mutex
		gen  *kafka.Generation
		done chan struct{}
	}
	join := func() *member {
		cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
			ID: group, Brokers: addrs, Topics: []string{topic},
			HeartbeatInterval: 250 * time.Millisecond, SessionTimeout: 10 * time.Second,
			RebalanceTimeout: 5 * time.Second, JoinGroupBackoff: 250 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		m := &member{cg: cg, done: make(chan struct{})}
		go func() {
			defer close(m.done)
			for {
				gen, err := cg.Next(context.Background())
				if err == kafka.ErrGroupClosed {
					return
				}
				if err == nil {
					m.mu.Lock()
					m.gen = gen
					m.mu.Unlock()
				}
			}
		}()
		t.Cleanup(func() { cg.Close(); <-m.done })
		return m
	}
	state := func(m *member) (int32, []int) {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.gen == nil {
			return 0, nil
		}
		var ps []int
		for _, a := range m.gen.Assignments[topic] {
			ps = append(ps, a.ID)
		}
		sort.Ints(ps)
		return m.gen.ID, ps
	}
	a, b := join(), join()
	deadline := time.Now().Add(30 * time.Second)
	var gen int32
	for {
		ga, pa := state(a)
		gb, pb := state(b)
		if ga != 0 && ga == gb && len(pa)+len(pb) == 3 && len(pa) > 0 && len(pb) > 0 {
			gen = ga
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the two members never shared the partitions: %d %v, %d %v", ga, pa, gb, pb)
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	a.cg.Close()
	for {
		g, ps := state(b)
		if g > gen && reflect.DeepEqual(ps, []int{0, 1, 2}) {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("5 s after the other member closed, the remaining one has generation %d %v (was %d)", g, ps, gen)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the remaining member held every partition %v after the other closed", time.Since(start).Round(time.Millisecond))
}
