package watch

import (
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// cluster is a snapshot of three brokers, the topic orders and the group
// order_tracker, for the tests to change.
func cluster() *Snapshot {
	at := t0
	return &Snapshot{
		At: at, Bootstrap: []string{"localhost:9092"}, ClusterID: "c", Reachable: true, Controller: 1,
		Brokers: []Broker{
			{ID: 1, Addr: "localhost:9092", Up: true, InMetadata: true, LastUp: at},
			{ID: 2, Addr: "localhost:9094", Up: true, InMetadata: true, LastUp: at},
			{ID: 3, Addr: "localhost:9096", Up: true, InMetadata: true, LastUp: at},
		},
		Topics: []Topic{{Name: "orders", Partitions: []Partition{
			{ID: 0, First: 0, End: 100, Leader: 1, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}},
			{ID: 1, First: 0, End: 80, Leader: 2, Replicas: []int32{2, 3, 1}, ISR: []int32{2, 3, 1}},
			{ID: 2, First: 0, End: 90, Leader: 3, Replicas: []int32{3, 1, 2}, ISR: []int32{3, 1, 2}},
		}}},
		Groups: []Group{{
			ID: "order_tracker", State: "Stable", Coordinator: 2,
			Members: []Member{{ID: "runner-aaaa", ClientID: "runner", Assigned: []Assignment{{Topic: "orders", Partitions: []int{0, 1, 2}}}}},
			Offsets: []GroupOffset{
				{Topic: "orders", Partition: 0, Committed: 90, End: 100, Lag: 10, Holder: "runner…aaaa"},
				{Topic: "orders", Partition: 1, Committed: 80, End: 80, Lag: 0, Holder: "runner…aaaa"},
				{Topic: "orders", Partition: 2, Committed: 85, End: 90, Lag: 5, Holder: "runner…aaaa"},
			},
		}},
	}
}

