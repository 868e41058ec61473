package native

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/compose"
)

// UpOptions say what Up starts.
type UpOptions struct {
	Dir string // work folder: cached jars and the cluster's data; "" is DefaultDir
	// Compose is the file whose Kafka services define the nodes; "" is
	// DefaultCompose(Nodes).
	Compose string
	Nodes   int           // how many nodes the file must define; 0: as many as it does
	Version string        // Apache Kafka version; "": the one the compose image ships
	Wait    time.Duration // how long to wait for the nodes to answer; 0: DefaultWait
	Log     io.Writer     // progress messages; nil discards them
	// Set overrides server properties of every node, on top of the compose
	// file's (a SASL_SSL listener for the secured-cluster tests, say); each
	// is printed as a change.
	Set map[string]string
	// AddSCRAM creates SCRAM credentials when the storage is formatted, as
	// kafka-storage format --add-scram does, e.g.
	// SCRAM-SHA-512=[name=alice,password=alice-secret].
	AddSCRAM []string
}

// DefaultCompose is the compose file for n nodes: docker-compose.yml for
// one (or n = 0), docker-compose.cluster.yml for more.
func DefaultCompose(n int) string {
	if n > 1 {
		return "docker-compose.cluster.yml"
	}
	return "docker-compose.yml"
}

// defaultHeap is the heap of a node whose service sets no KAFKA_HEAP_OPTS:
// smaller than the image's 1 GB, ample for lessons.
var defaultHeap = []string{"-Xmx512m", "-Xms256m"}

// Up starts the nodes the compose file defines and returns once every one
// answers and lists them all as registered brokers. It fetches the jars
// once (Maven's ~/.m2 and <dir>/<version>/libs cache them), writes each
// node's server.properties from its service's settings, formats fresh
// storage and starts the nodes detached. If the same cluster already runs
// from dir, Up only checks that it answers; anything else running there is
// an error. A failed Up leaves no process behind.
func Up(ctx context.Context, o UpOptions) (*Cluster, error) {
	if err := supported(); err != nil {
		return nil, err // before downloading Kafka's jars for nothing
	}
	logf := logfTo(o.Log)
	if o.Dir == "" {
		o.Dir = DefaultDir
	}
	if o.Compose == "" {
		o.Compose = DefaultCompose(o.Nodes)
	}
	if o.Wait == 0 {
		o.Wait = DefaultWait
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("work folder %s: %w", o.Dir, err)
	}
	composePath, err := filepath.Abs(o.Compose)
	if err != nil {
		return nil, fmt.Errorf("compose file %s: %w", o.Compose, err)
	}
	spec, err := loadCluster(o.Compose, o.Nodes)
	if err != nil {
		return nil, err
	}
	java, err := findJava()
	if err != nil {
		return nil, err
	}
	if c, running, err := alreadyUp(ctx, dir, composePath, o, spec); running {
		return c, err
	}
	// Services of an earlier run whose brokers are gone would keep their
	// ports, and lose their files with the data: stopped first.
	if err := stopAll(ctx, runningServices(dir), serviceOfPID, logf); err != nil {
		return nil, fmt.Errorf("stop the services of an earlier run: %w", err)
	}
	nodes := plan(dir, spec, o.Set)
	for _, n := range nodes {
		if err := checkPortsFree(n.Listeners, n.label); err != nil {
			return nil, err
		}
	}
	version, libs, err := fetchKafka(ctx, dir, o.Version, spec.Nodes[0].Image, logf)
	if err != nil {
		return nil, err
	}
	if err := checkJavaVersion(ctx, java, version); err != nil {
		return nil, err
	}
	for _, n := range nodes {
		printChanges(logf, n, o.Compose, len(nodes))
	}
	if err := prepareData(dir, nodes, o.Compose, java, libs, logf); err != nil {
		return nil, err
	}
	if err := formatAll(ctx, java, libs, spec.Nodes[0].ClusterID, nodes, o.AddSCRAM, logf); err != nil {
		return nil, err
	}
	st := state{Version: version, ClusterID: spec.Nodes[0].ClusterID, Compose: composePath,
		Voters: quorumVoters(nodes[0].props["controller.quorum.voters"])}
	for _, n := range nodes {
		st.Nodes = append(st.Nodes, n.nodeState)
	}
	if err := st.write(dir); err != nil {
		return nil, err
	}
	c := &Cluster{Log: o.Log, dir: dir, st: st}
	return c, c.launch(ctx, o.Wait)
}

