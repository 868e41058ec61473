package native

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

// The services kafka-native runs beside the brokers when asked (up
// --registry, up --connect), on the ports the compose files use, until
// down. Lessons 21 and 22 start their own for their length; these stay up
// for the learner's own programs, curl and the exercises.
const (
	ServiceRegistry = "registry" // Apicurio Registry, Confluent's API at RegistryURL
	ServiceConnect  = "connect"  // a Kafka Connect worker in distributed mode at ConnectURL
)

// Services lists the services kafka-native can start, in the order it
// starts them.
var Services = []string{ServiceRegistry, ServiceConnect}

// RegistryURL is where kafka-native's registry answers: the port
// docker-compose.yml gives Confluent's, under Apicurio's path for
// Confluent's API.
const RegistryURL = "http://127.0.0.1:8081" + RegistryAPI

// ConnectURL is where kafka-native's Connect worker answers, and
// ConnectUser the user its REST API asks for (the password is in the file
// Service.PasswordFile names: the worker creates connectors that read and
// write files, so only this machine's user may drive it).
const (
	ConnectURL  = "http://127.0.0.1:8083"
	ConnectUser = "learner"
)

// Connect's own topics, named as Apache Kafka's
// config/connect-distributed.properties names them.
const (
	ConnectGroup   = "connect-cluster"
	connectTopics  = "connect" // their prefix, for WorkerSettings
	ConnectConfigs = connectTopics + "-configs"
	ConnectOffsets = connectTopics + "-offsets"
	ConnectStatus  = connectTopics + "-status"
)

// serviceState is how to run one service again, and where its files are.
type serviceState struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	Dir     string   `json:"dir"`     // data/<name>: service.pid, service.out, app/ (its settings)
	Command []string `json:"command"` // java and its arguments
}

func (s serviceState) pidFile() string { return filepath.Join(s.Dir, "service.pid") }
func (s serviceState) outFile() string { return filepath.Join(s.Dir, "service.out") }

// passwordFile is the file that holds the password of a service that asks
// for one (the Connect worker), readable by this user only; "" for others.
func (s serviceState) passwordFile() string {
	if s.Name != ServiceConnect {
		return ""
	}
	return filepath.Join(s.Dir, "password")
}

// Service is one service as it is now.
type Service struct {
	Name, URL string
	PID       int // 0 when it is down
	Up        bool
	// PasswordFile holds the password of ConnectUser; "" for a service
	// that asks for none.
	PasswordFile string
}

// Services returns the services started in this work folder.
func (c *Cluster) Services() []Service {
	var out []Service
	for _, s := range c.st.Services {
		pid, up := servicePID(s)
		out = append(out, Service{Name: s.Name, URL: s.URL, PID: pid, Up: up, PasswordFile: s.passwordFile()})
	}
	return out
}

