package native

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

// findJava prefers JAVA_HOME, as Kafka's own scripts do.
func findJava() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		java := filepath.Join(home, "bin", "java")
		if _, err := os.Stat(java); err == nil {
			return java, nil
		}
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", errors.New("java is not installed (Kafka needs Java 17; apt-get install openjdk-17-jre-headless)")
	}
	return java, nil
}

var javaVersion = regexp.MustCompile(`version "(?:1\.)?(\d+)`)

// checkJavaVersion fails early with a clear message: Kafka 4 brokers need
// Java 17, 3.x runs on 8 and newer.
func checkJavaVersion(ctx context.Context, java, kafkaVersion string) error {
	out, err := exec.CommandContext(ctx, java, "-version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("run %s -version: %w", java, err)
	}
	m := javaVersion.FindSubmatch(out)
	if m == nil {
		return nil // unknown format: let the JVM speak for itself
	}
	have, _ := strconv.Atoi(string(m[1]))
	need := 8
	if kafkaMajor(kafkaVersion) >= 4 {
		need = 17
	}
	if have < need {
		return fmt.Errorf("%s is Java %d, but Kafka %s needs Java %d or newer", java, have, kafkaVersion, need)
	}
	return nil
}

// proc is a node process this process started; exited is closed when it
// ends (and has been reaped, so it leaves no zombie).
type proc struct {
	pid    int
	exited <-chan struct{}
}

// startNode runs the node's command in its own session so it outlives
// whoever started it (kafka-native, the runner) and the terminal's Ctrl-C.
func startNode(n nodeState) (proc, error) {
	f := n.files()
	if len(n.Command) == 0 {
		return proc{}, errors.New("the cluster's state has no command for it (run kafka-native down, then up)")
	}
	return startDetached(n.Command, f.dir, f.out, f.pid)
}

// startDetached runs command in dir in its own session, its output
// appended to the file out, its pid written to the file pid.
func startDetached(command []string, dir, out, pid string) (proc, error) {
	if err := supported(); err != nil {
		return proc{}, err
	}
	output, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return proc{}, fmt.Errorf("open %s: %w", out, err)
	}
	defer output.Close() // the child keeps its own copy
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = output, output
	cmd.SysProcAttr = ownSession()
	if err := cmd.Start(); err != nil {
		return proc{}, fmt.Errorf("start %s: %w", command[0], err)
	}
	if err := os.WriteFile(pid, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return proc{}, fmt.Errorf("write pid file: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	return proc{pid: cmd.Process.Pid, exited: exited}, nil
}

// waitReady polls nodes ids until each answers and lists all of them as
// registered brokers, one exits (exited may be nil for nodes not started
// here), or ctx ends.
func (c *Cluster) waitReady(ctx context.Context, ids []int, exited map[int]<-chan struct{}) error {
	limit := "its time limit"
	if dl, ok := ctx.Deadline(); ok {
		limit = time.Until(dl).Round(time.Second).String()
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	pending := append([]int(nil), ids...)
	last := map[int]error{}
	for {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return fmt.Errorf("interrupted while waiting for %s", c.label(pending[0]))
			}
			var b strings.Builder
			for _, id := range pending {
				n, _ := c.node(id)
				fmt.Fprintf(&b, "%s did not answer on %s within %s (last error: %v); ", c.label(id), n.Addr, limit, last[id])
			}
			return errors.New(strings.TrimSuffix(b.String(), "; "))
		case <-tick.C:
		}
		var still []int
		for _, id := range pending {
			select {
			case <-exited[id]: // a nil channel never fires
				return fmt.Errorf("%s exited during startup", c.label(id))
			default:
			}
			n, _ := c.node(id)
			if last[id] = probe(ctx, n.Addr, c.st.ClusterID, ids); last[id] != nil {
				still = append(still, id)
			}
		}
		if pending = still; len(pending) == 0 {
			return nil
		}
	}
}

// label names a node in messages; a single node is "the broker", as before
// clusters existed.
func (c *Cluster) label(id int) string {
	if len(c.st.Nodes) == 1 {
		return "the broker"
	}
	return fmt.Sprintf("node %d", id)
}

// abandon stops nodes whose start failed, so a failed start leaves no
// process behind.
func (c *Cluster) abandon(nodes []nodeState) {
	for _, n := range nodes {
		f := n.files()
		if pid, ok := runningPID(f); ok {
			_ = stopProcess(context.Background(), pid, 20*time.Second, c.logf)
		}
		os.Remove(f.pid)
	}
}

// probe sends ApiVersions and Metadata. Metadata lists a broker only once it
// has registered with the controller and is not fenced, i.e. once clients
// can really use it: want are the node ids it must list. The cluster id
// proves it is our broker, not another one on the same port. kafka.Client
// negotiates protocol versions with the broker, so the probe keeps working
// as Kafka retires old request versions (4.0 removed many).
func probe(ctx context.Context, addr, clusterID string, want []int) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	transport := &kafka.Transport{DialTimeout: time.Second}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(addr), Transport: transport}
	if _, err := client.ApiVersions(ctx, &kafka.ApiVersionsRequest{}); err != nil {
		return fmt.Errorf("ApiVersions: %w", err)
	}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	if clusterID != "" && meta.ClusterID != clusterID {
		return fmt.Errorf("%s belongs to cluster %s, not to ours (%s)", addr, meta.ClusterID, clusterID)
	}
	if len(meta.Brokers) == 0 {
		return errors.New("no broker registered yet")
	}
	listed := map[int]bool{}
	for _, b := range meta.Brokers {
		listed[b.ID] = true
	}
	for _, id := range want {
		if !listed[id] {
			return fmt.Errorf("node %d is not registered yet (metadata lists %d brokers)", id, len(meta.Brokers))
		}
	}
	return nil
}