// loadCluster reads the compose file and refuses a configuration that could
// not boot, before anything is downloaded.
func loadCluster(path string, want int) (*compose.Cluster, error) {
	spec, err := compose.LoadCluster(path)
	if err != nil {
		return nil, err
	}
	what := "a KRaft broker"
	if len(spec.Nodes) > 1 {
		what = "a KRaft cluster"
	}
	if errs := spec.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("%s cannot boot %s: %w", path, what, errors.Join(errs...))
	}
	if want != 0 && want != len(spec.Nodes) {
		return nil, fmt.Errorf("%s defines %d Kafka nodes, not %d: pass --compose with a file of %d nodes, or --nodes %d",
			path, len(spec.Nodes), want, want, len(spec.Nodes))
	}
	return spec, nil
}

// planned is a node about to be written and started.
type planned struct {
	nodeState
	label   string
	image   string
	heap    []string
	logFlag string // selects the node's logging config (written by prepareData)
	props   map[string]string
	changes []change
}

// plan derives each node's native settings. Natively every container's host
// name is this machine: "localhost" for the single node (as it always was),
// 127.0.0.1 in a cluster, so no node depends on how localhost resolves.
func plan(dir string, spec *compose.Cluster, set map[string]string) []planned {
	host := "localhost"
	if len(spec.Nodes) > 1 {
		host = "127.0.0.1"
	}
	hosts := map[string]string{}
	for _, b := range spec.Nodes {
		hosts[b.Hostname] = host
		hosts[b.Service] = host // containers reach a service by its name too
	}
	var out []planned
	for _, b := range spec.Nodes {
		id, _ := b.NodeID() // checked by Validate
		d := nodeDir(dir, id)
		props, changes := nativeProperties(b.Properties(), hosts, filesIn(d).logDirs)
		for _, k := range sortedKeys(set) {
			if props[k] != set[k] {
				changes = append(changes, change{k, props[k], set[k]})
				props[k] = set[k]
			}
		}
		heap := strings.Fields(b.Env["KAFKA_HEAP_OPTS"])
		if len(heap) == 0 {
			heap = defaultHeap
		}
		label := "the broker"
		if len(spec.Nodes) > 1 {
			label = fmt.Sprintf("node %d", id)
		}
		out = append(out, planned{
			nodeState: nodeState{ID: id, Service: b.Service, Addr: hostAddr(b, props), Listeners: props["listeners"], Dir: d},
			label:     label, image: b.Image, heap: heap, props: props, changes: changes,
		})
	}
	return out
}

// hostAddr is where clients on this machine reach a node: its advertised
// listener on a port the compose file publishes (Validate has checked it
// is one). Natively, as in Docker, that is e.g. localhost:9094.
func hostAddr(b *compose.Broker, props map[string]string) string {
	var first string
	for _, l := range strings.Split(props["advertised.listeners"], ",") {
		_, addr, ok := strings.Cut(strings.TrimSpace(l), "://")
		if !ok {
			continue
		}
		if first == "" {
			first = addr
		}
		for _, p := range b.Ports {
			if p.Published != "" && strings.HasSuffix(addr, ":"+p.Published) {
				return addr
			}
		}
	}
	return first
}