// StartServices starts each named service that does not run yet, and
// returns once each answers, within wait. The jars are fetched (the
// registry built) on first use and cached in the work folder, as the
// broker's are. A service that does not answer is stopped again.
func (c *Cluster) StartServices(ctx context.Context, names []string, wait time.Duration) error {
	for _, name := range names {
		if !slices.Contains(Services, name) {
			return fmt.Errorf("no service %q: kafka-native starts %s", name, strings.Join(Services, " and "))
		}
	}
	jvm, err := FindJVM(ctx, c.dir)
	if err != nil {
		return fmt.Errorf("the services run on Java: %w", err)
	}
	for _, name := range Services {
		if !slices.Contains(names, name) {
			continue
		}
		if err := c.startService(ctx, jvm, name, wait); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) startService(ctx context.Context, jvm *JVM, name string, wait time.Duration) error {
	i := slices.IndexFunc(c.st.Services, func(s serviceState) bool { return s.Name == name })
	if i >= 0 {
		if pid, up := servicePID(c.st.Services[i]); up {
			c.logf("The %s already runs (pid %d) at %s\n", label(name), pid, c.st.Services[i].URL)
			return nil
		}
	}
	s := serviceState{Name: name, Dir: filepath.Join(dataDir(c.dir), name)}
	var err error
	switch name {
	case ServiceRegistry:
		s.URL, s.Command, err = c.registryCommand(ctx, jvm, s)
	case ServiceConnect:
		s.URL, s.Command, err = c.connectCommand(ctx, jvm, s)
	}
	if err != nil {
		return err
	}
	// In the state before it starts, so down finds it whatever happens next.
	if i >= 0 {
		c.st.Services[i] = s
	} else {
		c.st.Services = append(c.st.Services, s)
	}
	if err := c.st.write(c.dir); err != nil {
		return err
	}
	c.logf("Starting the %s...\n", label(name))
	started := time.Now()
	p, err := startDetached(s.Command, s.Dir, s.outFile(), s.pidFile())
	if err != nil {
		return fmt.Errorf("start the %s: %w", label(name), err)
	}
	ready := waitAnswers(ctx, s, p.exited, wait)
	if ready == nil && name == ServiceConnect {
		// Its herder made them; every broker's metadata lists them soon.
		ready = c.waitTopics(ctx, p.exited, wait-time.Since(started), ConnectConfigs, ConnectOffsets, ConnectStatus)
	}
	if ready != nil {
		_ = stopProcess(context.Background(), p.pid, 15*time.Second, c.logf)
		return fmt.Errorf("the %s: %w\n%s", label(name), ready, tail(readFile(s.outFile()), 15))
	}
	c.logf("The %s answers at %s (pid %d) after %.1fs\n", label(name), s.URL, p.pid, time.Since(started).Seconds())
	if f := s.passwordFile(); f != "" {
		c.logf("  its REST API asks for user %s and the password in %s, e.g.\n  curl -u \"%s:$(cat %s)\" %s/connectors\n",
			ConnectUser, f, ConnectUser, f, s.URL)
	}
	return nil
}

// ServiceLabel names a service in messages: "schema registry".
func ServiceLabel(name string) string { return label(name) }

// label names a service in messages.
func label(name string) string {
	if name == ServiceConnect {
		return "Connect worker"
	}
	return "schema registry"
}

// registryCommand builds Apicurio Registry on first use and writes its
// settings: in memory, on RegistryURL's port.
func (c *Cluster) registryCommand(ctx context.Context, jvm *JVM, s serviceState) (string, []string, error) {
	if err := checkServicePort(RegistryURL, label(s.Name)); err != nil {
		return "", nil, err
	}
	app, err := jvm.RegistryJars(ctx, c.logf)
	if err != nil {
		return "", nil, err
	}
	argv, err := jvm.command(filepath.Join(s.Dir, "app"), app, "SchemaRegistry.java", SchemaRegistrySource,
		[]string{"-Dkafka.lessons.detached=true"}, registrySettings(port(RegistryURL)))
	return RegistryURL, argv, err
}

// connectCommand fetches Kafka Connect's jars on first use and writes the
// worker's settings: the brokers of the cluster, Connect's own topics
// replicated on up to three of them, JSON without schemas (as lesson 21),
// a REST API on loopback behind a fresh password.
func (c *Cluster) connectCommand(ctx context.Context, jvm *JVM, s serviceState) (string, []string, error) {
	if err := checkServicePort(ConnectURL, label(s.Name)); err != nil {
		return "", nil, err
	}
	libs, err := jvm.ConnectJars(ctx, c.logf)
	if err != nil {
		return "", nil, err
	}
	password := rand.Text() // 26 letters and digits, 130 random bits
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", s.Dir, err)
	}
	if err := os.WriteFile(s.passwordFile(), []byte(password+"\n"), 0o600); err != nil {
		return "", nil, fmt.Errorf("write %s: %w", s.passwordFile(), err)
	}
	// Kafka's sample names; offsets flushed every 10 s, as its sample does.
	props := WorkerSettings(c.st.addrs(), ConnectGroup, connectTopics, min(3, len(c.st.Nodes)), port(ConnectURL), 10*time.Second)
	app := filepath.Join(s.Dir, "app")
	jvmOpts, all, err := connectSettings(app, ConnectUser, password, props)
	if err != nil {
		return "", nil, err
	}
	argv, err := jvm.command(app, libs, "ConnectWorker.java", ConnectWorkerSource,
		append(jvmOpts, "-Dkafka.lessons.detached=true"), all)
	return ConnectURL, argv, err
}

// port is the port of a loopback URL.
func port(url string) string {
	rest := strings.TrimPrefix(url, "http://127.0.0.1:")
	p, _, _ := strings.Cut(rest, "/")
	return p
}

// checkServicePort makes sure nothing listens on a service's port yet.
func checkServicePort(url, who string) error {
	p := port(url)
	if err := portFree("127.0.0.1", p); err != nil {
		return fmt.Errorf("port %s (the %s) is already in use%s: stop that first (`go run ./cmd/kafka-native down` stops kafka-native's, `docker compose down` the compose files' registry) (%w)",
			p, who, portOwner(p), err)
	}
	return nil
}

