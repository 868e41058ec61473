package lessons_test

// Pins of what lessons 8 and 9 say about kafka-go's balancers and consumer
// groups, in the manner of kafkago_test.go: kafka-go (and a broker, where
// one is needed) against an independent computation, nothing of the
// lessons. The partitions other clients choose come from their published
// algorithms (internal/partition).

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

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

// kgWire counts the requests a kafka-go client sends, read from the bytes
// it writes: a request is a 4-byte size, then its API key and version.
type kgWire struct {
	mu   sync.Mutex
	sent map[[2]int16]int // (API key, version) → requests
}

// Kafka API keys the pins look for.
const (
	kgJoinGroup              = 11
	kgHeartbeat              = 12
	kgConsumerGroupHeartbeat = 68
)

// dialer is a Dialer whose connections report to w.
func (w *kgWire) dialer() *kafka.Dialer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &kafka.Dialer{Timeout: 5 * time.Second, DialFunc: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &kgWireConn{Conn: c, w: w}, nil
	}}
}

// count returns how many requests of an API went out, and their versions.
func (w *kgWire) count(key int16) (n int, versions []int16) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for kv, c := range w.sent {
		if kv[0] == key {
			n += c
			versions = append(versions, kv[1])
		}
	}
	return n, versions
}

type kgWireConn struct {
	net.Conn
	w   *kgWire
	buf []byte // the part of a request written so far
}

func (c *kgWireConn) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	for len(c.buf) >= 8 {
		size := int(binary.BigEndian.Uint32(c.buf))
		if len(c.buf) < 4+size {
			break
		}
		key, version := int16(binary.BigEndian.Uint16(c.buf[4:])), int16(binary.BigEndian.Uint16(c.buf[6:]))
		c.w.mu.Lock()
		if c.w.sent == nil {
			c.w.sent = map[[2]int16]int{}
		}
		c.w.sent[[2]int16{key, version}]++
		c.w.mu.Unlock()
		c.buf = c.buf[4+size:]
	}
	return c.Conn.Write(p)
}