// alreadyUp handles Up while brokers of the work folder run: fine if they
// are the cluster asked for and all answer, an error otherwise. running
// reports whether anything runs at all.
func alreadyUp(ctx context.Context, dir, composePath string, o UpOptions, spec *compose.Cluster) (*Cluster, bool, error) {
	pids := brokerPIDs(dataDir(dir))
	if len(pids) == 0 {
		return nil, false, nil
	}
	c, err := Open(dir)
	if errors.Is(err, ErrNoCluster) {
		return nil, true, fmt.Errorf("a broker from an earlier run still runs (pid %s) without a state file (an older kafka-native?): run `down` first", joinInts(pids))
	}
	if err != nil {
		return nil, true, fmt.Errorf("a broker from an earlier run still runs (pid %s): %w", joinInts(pids), err)
	}
	c.Log = o.Log
	running := c.Version()
	if o.Version != "" && o.Version != running {
		return nil, true, fmt.Errorf("another version is already running (Kafka %s, pid %s): run `down` before starting %s", running, joinInts(pids), o.Version)
	}
	if c.Compose() != composePath || len(c.st.Nodes) != len(spec.Nodes) {
		return nil, true, fmt.Errorf("a cluster of %d node(s) from %s is already running (Kafka %s): run `down` before starting %d from %s",
			len(c.st.Nodes), c.Compose(), running, len(spec.Nodes), composePath)
	}
	var pidList []string
	for _, n := range c.Nodes() {
		if !n.Up {
			return nil, true, fmt.Errorf("the cluster (Kafka %s) is running but node %d is down: start it (kafka-native start --node %d) or run `down` first", running, n.ID, n.ID)
		}
		if err := probe(ctx, n.Addr, c.ClusterID(), c.st.ids()); err != nil {
			return nil, true, fmt.Errorf("the broker on %s runs (Kafka %s, pid %d) but does not answer: %w", n.Addr, running, n.PID, err)
		}
		pidList = append(pidList, fmt.Sprint(n.PID))
	}
	c.logf("Kafka %s is already running on %s (pid %s)\n", running, strings.Join(c.st.addrs(), ","), strings.Join(pidList, ", "))
	return c, true, nil
}

// fetchKafka picks the version (--version, or the compose image's line with
// the nearest newer line as fallback) and returns its jars.
func fetchKafka(ctx context.Context, dir, version, image string, logf func(string, ...any)) (string, string, error) {
	if version != "" {
		libs, err := libsDir(ctx, dir, version, logf)
		if err != nil {
			return "", "", fmt.Errorf("fetch Kafka %s: %w", version, err)
		}
		logf("Apache Kafka %s (--version)\n", version)
		return version, libs, nil
	}
	candidates, line, err := defaultVersions(image)
	if err != nil {
		return "", "", err
	}
	for _, v := range candidates {
		libs, err := libsDir(ctx, dir, v, logf)
		if errors.Is(err, errNotServed) {
			logf("Kafka %s is not served by Maven Central, trying the next release\n", v)
			continue
		}
		if err != nil {
			return "", "", err
		}
		how := "the " + line + " line " + image + " ships"
		if !strings.HasPrefix(v, line+".") {
			how = "nearest to the " + line + " line " + image + " ships, which Maven Central does not serve"
		}
		logf("Apache Kafka %s (%s)\n", v, how)
		return v, libs, nil
	}
	return "", "", fmt.Errorf("none of Kafka %v is served by Maven Central: pass --version", candidates)
}

func printChanges(logf func(string, ...any), n planned, composePath string, count int) {
	prefix := ""
	if count > 1 {
		prefix = fmt.Sprintf("node %d: ", n.ID)
	}
	logf("%sserver.properties = the %s service of %s, except:\n", prefix, n.Service, composePath)
	for _, c := range n.changes {
		old := c.old
		if old == "" {
			old = "(unset)"
		}
		logf("  %s: %s → %s\n", c.key, old, c.new)
	}
}

