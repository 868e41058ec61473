// Package cluster is the handle lessons use to stop and start a broker
// (lessons.NodeControl), whatever runs the cluster: the embedded emulation
// this process hosts, the native cluster kafka-native started, or anything
// else (Docker, a teacher's cluster), where the learner is asked to do it.
// Each returns once the cluster's metadata shows the change.
package cluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Watch is how a handle reads the cluster's metadata: the bootstrap
// addresses and the connection settings (TLS, SASL) of the run.
type Watch struct {
	Brokers []string
	TLS     *tls.Config
	SASL    sasl.Mechanism
}

// metadataTimeout bounds one look at the metadata: a broker that went away
// must not hold up the wait for the others.
const metadataTimeout = 3 * time.Second

// Live returns the brokers the metadata lists now, by id. A fresh transport
// each time: a pooled one keeps metadata and connections of a broker that
// is gone.
func (w Watch) Live(ctx context.Context) (map[int]string, error) {
	tr := &kafka.Transport{TLS: w.TLS, SASL: w.SASL, DialTimeout: 2 * time.Second}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, metadataTimeout)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(w.Brokers...), Transport: tr, Timeout: metadataTimeout}
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{}})
	if err != nil {
		return nil, fmt.Errorf("read the cluster's metadata: %w", err)
	}
	live := map[int]string{}
	for _, b := range md.Brokers {
		live[b.ID] = fmt.Sprintf("%s:%d", b.Host, b.Port)
	}
	return live, nil
}

