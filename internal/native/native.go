// Package native runs real Apache Kafka brokers as processes on this machine,
// without Docker: the jars from Maven Central, started with the settings of a
// compose file's Kafka services (docker-compose.yml: one node,
// docker-compose.cluster.yml: three). cmd/kafka-native is its command line;
// the runner uses Find to reach a cluster that command started, and lists,
// stops and starts its nodes.
//
// Everything lives in one work folder (.kafka-native by default):
//
//	<version>/libs/         cached jars; Down keeps them
//	data/                   the running cluster; Down deletes it
//	data/state.json         what Up started: version, cluster id, each node's address and command
//	data/node-<id>/         server.properties, kafka.pid, kafka.out (the JVM's output),
//	                        logs/ (the broker's log), kraft-logs/ (log.dirs: topics and metadata)
//	data/registry/          up --registry: service.pid, service.out, app/ (Apicurio's settings)
//	data/connect/           up --connect: the same, and password (its REST API's, this user's only)
//	apicurio-registry/, 3.8.1/connect/   the services' cached jars; Down keeps them
//
// The state file is written by Up, and by StartServices when it adds a
// service; whether a node or a service runs is read from its pid file and
// /proc, so kafka-native and the runner can both stop and start nodes
// without sharing anything else.
package native

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// EnvDir names the environment variable that points Find (and kafka-native's
// --dir default) at a work folder.
const EnvDir = "KAFKA_NATIVE_DIR"

// DefaultDir is the work folder's name, beside go.mod.
const DefaultDir = ".kafka-native"

// DefaultWait bounds a start when the caller's context has no deadline.
const DefaultWait = 90 * time.Second

// ErrNoCluster says no native cluster was started in the work folder.
var ErrNoCluster = errors.New("no native Kafka cluster")

// ErrQuorum says a stop would leave running nodes without a majority of
// the controller quorum's voters.
var ErrQuorum = errors.New("the controller quorum would lose its majority")

// Node is one broker of the cluster as it is now.
type Node struct {
	ID   int    // node.id
	Addr string // where clients on this machine connect, e.g. localhost:9094
	PID  int    // its process; 0 when it is down
	// Up says its process runs; whether it answers yet is what Ready tells.
	Up bool
}

// Cluster is a native cluster started by Up (kafka-native up).
type Cluster struct {
	// Log receives progress messages (stopping, starting); nil discards them.
	Log io.Writer
	// Force lets Stop take down a majority of the controller quorum's
	// voters while other nodes still run (kafka-native stop --force).
	Force bool

	dir string
	st  state
}

// Find locates the cluster kafka-native started: in $KAFKA_NATIVE_DIR if
// set, otherwise in the .kafka-native folder beside the go.mod found by
// walking up from the working directory. The error wraps ErrNoCluster when
// there is none.
func Find() (*Cluster, error) {
	dir, err := WorkDir()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoCluster, err)
	}
	return Open(dir)
}

// WorkDir is kafka-native's work folder: $KAFKA_NATIVE_DIR if set,
// otherwise the .kafka-native folder beside the go.mod found by walking up
// from the working directory.
func WorkDir() (string, error) {
	if dir := os.Getenv(EnvDir); dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the work folder: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, DefaultDir), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or above it, and $%s is not set", wd, EnvDir)
		}
	}
}

// Open reads the state Up left in the work folder dir. The error wraps
// ErrNoCluster when there is none.
func Open(dir string) (*Cluster, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("work folder %s: %w", dir, err)
	}
	st, err := readState(abs)
	if err != nil {
		return nil, err
	}
	return &Cluster{dir: abs, st: st}, nil
}

// Version is the Apache Kafka version the nodes run.
func (c *Cluster) Version() string { return c.st.Version }

// ClusterID is the id the nodes' storage was formatted with.
func (c *Cluster) ClusterID() string { return c.st.ClusterID }

// Compose is the compose file whose settings the nodes run with.
func (c *Cluster) Compose() string { return c.st.Compose }

