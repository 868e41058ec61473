package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/sr"
)

// itEnv turns on the integration test: it fetches Kafka's jars with Maven
// (once; ~/.m2 caches them), boots three JVMs on ports 9092-9097 and
// 29092-29096, and takes about a minute.
const itEnv = "KAFKA_NATIVE_IT"

// TestKafkaNativeCluster drives the kafka-native command as a learner or CI
// does: a taken port, up --nodes 3, status, stop and start a node while a
// replicated topic takes acks=all writes, and down.
func TestKafkaNativeCluster(t *testing.T) {
	if os.Getenv(itEnv) == "" {
		t.Skipf("set %s=1 to boot a real three-node Kafka cluster (Java and Maven needed)", itEnv)
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "kafka-native")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// A work folder of its own, so the test never touches a cluster someone
	// runs from the repository; the jars cached there are reused.
	dir := t.TempDir()
	if libs, err := filepath.Glob(filepath.Join(repo, ".kafka-native", "*", "libs")); err == nil {
		for _, l := range libs {
			_ = os.Symlink(filepath.Dir(l), filepath.Join(dir, filepath.Base(filepath.Dir(l))))
		}
	}
	if registry := filepath.Join(repo, ".kafka-native", "apicurio-registry"); exists(registry) {
		_ = os.Symlink(registry, filepath.Join(dir, "apicurio-registry"))
	}
	kn := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--dir", dir)...)
		cmd.Dir = repo // where the default compose files are
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		t.Logf("kafka-native %s:\n%s", strings.Join(args, " "), out.String())
		return out.String(), err
	}
	for _, p := range []int{9092, 9093, 9094, 9095, 9096, 9097, 29092, 29094, 29096} {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("localhost:%d", p), 300*time.Millisecond); err == nil {
			c.Close()
			t.Fatalf("port %d is in use: stop what runs there (a broker?) before this test", p)
		}
	}
	t.Cleanup(func() {
		if _, err := kn("down"); err != nil {
			t.Errorf("down in cleanup: %v", err)
		}
	})

	t.Run("a taken port is named with its holder", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:9095")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		out, err := kn("up", "--nodes", "3")
		want := fmt.Sprintf("port 9095 (listener CONTROLLER of node 2) is already in use by pid %d", os.Getpid())
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("up with 9095 taken: %v, want a failure saying %q", err, want)
		}
		if pids := brokersUnder(dir); len(pids) > 0 {
			t.Errorf("a failed up left brokers running: %v", pids)
		}
	})

	started := time.Now()
	out, err := kn("up", "--nodes", "3")
	if err != nil {
		t.Fatalf("up --nodes 3: %v", err)
	}
	t.Logf("up --nodes 3 took %.1fs", time.Since(started).Seconds())
	for _, key := range []string{"listeners", "advertised.listeners", "controller.quorum.voters", "log.dirs"} {
		if strings.Count(out, "  "+key+": ") != 3 {
			t.Errorf("up should print the change of %s for each of the 3 nodes", key)
		}
	}
	if !strings.Contains(out, "is up: 3 nodes on localhost:9092,localhost:9094,localhost:9096") {
		t.Errorf("up did not say where the nodes are")
	}
	pids := brokersUnder(dir)
	if len(pids) != 3 || pids["node-2"] == 0 {
		t.Fatalf("broker processes %v, want nodes 1, 2 and 3", pids)
	}
	var rss int
	for _, p := range pids {
		rss += rssKB(p)
	}
	t.Logf("RSS of the three JVMs after up: %d MB", rss/1024)

	out, err = kn("status")
	if err != nil || strings.Count(out, "answers") != 3 {
		t.Fatalf("status: %v, want 3 nodes that answer", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	addrs := []string{"localhost:9092", "localhost:9094", "localhost:9096"}
	client := &kafka.Client{Addr: kafka.TCP(addrs...), Timeout: 10 * time.Second}
	const topic = "kafka-native-it"
	created, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: 1, ReplicationFactor: 3}},
	})
	if err != nil || created.Errors[topic] != nil {
		t.Fatalf("create %s with 3 replicas: %v %v", topic, err, created.Errors)
	}
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	write(ctx, t, w, "before the stop")

	out, err = kn("stop", "--node", "2")
	if err != nil || !strings.Contains(out, "Node 2 stopped") {
		t.Fatalf("stop --node 2: %v", err)
	}
	if alive(pids["node-2"]) {
		t.Errorf("node 2's process %d still runs", pids["node-2"])
	}
	out, err = kn("status")
	if err == nil || !strings.Contains(out, "node 2    down") || strings.Count(out, "answers") != 2 {
		t.Errorf("status with node 2 stopped: %v, want node 2 down, two answering, and a failure exit", err)
	}
	node2 := filepath.Join(dir, "data", "node-2", "kraft-logs", topic+"-0")
	if _, err := os.Stat(node2); err != nil {
		t.Errorf("stop must keep node 2's data: %v", err)
	}
	// Two replicas of three are in sync: min.insync.replicas=2 still
	// accepts acks=all.
	write(ctx, t, w, "while node 2 is stopped")
	// A second voter of three must not go by accident.
	out, err = kn("stop", "--node", "3")
	if err == nil || !strings.Contains(out, "quorum would lose its majority") || !strings.Contains(out, "--force") {
		t.Errorf("stop --node 3 with node 2 down: %v\n%s\nwant a refusal that says why and how to force it", err, out)
	}
	if !alive(pids["node-3"]) {
		t.Errorf("node 3's process %d was stopped although the stop was refused", pids["node-3"])
	}

	started = time.Now()
	if _, err := kn("start", "--node", "2"); err != nil {
		t.Fatalf("start --node 2: %v", err)
	}
	t.Logf("start --node 2 took %.1fs", time.Since(started).Seconds())
	if out, err := kn("status"); err != nil || strings.Count(out, "answers") != 3 {
		t.Errorf("status after start: %v, want 3 nodes that answer", err)
	}
	// Node 2 comes back with its data and catches up: the ISR grows back to 3.
	waitISR(ctx, t, client, topic, 3)
	if got := count(ctx, t, addrs, topic); got != 2 {
		t.Errorf("read %d records, want the 2 acknowledged", got)
	}

	t.Run("a registry and a Connect worker beside the cluster", func(t *testing.T) {
		services(ctx, t, kn, client, dir)
	})

	if _, err := kn("down"); err != nil {
		t.Fatalf("down: %v", err)
	}
	if pids := brokersUnder(dir); len(pids) > 0 {
		t.Errorf("down left brokers running: %v", pids)
	}
	if pids := servicesUnder(dir); len(pids) > 0 {
		t.Errorf("down left services running: %v", pids)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("down left data: %v", err)
	}
}