// Until waits until the metadata lists broker id (listed true) or no longer
// does (listed false), for at most limit.
func (w Watch) Until(ctx context.Context, id int, listed bool, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var last error
	for {
		live, err := w.Live(ctx)
		if err == nil {
			if _, ok := live[id]; ok == listed {
				return nil
			}
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			state := "still lists"
			if listed {
				state = "does not list"
			}
			if last != nil {
				return fmt.Errorf("after %v the metadata %s broker %d (last error: %w)", limit, state, id, last)
			}
			return fmt.Errorf("after %v the metadata %s broker %d", limit, state, id)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Embedded stops and starts nodes of the emulation this process hosts. It
// removes a node (kfake's RemoveNode) and adds it back on its port: the
// emulation keeps one copy of the data, so nothing is lost or caught up.
type Embedded struct {
	C     *kfake.Cluster
	Watch Watch
	ports map[int]int // the port of each node, kept for a restart
}

// NewEmbedded returns the handle of c.
func NewEmbedded(c *kfake.Cluster, w Watch) *Embedded {
	e := &Embedded{C: c, Watch: w, ports: map[int]int{}}
	for i, addr := range c.ListenAddrs() {
		var port int
		fmt.Sscanf(addr[strings.LastIndex(addr, ":")+1:], "%d", &port)
		e.ports[i] = port // kfake numbers its first nodes 0, 1, 2...
	}
	return e
}

func (e *Embedded) Nodes(ctx context.Context) ([]lessons.Node, error) {
	live, err := e.Watch.Live(ctx)
	if err != nil {
		return nil, err
	}
	return nodes(e.ports, live), nil
}

func (e *Embedded) Stop(ctx context.Context, id int) error {
	if err := e.C.RemoveNode(int32(id)); err != nil {
		return fmt.Errorf("stop embedded node %d: %w", id, err)
	}
	return e.Watch.Until(ctx, id, false, 10*time.Second)
}

func (e *Embedded) Start(ctx context.Context, id int) error {
	port, ok := e.ports[id]
	if !ok {
		return fmt.Errorf("start embedded node %d: no such node", id)
	}
	if _, _, err := e.C.AddNode(int32(id), port); err != nil {
		return fmt.Errorf("start embedded node %d on port %d: %w", id, port, err)
	}
	return e.Watch.Until(ctx, id, true, 10*time.Second)
}

// nodes lists every known node, up when the metadata lists it.
func nodes(known map[int]int, live map[int]string) []lessons.Node {
	var out []lessons.Node
	for id, port := range known {
		addr, up := live[id]
		if !up {
			addr = fmt.Sprintf("127.0.0.1:%d", port)
		}
		out = append(out, lessons.Node{ID: id, Addr: addr, Up: up})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Native stops and starts the processes of the cluster kafka-native
// started: a clean shutdown that keeps the node's data, as docker compose
// stop does.
type Native struct {
	C     *native.Cluster
	Watch Watch
}

func (n *Native) Nodes(ctx context.Context) ([]lessons.Node, error) {
	live, err := n.Watch.Live(ctx)
	if err != nil {
		return nil, err
	}
	var out []lessons.Node
	for _, node := range n.C.Nodes() {
		_, listed := live[node.ID]
		out = append(out, lessons.Node{ID: node.ID, Addr: node.Addr, Up: node.Up && listed})
	}
	return out, nil
}

func (n *Native) Stop(ctx context.Context, id int) error {
	if err := n.C.Stop(ctx, id); err != nil {
		return err
	}
	return n.Watch.Until(ctx, id, false, 30*time.Second)
}

func (n *Native) Start(ctx context.Context, id int) error {
	if err := n.C.Start(ctx, id); err != nil {
		return err
	}
	return n.Watch.Until(ctx, id, true, 60*time.Second)
}

// Serves says whether the native cluster is the one at brokers: one of its
// nodes has one of their addresses.
func Serves(c *native.Cluster, brokers []string) bool {
	for _, n := range c.Nodes() {
		for _, b := range brokers {
			if sameAddr(n.Addr, b) {
				return true
			}
		}
	}
	return false
}

func sameAddr(a, b string) bool {
	norm := func(s string) string {
		s = strings.Replace(s, "localhost:", "127.0.0.1:", 1)
		return s
	}
	return norm(a) == norm(b)
}

// Asker is how the Manual handle talks to the learner.
type Asker interface {
	// Interactive says whether a person is there to do it.
	Interactive() bool
	// Tell shows an instruction.
	Tell(format string, args ...any)
}

// Manual asks the learner to stop or start a broker (a Docker container,
// a teacher's machine) and waits until the metadata shows it. Unattended,
// it says what it would do and returns lessons.ErrNotHere.
type Manual struct {
	Watch Watch
	Ask   Asker
	// Compose is the compose file the brokers likely run from, to name the
	// exact command.
	Compose string
	// Wait bounds how long the learner has.
	Wait  time.Duration
	known map[int]string
}

func (m *Manual) Nodes(ctx context.Context) ([]lessons.Node, error) {
	live, err := m.Watch.Live(ctx)
	if err != nil {
		return nil, err
	}
	if m.known == nil {
		m.known = map[int]string{}
	}
	for id, addr := range live {
		m.known[id] = addr
	}
	var out []lessons.Node
	for id, addr := range m.known {
		_, up := live[id]
		out = append(out, lessons.Node{ID: id, Addr: addr, Up: up})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// service names broker id's service in the compose files of this project.
func (m *Manual) service(id int) string {
	if strings.Contains(m.Compose, "cluster") {
		return fmt.Sprintf("kafka-%d", id)
	}
	return "kafka"
}

func (m *Manual) command(verb string, id int) string {
	f := ""
	if m.Compose != "" && m.Compose != "docker-compose.yml" {
		f = " -f " + m.Compose
	}
	return fmt.Sprintf("docker compose%s %s %s", f, verb, m.service(id))
}

func (m *Manual) Stop(ctx context.Context, id int) error { return m.ask(ctx, "stop", id, false) }

func (m *Manual) Start(ctx context.Context, id int) error { return m.ask(ctx, "start", id, true) }

func (m *Manual) ask(ctx context.Context, verb string, id int, listed bool) error {
	cmd := m.command(verb, id)
	if !m.Ask.Interactive() {
		return fmt.Errorf("%w: this step would %s broker %d (%s), and nobody is here to do it", lessons.ErrNotHere, verb, id, cmd)
	}
	wait := m.Wait
	if wait == 0 {
		wait = 2 * time.Minute
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl)-5*time.Second < wait {
		wait = max(time.Until(dl)-5*time.Second, 5*time.Second) // the step's own limit comes first
	}
	m.Ask.Tell("Please %s broker %d now, in another terminal:  %s", verb, id, cmd)
	m.Ask.Tell("(waiting up to %v for the cluster's metadata to show it; Ctrl-C to stop)", wait.Round(time.Second))
	if err := m.Watch.Until(ctx, id, listed, wait); err != nil {
		return fmt.Errorf("%s broker %d: %w", verb, id, err)
	}
	return nil
}

// IDs returns the ids of nodes, up ones only when up is true.
func IDs(nodes []lessons.Node, up bool) []int {
	var ids []int
	for _, n := range nodes {
		if !up || n.Up {
			ids = append(ids, n.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// For returns the handle for the cluster b: the emulation this process
// hosts, the native cluster kafka-native started (found through the state
// it keeps), or the learner.
func For(b *broker.Broker, w Watch, ask Asker) lessons.NodeControl {
	if c := b.Emulation(); c != nil {
		return NewEmbedded(c, w)
	}
	if nc, err := native.Find(); err == nil && Serves(nc, b.Addrs) {
		return &Native{C: nc, Watch: w}
	}
	compose := "docker-compose.yml"
	if b.Nodes > 1 {
		compose = "docker-compose.cluster.yml"
	}
	return &Manual{Watch: w, Ask: ask, Compose: compose}
}