// Nodes lists the nodes in node-id order, each up or down as its process is.
func (c *Cluster) Nodes() []Node {
	nodes := make([]Node, 0, len(c.st.Nodes))
	for _, n := range c.st.Nodes {
		pid, up := runningPID(n.files())
		nodes = append(nodes, Node{ID: n.ID, Addr: n.Addr, PID: pid, Up: up})
	}
	return nodes
}

// Ready returns nil when node id answers Kafka requests as a registered
// broker of this cluster, or says why not.
func (c *Cluster) Ready(ctx context.Context, id int) error {
	n, err := c.node(id)
	if err != nil {
		return err
	}
	return probe(ctx, n.Addr, c.st.ClusterID, []int{id})
}

// Stop stops node id and keeps its data, as `docker compose stop` does: a
// clean shutdown (SIGTERM: the broker hands over its partitions' leadership
// and flushes its logs), a kill after 30 s. Stopping a node that is down
// does nothing. Unless c.Force is set, it refuses (ErrQuorum) a stop that
// would leave other nodes running with fewer than a majority of the
// controller quorum's voters: a cluster that can no longer change its
// metadata, half alive.
func (c *Cluster) Stop(ctx context.Context, id int) error {
	n, err := c.node(id)
	if err != nil {
		return err
	}
	f := n.files()
	pid, up := runningPID(f)
	if !up {
		return nil
	}
	if !c.Force {
		if err := c.checkQuorum(id); err != nil {
			return err
		}
	}
	c.logf("Stopping node %d (pid %d)...\n", id, pid)
	if err := stopProcess(ctx, pid, 30*time.Second, c.logf); err != nil {
		return fmt.Errorf("stop node %d: %w", id, err)
	}
	if err := os.Remove(f.pid); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("stop node %d: remove its pid file: %w", id, err)
	}
	return nil
}

// checkQuorum says why stopping node id would leave the nodes still
// running without a majority of the voters, or returns nil. Stopping the
// last running node is fine: nothing is left half alive.
func (c *Cluster) checkQuorum(id int) error {
	voters := c.voters()
	if !slices.Contains(voters, id) {
		return nil // not a voter (or no fixed voters): the quorum keeps what it has
	}
	others, votersLeft := 0, 0
	for _, n := range c.Nodes() {
		if n.ID == id || !n.Up {
			continue
		}
		others++
		if slices.Contains(voters, n.ID) {
			votersLeft++
		}
	}
	majority := len(voters)/2 + 1
	if others == 0 || votersLeft >= majority {
		return nil
	}
	return fmt.Errorf("%w: stopping node %d would leave %d of the %d voters (nodes %s) running, and the quorum needs %d. "+
		"Without a majority it commits no metadata change: no leader moves, no ISR shrinks, no topic is created, until a voter is back. "+
		"Start a stopped voter first, or stop node %d anyway with --force",
		ErrQuorum, id, votersLeft, len(voters), joinInts(voters), majority, id)
}

// voters returns the quorum's voters: from the state, or, for a state
// written before it kept them, from the first node's server.properties.
func (c *Cluster) voters() []int {
	if len(c.st.Voters) > 0 || len(c.st.Nodes) == 0 {
		return c.st.Voters
	}
	b, err := os.ReadFile(c.st.Nodes[0].files().props)
	if err != nil {
		return nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "controller.quorum.voters="); ok {
			return quorumVoters(v)
		}
	}
	return nil
}