// stopProcess asks the process group of a broker or a service to shut
// down cleanly (Kafka flushes its logs on SIGTERM, Connect and Quarkus run
// their shutdown hooks) and kills it when that takes longer than grace.
func stopProcess(ctx context.Context, pid int, grace time.Duration, logf func(string, ...any)) error {
	terminate(pid)
	if waitExit(ctx, pid, grace) {
		return nil
	}
	logf("Process %d still running after %s, killing it\n", pid, grace)
	kill(pid)
	if waitExit(context.Background(), pid, 5*time.Second) {
		return nil
	}
	return fmt.Errorf("process %d did not die after SIGKILL", pid)
}

// waitExit waits until pid is gone, limit passes or ctx ends.
func waitExit(ctx context.Context, pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if !alive(pid) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return !alive(pid)
}

// isBrokerWith tells whether pid runs kafka.Kafka with a server.properties
// that match accepts.
func isBrokerWith(pid int, match func(props string) bool) bool {
	args := cmdline(pid)
	for i, a := range args {
		if a == "kafka.Kafka" && i+1 < len(args) && match(args[i+1]) {
			return true
		}
	}
	return false
}

// runningPID returns the pid from a node's pid file if that process is
// still the node's broker (pids are reused, so a live pid alone proves
// nothing).
func runningPID(f nodeFiles) (int, bool) {
	b, err := os.ReadFile(f.pid)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || !isBrokerWith(pid, func(p string) bool { return p == f.props }) {
		return 0, false
	}
	return pid, true
}

// brokerPIDs finds every broker whose server.properties lies under data:
// by /proc rather than pid files alone, so a broker whose pid file or state
// was lost (a crash of kafka-native, an older layout) is found too.
func brokerPIDs(data string) []int {
	prefix := filepath.Clean(data) + string(filepath.Separator)
	return processes(func(pid int) bool {
		return isBrokerWith(pid, func(p string) bool { return strings.HasPrefix(p, prefix) })
	})
}

// processes returns the pids in /proc that match accepts (none where there
// is no /proc).
func processes(match func(pid int) bool) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && match(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// checkPortsFree makes sure no other process (a Docker broker, an earlier
// run) holds a port of listeners ("NAME://host:port,..."); the broker would
// otherwise die at start or, worse, the readiness check would talk to the
// other process. who names the node in the message.
func checkPortsFree(listeners, who string) error {
	for _, entry := range strings.Split(listeners, ",") {
		name, addr, ok := strings.Cut(strings.TrimSpace(entry), "://")
		if !ok {
			continue
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("listener %s: %w", entry, err)
		}
		if err := portFree(host, port); err != nil {
			return fmt.Errorf("port %s (listener %s of %s) is already in use%s: stop that first (`docker compose down`, or `go run ./cmd/kafka-native down` for a native broker) (%w)",
				port, name, who, portOwner(port), err)
		}
	}
	return nil
}

func portFree(host, port string) error {
	if conn, err := net.DialTimeout("tcp", net.JoinHostPort("localhost", port), 500*time.Millisecond); err == nil {
		conn.Close()
		return errors.New("it accepts connections")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return err
	}
	return ln.Close()
}

// portOwner names the process listening on port, as " by pid N (name)", or
// "" when /proc does not tell (another user's process, another namespace).
func portOwner(port string) string {
	p, err := strconv.Atoi(port)
	if err != nil {
		return ""
	}
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		for inode := range listeningInodes(table, p) {
			inodes[inode] = true
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
			if err == nil && strings.HasPrefix(link, "socket:[") && inodes[strings.Trim(link[len("socket:"):], "[]")] {
				return fmt.Sprintf(" by pid %d (%s)", pid, describe(pid))
			}
		}
	}
	return ""
}

// listeningInodes reads a /proc/net/tcp table: the socket inodes listening
// on port.
func listeningInodes(table string, port int) map[string]bool {
	f, err := os.Open(table)
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" { // 0A: LISTEN
			continue
		}
		_, hexPort, _ := strings.Cut(fields[1], ":")
		if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == port {
			out[fields[9]] = true
		}
	}
	return out
}

// describe names a process: its command, and for a Kafka broker the
// properties file it runs with.
func describe(pid int) string {
	args := cmdline(pid)
	if len(args) == 0 {
		return "gone"
	}
	name := filepath.Base(args[0])
	for i, a := range args {
		if a == "kafka.Kafka" && i+1 < len(args) {
			return name + " kafka.Kafka " + args[i+1]
		}
	}
	return name
}

// logTails shows why a start failed: the JVM's output and the broker log.
func logTails(f nodeFiles) string {
	var b strings.Builder
	for _, file := range []string{f.out, filepath.Join(f.logs, "server.log")} {
		data, err := os.ReadFile(file)
		if err != nil || len(data) == 0 {
			continue
		}
		fmt.Fprintf(&b, "--- last lines of %s ---\n%s\n", file, tail(string(data), 30))
	}
	return b.String()
}
