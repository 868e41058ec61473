package watch

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var sgrRE = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// classroom is a busy cluster: broker 2 gone for 12 s, a partition without
// its ISR, one without a leader, one shown as last seen, two groups.
func classroom() *Snapshot {
	s := cluster()
	s.Brokers[1].Up, s.Brokers[1].LastUp = false, s.At.Add(-12*time.Second)
	p := s.Topics[0].Partitions
	p[0].ISR = []int32{1, 3}
	p[1].Leader, p[1].ISR, p[1].Err = -1, []int32{3, 1}, "Leader Not Available"
	p[2].Stale, p[2].First = true, 40
	for i := range 6 {
		t := Topic{Name: fmt.Sprintf("lesson-%d", i)}
		for id := range int32(6) {
			t.Partitions = append(t.Partitions, Partition{ID: id, First: 0, End: int64(id) * 10, Leader: 1, Replicas: []int32{1, 3}, ISR: []int32{1, 3}})
		}
		s.Topics = append(s.Topics, t)
	}
	g := s.Groups[0]
	g.Members = append(g.Members, Member{ID: "runner-bbbb", ClientID: "runner", Host: "10.0.0.7"})
	g.Offsets = append(g.Offsets, GroupOffset{Topic: "lesson-0", Partition: 3, Committed: -1, End: 30, Lag: -1})
	s.Groups[0] = g
	s.Groups = append(s.Groups, Group{ID: "audit", State: "PreparingRebalance", Coordinator: 3})
	return s
}

func TestRenderFitsTheScreen(t *testing.T) {
	s := classroom()
	changes := []Change{{At: t0, Text: "orders [0]: ISR 1,2,3 → 1,3", Bad: true}, {At: t0, Text: "orders [2]: +120 records"}}
	for _, sc := range []Screen{
		{Width: 200}, {Width: 140, Height: 80}, {Width: 120, Height: 40}, {Width: 100, Height: 30},
		{Width: 80, Height: 24}, {Width: 60, Height: 16}, {Width: 50, Height: 12}, {Width: 40, Height: 8},
		{Width: 30, Height: 4}, {Width: 20, Height: 1},
	} {
		for _, color := range []bool{false, true} {
			sc.Color, sc.Live = color, true
			out := Render(s, changes, sc)
			lines := strings.Split(out, "\n")
			if sc.Height > 0 && len(lines) > sc.Height {
				t.Errorf("%dx%d: %d lines", sc.Width, sc.Height, len(lines))
			}
			for _, l := range lines {
				if n := utf8.RuneCountInString(sgrRE.ReplaceAllString(l, "")); n >= sc.Width {
					t.Errorf("%dx%d: a line of %d columns: %q", sc.Width, sc.Height, n, l)
				}
			}
			if !strings.HasPrefix(sgrRE.ReplaceAllString(lines[0], ""), "Kafka") {
				t.Errorf("%dx%d: the header is not first: %q", sc.Width, sc.Height, lines[0])
			}
			if !color && strings.Contains(out, "\x1b") {
				t.Errorf("%dx%d: escape sequences without colour", sc.Width, sc.Height)
			}
			if color && len(lines) > 2 && !strings.Contains(out, "\x1b[31m") {
				t.Errorf("%dx%d: nothing red, with a broker gone", sc.Width, sc.Height)
			}
		}
	}
}