// quorumVoters returns the node ids of a controller.quorum.voters value
// such as "1@127.0.0.1:9093,2@127.0.0.1:9095", sorted.
func quorumVoters(value string) []int {
	var ids []int
	for _, v := range strings.Split(value, ",") {
		idText, _, ok := strings.Cut(strings.TrimSpace(v), "@")
		if id, err := strconv.Atoi(idText); ok && err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Start starts node id again with the data it had, and returns once it
// answers as a registered broker (bounded by DefaultWait if ctx has no
// deadline). If it exits or never answers, it is stopped and the error shows
// the end of its log. Starting a node that runs only waits for it to answer.
func (c *Cluster) Start(ctx context.Context, id int) error {
	n, err := c.node(id)
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultWait)
		defer cancel()
	}
	if _, up := runningPID(n.files()); up {
		if err := c.waitReady(ctx, []int{id}, nil); err != nil {
			return fmt.Errorf("node %d runs but %w", id, err)
		}
		return nil
	}
	if err := checkPortsFree(n.Listeners, fmt.Sprintf("node %d", id)); err != nil {
		return fmt.Errorf("start node %d: %w", id, err)
	}
	proc, err := startNode(n)
	if err != nil {
		return fmt.Errorf("start node %d: %w", id, err)
	}
	c.logf("Started node %d (pid %d), waiting for it on %s...\n", id, proc.pid, n.Addr)
	if err := c.waitReady(ctx, []int{id}, map[int]<-chan struct{}{id: proc.exited}); err != nil {
		c.abandon([]nodeState{n})
		return fmt.Errorf("start node %d: %w\n%s", id, err, logTails(n.files()))
	}
	return nil
}

// Down stops the services and every node of the work folder dir, and any
// broker or service process still running from it, then deletes the
// cluster's data; cached jars stay.
// Data goes anyway, so nodes are given 15 s to stop before they are killed.
func Down(ctx context.Context, dir string, log io.Writer) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("work folder %s: %w", dir, err)
	}
	logf := logfTo(log)
	data := dataDir(dir)
	// Services first: a Connect worker writes to the brokers as it stops.
	if err := stopAll(ctx, runningServices(dir), serviceOfPID, logf); err != nil {
		return fmt.Errorf("down: %w (the data in %s is kept)", err, data)
	}
	pids := brokerPIDs(data)
	if err := stopAll(ctx, pids, nodeOfPID, logf); err != nil {
		return fmt.Errorf("down: %w (the data in %s is kept)", err, data)
	}
	if len(pids) == 0 {
		logf("No broker was running\n")
	}
	if err := os.RemoveAll(data); err != nil {
		return fmt.Errorf("remove the brokers' data: %w", err)
	}
	logf("Removed %s\n", data)
	return nil
}

// stopAll stops processes pids at once, each given 15 s before it is
// killed; name says what each is.
func stopAll(ctx context.Context, pids []int, name func(pid int) string, logf func(string, ...any)) error {
	errs := make(chan error, len(pids))
	for _, pid := range pids {
		go func() {
			logf("Stopping %s (pid %d)...\n", name(pid), pid)
			errs <- stopProcess(ctx, pid, 15*time.Second, logf)
		}()
	}
	var failed []error
	for range pids {
		if err := <-errs; err != nil {
			failed = append(failed, err)
		}
	}
	return errors.Join(failed...)
}

// serviceOfPID names a service process by its folder under data ("the
// schema registry").
func serviceOfPID(pid int) string {
	for _, a := range cmdline(pid) {
		if strings.HasSuffix(a, ".java") {
			// data/<service>/app/<Program>.java
			return "the " + label(filepath.Base(filepath.Dir(filepath.Dir(a))))
		}
	}
	return "a service"
}

// nodeOfPID names a broker process by the node folder of its
// server.properties ("node 2"), or "broker".
func nodeOfPID(pid int) string {
	var name string
	isBrokerWith(pid, func(props string) bool {
		name = filepath.Base(filepath.Dir(props))
		return true
	})
	if id, ok := strings.CutPrefix(name, "node-"); ok {
		return "node " + id
	}
	return "broker"
}

// node returns the state of node id or names the ids there are.
func (c *Cluster) node(id int) (nodeState, error) {
	var ids []string
	for _, n := range c.st.Nodes {
		if n.ID == id {
			return n, nil
		}
		ids = append(ids, fmt.Sprint(n.ID))
	}
	return nodeState{}, fmt.Errorf("the native cluster has no node %d; its nodes are %s", id, strings.Join(ids, ", "))
}

func (c *Cluster) logf(format string, args ...any) { logfTo(c.Log)(format, args...) }

// logfTo returns a printf to w, or one that prints nothing.
func logfTo(w io.Writer) func(string, ...any) {
	if w == nil {
		return func(string, ...any) {}
	}
	return func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
}
