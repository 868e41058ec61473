package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/compose"
)

// bootstrap is where the lessons' clients connect (the compose file publishes
// 9092 to the host).
const bootstrap = "localhost:9092"

// layout names the files of one broker run. Everything except the cached
// jars lives under data, which down deletes.
type layout struct {
	base, data, props, pid, version, out, logs, logDirs string
}

func newLayout(base string) layout {
	data := filepath.Join(base, "data")
	return layout{
		base:    base,
		data:    data,
		props:   filepath.Join(data, "server.properties"),
		pid:     filepath.Join(data, "kafka.pid"),
		version: filepath.Join(data, "version"),
		out:     filepath.Join(data, "kafka.out"),  // the JVM's own stdout/stderr
		logs:    filepath.Join(data, "logs"),       // log4j output
		logDirs: filepath.Join(data, "kraft-logs"), // log.dirs: topics and metadata
	}
}

func up(ctx context.Context, o options) error {
	l := newLayout(o.dir)
	broker, err := loadBroker(o.compose)
	if err != nil {
		return err
	}
	java, err := findJava()
	if err != nil {
		return err
	}
	if pid, ok := runningPID(l); ok {
		return alreadyRunning(ctx, l, pid, o.version, broker.ClusterID)
	}
	version, libs, err := fetchKafka(ctx, o, broker.Image)
	if err != nil {
		return err
	}
	if err := checkJavaVersion(ctx, java, version); err != nil {
		return err
	}
	props, changes := nativeProperties(broker.Properties(), broker.Hostname, l.logDirs)
	printChanges(o.compose, changes)
	if err := checkPortsFree(props["listeners"]); err != nil {
		return err
	}
	logFlag, err := prepareData(l, props, version, usesLog4j2(libs))
	if err != nil {
		return err
	}
	classpath := filepath.Join(libs, "*") // expanded by java itself
	if err := formatStorage(ctx, java, classpath, logFlag, broker.ClusterID, l.props); err != nil {
		return err
	}
	return startAndWait(ctx, l, o.wait, java, classpath, logFlag, version, broker.ClusterID)
}

// loadBroker reads the compose file and refuses a configuration that could
// not boot, before anything is downloaded.
func loadBroker(path string) (*compose.Broker, error) {
	broker, err := compose.Load(path)
	if err != nil {
		return nil, err
	}
	if errs := broker.Validate(); len(errs) > 0 {
		return nil, fmt.Errorf("%s cannot boot a KRaft broker: %w", path, errors.Join(errs...))
	}
	return broker, nil
}

// fetchKafka picks the version (--version, or the compose image's line with
// the nearest newer line as fallback) and returns its jars.
func fetchKafka(ctx context.Context, o options, image string) (string, string, error) {
	if o.version != "" {
		libs, err := libsDir(ctx, o.dir, o.version)
		if err != nil {
			return "", "", fmt.Errorf("fetch Kafka %s: %w", o.version, err)
		}
		fmt.Printf("Apache Kafka %s (--version)\n", o.version)
		return o.version, libs, nil
	}
	candidates, line, err := defaultVersions(image)
	if err != nil {
		return "", "", err
	}
	for _, v := range candidates {
		libs, err := libsDir(ctx, o.dir, v)
		if errors.Is(err, errNotServed) {
			fmt.Printf("Kafka %s is not served by Maven Central, trying the next release\n", v)
			continue
		}
		if err != nil {
			return "", "", err
		}
		how := "the " + line + " line " + image + " ships"
		if !strings.HasPrefix(v, line+".") {
			how = "nearest to the " + line + " line " + image + " ships, which Maven Central does not serve"
		}
		fmt.Printf("Apache Kafka %s (%s)\n", v, how)
		return v, libs, nil
	}
	return "", "", fmt.Errorf("none of Kafka %v is served by Maven Central: pass --version", candidates)
}

func printChanges(composePath string, changes []change) {
	fmt.Printf("server.properties = the kafka service of %s, except:\n", composePath)
	for _, c := range changes {
		old := c.old
		if old == "" {
			old = "(unset)"
		}
		fmt.Printf("  %s: %s → %s\n", c.key, old, c.new)
	}
}

