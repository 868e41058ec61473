package lessons_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// partitionsOf is a value a step reported as a list of partitions.
func partitionsOf(t *testing.T, v any) []int32 {
	t.Helper()
	p, ok := v.([]int32)
	if !ok {
		t.Fatalf("%v (%T) is not a list of partitions", v, v)
	}
	return p
}

// union is the partitions the values under label listed, sorted.
func union(t *testing.T, rec *testkit.Recorder, label string) []int32 {
	t.Helper()
	var all []int32
	for _, v := range rec.Values(label) {
		all = append(all, partitionsOf(t, v)...)
	}
	slices.Sort(all)
	return all
}

// holds is what a member held at the end of a step.
func holds(t *testing.T, rec *testkit.Recorder, member string) []int32 {
	t.Helper()
	vs := rec.Values(member + " · holds")
	if len(vs) == 0 {
		t.Fatalf("no holdings reported for %s", member)
	}
	return partitionsOf(t, vs[len(vs)-1])
}

// Lesson 17 on the test broker. Step 1's twelve orders land two on each of
// six partitions. Two cooperative members end with three partitions each;
// the third member's join revokes two partitions, one from each, and
// member-3 is assigned exactly those two, while the others keep the rest.
// The eager group revokes all six partitions at each join. When member-2
// leaves, only its own partitions are revoked, the others are assigned
// them, every order is handled once, and the broker holds member-2's
// commits, made on revoke: the end of its partitions when it left.
func TestLesson17Rebalancing(t *testing.T) {
	env, _ := testkit.Env(t)
	recs := playEach(t, env, numbered(t, 17))

	// Step 1: two orders on each partition.
	perPartition := map[int]int{}
	for _, d := range recs[0].Records(Delivered) {
		perPartition[d.Partition]++
	}
	for p := 0; p < 6; p++ {
		if perPartition[p] != 2 {
			t.Errorf("step 1 delivered %v per partition, want 2 on each of 0-5", perPartition)
			break
		}
	}

	// Step 2: three partitions each, every order handled.
	two := recs[1]
	m1, m2 := holds(t, two, "member-1"), holds(t, two, "member-2")
	if len(m1) != 3 || len(m2) != 3 || !slices.Equal(slices.Sorted(slices.Values(append(slices.Clone(m1), m2...))), []int32{0, 1, 2, 3, 4, 5}) {
		t.Errorf("two members hold %v and %v, want three partitions each, all six", m1, m2)
	}
	if got := two.Values("partitions revoked"); len(got) != 1 || got[0] != 3 {
		t.Errorf("step 2 revoked %v partitions, want 3: the first member gives three up when the second joins", got)
	}
	if got := two.Values("orders handled"); len(got) != 1 || got[0] != 12 {
		t.Errorf("step 2 handled %v orders, want 12", got)
	}
	group := two.Values("group")
	if len(group) != 1 {
		t.Fatalf("step 2 named its group %v times, want once", len(group))
	}

	// Step 3: one partition from each, both to member-3.
	three := recs[2]
	r1, r2 := union(t, three, "member-1 · revoked"), union(t, three, "member-2 · revoked")
	if len(r1) != 1 || len(r2) != 1 {
		t.Errorf("member-3's join revoked %v from member-1 and %v from member-2, want one partition each", r1, r2)
	}
	moved := slices.Sorted(slices.Values(append(slices.Clone(r1), r2...)))
	if got := union(t, three, "member-3 · assigned"); !slices.Equal(got, moved) {
		t.Errorf("member-3 was assigned %v, want the partitions revoked: %v", got, moved)
	}
	if len(three.Values("member-1 · assigned")) != 0 || len(three.Values("member-2 · assigned")) != 0 {
		t.Errorf("member-1 or member-2 was assigned something in step 3: %v, %v", three.Values("member-1 · assigned"), three.Values("member-2 · assigned"))
	}
	if got := three.Values("partitions revoked"); len(got) != 1 || got[0] != 2 {
		t.Errorf("step 3 revoked %v partitions, want 2", got)
	}
	// Two rounds, revoke then assign; three when the owners rejoin apart.
	if got := three.Values("rebalance rounds (generations)"); len(got) != 1 || (got[0] != int32(2) && got[0] != int32(3)) {
		t.Errorf("member-3's join took %v rebalance rounds, want 2 (revoke, then assign) or 3", got)
	}
	for member, before := range map[string][]int32{"member-1": m1, "member-2": m2} {
		now := holds(t, three, member)
		if len(now) != 2 || !isSubset(now, before) {
			t.Errorf("%s holds %v after member-3 joined; before, %v: want two of those, kept", member, now, before)
		}
	}
	m2now := holds(t, three, "member-2")

	// Step 4: eager, every join revokes everything held.
	eager := recs[3]
	if got := eager.Values("partitions revoked"); len(got) != 3 || got[0] != 0 || got[1] != 6 || got[2] != 6 {
		t.Errorf("the eager group's three joins revoked %v partitions, want 0, 6, 6", got)
	}
	for _, member := range []string{"member-1", "member-2", "member-3"} {
		if n := len(holds(t, eager, member)); n != 2 {
			t.Errorf("eager %s holds %d partitions at the end, want 2", member, n)
		}
	}

	// Step 5: member-2 leaves; only its partitions move, and none twice.
	five := recs[4]
	if got := union(t, five, "member-2 · revoked"); !slices.Equal(got, m2now) {
		t.Errorf("member-2 revoked %v as it left, want all it held: %v", got, m2now)
	}
	if r := append(five.Values("member-1 · revoked"), five.Values("member-3 · revoked")...); len(r) != 0 {
		t.Errorf("member-1 or member-3 revoked %v as member-2 left, want nothing", r)
	}
	gained := slices.Sorted(slices.Values(append(union(t, five, "member-1 · assigned"), union(t, five, "member-3 · assigned")...)))
	if !slices.Equal(gained, m2now) {
		t.Errorf("member-1 and member-3 were assigned %v, want member-2's %v", gained, m2now)
	}
	if got := five.Values("rebalance rounds (generations)"); len(got) != 1 || got[0] != int32(1) {
		t.Errorf("member-2's leave took %v rebalance rounds, want 1: nothing to revoke", got)
	}
	if got := five.Values("orders handled"); len(got) != 1 || got[0] != 36 {
		t.Errorf("step 5: %v orders handled, want 36", got)
	}
	if got := five.Values("orders handled twice"); len(got) != 1 || got[0] != 0 {
		t.Errorf("step 5: %v orders handled twice, want 0", got)
	}
	// The broker's side of the commit on revoke: member-2 had handled the
	// first 24 orders, four on each partition, when it left.
	for _, p := range m2now {
		label := fmt.Sprintf("partition %d · committed as member-2 left", p)
		if got := five.Values(label); len(got) != 1 || got[0] != int64(4) {
			t.Errorf("%s: %v, want 4, the end of the partition as member-2 left", label, got)
		}
	}
}