func TestRenderShowsWhatMatters(t *testing.T) {
	out := Render(classroom(), []Change{{At: t0.Add(-3 * time.Second), Text: "orders [2]: +120 records"}}, Screen{Width: 200})
	for _, want := range []string{
		"Kafka · 09:30:00 · cluster c · bootstrap localhost:9092",
		"● 1  localhost:9092  up  controller (for clients)",
		"✖ 2  localhost:9094  gone 12s",
		"[0] ████████████████████████████████████████   0 → 100  leader 1  replicas 1,2,3  ✖ ISR 1,3: 2 out of sync",
		"[1] ",
		"leader none",
		"✖ Leader Not Available",
		"[2] ░░░░░░░░░░░░░░░░████████████████████",
		"40 → 90  (as last seen)",
		"order_tracker  Stable · 2 members · coordinator 2 · lag 15 (and 1 partition with nothing committed)",
		"member runner…aaaa holds orders [0 1 2]",
		"member runner…bbbb (10.0.0.7) holds nothing",
		"orders [0]    committed  90  end 100  lag 10  held by runner…aaaa",
		"lesson-0 [3]  committed   –  end  30  lag – (nothing committed)",
		"audit  PreparingRebalance · 0 members · coordinator 3 · lag – (nothing committed)",
		"3s ago orders [2]: +120 records",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// A group that has committed nothing has no lag: "–", never "lag 0", which
// would say it has read everything. One that committed on some partitions
// adds up those and counts the others.
func TestRenderGroupLagWithNothingCommitted(t *testing.T) {
	s := classroom()
	s.Groups = append(s.Groups, Group{ID: "fresh", State: "Stable", Coordinator: 1, Offsets: []GroupOffset{
		{Topic: "orders", Partition: 0, Committed: -1, End: 100, Lag: -1},
		{Topic: "orders", Partition: 1, Committed: -1, End: 100, Lag: -1},
	}})
	out := sgrRE.ReplaceAllString(Render(s, nil, Screen{Width: 200}), "")
	for _, want := range []string{
		"fresh  Stable · 0 members · coordinator 1 · lag – (nothing committed)\n",
		"audit  PreparingRebalance · 0 members · coordinator 3 · lag – (nothing committed)\n",
		"order_tracker  Stable · 2 members · coordinator 2 · lag 15 (and 1 partition with nothing committed)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "fresh  Stable · 0 members · coordinator 1 · lag 0") {
		t.Errorf("a group with nothing committed shows lag 0:\n%s", out)
	}
}

func TestRenderLeavesOutDetailsToFit(t *testing.T) {
	s := classroom()
	heightAt := func(level int) int { return draw(s, nil, Screen{Width: 120}, level).height() }
	n := heightAt(full)
	for _, c := range []struct {
		height      int
		has, hasNot []string
	}{
		{n, []string{"member runner…aaaa", "orders [0]    committed  90"}, nil},
		{n - 1, []string{"orders [0]    committed  90", "held by runner…aaaa"}, []string{"member runner…aaaa"}},
		{heightAt(groupsInline), []string{"order_tracker  Stable", "    lag by partition:  orders [0] 10 [1] 0 [2] 5  lesson-0 [3] –", "████"}, []string{"committed  90"}},
		{heightAt(topicsInline), []string{"BROKERS  1 up (controller)  2 gone 12s  3 up", "orders  3 partitions · 230 records  [0] 0→100 ✖ ISR 1,3 of 1,2,3", "audit"}, []string{"████"}},
		{12, []string{"more lines: a taller terminal shows them", "CONSUMER GROUPS"}, []string{"RECENT CHANGES"}}, // none to show, not live
	} {
		out := Render(s, nil, Screen{Width: 120, Height: c.height})
		if got := strings.Count(out, "\n") + 1; got > c.height {
			t.Errorf("height %d: %d lines", c.height, got)
		}
		for _, want := range c.has {
			if !strings.Contains(out, want) {
				t.Errorf("height %d: no %q in:\n%s", c.height, want, out)
			}
		}
		for _, not := range c.hasNot {
			if strings.Contains(out, not) {
				t.Errorf("height %d: %q in:\n%s", c.height, not, out)
			}
		}
	}
}

func TestRenderUnreachable(t *testing.T) {
	s := later(cluster(), func(s *Snapshot) {
		s.Reachable, s.Err = false, "no broker answers: dial tcp 127.0.0.1:9092: connect: connection refused"
		for i := range s.Brokers {
			s.Brokers[i].Up = false
		}
		s.Topics[0].Partitions[0].Stale = true
		s.Groups[0].Stale = true
	})
	out := Render(s, nil, Screen{Width: 160})
	for _, want := range []string{
		"✖ no broker answers: no broker answers: dial tcp",
		"below: as it was at 09:30:00",
		"✖ 1  localhost:9092  gone 1s",
		"order_tracker  Stable · 1 member · coordinator 2 · lag 15 (as last seen)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

func TestBar(t *testing.T) {
	for _, c := range []struct {
		p     Partition
		top   int64
		width int
		want  string
	}{
		{Partition{First: 0, End: 100}, 100, 10, "██████████"},
		{Partition{First: 50, End: 100}, 100, 10, "░░░░░█████"},
		{Partition{First: 0, End: 50}, 100, 10, "█████·····"},
		{Partition{First: 0, End: 1}, 1000, 10, "█·········"}, // one record shows
		{Partition{First: 999, End: 1000}, 1000, 10, "░░░░░░░░░█"},
		{Partition{First: 100, End: 100}, 100, 10, "░░░░░░░░░░"}, // all deleted
		{Partition{First: 0, End: 0}, 0, 5, "·····"},
		{Partition{First: -1, End: -1}, 10, 5, "?????"},
	} {
		if got := bar(c.p, c.top, c.width); got != c.want {
			t.Errorf("bar(%d→%d of %d) = %q, want %q", c.p.First, c.p.End, c.top, got, c.want)
		}
	}
}