// later returns a deep copy of s, a second later, changed by f.
func later(s *Snapshot, f func(*Snapshot)) *Snapshot {
	n := *s
	n.At = s.At.Add(time.Second)
	n.Brokers = slices.Clone(s.Brokers)
	n.Topics = slices.Clone(s.Topics)
	for i := range n.Topics {
		n.Topics[i].Partitions = slices.Clone(n.Topics[i].Partitions)
	}
	n.Groups = slices.Clone(s.Groups)
	for i := range n.Groups {
		n.Groups[i].Members = slices.Clone(n.Groups[i].Members)
		n.Groups[i].Offsets = slices.Clone(n.Groups[i].Offsets)
	}
	f(&n)
	return &n
}

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Snapshot)
		want   []string
		bad    []bool
	}{
		{"nothing", func(*Snapshot) {}, nil, nil},
		{"records on one partition", func(s *Snapshot) { s.Topics[0].Partitions[2].End += 120 },
			[]string{"orders [2]: +120 records"}, []bool{false}},
		{"one record", func(s *Snapshot) { s.Topics[0].Partitions[0].End++ },
			[]string{"orders [0]: +1 record"}, []bool{false}},
		{"records on several partitions", func(s *Snapshot) {
			s.Topics[0].Partitions[0].End += 2
			s.Topics[0].Partitions[2].End += 1
		}, []string{"orders: +3 records ([0] +2, [2] +1)"}, []bool{false}},
		{"stale offsets say nothing", func(s *Snapshot) {
			s.Topics[0].Partitions[0].End += 2
			s.Topics[0].Partitions[0].Stale = true
		}, nil, nil},
		{"records deleted", func(s *Snapshot) { s.Topics[0].Partitions[1].First = 50 },
			[]string{"orders [1]: first offset 0 → 50: older records deleted"}, []bool{false}},
		{"a broker stops answering: leader and ISR move", func(s *Snapshot) {
			s.Brokers[0].Up = false
			s.Topics[0].Partitions[0].Leader = 3
			s.Topics[0].Partitions[0].ISR = []int32{2, 3}
		}, []string{
			"broker 1 (localhost:9092): gone, stopped answering",
			"orders [0]: leader 1 → 3",
			"orders [0]: ISR 1,2,3 → 2,3",
		}, []bool{true, false, true}},
		{"a broker is fenced: out of the metadata", func(s *Snapshot) {
			s.Brokers[1].Up, s.Brokers[1].InMetadata = false, false
		}, []string{"broker 2 (localhost:9094): gone, left the cluster's metadata"}, []bool{true}},
		{"no leader", func(s *Snapshot) { s.Topics[0].Partitions[1].Leader = -1 },
			[]string{"orders [1]: leader 2 → none"}, []bool{true}},
		{"the controller moves", func(s *Snapshot) { s.Controller = 3 },
			[]string{"controller (for clients): 1 → 3"}, []bool{false}},
		{"the cluster goes away", func(s *Snapshot) {
			s.Reachable = false
			for i := range s.Brokers {
				s.Brokers[i].Up = false
			}
		}, []string{
			"cluster: no broker answers",
			"broker 1 (localhost:9092): gone, stopped answering",
			"broker 2 (localhost:9094): gone, stopped answering",
			"broker 3 (localhost:9096): gone, stopped answering",
		}, []bool{true, true, true, true}},
		{"a broker joins", func(s *Snapshot) {
			s.Brokers = append(s.Brokers, Broker{ID: 4, Addr: "localhost:9098", Up: true, InMetadata: true})
		}, []string{"broker 4 (localhost:9098): joined"}, []bool{false}},
		{"a topic is created", func(s *Snapshot) {
			s.Topics = append(s.Topics, Topic{Name: "payments", Partitions: make([]Partition, 2)})
		}, []string{"topic payments: created, 2 partitions"}, []bool{false}},
		{"a topic is deleted", func(s *Snapshot) { s.Topics = nil },
			[]string{"topic orders: deleted"}, []bool{false}},
		{"partitions added", func(s *Snapshot) {
			s.Topics[0].Partitions = append(s.Topics[0].Partitions, Partition{ID: 3, Leader: 1, First: 0, End: 0})
		}, []string{"topic orders: 3 → 4 partitions"}, []bool{false}},
		{"a member joins: the group rebalances", func(s *Snapshot) {
			g := &s.Groups[0]
			g.State = "PreparingRebalance"
		}, []string{"group order_tracker: rebalancing (PreparingRebalance)"}, []bool{false}},
		{"two members, stable", func(s *Snapshot) {
			g := &s.Groups[0]
			g.Members = []Member{
				{ID: "runner-aaaa", Assigned: []Assignment{{Topic: "orders", Partitions: []int{0, 1}}}},
				{ID: "runner-bbbb", Assigned: []Assignment{{Topic: "orders", Partitions: []int{2}}}},
			}
		}, []string{"group order_tracker: rebalanced, 2 members"}, []bool{false}},
		{"every member leaves", func(s *Snapshot) {
			g := &s.Groups[0]
			g.State, g.Members = "Empty", nil
		}, []string{"group order_tracker: Empty, no members"}, []bool{false}},
		{"the lag drains", func(s *Snapshot) {
			g := &s.Groups[0]
			g.Offsets[0].Committed, g.Offsets[0].Lag = 100, 0
			g.Offsets[2].Committed, g.Offsets[2].Lag = 90, 0
		}, []string{"group order_tracker: caught up, lag 0"}, []bool{false}},
		{"a group appears", func(s *Snapshot) {
			s.Groups = append(s.Groups, Group{ID: "audit", State: "Empty"})
		}, []string{"group audit: appeared, Empty, 0 members"}, []bool{false}},
		{"a group is deleted", func(s *Snapshot) { s.Groups = nil },
			[]string{"group order_tracker: deleted"}, []bool{false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev := cluster()
			next := later(prev, tc.change)
			changes := Diff(prev, next)
			var got []string
			var bad []bool
			for _, c := range changes {
				got = append(got, c.Text)
				bad = append(bad, c.Bad)
				if !c.At.Equal(next.At) {
					t.Errorf("%q at %v, want %v", c.Text, c.At, next.At)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("changes\n got %q\nwant %q", got, tc.want)
			}
			if !slices.Equal(bad, tc.bad) {
				t.Errorf("bad %v, want %v", bad, tc.bad)
			}
		})
	}
}