func isSubset(small, big []int32) bool {
	for _, p := range small {
		if !slices.Contains(big, p) {
			return false
		}
	}
	return true
}

// Lesson 17: "the cooperative-sticky balancer (franz-go's default)", "a
// sticky balancer … but eager" and "heartbeat every 250 ms (3 s by
// default)".
func TestFranz_DefaultBalancerIsCooperativeSticky(t *testing.T) {
	cl, err := kgo.NewClient(kgo.SeedBrokers("localhost:9"), kgo.ConsumerGroup("g"), kgo.ConsumeTopics("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	balancers := cl.OptValues(kgo.Balancers)
	if len(balancers) != 1 {
		t.Fatalf("default balancers: %v", balancers)
	}
	list, ok := balancers[0].([]kgo.GroupBalancer)
	if !ok || len(list) != 1 || list[0].ProtocolName() != "cooperative-sticky" || !list[0].IsCooperative() {
		t.Errorf("franz-go's default balancers: %v, want cooperative-sticky alone", balancers[0])
	}
	if hb := cl.OptValue(kgo.HeartbeatInterval); hb != 3*time.Second {
		t.Errorf("franz-go's default heartbeat interval: %v, want 3s", hb)
	}
	if rt := cl.OptValue(kgo.RebalanceTimeout); rt != 60*time.Second {
		t.Errorf("franz-go's default rebalance timeout: %v, want 60s", rt)
	}
}

func TestFranz_StickyBalancerIsEager(t *testing.T) {
	if kgo.StickyBalancer().IsCooperative() {
		t.Error("kgo.StickyBalancer is cooperative; lesson 17 says it is eager")
	}
	if !kgo.CooperativeStickyBalancer().IsCooperative() {
		t.Error("kgo.CooperativeStickyBalancer is not cooperative")
	}
}
