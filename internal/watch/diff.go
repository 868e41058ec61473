package watch

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Change is something that happened between two snapshots, in words a
// student who looked away can read: "orders [0]: leader 1 → 3".
type Change struct {
	At   time.Time
	Text string
	Bad  bool // something broke: a broker gone, a replica out of sync
	// format and args made Text, for a screen in another language.
	format string
	args   []any

	// New records in a topic: how many per partition, since when. History
	// folds a stream of them into one line.
	Topic string
	Added map[int32]int64
	Since time.Time
}

// Diff returns what changed from prev to next, in the order brokers,
// topics, groups. A nil prev (the first snapshot) has no changes.
func Diff(prev, next *Snapshot) []Change {
	if prev == nil || next == nil {
		return nil
	}
	d := differ{at: next.At}
	switch {
	case prev.Reachable && !next.Reachable:
		d.bad("cluster: no broker answers")
	case !prev.Reachable && next.Reachable:
		d.add("cluster: answers again")
	}
	d.brokers(prev, next)
	// An unreachable cluster's topics and groups are those last seen: no
	// news. Once it answers again, they are compared with those, across
	// the gap.
	if next.Reachable {
		d.topics(prev, next)
		d.groups(prev, next)
	}
	return d.out
}

type differ struct {
	at  time.Time
	out []Change
}

func (d *differ) add(format string, args ...any) {
	d.out = append(d.out, Change{At: d.at, Text: fmt.Sprintf(format, args...), format: format, args: args})
}

func (d *differ) bad(format string, args ...any) {
	d.out = append(d.out, Change{At: d.at, Text: fmt.Sprintf(format, args...), Bad: true, format: format, args: args})
}

func (d *differ) brokers(prev, next *Snapshot) {
	for _, b := range next.Brokers {
		p, ok := prev.Broker(b.ID)
		switch {
		case !ok && b.Up:
			d.add("broker %d (%s): joined", b.ID, b.Addr)
		case ok && p.Up && !b.Up:
			why := "stopped answering"
			if !b.InMetadata && next.Reachable {
				why = "left the cluster's metadata"
			}
			d.bad("broker %d (%s): gone, %s", b.ID, b.Addr, why)
		case ok && !p.Up && b.Up:
			d.add("broker %d (%s): back", b.ID, b.Addr)
		}
	}
	if prev.Controller >= 0 && next.Controller >= 0 && prev.Controller != next.Controller {
		d.add("controller (for clients): %d → %d", prev.Controller, next.Controller)
	}
}

func (d *differ) topics(prev, next *Snapshot) {
	for _, t := range next.Topics {
		pt, ok := prev.Topic(t.Name)
		if !ok {
			d.add("topic %s: created, %d partitions", t.Name, len(t.Partitions))
			continue
		}
		if len(pt.Partitions) != len(t.Partitions) {
			d.add("topic %s: %d → %d partitions", t.Name, len(pt.Partitions), len(t.Partitions))
		}
		added := map[int32]int64{}
		for _, p := range t.Partitions {
			pp, ok := partition(pt, p.ID)
			if !ok {
				continue
			}
			if pp.Leader != p.Leader {
				change := d.add
				if p.Leader < 0 {
					change = d.bad
				}
				change("%s [%d]: leader %s → %s", t.Name, p.ID, node(pp.Leader), node(p.Leader))
			}
			if !slices.Equal(sorted(pp.ISR), sorted(p.ISR)) {
				change := d.add
				if len(p.ISR) < len(pp.ISR) {
					change = d.bad
				}
				change("%s [%d]: ISR %s → %s", t.Name, p.ID, nodes(pp.ISR), nodes(p.ISR))
			}
			if p.Stale || pp.End < 0 || p.End < 0 {
				continue
			}
			if n := p.End - pp.End; n > 0 {
				added[p.ID] = n
			}
			if p.First > pp.First {
				d.add("%s [%d]: first offset %d → %d: older records deleted", t.Name, p.ID, pp.First, p.First)
			}
			if p.End < pp.End {
				d.bad("%s [%d]: high watermark went back %d → %d", t.Name, p.ID, pp.End, p.End)
			}
		}
		if len(added) > 0 {
			c := Change{At: d.at, Topic: t.Name, Added: added, Since: prev.At}
			c.Text = recordsText(c)
			d.out = append(d.out, c)
		}
	}
	for _, t := range prev.Topics {
		if _, ok := next.Topic(t.Name); !ok {
			d.add("topic %s: deleted", t.Name)
		}
	}
}