// waitAnswers polls the service's API until it answers 200, its process
// exits or wait passes.
func waitAnswers(ctx context.Context, s serviceState, exited <-chan struct{}, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		select {
		case <-exited:
			return errors.New("it exited during startup")
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return errors.New("interrupted while waiting for it to answer")
			}
			return fmt.Errorf("it did not answer at %s within %v (last error: %v)", s.URL, wait, last)
		case <-tick.C:
		}
		if last = serviceAnswers(ctx, s); last == nil {
			return nil
		}
	}
}

// waitTopics polls the cluster's metadata until it lists every one of
// topics, the process exits or wait passes. A transport of its own each
// time: a shared one answers from a cache older than the topics.
func (c *Cluster) waitTopics(ctx context.Context, exited <-chan struct{}, wait time.Duration, topics ...string) error {
	ctx, cancel := context.WithTimeout(ctx, max(wait, 5*time.Second))
	defer cancel()
	var missing []string
	for {
		missing = c.missingTopics(ctx, topics)
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-exited:
			return errors.New("it exited during startup")
		case <-ctx.Done():
			return fmt.Errorf("its topics %s were not made within %v", strings.Join(missing, ", "), wait.Round(time.Second))
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// missingTopics returns those of topics the cluster's metadata does not
// list now (all of them when it cannot be asked).
func (c *Cluster) missingTopics(ctx context.Context, topics []string) []string {
	transport := &kafka.Transport{DialTimeout: time.Second}
	defer transport.CloseIdleConnections()
	return MissingTopics(ctx, &kafka.Client{Addr: kafka.TCP(c.st.addrs()...), Transport: transport}, topics)
}

// MissingTopics returns those of topics that client's cluster does not list
// now, with partitions and no error (all of them when it cannot be asked,
// within 3 s). Give it a transport of its own: a shared one answers
// Metadata from a cache that may be older than the topics.
func MissingTopics(ctx context.Context, client *kafka.Client, topics []string) []string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return topics
	}
	var missing []string
	for _, t := range topics {
		i := slices.IndexFunc(meta.Topics, func(m kafka.Topic) bool { return m.Name == t })
		if i < 0 || meta.Topics[i].Error != nil || len(meta.Topics[i].Partitions) == 0 {
			missing = append(missing, t)
		}
	}
	return missing
}

// serviceAnswers asks the registry for its subjects, or the worker's herder
// for a connector, as a client would.
func serviceAnswers(ctx context.Context, s serviceState) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if s.Name == ServiceConnect {
		b, err := os.ReadFile(s.passwordFile())
		if err != nil {
			return fmt.Errorf("read the password: %w", err)
		}
		return HerderAnswers(ctx, http.DefaultClient, s.URL, ConnectUser, strings.TrimSpace(string(b)))
	}
	url := s.URL + "/subjects"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// servicePID returns the pid from a service's pid file if that process
// still runs the service's program (pids are reused).
func servicePID(s serviceState) (int, bool) {
	b, err := os.ReadFile(s.pidFile())
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || !isServiceUnder(pid, s.Dir) {
		return 0, false
	}
	return pid, true
}

// isServiceUnder tells whether pid runs a service program (a .java file)
// under folder.
func isServiceUnder(pid int, folder string) bool {
	prefix := filepath.Clean(folder) + string(filepath.Separator)
	for _, a := range cmdline(pid) {
		if strings.HasPrefix(a, prefix) && strings.HasSuffix(a, ".java") {
			return true
		}
	}
	return false
}

// servicePIDs finds every service whose program lies under data, by /proc
// as brokerPIDs does.
func servicePIDs(data string) []int {
	return processes(func(pid int) bool { return isServiceUnder(pid, data) })
}

// runningServices finds the service processes of the work folder dir: by
// /proc (a service whose state was lost is found too), and by the pid files
// the state names (where there is no /proc: macOS).
func runningServices(dir string) []int {
	pids := servicePIDs(dataDir(dir))
	if st, err := readState(dir); err == nil {
		for _, s := range st.Services {
			if pid, ok := servicePID(s); ok && !slices.Contains(pids, pid) {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// readFile returns a file's text, or "" when it cannot be read.
func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// ServiceAnswers says whether the named service answers its API now.
func (c *Cluster) ServiceAnswers(ctx context.Context, name string) error {
	i := slices.IndexFunc(c.st.Services, func(s serviceState) bool { return s.Name == name })
	if i < 0 {
		return fmt.Errorf("no %s was started here", label(name))
	}
	return serviceAnswers(ctx, c.st.Services[i])
}