func write(ctx context.Context, t *testing.T, w *kafka.Writer, value string) {
	t.Helper()
	var err error
	// A new topic's leader, or a new leader after a stop, takes a moment.
	for ctx.Err() == nil {
		if err = w.WriteMessages(ctx, kafka.Message{Value: []byte(value)}); err == nil {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("write %q with acks=all: %v", value, err)
}

func waitISR(ctx context.Context, t *testing.T, client *kafka.Client, topic string, want int) {
	t.Helper()
	var isr []kafka.Broker
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
		if err == nil && len(meta.Topics) == 1 && len(meta.Topics[0].Partitions) == 1 {
			if isr = meta.Topics[0].Partitions[0].Isr; len(isr) == want {
				return
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("ISR of %s-0 is %v, want %d replicas", topic, isr, want)
}

func count(ctx context.Context, t *testing.T, addrs []string, topic string) int {
	t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, Partition: 0, MaxWait: 200 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n := 0
	for {
		if _, err := r.ReadMessage(ctx); err != nil {
			return n // the deadline: everything there was is read
		}
		n++
	}
}

// brokersUnder finds the kafka.Kafka processes whose server.properties lie
// in dir, by node ("node-2").
func brokersUnder(dir string) map[string]int {
	pids := map[string]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if brokerNode(pid) != "" && alive(pid) {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if strings.Contains(string(b), dir+string(filepath.Separator)) {
				pids[brokerNode(pid)] = pid
			}
		}
	}
	return pids
}

// brokerNode returns "node-2" for a broker of node 2, "" for another process.
func brokerNode(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return ""
	}
	args := strings.Split(string(b), "\x00")
	for i, a := range args {
		if a == "kafka.Kafka" && i+1 < len(args) {
			return filepath.Base(filepath.Dir(args[i+1]))
		}
	}
	return ""
}

func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && !strings.Contains(string(stat), ") Z ")
}

func rssKB(pid int) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// services starts a registry and a Connect worker beside the running
// cluster (up on a cluster that runs only adds them), uses each as a client
// would, and starts the registry again after it died.
func services(ctx context.Context, t *testing.T, kn func(...string) (string, error), client *kafka.Client, dir string) {
	for _, p := range []int{8081, 8083} {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p), 300*time.Millisecond); err == nil {
			c.Close()
			t.Fatalf("port %d is in use: stop what runs there (a registry? a worker?) before this test", p)
		}
	}
	started := time.Now()
	out, err := kn("up", "--nodes", "3", "--registry", "--connect")
	if err != nil {
		t.Fatalf("up --registry --connect: %v", err)
	}
	t.Logf("up --registry --connect on the running cluster took %.1fs", time.Since(started).Seconds())
	if strings.Contains(out, "Formatting") {
		t.Errorf("up --registry --connect formatted the running cluster's storage again")
	}
	out, err = kn("status")
	if err != nil || strings.Count(out, "answers") != 5 {
		t.Fatalf("status: %v, want 3 nodes and 2 services that answer", err)
	}
	pids := servicesUnder(dir)
	if len(pids) != 2 {
		t.Fatalf("service processes %v, want the registry's and the worker's", pids)
	}

	// The registry speaks Confluent's API: a schema registered is found by
	// the id it got.
	reg, err := sr.NewClient(sr.URLs(native.RegistryURL))
	if err != nil {
		t.Fatal(err)
	}
	const schema = `{"type":"record","name":"Order","fields":[{"name":"order_id","type":"string"}]}`
	got, err := reg.CreateSchema(ctx, "kafka-native-it-value", sr.Schema{Schema: schema, Type: sr.TypeAvro})
	if err != nil {
		t.Fatalf("register a schema: %v", err)
	}
	byID, err := reg.SchemaByID(ctx, got.ID)
	if err != nil || !strings.Contains(byID.Schema, `"order_id"`) {
		t.Errorf("schema %d: %v %q, want the one registered", got.ID, err, byID.Schema)
	}

	// The worker asks for its password, and keeps its topics on three
	// brokers.
	password, err := os.ReadFile(filepath.Join(dir, "data", "connect", "password"))
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, "data", "connect", "password")); err == nil && info.Mode().Perm() != 0o600 {
		t.Errorf("the password file's mode is %v, want 0600", info.Mode().Perm())
	}
	if strings.Contains(out, strings.TrimSpace(string(password))) {
		t.Errorf("status printed the worker's password")
	}
	for _, pass := range []string{"", strings.TrimSpace(string(password))} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, native.ConnectURL+"/connectors", nil)
		if pass != "" {
			req.SetBasicAuth(native.ConnectUser, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := map[bool]int{true: 401, false: 200}[pass == ""]; resp.StatusCode != want {
			t.Errorf("GET /connectors with password %v: %d, want %d", pass != "", resp.StatusCode, want)
		}
	}
	// The worker's topics are in the cluster when up returns (a transport
	// of its own: the shared one answers Metadata from an older cache).
	fresh := &kafka.Client{Addr: client.Addr, Timeout: client.Timeout, Transport: &kafka.Transport{}}
	meta, err := fresh.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{native.ConnectConfigs, native.ConnectOffsets, native.ConnectStatus}})
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.Topics) != 3 {
		t.Errorf("metadata lists %d of Connect's 3 topics", len(meta.Topics))
	}
	for _, topic := range meta.Topics {
		if topic.Error != nil || len(topic.Partitions) == 0 || len(topic.Partitions[0].Replicas) != 3 {
			t.Errorf("%s: %v, %d partitions, want 3 replicas each", topic.Name, topic.Error, len(topic.Partitions))
		}
	}

	// A registry that died is down in status, and up starts it again.
	if p, err := os.FindProcess(pids["registry"]); err != nil || p.Kill() != nil {
		t.Fatalf("kill the registry (pid %d): %v", pids["registry"], err)
	}
	for deadline := time.Now().Add(20 * time.Second); alive(pids["registry"]); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the registry (pid %d) still runs 20 s after SIGKILL", pids["registry"])
		}
	}
	out, err = kn("status")
	if err == nil || !strings.Contains(out, "registry  down") || !strings.Contains(out, "kafka-native up --registry") {
		t.Errorf("status with the registry killed: %v, want it down and a failure exit", err)
	}
	// Without --nodes 3: up --registry alone adds it beside what runs.
	if _, err := kn("up", "--registry"); err != nil {
		t.Fatalf("up --registry again: %v", err)
	}
	if out, err := kn("status"); err != nil || strings.Count(out, "answers") != 5 {
		t.Errorf("status after the registry's restart: %v, want 5 that answer", err)
	}
}

// servicesUnder finds the service processes (a .java program) under dir, by
// service ("registry").
func servicesUnder(dir string) map[string]int {
	pids := map[string]int{}
	prefix := filepath.Join(dir, "data") + string(filepath.Separator)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !alive(pid) {
			continue
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		for _, a := range strings.Split(string(b), "\x00") {
			if rest, ok := strings.CutPrefix(a, prefix); ok && strings.HasSuffix(a, ".java") {
				service, _, _ := strings.Cut(rest, string(filepath.Separator))
				pids[service] = pid
			}
		}
	}
	return pids
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