// recordsText says how many records arrived: "orders [2]: +120 records",
// "orders: +3 records ([0] +2, [2] +1)", and over how long when that is
// more than one poll.
func recordsText(c Change) string {
	var total int64
	ids := slices.Sorted(maps.Keys(c.Added))
	for _, id := range ids {
		total += c.Added[id]
	}
	over := ""
	if d := c.At.Sub(c.Since); d >= 2*time.Second {
		over = " in " + age(d)
	}
	if len(ids) == 1 {
		return fmt.Sprintf("%s [%d]: +%d %s%s", c.Topic, ids[0], total, records(total), over)
	}
	var each []string
	for _, id := range ids {
		each = append(each, fmt.Sprintf("[%d] +%d", id, c.Added[id]))
	}
	return fmt.Sprintf("%s: +%d %s%s (%s)", c.Topic, total, records(total), over, strings.Join(each, ", "))
}

func (d *differ) groups(prev, next *Snapshot) {
	for _, g := range next.Groups {
		if g.Stale {
			continue
		}
		pg, ok := prev.Group(g.ID)
		if !ok {
			d.add("group %s: appeared, %s, %s", g.ID, g.State, members(len(g.Members)))
			continue
		}
		changed := !slices.EqualFunc(pg.Members, g.Members, sameMember)
		switch {
		case rebalancing(g.State) && pg.State != g.State:
			d.add("group %s: rebalancing (%s)", g.ID, g.State)
		case g.State == "Stable" && (changed || rebalancing(pg.State)):
			d.add("group %s: rebalanced, %s", g.ID, members(len(g.Members)))
		case changed && len(g.Members) == 0:
			d.add("group %s: %s, no members", g.ID, g.State)
		case changed:
			d.add("group %s: %s, %s", g.ID, g.State, members(len(g.Members)))
		case pg.State != g.State:
			d.add("group %s: %s → %s", g.ID, pg.State, g.State)
		}
		if pg.Lag() > 0 && g.Lag() == 0 && !laggingUnknown(g) {
			d.add("group %s: caught up, lag 0", g.ID)
		}
	}
	for _, g := range prev.Groups {
		if _, ok := next.Group(g.ID); !ok {
			d.add("group %s: deleted", g.ID)
		}
	}
}

func rebalancing(state string) bool {
	return state == "PreparingRebalance" || state == "CompletingRebalance"
}

// sameMember says two members are one, holding the same partitions.
func sameMember(a, b Member) bool {
	return a.ID == b.ID && slices.EqualFunc(a.Assigned, b.Assigned, func(x, y Assignment) bool {
		return x.Topic == y.Topic && slices.Equal(x.Partitions, y.Partitions)
	})
}

// laggingUnknown says some partition's lag is unknown.
func laggingUnknown(g Group) bool {
	for _, o := range g.Offsets {
		if o.Lag < 0 && o.Committed >= 0 {
			return true
		}
	}
	return false
}

func partition(t Topic, id int32) (Partition, bool) {
	for _, p := range t.Partitions {
		if p.ID == id {
			return p, true
		}
	}
	return Partition{}, false
}

func node(id int32) string {
	if id < 0 {
		return "none"
	}
	return fmt.Sprint(id)
}

func nodes(ids []int32) string {
	if len(ids) == 0 {
		return "none"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

func sorted(ids []int32) []int32 { return slices.Sorted(slices.Values(ids)) }

func records(n int64) string {
	if n == 1 {
		return "record"
	}
	return "records"
}

func members(n int) string {
	if n == 1 {
		return "1 member"
	}
	return fmt.Sprintf("%d members", n)
}