// prepareData lays out a fresh data folder and each node's files and
// command line. A leftover one (from a cluster that crashed or was killed)
// is discarded: like `docker compose down -v` followed by `up`, every start
// is a clean cluster, so lessons are repeatable.
func prepareData(dir string, nodes []planned, composePath, java, libs string, logf func(string, ...any)) error {
	data := dataDir(dir)
	if _, err := os.Stat(data); err == nil {
		logf("Removing leftover broker data in %s\n", data)
	}
	if err := os.RemoveAll(data); err != nil {
		return fmt.Errorf("remove old data: %w", err)
	}
	classpath := filepath.Join(libs, "*") // expanded by java itself
	log4j2 := usesLog4j2(libs)
	for i := range nodes {
		n := &nodes[i]
		f := n.files()
		for _, d := range []string{f.dir, f.logs, f.logDirs} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", d, err)
			}
		}
		header := fmt.Sprintf("Generated by kafka-native from the %s service of %s; rewritten on every up.", n.Service, composePath)
		err := writeProperties(f.props, header, n.props)
		if err != nil {
			return err
		}
		if n.logFlag, err = logConfigFor(log4j2, filepath.Join(f.logs, "server.log")).write(f.dir); err != nil {
			return err
		}
		n.Command = append(append([]string{java}, n.heap...),
			"-Djava.awt.headless=true", n.logFlag, "-Dkafka.logs.dir="+f.logs,
			"-cp", classpath, "kafka.Kafka", f.props)
	}
	return nil
}

// formatAll does what cp-kafka's entrypoint does before a node's first
// start: write the cluster id and metadata version into its log.dirs. The
// nodes are formatted at once: each is a JVM that mostly waits to start.
func formatAll(ctx context.Context, java, libs, clusterID string, nodes []planned, scram []string, logf func(string, ...any)) error {
	outs := make([]string, len(nodes))
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := n.files()
			args := []string{"-Xmx256m", n.logFlag, "-cp", filepath.Join(libs, "*"),
				"kafka.tools.StorageTool", "format", "-t", clusterID, "-c", f.props}
			for _, s := range scram {
				args = append(args, "--add-scram", s)
			}
			cmd := exec.CommandContext(ctx, java, args...)
			out, err := cmd.CombinedOutput()
			outs[i] = string(out)
			if err != nil {
				errs[i] = fmt.Errorf("format the storage of %s (kafka.tools.StorageTool): %w\n%s", n.label, err, tail(string(out), 20))
			}
		}()
	}
	wg.Wait()
	for _, out := range outs {
		logf("%s", out)
	}
	return errors.Join(errs...)
}

// launch starts every node and waits until all answer; if one does not,
// all are stopped and the end of their logs shown.
func (c *Cluster) launch(ctx context.Context, wait time.Duration) error {
	started := time.Now()
	exited := map[int]<-chan struct{}{}
	var pids []string
	for _, n := range c.st.Nodes {
		p, err := startNode(n)
		if err != nil {
			c.abandon(c.st.Nodes)
			return fmt.Errorf("start %s: %w", c.label(n.ID), err)
		}
		exited[n.ID] = p.exited
		pids = append(pids, fmt.Sprint(p.pid))
	}
	addrs := strings.Join(c.st.addrs(), ",")
	if len(c.st.Nodes) == 1 {
		c.logf("Started Kafka %s (pid %s), waiting for it on %s...\n", c.st.Version, pids[0], addrs)
	} else {
		c.logf("Started Kafka %s: nodes %s (pids %s), waiting for them on %s...\n",
			c.st.Version, joinInts(c.st.ids()), strings.Join(pids, ", "), addrs)
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := c.waitReady(wctx, c.st.ids(), exited); err != nil {
		c.abandon(c.st.Nodes)
		var tails strings.Builder
		for _, n := range c.st.Nodes {
			tails.WriteString(logTails(n.files()))
		}
		return fmt.Errorf("%w\n%s", err, tails.String())
	}
	took := time.Since(started).Seconds()
	if len(c.st.Nodes) == 1 {
		n := c.st.Nodes[0]
		c.logf("Kafka %s is up on %s (pid %s) after %.1fs; logs in %s; stop it with: go run ./cmd/kafka-native down\n",
			c.st.Version, n.Addr, pids[0], took, n.files().logs)
		return nil
	}
	c.logf("Kafka %s is up: %d nodes on %s after %.1fs; logs in %s\n",
		c.st.Version, len(c.st.Nodes), addrs, took, filepath.Join(dataDir(c.dir), "node-*", "logs"))
	c.logf("Stop one with: go run ./cmd/kafka-native stop --node 2; all with: go run ./cmd/kafka-native down\n")
	return nil
}

func joinInts(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ", ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
