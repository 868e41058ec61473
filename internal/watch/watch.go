// Package watch is the model behind `runner watch`: a Snapshot of the
// cluster made from a few admin calls, the Changes between two snapshots,
// and the picture of one drawn to fit a terminal.
//
// A poll is light, so that a watched class runs as fast as an unwatched
// one: on connections the watch keeps open, one ApiVersions to each broker
// (is it up?), one Metadata, and two ListOffsets (first offsets, high
// watermarks) to each partition leader; through kafka-go's Client, which
// finds each group's coordinator, one ListGroups, and one DescribeGroups
// and one OffsetFetch per group. Every call is bounded by Options.Timeout, and a failed call leaves
// the rest of the picture standing: what it would have refreshed is shown as
// last seen, marked stale.
package watch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
)

// clientID is how the watch introduces itself to the brokers.
const clientID = "kafka-go-lessons-watch"

// DefaultTimeout bounds each admin call of a poll.
const DefaultTimeout = 1500 * time.Millisecond

// Options say what to watch, and how.
type Options struct {
	Brokers   []string // bootstrap addresses, host:port
	Prefix    string   // show the topics and groups whose names start with it
	AllTopics bool     // show every topic and group that is not internal
	Timeout   time.Duration
	// Transport gives the connection settings to copy (Dial, TLS, SASL,
	// DialTimeout): the env's. Nil: plain TCP.
	Transport *kafka.Transport
	// Now is the clock; nil: time.Now. Tests set it.
	Now func() time.Time
}

// Watcher polls one cluster. It remembers what it saw, so that a broker
// that goes away is shown as gone (and since when), and keeps its
// connections open between polls. Poll is not safe for concurrent use: a
// watch has one poll in flight.
type Watcher struct {
	opt   Options
	links map[string]*link
	seen  map[int32]*seenBroker
	// mdFrom is the address that answered Metadata last: asked first.
	mdFrom     string
	controller int32
	prev       *Snapshot

	transport *kafka.Transport
	client    *kafka.Client
}

type seenBroker struct {
	addr, rack string
	lastUp     time.Time
}