// kgGroup describes a group with kafka-go's DescribeGroups, which must
// answer without error.
func kgGroup(t *testing.T, addrs []string, group string) kafka.DescribeGroupsResponseGroup {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.DescribeGroups(kgCtx(t, 10*time.Second), &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil || len(resp.Groups) != 1 || resp.Groups[0].Error != nil {
		t.Fatalf("describe group %s: %v %+v", group, err, resp)
	}
	return resp.Groups[0]
}

// kgHolds returns each member's partitions of topic, by member id.
func kgHolds(g kafka.DescribeGroupsResponseGroup, topic string) map[string][]int {
	out := map[string][]int{}
	for _, m := range g.Members {
		ps := []int{}
		for _, tp := range m.MemberAssignments.Topics {
			if tp.Topic == topic {
				ps = append(ps, tp.Partitions...)
			}
		}
		sort.Ints(ps)
		out[m.MemberID] = ps
	}
	return out
}

// Lesson 9: "kafka-go heartbeats on its own goroutine and has no
// max.poll.interval.ms: a member whose handler hangs keeps its partitions".
// A Reader fetches one record and is never called again. It goes on
// heartbeating (counted on the wire) past its 6 s session timeout and
// still holds every partition; when a second member joins, it rejoins by
// itself within its 2 s RebalanceTimeout (the field Java fills from
// max.poll.interval.ms) and keeps a share. Java's consumer would have left
// the group after max.poll.interval.ms without poll().
func TestKafkaGo_HungReaderKeepsItsPartitions(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	for p := 0; p < 3; p++ {
		kgProduce(t, addrs, topic, p, "order")
	}
	group := "kafkago-" + uuid.NewString()[:8]
	wire := &kgWire{}
	cfg := kafka.ReaderConfig{
		Brokers: addrs, Topic: topic, GroupID: group, MaxWait: 250 * time.Millisecond,
		HeartbeatInterval: 250 * time.Millisecond, SessionTimeout: 6 * time.Second,
		RebalanceTimeout: 2 * time.Second, JoinGroupBackoff: 250 * time.Millisecond,
	}
	hung := cfg
	hung.Dialer = wire.dialer()
	r := kafka.NewReader(hung)
	defer r.Close()
	if _, err := r.FetchMessage(kgCtx(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	// The handler hangs: no FetchMessage, no commit, for longer than the
	// session timeout.
	before, _ := wire.count(kgHeartbeat)
	hang := 7 * time.Second
	time.Sleep(hang)
	after, _ := wire.count(kgHeartbeat)
	if beats := after - before; beats < int(hang/cfg.HeartbeatInterval)/2 {
		t.Errorf("%d heartbeats in %v, want about one every %v", beats, hang, cfg.HeartbeatInterval)
	}
	g := kgGroup(t, addrs, group)
	holds := kgHolds(g, topic)
	if g.GroupState != "Stable" || len(holds) != 1 {
		t.Fatalf("after a %v hang: state %s, members %v; want Stable, the hung member alone", hang, g.GroupState, holds)
	}
	var hungID string
	for id, ps := range holds {
		hungID = id
		if !reflect.DeepEqual(ps, []int{0, 1, 2}) {
			t.Errorf("after a %v hang the member holds %v, want [0 1 2]", hang, ps)
		}
	}
	// A second member joins: a rebalance, which the hung member's own
	// goroutines answer.
	other := kafka.NewReader(cfg)
	defer other.Close()
	go other.FetchMessage(kgCtx(t, 30*time.Second)) //nolint:errcheck // only joins
	deadline := time.Now().Add(20 * time.Second)
	for {
		g = kgGroup(t, addrs, group)
		holds = kgHolds(g, topic)
		if g.GroupState == "Stable" && len(holds) == 2 && len(holds[hungID]) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a second member joined: state %s, members %v; want the hung member %s still sharing", g.GroupState, holds, hungID)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Lesson 9: "kafka-go has no static membership and speaks only the classic
// protocol: ConsumerGroupConfig and ReaderConfig have no instance id, and
// the JoinGroup it sends (v1 or v2) has no field for one (v5 added it)".
// The broker agrees: the member it describes has no instance id, and the
// group's type is classic.
func TestKafkaGo_GroupJoinIsClassicWithoutInstanceID(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeOf(kafka.ReaderConfig{}), reflect.TypeOf(kafka.ConsumerGroupConfig{})} {
		for i := 0; i < typ.NumField(); i++ {
			if name := typ.Field(i).Name; strings.Contains(name, "Instance") || strings.Contains(name, "GroupProtocol") {
				t.Errorf("%s has a field %s: static membership or another group protocol may have arrived", typ.Name(), name)
			}
		}
	}
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "order")
	group := "kafkago-" + uuid.NewString()[:8]
	wire := &kgWire{}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, Dialer: wire.dialer(), MaxWait: 250 * time.Millisecond})
	defer r.Close()
	if _, err := r.FetchMessage(kgCtx(t, 30*time.Second)); err != nil {
		t.Fatal(err)
	}
	joins, versions := wire.count(kgJoinGroup)
	if joins == 0 {
		t.Fatal("no JoinGroup on the wire")
	}
	for _, v := range versions {
		if v >= 5 {
			t.Errorf("JoinGroup v%d: from v5 on it can carry a group.instance.id", v)
		}
	}
	if n, _ := wire.count(kgConsumerGroupHeartbeat); n != 0 {
		t.Errorf("%d ConsumerGroupHeartbeat requests: kafka-go speaks KIP-848 now", n)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	describe := kmsg.NewPtrDescribeGroupsRequest()
	describe.Groups = []string{group}
	dr, err := describe.RequestWith(kgCtx(t, 10*time.Second), cl)
	if err != nil || len(dr.Groups) != 1 || len(dr.Groups[0].Members) != 1 {
		t.Fatalf("describe group %s: %v %+v", group, err, dr)
	}
	if id := dr.Groups[0].Members[0].InstanceID; id != nil {
		t.Errorf("the broker lists the kafka-go member with instance id %q, want none", *id)
	}
	list := kmsg.NewPtrListGroupsRequest()
	lr, err := list.RequestWith(kgCtx(t, 10*time.Second), cl)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range lr.Groups {
		if g.Group == group {
			found = true
			if lr.Version >= 5 && g.GroupType != "classic" {
				t.Errorf("ListGroups v%d: group type %q, want classic", lr.Version, g.GroupType)
			}
		}
	}
	if !found {
		t.Errorf("ListGroups does not list %s", group)
	}
}

// Lesson 6: "once a kafka-go group is empty, its offsets expire after
// offsets.retention.minutes; a group that lost them starts at StartOffset,
// FirstOffset by default: it reads the topic again". Real brokers count
// that retention in minutes and cannot change it while they run, so this
// runs on the emulation, which applies KIP-211's rule and takes a retention
// in milliseconds: the member commits everything and leaves, the offsets
// go, and the next Reader of the group replays from offset 0. (The
// emulation may expire them even before the member leaves: it cannot read
// the subscription kafka-go sends. What is kafka-go's is the replay.)
func TestKafkaGo_ExpiredOffsetsReplayFromFirstOffset(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.BrokerConfigs(map[string]string{
		"offset.retention.ms": "300", "offsets.retention.check.interval.ms": "50",
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addrs := c.ListenAddrs()
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "a", "b", "c")
	group := "kafkago-" + uuid.NewString()[:8]
	cfg := kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, MaxWait: 250 * time.Millisecond}
	r := kafka.NewReader(cfg)
	for i := 0; i < 3; i++ {
		m, err := r.FetchMessage(kgCtx(t, 30*time.Second))
		if err == nil {
			err = r.CommitMessages(kgCtx(t, 10*time.Second), m)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	// Expired: no offset for the partition, or no group left at all (the
	// broker deletes an empty group whose offsets are gone).
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.OffsetFetch(kgCtx(t, 10*time.Second), &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: {0}}})
		if err == nil && resp.Error == nil && len(resp.Topics[topic]) == 1 && resp.Topics[topic][0].CommittedOffset == 3 {
			if time.Now().After(deadline) {
				t.Fatal("the empty group's offsets never expired")
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		t.Logf("offsets gone: %v %+v", err, resp)
		break
	}
	again := kafka.NewReader(cfg)
	defer again.Close()
	if m := kgRead(t, again, 30*time.Second); m.Offset != 0 {
		t.Errorf("after its offsets expired the group starts at %s, want offset 0 (FirstOffset)", kgDescribe(m))
	}
}

// Lesson 9: "franz-go speaks KIP-848 when asked: ServerSideBalancer with a
// range balancer first, on a broker that offers ConsumerGroupHeartbeat v1;
// otherwise it quietly stays classic". The same client on the emulation,
// then on the emulation capped to heartbeat v0 (as Kafka 3.7 to 3.9 offer
// it), and the type of group the broker reports.
func TestFranzGo_ServerSideBalancerNeedsConsumerGroupHeartbeatV1(t *testing.T) {
	capped := kversion.Stable()
	capped.SetMaxKeyVersion(kgConsumerGroupHeartbeat, 0)
	for _, c := range []struct {
		name string
		opts []kfake.Opt
		want string
	}{
		{"heartbeat v1", nil, "consumer"},
		{"heartbeat v0 only", []kfake.Opt{kfake.MaxVersions(capped)}, "classic"},
	} {
		cluster, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(3, "orders")}, c.opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		addrs := cluster.ListenAddrs()
		cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumerGroup("kitchen"), kgo.ConsumeTopics("orders"),
			kgo.Balancers(kgo.RangeBalancer()), kgo.ServerSideBalancer(), kgo.DisableAutoCommit())
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(kgCtx(t, 10*time.Second), &kgo.Record{Topic: "orders", Value: []byte("order")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if fs := cl.PollFetches(kgCtx(t, 20*time.Second)); fs.NumRecords() == 0 {
			t.Fatalf("%s: nothing read: %v", c.name, fs.Errors())
		}
		lr, err := kmsg.NewPtrListGroupsRequest().RequestWith(kgCtx(t, 10*time.Second), cl)
		if err != nil || len(lr.Groups) != 1 {
			t.Fatalf("%s: list groups: %v %+v", c.name, err, lr)
		}
		if got := lr.Groups[0].GroupType; got != c.want {
			t.Errorf("%s: the broker reports a %q group, want %q", c.name, got, c.want)
		}
		cl.Close()
		cluster.Close()
	}
}
