package native

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/compose"
)

func loadSpec(t *testing.T, file string) *compose.Cluster {
	t.Helper()
	spec, err := loadCluster(filepath.Join("..", "..", file), 0)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// The single node is planned exactly as kafka-native always started it.
func TestPlanSingleNodeAsBefore(t *testing.T) {
	nodes := plan("/w", loadSpec(t, "docker-compose.yml"), nil)
	if len(nodes) != 1 {
		t.Fatalf("%d nodes, want 1", len(nodes))
	}
	n := nodes[0]
	if n.ID != 1 || n.Addr != "localhost:9092" || n.label != "the broker" || n.Dir != "/w/data/node-1" {
		t.Errorf("node %+v", n.nodeState)
	}
	if n.props["listeners"] != "PLAINTEXT://localhost:29092,CONTROLLER://localhost:9093,PLAINTEXT_HOST://0.0.0.0:9092" ||
		n.props["controller.quorum.voters"] != "1@localhost:9093" {
		t.Errorf("props %v", n.props)
	}
	if !reflect.DeepEqual(n.heap, defaultHeap) {
		t.Errorf("heap %v, want %v (docker-compose.yml sets none)", n.heap, defaultHeap)
	}
}

// Each node of the cluster differs from its container only in host names
// (all 127.0.0.1) and log.dirs; its ports stay, and the three together are
// still a valid cluster that can share one machine.
func TestPlanClusterPerNode(t *testing.T) {
	spec := loadSpec(t, "docker-compose.cluster.yml")
	nodes := plan("/w", spec, nil)
	if len(nodes) != 3 {
		t.Fatalf("%d nodes, want 3", len(nodes))
	}
	const voters = "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097"
	var all []map[string]string
	for i, n := range nodes {
		id := i + 1
		internal, controller, host := 29090+2*id, 9091+2*id, 9090+2*id
		want := map[string]string{
			"listeners":                fmt.Sprintf("PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d,PLAINTEXT_HOST://0.0.0.0:%d", internal, controller, host),
			"advertised.listeners":     fmt.Sprintf("PLAINTEXT://127.0.0.1:%d,PLAINTEXT_HOST://localhost:%d", internal, host),
			"controller.quorum.voters": voters,
			"log.dirs":                 fmt.Sprintf("/w/data/node-%d/kraft-logs", id),
		}
		container := spec.Nodes[i].Properties()
		for k, v := range want {
			if n.props[k] != v {
				t.Errorf("node %d: %s = %q, want %q", id, k, n.props[k], v)
			}
		}
		for k, v := range container {
			if _, changed := want[k]; !changed && n.props[k] != v {
				t.Errorf("node %d: %s changed from %q to %q", id, k, v, n.props[k])
			}
		}
		var keys []string
		for _, c := range n.changes {
			keys = append(keys, c.key)
		}
		if strings.Join(keys, " ") != "advertised.listeners controller.quorum.voters listeners log.dirs" {
			t.Errorf("node %d: changed keys %v", id, keys)
		}
		if n.ID != id || n.Service != fmt.Sprintf("kafka-%d", id) || n.Addr != fmt.Sprintf("localhost:%d", host) || n.label != fmt.Sprintf("node %d", id) {
			t.Errorf("node %d: %+v", id, n.nodeState)
		}
		if n.Listeners != want["listeners"] {
			t.Errorf("node %d: ports checked before a start come from %q", id, n.Listeners)
		}
		if strings.Join(n.heap, " ") != spec.Nodes[i].Env["KAFKA_HEAP_OPTS"] {
			t.Errorf("node %d: heap %v, want the compose file's KAFKA_HEAP_OPTS", id, n.heap)
		}
		all = append(all, n.props)
	}
	for _, err := range compose.CheckNodes(all) {
		t.Error(err)
	}
}

func TestLoadClusterWantsTheNodeCount(t *testing.T) {
	_, err := loadCluster(filepath.Join("..", "..", "docker-compose.cluster.yml"), 2)
	if err == nil || !strings.Contains(err.Error(), "defines 3 Kafka nodes, not 2") {
		t.Errorf("err = %v, want the node count named", err)
	}
	if DefaultCompose(3) != "docker-compose.cluster.yml" || DefaultCompose(0) != "docker-compose.yml" {
		t.Error("DefaultCompose")
	}
}

func TestPrepareDataWritesEachNode(t *testing.T) {
	dir := t.TempDir()
	libs := t.TempDir()
	nodes := plan(dir, loadSpec(t, "docker-compose.cluster.yml"), nil)
	if err := prepareData(dir, nodes, "docker-compose.cluster.yml", "/usr/bin/java", libs, t.Logf); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		f := n.files()
		props, err := os.ReadFile(f.props)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(props), "\nnode.id="+fmt.Sprint(n.ID)+"\n") || !strings.Contains(string(props), "log.dirs="+f.logDirs+"\n") {
			t.Errorf("node %d: server.properties:\n%s", n.ID, props)
		}
		cmd := n.Command
		if cmd[0] != "/usr/bin/java" || cmd[1] != "-Xms256m" || cmd[len(cmd)-2] != "kafka.Kafka" || cmd[len(cmd)-1] != f.props {
			t.Errorf("node %d: command %v", n.ID, cmd)
		}
		if _, err := os.Stat(f.logDirs); err != nil {
			t.Error(err)
		}
	}
}