// New returns a watcher of the cluster opt names. It connects on the first
// Poll.
func New(opt Options) (*Watcher, error) {
	if len(opt.Brokers) == 0 {
		return nil, errors.New("watch: no broker address")
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Watcher{opt: opt, links: map[string]*link{}, seen: map[int32]*seenBroker{}, controller: -1}, nil
}

// Close closes the watcher's connections.
func (w *Watcher) Close() {
	for _, l := range w.links {
		l.close()
	}
	if w.transport != nil {
		w.transport.CloseIdleConnections()
		w.transport, w.client = nil, nil
	}
}

func (w *Watcher) link(addr string) *link {
	l := w.links[addr]
	if l == nil {
		l = &link{addr: addr, dial: (&net.Dialer{}).DialContext}
		if t := w.opt.Transport; t != nil {
			if t.Dial != nil {
				l.dial = t.Dial
			}
			l.tls, l.sasl = t.TLS, t.SASL
		}
		w.links[addr] = l
	}
	return l
}

// Poll takes a snapshot. It never fails: what it could not learn is said in
// the snapshot (Reachable, Err, Problems, Stale).
func (w *Watcher) Poll(ctx context.Context) *Snapshot {
	s := &Snapshot{
		At: w.opt.Now(), Bootstrap: w.opt.Brokers, Prefix: w.opt.Prefix, AllTopics: w.opt.AllTopics,
		Controller: -1,
	}
	defer func() { w.prev = s }()

	// Is each broker we know of up? Then Metadata from one that is.
	var known []string
	for _, id := range sortedKeys(w.seen) {
		known = append(known, w.seen[id].addr)
	}
	candidates := dedupe(append(known, w.opt.Brokers...))
	answers := w.pingAll(ctx, candidates)
	md, err := w.metadata(ctx, candidates, answers)
	if err != nil {
		w.unreachable(s, err)
		return s
	}
	s.Reachable, s.ClusterID = true, md.ClusterID
	s.Embedded = broker.Info{ClusterID: md.ClusterID}.Embedded()

	// Brokers: those the metadata lists, and those seen before.
	inMd := map[int32]bool{}
	var unpinged []string
	for _, b := range md.Brokers {
		addr := net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
		sb := w.seen[b.NodeID]
		if sb == nil {
			sb = &seenBroker{}
			w.seen[b.NodeID] = sb
		}
		sb.addr, sb.rack = addr, b.Rack
		inMd[b.NodeID] = true
		if _, ok := answers[addr]; !ok {
			unpinged = append(unpinged, addr)
		}
	}
	for addr, err := range w.pingAll(ctx, unpinged) {
		answers[addr] = err
	}
	for _, id := range sortedKeys(w.seen) {
		sb := w.seen[id]
		b := Broker{ID: id, Addr: sb.addr, Rack: sb.rack, InMetadata: inMd[id]}
		b.Up = b.InMetadata && answers[sb.addr] == nil
		if b.Up {
			sb.lastUp = s.At
		}
		if !b.InMetadata {
			// Out of the cluster: when it is back, talk to it afresh.
			w.link(sb.addr).close()
		}
		b.LastUp = sb.lastUp
		s.Brokers = append(s.Brokers, b)
	}
	// The controller Metadata names: in KRaft mode a live broker picked at
	// random for each request, so keep the one we have while it is up.
	if b, ok := s.Broker(w.controller); !ok || !b.Up {
		w.controller = md.ControllerID
	}
	s.Controller = w.controller

	s.Topics = w.topics(md)
	if w.client == nil {
		w.newClient(s)
	}
	s.Groups = w.groups(ctx, s)
	w.offsets(ctx, s, md)
	return s
}

// pingAll sends ApiVersions to every address at once: the answer is nil
// for an address that answered, the error otherwise.
func (w *Watcher) pingAll(ctx context.Context, addrs []string) map[string]error {
	links := make([]*link, len(addrs))
	for i, a := range addrs {
		links[i] = w.link(a)
	}
	errs := make([]error, len(addrs))
	var wg sync.WaitGroup
	for i, l := range links {
		wg.Go(func() { errs[i] = l.ping(ctx, w.opt.Timeout) })
	}
	wg.Wait()
	out := make(map[string]error, len(addrs))
	for i, a := range addrs {
		out[a] = errs[i]
	}
	return out
}

// metadata asks the brokers that answered, the last one that gave
// metadata first.
func (w *Watcher) metadata(ctx context.Context, candidates []string, answers map[string]error) (*metadataAPI.Response, error) {
	order := slices.Clone(candidates)
	slices.SortStableFunc(order, func(a, b string) int {
		return cmp.Compare(boolInt(a != w.mdFrom), boolInt(b != w.mdFrom))
	})
	var errs []error
	for _, addr := range order {
		if err := answers[addr]; err != nil {
			errs = append(errs, err)
			continue
		}
		md, err := w.link(addr).metadata(ctx, w.opt.Timeout)
		if err == nil {
			w.mdFrom = addr
			return md, nil
		}
		errs = append(errs, fmt.Errorf("metadata from %w", err))
	}
	return nil, fmt.Errorf("no broker answers: %w", errors.Join(errs...))
}

// unreachable fills a snapshot when no broker answered: every broker is
// gone, and the topics and groups are those last seen.
func (w *Watcher) unreachable(s *Snapshot, err error) {
	s.Err = firstLine(err)
	if w.prev != nil {
		s.ClusterID, s.Embedded = w.prev.ClusterID, w.prev.Embedded
		s.Controller = w.prev.Controller
	}
	for _, id := range sortedKeys(w.seen) {
		sb := w.seen[id]
		s.Brokers = append(s.Brokers, Broker{ID: id, Addr: sb.addr, Rack: sb.rack, LastUp: sb.lastUp})
	}
	if w.prev != nil {
		for _, t := range w.prev.Topics {
			t.Partitions = slices.Clone(t.Partitions)
			for i := range t.Partitions {
				t.Partitions[i].Stale = true
			}
			s.Topics = append(s.Topics, t)
		}
		for _, g := range w.prev.Groups {
			g.Stale = true
			s.Groups = append(s.Groups, g)
		}
	}
	// The admin client's transport holds a picture of the cluster that is
	// no longer true: start afresh when it answers again.
	w.dropClient()
}

// shown says a topic or group name is one the watch shows.
func (w *Watcher) shown(name string) bool {
	return w.opt.AllTopics || strings.HasPrefix(name, w.opt.Prefix)
}

// topics returns the topics shown, from the metadata.
func (w *Watcher) topics(md *metadataAPI.Response) []Topic {
	var out []Topic
	for _, mt := range md.Topics {
		if mt.IsInternal || strings.HasPrefix(mt.Name, "__") || !w.shown(mt.Name) {
			continue
		}
		t := Topic{Name: mt.Name}
		if mt.ErrorCode != 0 {
			t.Err = kafka.Error(mt.ErrorCode).Title()
		}
		for _, mp := range mt.Partitions {
			p := Partition{
				ID: mp.PartitionIndex, First: -1, End: -1, Leader: mp.LeaderID,
				Replicas: mp.ReplicaNodes, ISR: mp.IsrNodes, Offline: mp.OfflineReplicas,
			}
			if mp.ErrorCode != 0 {
				p.Err = kafka.Error(mp.ErrorCode).Title()
			}
			t.Partitions = append(t.Partitions, p)
		}
		slices.SortFunc(t.Partitions, func(a, b Partition) int { return cmp.Compare(a.ID, b.ID) })
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b Topic) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// newClient makes the admin client for the calls kafka-go routes itself
// (to partition leaders, to group coordinators), bootstrapped from the
// brokers that are up. Its transport refreshes its picture of the cluster
// every second; the watch's own Metadata is what the snapshot shows.
func (w *Watcher) newClient(s *Snapshot) {
	var addrs []string
	for _, b := range s.Brokers {
		if b.Up {
			addrs = append(addrs, b.Addr)
		}
	}
	addrs = dedupe(append(addrs, w.opt.Brokers...))
	tr := &kafka.Transport{DialTimeout: w.opt.Timeout, MetadataTTL: time.Second, ClientID: clientID}
	if t := w.opt.Transport; t != nil {
		tr.Dial, tr.TLS, tr.SASL, tr.Resolver = t.Dial, t.TLS, t.SASL, t.Resolver
	}
	w.transport = tr
	w.client = &kafka.Client{Addr: kafka.TCP(addrs...), Timeout: w.opt.Timeout, Transport: tr}
}

func (w *Watcher) dropClient() {
	if w.transport != nil {
		w.transport.CloseIdleConnections()
	}
	w.transport, w.client = nil, nil
}

// failed records a failed call. An error that is not Kafka's (a connection
// refused, a timeout) may come from the admin client's stale picture of
// the cluster: the next poll starts it afresh.
func (w *Watcher) failed(s *Snapshot, what string, err error) {
	s.Problems = append(s.Problems, what+": "+firstLine(err))
	var kerr kafka.Error
	if !errors.As(err, &kerr) {
		w.dropClient()
	}
}

// call runs one admin call, bounded in time.
func call[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return f(ctx)
}

// groups lists the groups shown and describes each: its state, members,
// their partitions and the committed offsets.
func (w *Watcher) groups(ctx context.Context, s *Snapshot) []Group {
	client := w.client
	coordinators := map[string]int32{}
	var ids []string
	lg, err := call(ctx, w.opt.Timeout, func(ctx context.Context) (*kafka.ListGroupsResponse, error) {
		return client.ListGroups(ctx, &kafka.ListGroupsRequest{})
	})
	if err == nil && lg.Error != nil {
		err = lg.Error
	}
	if err != nil {
		// Describe the groups we knew of: a broker that just went away
		// fails ListGroups, which asks every broker, while the groups'
		// coordinators may well answer.
		w.failed(s, "list groups", err)
		if w.prev != nil {
			for _, g := range w.prev.Groups {
				ids = append(ids, g.ID)
				coordinators[g.ID] = g.Coordinator
			}
		}
	} else {
		for _, g := range lg.Groups {
			if w.shown(g.GroupID) {
				ids = append(ids, g.GroupID)
				coordinators[g.GroupID] = int32(g.Coordinator)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)

	out := make([]*Group, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { out[i], errs[i] = w.group(ctx, client, id) })
	}
	wg.Wait()
	var groups []Group
	for i, g := range out {
		if errs[i] != nil {
			w.failed(s, "group "+ids[i], errs[i])
			if w.prev != nil {
				if pg, ok := w.prev.Group(ids[i]); ok {
					pg.Stale = true
					groups = append(groups, pg)
				}
			}
			continue
		}
		if g == nil { // deleted meanwhile
			continue
		}
		g.Coordinator = coordinators[g.ID]
		groups = append(groups, *g)
	}
	return groups
}

// group describes one group; nil when it does not exist (any more).
func (w *Watcher) group(ctx context.Context, client *kafka.Client, id string) (*Group, error) {
	dg, err := call(ctx, w.opt.Timeout, func(ctx context.Context) (*kafka.DescribeGroupsResponse, error) {
		return client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{id}})
	})
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	if len(dg.Groups) != 1 {
		return nil, fmt.Errorf("describe: %d groups in the answer", len(dg.Groups))
	}
	d := dg.Groups[0]
	if errors.Is(d.Error, kafka.GroupIdNotFound) || d.GroupState == "Dead" {
		return nil, nil
	}
	g := &Group{ID: id, State: d.GroupState, Coordinator: -1}
	if d.Error != nil {
		g.Err = d.Error.Error()
	}
	holder := map[string]map[int]string{}
	for _, m := range d.Members {
		mem := Member{ID: m.MemberID, ClientID: m.ClientID, Host: strings.TrimPrefix(m.ClientHost, "/")}
		for _, t := range m.MemberAssignments.Topics {
			ps := slices.Sorted(slices.Values(t.Partitions))
			mem.Assigned = append(mem.Assigned, Assignment{Topic: t.Topic, Partitions: ps})
			if holder[t.Topic] == nil {
				holder[t.Topic] = map[int]string{}
			}
			for _, p := range ps {
				holder[t.Topic][p] = mem.Name()
			}
		}
		slices.SortFunc(mem.Assigned, func(a, b Assignment) int { return strings.Compare(a.Topic, b.Topic) })
		g.Members = append(g.Members, mem)
	}
	slices.SortFunc(g.Members, func(a, b Member) int { return strings.Compare(a.ID, b.ID) })

	of, err := call(ctx, w.opt.Timeout, func(ctx context.Context) (*kafka.OffsetFetchResponse, error) {
		return client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: id}) // no topics: all of them
	})
	if err == nil && of.Error != nil {
		err = of.Error
	}
	if err != nil {
		return nil, fmt.Errorf("fetch committed offsets: %w", err)
	}
	committed := map[string]map[int]int64{}
	for topic, ps := range of.Topics {
		for _, p := range ps {
			if p.Error != nil || p.CommittedOffset < 0 {
				continue
			}
			if committed[topic] == nil {
				committed[topic] = map[int]int64{}
			}
			committed[topic][p.Partition] = p.CommittedOffset
		}
	}
	// A row for every partition the group holds or has committed in.
	rows := map[string]map[int]bool{}
	for t, ps := range holder {
		for p := range ps {
			addRow(rows, t, p)
		}
	}
	for t, ps := range committed {
		for p := range ps {
			addRow(rows, t, p)
		}
	}
	for _, t := range slices.Sorted(maps.Keys(rows)) {
		for _, p := range slices.Sorted(maps.Keys(rows[t])) {
			o := GroupOffset{Topic: t, Partition: p, Committed: -1, End: -1, Lag: -1, Holder: holder[t][p]}
			if c, ok := committed[t][p]; ok {
				o.Committed = c
			}
			g.Offsets = append(g.Offsets, o)
		}
	}
	return g, nil
}