// checkPortsFree makes sure no other process (a Docker broker, an earlier
// run) holds a listener port; the broker would otherwise die at start or,
// worse, the readiness check would talk to the other process.
func checkPortsFree(listeners string) error {
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
			return fmt.Errorf("port %s (listener %s) is already in use by something else, e.g. `docker compose up` or another broker: stop it first (%w)", port, name, err)
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

// prepareData lays out a fresh data folder. A leftover one (from a broker
// that crashed or was killed) is discarded: like `docker compose down -v`
// followed by `up`, every start is a clean cluster, so lessons are repeatable.
func prepareData(l layout, props map[string]string, version string, log4j2 bool) (string, error) {
	if _, err := os.Stat(l.data); err == nil {
		fmt.Printf("Removing leftover broker data in %s\n", l.data)
	}
	if err := os.RemoveAll(l.data); err != nil {
		return "", fmt.Errorf("remove old data: %w", err)
	}
	for _, d := range []string{l.data, l.logs, l.logDirs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", fmt.Errorf("create %s: %w", d, err)
		}
	}
	header := "Generated by cmd/kafka-native from docker-compose.yml; rewritten on every up."
	if err := writeProperties(l.props, header, props); err != nil {
		return "", err
	}
	if err := os.WriteFile(l.version, []byte(version+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("write version: %w", err)
	}
	return logConfigFor(log4j2, filepath.Join(l.logs, "server.log")).write(l.data)
}

// formatStorage does what cp-kafka's entrypoint does before the first start
// of a KRaft node: write the cluster id and metadata version into log.dirs.
func formatStorage(ctx context.Context, java, classpath, logFlag, clusterID, props string) error {
	cmd := exec.CommandContext(ctx, java, "-Xmx256m", logFlag, "-cp", classpath,
		"kafka.tools.StorageTool", "format", "-t", clusterID, "-c", props)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("format storage (kafka.tools.StorageTool): %w\n%s", err, tail(string(out), 20))
	}
	fmt.Print(string(out))
	return nil
}

// alreadyRunning handles `up` while our broker runs: fine if it is the
// requested version and answers, an error otherwise.
func alreadyRunning(ctx context.Context, l layout, pid int, want, clusterID string) error {
	running := readVersion(l)
	if want != "" && want != running {
		return fmt.Errorf("Kafka %s is already running (pid %d): run `down` before starting %s", running, pid, want)
	}
	if err := probe(ctx, bootstrap, clusterID); err != nil {
		return fmt.Errorf("Kafka %s is running (pid %d) but does not answer on %s: %w", running, pid, bootstrap, err)
	}
	fmt.Printf("Kafka %s is already running on %s (pid %d)\n", running, bootstrap, pid)
	return nil
}

func status(ctx context.Context, o options) error {
	l := newLayout(o.dir)
	pid, ok := runningPID(l)
	if !ok {
		return errors.New("not running")
	}
	clusterID := ""
	if b, err := compose.Load(o.compose); err == nil {
		clusterID = b.ClusterID
	}
	if err := probe(ctx, bootstrap, clusterID); err != nil {
		return fmt.Errorf("Kafka %s runs (pid %d) but does not answer on %s: %w", readVersion(l), pid, bootstrap, err)
	}
	fmt.Printf("Kafka %s runs (pid %d) and answers on %s\n", readVersion(l), pid, bootstrap)
	return nil
}

func down(ctx context.Context, o options) error {
	l := newLayout(o.dir)
	pids := brokerPIDs(l)
	for _, pid := range pids {
		if err := stopProcess(ctx, pid, 20*time.Second); err != nil {
			return err
		}
	}
	if len(pids) == 0 {
		fmt.Println("No broker was running")
	}
	if err := os.RemoveAll(l.data); err != nil {
		return fmt.Errorf("remove broker data: %w", err)
	}
	fmt.Printf("Removed %s\n", l.data)
	return nil
}

func readVersion(l layout) string {
	b, err := os.ReadFile(l.version)
	if err != nil {
		return "(unknown version)"
	}
	return strings.TrimSpace(string(b))
}

// runningPID returns the pid from the pid file if that process is still our
// broker (pids are reused, so a live pid alone proves nothing).
func runningPID(l layout) (int, bool) {
	b, err := os.ReadFile(l.pid)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || !isOurBroker(pid, l.props) {
		return 0, false
	}
	return pid, true
}