func TestStateRoundTripAndOpen(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNoCluster) {
		t.Fatalf("Open of an empty folder: %v, want ErrNoCluster", err)
	}
	st := testState(dir, 2)
	if err := os.MkdirAll(dataDir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := st.write(dir); err != nil {
		t.Fatal(err)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.st, st) || c.Version() != "3.8.1" {
		t.Errorf("read %+v, wrote %+v", c.st, st)
	}
	nodes := c.Nodes()
	want := []Node{{ID: 1, Addr: "localhost:9092"}, {ID: 2, Addr: "localhost:9094"}}
	if !reflect.DeepEqual(nodes, want) {
		t.Errorf("Nodes = %+v, want %+v (both down)", nodes, want)
	}
	if err := c.Stop(context.Background(), 2); err != nil {
		t.Errorf("stopping a node that is down: %v", err)
	}
	if err := c.Stop(context.Background(), 7); err == nil || !strings.Contains(err.Error(), "no node 7; its nodes are 1, 2") {
		t.Errorf("unknown node: %v", err)
	}
	if err := os.WriteFile(statePath(dir), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "down, then up") {
		t.Errorf("a broken state file: %v, want advice", err)
	}
}

func TestFindUsesEnvThenGoMod(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(root, DefaultDir)
	if err := os.MkdirAll(dataDir(work), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := testState(work, 1).write(work); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(root, "runner", "sub")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(deep)
	t.Setenv(EnvDir, "")
	c, err := Find()
	if err != nil || c.dir != work {
		t.Fatalf("Find from %s: %v, %v; want %s", deep, c, err, work)
	}
	t.Setenv(EnvDir, t.TempDir())
	if _, err := Find(); !errors.Is(err, ErrNoCluster) {
		t.Errorf("Find with an empty $%s: %v, want ErrNoCluster", EnvDir, err)
	}
}

// A node's process is recognised by its command line, stopped by Stop (its
// files stay) and by Down (everything goes). A shell stands in for the JVM:
// it carries "kafka.Kafka <server.properties>" in its arguments as a broker
// does.
func TestStopAndDownAFakeBroker(t *testing.T) {
	dir := t.TempDir()
	st := testState(dir, 2)
	for i := range st.Nodes {
		n := &st.Nodes[i]
		if err := os.MkdirAll(n.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		n.Command = []string{"/bin/sh", "-c", "sleep 60; :", "kafka.Kafka", n.files().props}
	}
	if err := st.write(dir); err != nil {
		t.Fatal(err)
	}
	c := &Cluster{dir: dir, st: st, Log: testWriter{t}}
	var procs []proc
	for _, n := range st.Nodes {
		p, err := startNode(n)
		if err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	t.Cleanup(func() {
		for _, p := range procs {
			kill(p.pid)
		}
	})
	// Right after the fork, /proc shows the parent's command line until the
	// child's exec: give it a moment.
	nodes := c.Nodes()
	for deadline := time.Now().Add(5 * time.Second); (!nodes[0].Up || !nodes[1].Up) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		nodes = c.Nodes()
	}
	if !nodes[0].Up || !nodes[1].Up || nodes[1].PID != procs[1].pid {
		t.Fatalf("Nodes = %+v, want both up", nodes)
	}
	if err := c.Stop(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	select {
	case <-procs[1].exited:
	case <-time.After(5 * time.Second):
		t.Fatal("node 2's process still runs after Stop")
	}
	if n := c.Nodes(); !n[0].Up || n[1].Up || n[1].PID != 0 {
		t.Errorf("after Stop: %+v, want node 1 up, node 2 down", n)
	}
	if _, err := os.Stat(st.Nodes[1].Dir); err != nil {
		t.Errorf("Stop must keep the node's data: %v", err)
	}
	if pids := brokerPIDs(dataDir(dir)); !reflect.DeepEqual(pids, []int{procs[0].pid}) {
		t.Errorf("brokerPIDs = %v, want node 1's %d", pids, procs[0].pid)
	}
	if err := Down(context.Background(), dir, testWriter{t}); err != nil {
		t.Fatal(err)
	}
	<-procs[0].exited
	if _, err := os.Stat(dataDir(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Down left %s: %v", dataDir(dir), err)
	}
}

// A node that dies while starting is reported with its output, and leaves
// no pid file.
func TestStartReportsANodeThatExits(t *testing.T) {
	dir := t.TempDir()
	st := testState(dir, 1)
	n := &st.Nodes[0]
	if err := os.MkdirAll(n.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n.Addr = "127.0.0.1:1" // nothing answers there
	n.Listeners = ""
	n.Command = []string{"/bin/sh", "-c", "echo Exiting Kafka: bad config; exit 1"}
	c := &Cluster{dir: dir, st: st}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := c.Start(ctx, 1)
	if err == nil || !strings.Contains(err.Error(), "the broker exited during startup") || !strings.Contains(err.Error(), "Exiting Kafka: bad config") {
		t.Errorf("Start = %v, want the exit and the node's output", err)
	}
	if _, err := os.Stat(n.files().pid); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file left behind: %v", err)
	}
}

// A taken port names the port, the listener, the node and who holds it.
func TestPortTakenNamesTheOwner(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	err = checkPortsFree(fmt.Sprintf("PLAINTEXT://127.0.0.1:%d", port), "node 2")
	want := fmt.Sprintf("port %d (listener PLAINTEXT of node 2) is already in use by pid %d (", port, os.Getpid())
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("checkPortsFree = %v, want %q", err, want)
	}
}

func testState(dir string, n int) state {
	st := state{Version: "3.8.1", ClusterID: "NHvjbdKxR3CEAVS9SbTLeA", Compose: "/x/docker-compose.cluster.yml"}
	for id := 1; id <= n; id++ {
		st.Nodes = append(st.Nodes, nodeState{
			ID: id, Service: fmt.Sprintf("kafka-%d", id), Addr: fmt.Sprintf("localhost:%d", 9090+2*id),
			Dir: nodeDir(dir, id), Command: []string{"java"},
		})
	}
	return st
}

// testWriter sends progress messages to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Three combined nodes are three voters: Stop takes one down, refuses the
// second (the one left would be no majority) unless Force is set, and lets
// the last go (nothing is left half alive). Shells stand in for the JVMs.
func TestStopKeepsAMajorityOfVoters(t *testing.T) {
	dir := t.TempDir()
	st := testState(dir, 3)
	// A state written before it kept the voters: they come from the
	// first node's server.properties.
	for i := range st.Nodes {
		n := &st.Nodes[i]
		if err := os.MkdirAll(n.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		n.Command = []string{"/bin/sh", "-c", "sleep 60; :", "kafka.Kafka", n.files().props}
	}
	props := "node.id=1\ncontroller.quorum.voters=1@127.0.0.1:9093, 2@127.0.0.1:9095,3@127.0.0.1:9097\n"
	if err := os.WriteFile(st.Nodes[0].files().props, []byte(props), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := st.write(dir); err != nil {
		t.Fatal(err)
	}
	c := &Cluster{dir: dir, st: st, Log: testWriter{t}}
	if got := c.voters(); !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Fatalf("voters %v, want [1 2 3]", got)
	}
	for _, n := range st.Nodes {
		p, err := startNode(n)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { kill(p.pid) })
	}
	up := func() (ids []int) {
		for _, n := range c.Nodes() {
			if n.Up {
				ids = append(ids, n.ID)
			}
		}
		return ids
	}
	for deadline := time.Now().Add(5 * time.Second); len(up()) < 3 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // /proc shows the child's command line once it has exec'd
	}
	ctx := context.Background()
	if err := c.Stop(ctx, 2); err != nil {
		t.Fatalf("stop node 2 of 3 voters: %v", err)
	}
	err := c.Stop(ctx, 3)
	if !errors.Is(err, ErrQuorum) || !strings.Contains(err.Error(), "1 of the 3 voters") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("stop node 3 with node 2 down: %v, want ErrQuorum saying 1 of 3 is left and how to force it", err)
	}
	if got := up(); !reflect.DeepEqual(got, []int{1, 3}) {
		t.Fatalf("after a refused stop nodes %v run, want [1 3]", got)
	}
	c.Force = true
	if err := c.Stop(ctx, 3); err != nil {
		t.Fatalf("stop node 3 with Force: %v", err)
	}
	c.Force = false
	if err := c.Stop(ctx, 1); err != nil {
		t.Errorf("stop the last node: %v, want it stopped (nothing is left half alive)", err)
	}
	if got := up(); len(got) != 0 {
		t.Errorf("nodes %v still run", got)
	}
}

// A cluster's state names its voters from the compose file.
func TestVotersFromTheClusterCompose(t *testing.T) {
	nodes := plan(t.TempDir(), loadSpec(t, "docker-compose.cluster.yml"), nil)
	if got := quorumVoters(nodes[0].props["controller.quorum.voters"]); !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("voters of docker-compose.cluster.yml: %v, want [1 2 3]", got)
	}
	if got := quorumVoters(""); got != nil {
		t.Errorf("no voters property: %v, want none", got)
	}
}
