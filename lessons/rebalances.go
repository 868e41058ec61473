package lessons

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Rebalances is what the members of one franz-go consumer group said in
// their OnPartitions callbacks, in the order they said it, and which
// records each of them handled. The callbacks run on the members' own
// goroutines; a step prints what happened once the group has settled
// (Settle), so the output reads in order.
type Rebalances struct {
	mu      sync.Mutex
	events  []RebalanceEvent
	shown   int                // events already printed
	holds   map[string][]int32 // member → the partitions it holds now
	handled map[string]int     // "partition@offset" → how many times handled
	failed  []string           // a commit or a poll that failed, with its member
}

// RebalanceEvent is one callback: a member was assigned, revoked or lost
// partitions.
type RebalanceEvent struct {
	Member     string
	What       string // "assigned", "revoked" or "lost"
	Partitions []int32
}

// NewRebalances returns an empty log.
func NewRebalances() *Rebalances {
	return &Rebalances{holds: map[string][]int32{}, handled: map[string]int{}}
}

// Assigned notes that member now also holds partitions. franz-go calls
// OnPartitionsAssigned at the end of every rebalance, with nothing new
// more often than not: an empty call is not an event.
func (r *Rebalances) Assigned(member string, partitions []int32) {
	r.note(member, "assigned", partitions)
}

// Revoked notes that member gave partitions up. franz-go calls
// OnPartitionsRevoked at the end of every cooperative session, often with
// nothing: an empty call is not an event.
func (r *Rebalances) Revoked(member string, partitions []int32) {
	r.note(member, "revoked", partitions)
}

// Lost notes that member lost partitions without giving them up: the group
// threw it out.
func (r *Rebalances) Lost(member string, partitions []int32) {
	r.note(member, "lost", partitions)
}

func (r *Rebalances) note(member, what string, partitions []int32) {
	if len(partitions) == 0 {
		return
	}
	p := slices.Sorted(slices.Values(partitions))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, RebalanceEvent{Member: member, What: what, Partitions: p})
	held := r.holds[member]
	if what == "assigned" {
		held = append(held, p...)
	} else {
		held = slices.DeleteFunc(held, func(q int32) bool { return slices.Contains(p, q) })
	}
	slices.Sort(held)
	r.holds[member] = slices.Compact(held)
}

// Handled notes that a member handled a record.
func (r *Rebalances) Handled(rec *kgo.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handled[fmt.Sprintf("%d@%d", rec.Partition, rec.Offset)]++
}

// Failed notes a commit or a poll that failed: Report prints it.
func (r *Rebalances) Failed(member string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, member+": "+err.Error())
}

// Holds returns the partitions member holds now, sorted.
func (r *Rebalances) Holds(member string) []int32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.holds[member])
}

// settled says whether members, and only they, hold every one of the
// topic's partitions, each partition once, each member some, and as evenly
// as they can (one more at most): a sticky balancer's assignment once a
// rebalance is over. Before, a member may still hold a partition that
// another will get (three rounds, when its owners rejoin apart).
func (r *Rebalances) settled(members []string, partitions int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	fewest, most := partitions, 0
	for _, m := range members {
		fewest, most = min(fewest, len(r.holds[m])), max(most, len(r.holds[m]))
	}
	if most-fewest > 1 {
		return false
	}
	seen := map[int32]bool{}
	for m, held := range r.holds {
		if !slices.Contains(members, m) && len(held) > 0 {
			return false // a member that left still holds partitions
		}
	}
	for _, m := range members {
		if len(r.holds[m]) == 0 {
			return false
		}
		for _, p := range r.holds[m] {
			if seen[p] {
				return false
			}
			seen[p] = true
		}
	}
	return len(seen) == partitions
}

// Settle waits until the members named share the topic's partitions
// evenly among them, and have handled records records in all (0: any
// number).
func (r *Rebalances) Settle(ctx context.Context, members []string, partitions, records int) error {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for !r.settled(members, partitions) || r.Count() < records {
		select {
		case <-ctx.Done():
			r.mu.Lock()
			defer r.mu.Unlock()
			return fmt.Errorf("the group did not settle within %v: members %s should share %d partitions and handle %d records; they hold %v and handled %d; %s",
				settleTimeout, strings.Join(members, ", "), partitions, records, r.holds, len(r.handled), strings.Join(r.failed, "; "))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// Count returns how many records were handled, each counted once.
func (r *Rebalances) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.handled)
}

// Twice returns how many records were handled more than once.
func (r *Rebalances) Twice() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, times := range r.handled {
		if times > 1 {
			n++
		}
	}
	return n
}

