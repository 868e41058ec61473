package watch_test

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/watch"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// poller polls a cluster until a snapshot is what a test waits for, and
// keeps the changes it saw on the way.
type poller struct {
	t       *testing.T
	w       *watch.Watcher
	last    *watch.Snapshot
	changes []string
}

func newPoller(t *testing.T, opt watch.Options) *poller {
	t.Helper()
	w, err := watch.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return &poller{t: t, w: w}
}

func (p *poller) poll() *watch.Snapshot {
	s := p.w.Poll(context.Background())
	for _, c := range watch.Diff(p.last, s) {
		p.changes = append(p.changes, c.Text)
	}
	p.last = s
	return s
}

// until polls until ok says yes, for at most 30 s.
func (p *poller) until(what string, ok func(*watch.Snapshot) bool) *watch.Snapshot {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := p.poll()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited 30 s for %s; last snapshot:\n%s", what, watch.Render(s, nil, watch.Screen{Width: 200}))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// saw says some change so far contains want.
func (p *poller) saw(want string) bool {
	return slices.ContainsFunc(p.changes, func(c string) bool { return strings.Contains(c, want) })
}

func groupReader(env *lessons.Env, group string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers: env.Brokers, Dialer: env.Dialer, GroupID: group, Topic: env.Topic,
		StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond,
		HeartbeatInterval: 500 * time.Millisecond, SessionTimeout: 6 * time.Second,
		RebalanceTimeout: 5 * time.Second,
	})
}