func TestDiffOfTheRebalanceInSteps(t *testing.T) {
	// Stable with one member, then a second asks to join, then both hold
	// partitions: each step in words.
	s1 := cluster()
	s2 := later(s1, func(s *Snapshot) { s.Groups[0].State = "PreparingRebalance" })
	s3 := later(s2, func(s *Snapshot) {
		s.Groups[0].State = "CompletingRebalance"
		s.Groups[0].Members = append(s.Groups[0].Members, Member{ID: "runner-bbbb"})
	})
	s4 := later(s3, func(s *Snapshot) { s.Groups[0].State = "Stable" })
	var got []string
	for _, pair := range [][2]*Snapshot{{s1, s2}, {s2, s3}, {s3, s4}} {
		for _, c := range Diff(pair[0], pair[1]) {
			got = append(got, c.Text)
		}
	}
	want := []string{
		"group order_tracker: rebalancing (PreparingRebalance)",
		"group order_tracker: rebalancing (CompletingRebalance)",
		"group order_tracker: rebalanced, 2 members",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestDiffWithoutAPast(t *testing.T) {
	if c := Diff(nil, cluster()); c != nil {
		t.Errorf("the first snapshot has changes: %v", c)
	}
	// While the cluster is unreachable, the topics shown are old: no news.
	// When it answers again, what changed meanwhile is news.
	gone := later(cluster(), func(s *Snapshot) { s.Reachable = false })
	back := later(gone, func(s *Snapshot) { s.Reachable = true; s.Topics = nil })
	for _, c := range Diff(cluster(), gone) {
		if strings.Contains(c.Text, "orders") {
			t.Errorf("topic news from an unreachable cluster: %q", c.Text)
		}
	}
	var got []string
	for _, c := range Diff(gone, back) {
		got = append(got, c.Text)
	}
	if want := []string{"cluster: answers again", "topic orders: deleted"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDiffISRGrowsBack(t *testing.T) {
	shrunk := later(cluster(), func(s *Snapshot) { s.Topics[0].Partitions[0].ISR = []int32{2, 3} })
	back := later(shrunk, func(s *Snapshot) { s.Topics[0].Partitions[0].ISR = []int32{1, 2, 3} })
	c := Diff(shrunk, back)
	if len(c) != 1 || c[0].Text != "orders [0]: ISR 2,3 → 1,2,3" || c[0].Bad {
		t.Errorf("got %+v", c)
	}
}

func TestHistoryFoldsAStreamOfRecords(t *testing.T) {
	h := History{Keep: 3}
	s := cluster()
	grow := func(s *Snapshot, by ...int64) *Snapshot {
		return later(s, func(s *Snapshot) {
			for i, n := range by {
				s.Topics[0].Partitions[i].End += n
			}
		})
	}
	s1 := grow(s, 1, 0, 0)
	h.Add(Diff(s, s1))
	s2 := later(grow(s1, 0, 2, 0), func(s *Snapshot) { s.Groups[0].State = "PreparingRebalance" })
	h.Add(Diff(s1, s2))
	s3 := grow(s2, 0, 0, 3)
	h.Add(Diff(s2, s3))
	var got []string
	for _, c := range h.Changes() {
		got = append(got, c.Text)
	}
	want := []string{
		"orders: +6 records in 4s ([0] +1, [1] +2, [2] +3)",
		"group order_tracker: rebalancing (PreparingRebalance)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// Records after a pause are news of their own; the oldest changes go.
	s4 := later(s3, func(s *Snapshot) { s.At = s.At.Add(10 * time.Second); s.Topics[0].Partitions[0].End++ })
	h.Add(Diff(s3, s4))
	s5 := later(s4, func(s *Snapshot) { s.Controller = 2 })
	h.Add(Diff(s4, s5))
	got = nil
	for _, c := range h.Changes() {
		got = append(got, c.Text)
	}
	want = []string{
		"controller (for clients): 1 → 2",
		"orders [0]: +1 record in 11s",
		"orders: +6 records in 4s ([0] +1, [1] +2, [2] +3)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