// Report prints the callbacks since the last report, in order, and how
// many partitions they revoked; then what each member named holds now.
// Each is a value whose label names the member, so a test reads who was
// assigned or revoked what.
func (r *Rebalances) Report(out Printer, members ...string) {
	r.mu.Lock()
	events := slices.Clone(r.events[r.shown:])
	r.shown = len(r.events)
	failed := slices.Clone(r.failed)
	r.failed = nil
	r.mu.Unlock()
	revoked := 0
	for _, e := range events {
		switch e.What {
		case "assigned":
			out.Value(fmt.Sprintf("%s · assigned", e.Member), e.Partitions)
		case "revoked":
			out.Value(fmt.Sprintf("%s · revoked", e.Member), e.Partitions)
			revoked += len(e.Partitions)
		case "lost":
			out.Value(fmt.Sprintf("%s · lost", e.Member), e.Partitions)
		}
	}
	for _, f := range failed {
		out.Warn("%s", f)
	}
	out.Value("partitions revoked", revoked)
	sort.Strings(members)
	for _, m := range members {
		out.Value(fmt.Sprintf("%s · holds", m), r.Holds(m))
	}
}

// FranzMember is a franz-go group member whose poll loop runs on a
// goroutine of its own, so that it outlives the step that started it.
type FranzMember struct {
	Name   string
	Client *kgo.Client
	stop   context.CancelFunc
	done   chan struct{}
}

// NewFranzMember returns a member whose loop, poll, runs until Leave.
func NewFranzMember(name string, cl *kgo.Client, poll func(ctx context.Context)) *FranzMember {
	ctx, stop := context.WithCancel(context.Background())
	m := &FranzMember{Name: name, Client: cl, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(m.done)
		poll(ctx)
	}()
	return m
}

// Leave ends the member's poll loop once it has handled what it polled,
// then leaves the group: franz-go revokes the member's partitions (its
// OnPartitionsRevoked runs) and sends LeaveGroup. It gives up after
// leaveTimeout, so that a broker that does not answer cannot hang a class;
// the client is closed either way.
func (m *FranzMember) Leave() error {
	m.stop()
	select {
	case <-m.done:
	case <-time.After(leaveTimeout): // a poll held up by a callback that hangs
	}
	ctx, cancel := context.WithTimeout(context.Background(), leaveTimeout)
	defer cancel()
	err := m.Client.LeaveGroupContext(ctx)
	m.Client.CloseAllowingRebalance() // at once after a leave, even one that gave up
	if err != nil {
		return fmt.Errorf("%s did not leave the group within %v: %w", m.Name, leaveTimeout, err)
	}
	return nil
}

// leaveTimeout bounds a member's leave: a rebalance in progress first
// finishes its join, and the last commit is retried.
const leaveTimeout = 10 * time.Second

// LeaveAll makes members leave all at once; each leave is bounded
// (leaveTimeout), so a lesson's Cleanup cannot hang.
func LeaveAll(members ...*FranzMember) {
	var wg sync.WaitGroup
	for _, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.Leave() // bounded; Cleanup has nobody to tell

		}()
	}
	wg.Wait()
}

// FranzGroup is one consumer group of franz-go members: its name (with
// the learner's prefix), its members by name, and what their callbacks
// said.
type FranzGroup struct {
	Name    string
	Members map[string]*FranzMember
	Log     *Rebalances
}

// NewFranzGroup returns a group of no members yet, with a name of its own
// (name, then a random suffix): a group made again reads from the start.
func NewFranzGroup(env *Env, name string) *FranzGroup {
	return &FranzGroup{Name: env.Name(name + "-" + uuid.NewString()[:8]), Members: map[string]*FranzMember{}, Log: NewRebalances()}
}

// Leave makes the member called name leave the group, if it is in it.
func (g *FranzGroup) Leave(name string) error {
	m, ok := g.Members[name]
	if !ok {
		return nil
	}
	delete(g.Members, name)
	return m.Leave()
}

// LeaveAll makes every member leave (see LeaveAll).
func (g *FranzGroup) LeaveAll() {
	var all []*FranzMember
	for _, m := range g.Members {
		all = append(all, m)
	}
	LeaveAll(all...)
	g.Members = map[string]*FranzMember{}
}