func write(t *testing.T, ctx context.Context, env *lessons.Env, keys ...string) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Topic: env.Topic, Transport: env.Transport,
		Balancer: &kafka.Hash{}, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	var msgs []kafka.Message
	for _, k := range keys {
		msgs = append(msgs, kafka.Message{Key: []byte(k), Value: []byte(`{"order_id":1}`)})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

func keys(n int) []string {
	var ks []string
	for i := range n {
		ks = append(ks, fmt.Sprintf("user-%d", i*i)) // uneven over the partitions
	}
	return ks
}

// The snapshot says what the admin API says, asked independently: each
// partition's offsets, leader, replicas and ISR; the group's state, members,
// the partitions each holds, its committed offsets and its lag. And the
// changes say what happened: records, a rebalance.
func TestSnapshotAgreesWithTheAdminAPI(t *testing.T) {
	env, _ := testkit.Env(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := lessons.EnsureTopic(ctx, env, env.OrdersTopic()); err != nil {
		t.Fatal(err)
	}
	write(t, ctx, env, keys(30)...)
	group := env.Name("order_tracker")
	r1 := groupReader(env, group)
	defer r1.Close()
	for range 10 {
		m, err := r1.FetchMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := r1.CommitMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	p := newPoller(t, watch.Options{Brokers: env.Brokers, Prefix: env.Prefix, Transport: env.Transport})
	s := p.until("the group stable, one member, 10 records committed", func(s *watch.Snapshot) bool {
		g, ok := s.Group(group)
		return ok && g.State == "Stable" && len(g.Members) == 1 && committed(g) == 10
	})
	if !s.Reachable || len(s.Problems) > 0 {
		t.Errorf("reachable %v, problems %v", s.Reachable, s.Problems)
	}
	agrees(t, ctx, env, s, group, 1)

	// A second member: the group rebalances and splits the partitions.
	r2 := groupReader(env, group)
	defer r2.Close()
	go r2.FetchMessage(ctx) // joins the group
	s = p.until("the group stable with two members", func(s *watch.Snapshot) bool {
		g, ok := s.Group(group)
		return ok && g.State == "Stable" && len(g.Members) == 2 && len(g.Members[0].Assigned) > 0 && len(g.Members[1].Assigned) > 0
	})
	if !p.saw("group " + group + ": rebalanced, 2 members") {
		t.Errorf("no rebalance in the changes: %q", p.changes)
	}
	agrees(t, ctx, env, s, group, 2)

	// More records: the offsets climb, and the changes say by how much.
	before, _ := s.Topic(env.Topic)
	write(t, ctx, env, "ada", "ada", "ada")
	s = p.until("three more records", func(s *watch.Snapshot) bool {
		after, _ := s.Topic(env.Topic)
		return after.Records() == before.Records()+3
	})
	if !p.saw(": +3 records") {
		t.Errorf("no +3 records in the changes: %q", p.changes)
	}
	agrees(t, ctx, env, s, group, 2)
}

func committed(g watch.Group) int64 {
	var n int64
	for _, o := range g.Offsets {
		n += max(0, o.Committed)
	}
	return n
}

// agrees compares a snapshot with what the admin API says now.
func agrees(t *testing.T, ctx context.Context, env *lessons.Env, s *watch.Snapshot, group string, members int) {
	t.Helper()
	topic, ok := s.Topic(env.Topic)
	if !ok {
		t.Fatalf("no topic %s in the snapshot", env.Topic)
	}
	meta, err := lessons.DescribeTopic(ctx, env, env.Topic)
	if err != nil {
		t.Fatal(err)
	}
	marks, err := lessons.ReadWatermarks(ctx, env, env.Topic)
	if err != nil {
		t.Fatal(err)
	}
	if len(topic.Partitions) != len(meta.Partitions) || len(marks) != len(meta.Partitions) {
		t.Fatalf("%d partitions in the snapshot, %d in the metadata, %d with watermarks", len(topic.Partitions), len(meta.Partitions), len(marks))
	}
	ends := map[int]int64{}
	for i, p := range topic.Partitions {
		m, w := meta.Partitions[i], marks[i]
		ends[w.Partition] = w.Last
		if int(p.ID) != m.ID || p.First != w.First || p.End != w.Last || p.Stale {
			t.Errorf("partition %d: offsets %d→%d (stale %v), the admin API says %d: %d→%d", p.ID, p.First, p.End, p.Stale, m.ID, w.First, w.Last)
		}
		if int(p.Leader) != m.Leader.ID || !sameIDs(p.Replicas, m.Replicas) || !sameIDs(p.ISR, m.Isr) {
			t.Errorf("partition %d: leader %d replicas %v ISR %v, the admin API says leader %d replicas %v ISR %v",
				p.ID, p.Leader, p.Replicas, p.ISR, m.Leader.ID, ids(m.Replicas), ids(m.Isr))
		}
	}

	g, ok := s.Group(group)
	if !ok {
		t.Fatalf("no group %s in the snapshot", group)
	}
	client := env.Client()
	dg, err := client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil {
		t.Fatal(err)
	}
	d := dg.Groups[0]
	if g.State != d.GroupState || len(g.Members) != len(d.Members) || len(g.Members) != members {
		t.Errorf("group %s: %s with %d members, the admin API says %s with %d, want %d", group, g.State, len(g.Members), d.GroupState, len(d.Members), members)
	}
	held := map[int]string{} // partition → member id, as the coordinator says
	for _, m := range d.Members {
		for _, a := range m.MemberAssignments.Topics {
			for _, p := range a.Partitions {
				held[p] = m.MemberID
			}
		}
	}
	if len(held) != len(topic.Partitions) {
		t.Errorf("the members hold %d partitions, the topic has %d", len(held), len(topic.Partitions))
	}
	for _, m := range g.Members {
		for _, a := range m.Assigned {
			for _, p := range a.Partitions {
				if held[p] != m.ID {
					t.Errorf("the snapshot has %s [%d] held by %s, the coordinator says %s", a.Topic, p, m.ID, held[p])
				}
			}
		}
	}
	of, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{env.Topic: {0, 1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	var lag int64
	for _, p := range of.Topics[env.Topic] {
		o, ok := g.Offset(env.Topic, p.Partition)
		switch {
		case p.CommittedOffset < 0 && (ok && o.Committed >= 0):
			t.Errorf("[%d]: committed %d in the snapshot, nothing says the admin API", p.Partition, o.Committed)
		case p.CommittedOffset >= 0 && (!ok || o.Committed != p.CommittedOffset):
			t.Errorf("[%d]: committed %d in the snapshot (%v), the admin API says %d", p.Partition, o.Committed, ok, p.CommittedOffset)
		case p.CommittedOffset >= 0:
			want := ends[p.Partition] - p.CommittedOffset
			lag += want
			if o.Lag != want || o.End != ends[p.Partition] {
				t.Errorf("[%d]: lag %d (end %d), want %d (end %d)", p.Partition, o.Lag, o.End, want, ends[p.Partition])
			}
		}
		if ok {
			var holder string
			for _, m := range g.Members {
				if m.ID == held[p.Partition] {
					holder = m.Name()
				}
			}
			if o.Holder != holder {
				t.Errorf("[%d]: held by %q in the snapshot, %q says the coordinator", p.Partition, o.Holder, holder)
			}
		}
	}
	if g.Lag() != lag {
		t.Errorf("total lag %d, want %d", g.Lag(), lag)
	}
}

func ids(bs []kafka.Broker) []int32 {
	var out []int32
	for _, b := range bs {
		out = append(out, int32(b.ID))
	}
	return out
}

func sameIDs(a []int32, b []kafka.Broker) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(ids(b))))
}

// A broker of three leaves the cluster and comes back: the watch shows it
// gone, then up, and goes on meanwhile.
func TestBrokerGoesAwayAndComesBack(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(3, "w-orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addrs := c.ListenAddrs()
	p := newPoller(t, watch.Options{Brokers: addrs[:1], Prefix: "w-", Timeout: time.Second})
	s := p.until("three brokers up", func(s *watch.Snapshot) bool { return up(s) == 3 })
	if _, ok := s.Topic("w-orders"); !ok {
		t.Fatalf("no topic w-orders")
	}
	gone, _ := s.Broker(2)
	if err := c.RemoveNode(2); err != nil {
		t.Fatal(err)
	}
	s = p.until("broker 2 gone", func(s *watch.Snapshot) bool { b, _ := s.Broker(2); return !b.Up })
	if b, _ := s.Broker(2); b.LastUp.IsZero() || b.Addr != gone.Addr || up(s) != 2 {
		t.Errorf("broker 2 gone: %+v; %d up", b, up(s))
	}
	if !p.saw("broker 2 (" + gone.Addr + "): gone") {
		t.Errorf("no broker 2 gone in the changes: %q", p.changes)
	}
	out := watch.Render(s, nil, watch.Screen{Width: 120})
	if !strings.Contains(out, "✖ 2  "+gone.Addr+"  gone") {
		t.Errorf("broker 2 not drawn gone:\n%s", out)
	}
	_, port, _ := net.SplitHostPort(gone.Addr)
	n, _ := strconv.Atoi(port)
	if _, _, err := c.AddNode(2, n); err != nil {
		t.Fatal(err)
	}
	p.until("broker 2 back", func(s *watch.Snapshot) bool { return up(s) == 3 })
	if !p.saw("broker 2 (" + gone.Addr + "): back") {
		t.Errorf("no broker 2 back in the changes: %q", p.changes)
	}
}

func up(s *watch.Snapshot) int {
	n := 0
	for _, b := range s.Brokers {
		if b.Up {
			n++
		}
	}
	return n
}

// The only broker stops: the snapshot says no broker answers, within the
// time bound, shows what it saw last as stale, and the watch goes on; when
// a broker answers on that address again, it is back.
func TestClusterGoesAwayAndComesBack(t *testing.T) {
	b, err := broker.StartEmbedded(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	env := lessons.NewEnv(b.Addrs, lessons.Cluster{Brokers: 1, Embedded: true}, "w-", testkit.NewRecorder())
	defer env.Close()
	ctx := context.Background()
	if err := lessons.EnsureTopic(ctx, env, env.OrdersTopic()); err != nil {
		t.Fatal(err)
	}
	write(t, ctx, env, keys(5)...)
	p := newPoller(t, watch.Options{Brokers: b.Addrs, Prefix: "w-", Timeout: time.Second})
	s := p.until("five records", func(s *watch.Snapshot) bool { t, ok := s.Topic("w-orders"); return ok && t.Records() == 5 })
	if !s.Embedded {
		t.Errorf("the embedded broker is not said to be embedded")
	}
	b.Close()
	start := time.Now()
	s = p.poll()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a poll of a cluster gone took %v", took)
	}
	if s.Reachable || s.Err == "" || up(s) != 0 {
		t.Errorf("reachable %v, err %q, %d up", s.Reachable, s.Err, up(s))
	}
	if topic, ok := s.Topic("w-orders"); !ok || topic.Records() != 5 || !topic.Partitions[0].Stale {
		t.Errorf("the topic as last seen, stale: %+v", topic)
	}
	if !p.saw("cluster: no broker answers") || !p.saw("broker 0 ("+b.Addrs[0]+"): gone") {
		t.Errorf("changes: %q", p.changes)
	}
	out := watch.Render(s, nil, watch.Screen{Width: 120})
	for _, want := range []string{"✖ no broker answers", "gone", "(as last seen)"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	s = p.poll() // and again: still no crash, still gone
	if s.Reachable {
		t.Errorf("reachable again?")
	}

	_, port, _ := net.SplitHostPort(b.Addrs[0])
	n, _ := strconv.Atoi(port)
	b2, err := broker.StartEmbedded(1, n)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if b2.Addrs[0] != b.Addrs[0] {
		t.Skipf("port %d was taken meanwhile", n)
	}
	p.until("back", func(s *watch.Snapshot) bool { return s.Reachable && up(s) == 1 })
	if !p.saw("cluster: answers again") || !p.saw("broker 0 ("+b.Addrs[0]+"): back") {
		t.Errorf("changes: %q", p.changes)
	}
}

// A cluster that wants SASL: the watch authenticates with the env's
// mechanism on its own connections as on kafka-go's, and says so when the
// password is wrong.
func TestSASL(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(),
		kfake.Superuser("PLAIN", "teacher", "s3cret"),
		kfake.SeedTopics(2, "w-orders"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// PLAIN only: SCRAM's package would be a new module in go.mod, for a
	// test. The exchange is the same loop.
	for _, mech := range []sasl.Mechanism{plain.Mechanism{Username: "teacher", Password: "s3cret"}} {
		p := newPoller(t, watch.Options{Brokers: c.ListenAddrs(), Prefix: "w-", Transport: &kafka.Transport{SASL: mech}})
		s := p.poll()
		if topic, ok := s.Topic("w-orders"); !s.Reachable || len(s.Problems) > 0 || !ok || topic.Partitions[1].End != 0 {
			t.Errorf("%s: reachable %v (%s), problems %q, topic %+v", mech.Name(), s.Reachable, s.Err, s.Problems, topic)
		}
	}
	p := newPoller(t, watch.Options{Brokers: c.ListenAddrs(), Prefix: "w-", Transport: &kafka.Transport{SASL: plain.Mechanism{Username: "teacher", Password: "wrong"}}})
	if s := p.poll(); s.Reachable || !strings.Contains(s.Err, "SASL PLAIN") {
		t.Errorf("a wrong password: reachable %v, %q", s.Reachable, s.Err)
	}
}

// On three brokers (the embedded emulation, or the native cluster in CI),
// the broker that leads a partition stops and starts again: the watch shows
// it gone and back, and each time the leader and ISR it draws are those the
// admin API gives.
func TestWatchStopsABroker(t *testing.T) {
	env, _ := testkit.ClusterEnv(t, 3)
	if env.Cluster.Brokers < 3 {
		t.Skipf("needs three brokers, this cluster has %d", env.Cluster.Brokers)
	}
	testkit.StopsBrokers(t, env.Cluster)
	ctx := context.Background()
	topic := env.Name("watched")
	if err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: 3, ReplicationFactor: 3}); err != nil {
		t.Fatal(err)
	}
	p := newPoller(t, watch.Options{Brokers: env.Brokers, Prefix: env.Prefix, Timeout: 2 * time.Second})
	agrees := func(s *watch.Snapshot) bool {
		admin, err := lessons.ReadReplicas(ctx, env, topic)
		wt, ok := s.Topic(topic)
		if err != nil || !ok || len(wt.Partitions) != len(admin) {
			return false
		}
		for i, a := range admin {
			w := wt.Partitions[i]
			if int(w.Leader) != a.Leader || !slices.Equal(toInts(sorted32(w.ISR)), a.ISR) {
				return false
			}
		}
		return true
	}
	before := p.until("the topic led and in sync", func(s *watch.Snapshot) bool {
		wt, ok := s.Topic(topic)
		return ok && len(wt.Partitions) == 3 && len(wt.Partitions[0].ISR) == 3 && agrees(s)
	})
	wt, _ := before.Topic(topic)
	leader := int(wt.Partitions[0].Leader)
	if err := env.Nodes.Stop(ctx, leader); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Nodes.Start(context.Background(), leader) })
	p.until(fmt.Sprintf("broker %d gone and partition 0 led by another, as the admin API says", leader), func(s *watch.Snapshot) bool {
		b, _ := s.Broker(int32(leader))
		wt, ok := s.Topic(topic)
		return !b.Up && ok && int(wt.Partitions[0].Leader) != leader && agrees(s)
	})
	if err := env.Nodes.Start(ctx, leader); err != nil {
		t.Fatal(err)
	}
	p.until(fmt.Sprintf("broker %d back and every ISR whole, as the admin API says", leader), func(s *watch.Snapshot) bool {
		b, _ := s.Broker(int32(leader))
		wt, ok := s.Topic(topic)
		if !b.Up || !ok {
			return false
		}
		for _, pt := range wt.Partitions {
			if len(pt.ISR) != 3 {
				return false
			}
		}
		return agrees(s)
	})
	if !p.saw(fmt.Sprintf("broker %d", leader)) {
		t.Errorf("the changes never named broker %d: %q", leader, p.changes)
	}
}

func sorted32(ids []int32) []int32 { return slices.Sorted(slices.Values(ids)) }

func toInts(ids []int32) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out
}