func addRow(rows map[string]map[int]bool, t string, p int) {
	if rows[t] == nil {
		rows[t] = map[int]bool{}
	}
	rows[t][p] = true
}

// offsets asks each leader for the first offset and the high watermark of
// the partitions it leads, among those shown and those the groups shown
// read (two ListOffsets per leader), and computes the groups' lag.
func (w *Watcher) offsets(ctx context.Context, s *Snapshot, md *metadataAPI.Response) {
	want := map[string]bool{}
	for _, t := range s.Topics {
		want[t.Name] = true
	}
	for _, g := range s.Groups {
		for _, o := range g.Offsets {
			want[o.Topic] = true
		}
	}
	addr := map[int32]string{}
	for _, b := range s.Brokers {
		if b.Up {
			addr[b.ID] = b.Addr
		}
	}
	byLeader := map[string]map[string][]int32{}
	for _, mt := range md.Topics {
		if !want[mt.Name] {
			continue
		}
		for _, mp := range mt.Partitions {
			a, ok := addr[mp.LeaderID]
			if !ok {
				continue // no leader, or one that is down: nobody to ask
			}
			if byLeader[a] == nil {
				byLeader[a] = map[string][]int32{}
			}
			byLeader[a][mt.Name] = append(byLeader[a][mt.Name], mp.PartitionIndex)
		}
	}
	type tp struct {
		topic string
		p     int32
	}
	type answer struct {
		first, end offsetAnswer
	}
	got := map[tp]answer{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for a, parts := range byLeader {
		l := w.link(a)
		wg.Go(func() {
			first, err := l.listOffsets(ctx, w.opt.Timeout, parts, earliest)
			var end map[string]map[int32]offsetAnswer
			if err == nil {
				end, err = l.listOffsets(ctx, w.opt.Timeout, parts, latest)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				s.Problems = append(s.Problems, "list offsets: "+firstLine(err))
				return
			}
			for topic, ps := range parts {
				for _, p := range ps {
					f, ok1 := first[topic][p]
					e, ok2 := end[topic][p]
					if !ok1 || !ok2 {
						f.err = fmt.Errorf("%s did not answer for %s [%d]", a, topic, p)
					}
					got[tp{topic, p}] = answer{f, e}
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(s.Problems)

	for i := range s.Topics {
		t := &s.Topics[i]
		for j := range t.Partitions {
			p := &t.Partitions[j]
			a, ok := got[tp{t.Name, p.ID}]
			if err := cmp.Or(a.first.err, a.end.err); ok && err == nil {
				p.First, p.End = a.first.offset, a.end.offset
				continue
			} else if err != nil && p.Err == "" {
				p.Err = errTitle(err)
			}
			// Shown as last seen.
			if w.prev != nil {
				if pt, found := w.prev.Topic(t.Name); found {
					if pp, found := partition(pt, p.ID); found && pp.End >= 0 {
						p.First, p.End, p.Stale = pp.First, pp.End, true
					}
				}
			}
		}
	}
	for i := range s.Groups {
		g := &s.Groups[i]
		if g.Stale {
			continue
		}
		for j := range g.Offsets {
			o := &g.Offsets[j]
			a, ok := got[tp{o.Topic, int32(o.Partition)}]
			if !ok || a.end.err != nil {
				continue
			}
			o.End = a.end.offset
			if o.Committed >= 0 {
				o.Lag = max(0, o.End-o.Committed)
			}
		}
	}
}

func errTitle(err error) string {
	var kerr kafka.Error
	if errors.As(err, &kerr) {
		return kerr.Title()
	}
	return firstLine(err)
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	return slices.Sorted(maps.Keys(m))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
