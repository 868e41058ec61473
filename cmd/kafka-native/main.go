// Command kafka-native runs the lessons' Kafka without Docker: the real
// Apache Kafka jars from Maven Central, started with the settings of the
// Kafka services of a compose file. CI has no Docker, and this keeps what CI
// tests identical to what learners run.
//
//	go run ./cmd/kafka-native up                   one broker on localhost:9092 (docker-compose.yml)
//	go run ./cmd/kafka-native up --version 4.1.1   the same on another Kafka version
//	go run ./cmd/kafka-native up --nodes 3         three brokers on localhost:9092, :9094, :9096 (docker-compose.cluster.yml)
//	go run ./cmd/kafka-native up --secure          one broker that also checks ACLs, with SASL_SSL on localhost:9192 (lesson 19)
//	go run ./cmd/kafka-native up --registry        and a schema registry on 127.0.0.1:8081 (Apicurio, Confluent's API; lesson 22)
//	go run ./cmd/kafka-native up --connect         and a Kafka Connect worker on 127.0.0.1:8083 (lesson 21), until down
//	go run ./cmd/kafka-native stop --node 2        stop one broker, keep its data (never a majority of the controller quorum, unless --force)
//	go run ./cmd/kafka-native start --node 2       start it again with its data
//	go run ./cmd/kafka-native status               each node and service: up or down, pid, address
//	go run ./cmd/kafka-native down                 stop all, services too, delete all data (cached jars stay)
//	go run ./cmd/kafka-native perf                 kafka-go and franz-go against Kafka's own perf tools, side by side
//	go run ./cmd/kafka-native perf --records 20000 --rounds 1   the same, small (CI's smoke run)
//
// The work is done by internal/native, which the runner uses too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// options are the flags; each subcommand uses those that apply to it.
type options struct {
	dir     string // work folder: cached jars and the running cluster's data
	compose string // compose file that defines the nodes
	version string // Apache Kafka version; empty: the one the compose image ships
	nodes   int    // up: how many nodes; 0: as many as the compose file defines
	node    int    // stop, start: which node
	force   bool   // stop: even if the controller quorum loses its majority
	wait    time.Duration
	set     map[string]string // up: server properties over the compose file's
	scram   []string          // up: SCRAM credentials created with the storage
	secure  bool              // up: a SASL_SSL listener, an authorizer, a super user (secure.go)
	// up: services beside the brokers (native.ServiceRegistry, native.ServiceConnect)
	services []string
	// perf
	records, recordSize, roundTrips, rounds int
}

const usage = `usage:
  kafka-native up     [--nodes N] [--version X] [--compose FILE] [--wait 90s] [--set key=value]... [--add-scram CRED]... [--secure] [--registry] [--connect]
  kafka-native stop   --node ID [--force]
  kafka-native start  --node ID [--wait 90s]
  kafka-native status
  kafka-native down
  kafka-native perf   [--records 1000000] [--record-size 100] [--round-trips N] [--rounds 3] [--version X] [--compose FILE]
every command: [--dir .kafka-native] (default $` + native.EnvDir + `, else .kafka-native)`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	opts, err := parseFlags(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Ctrl-C while waiting for a broker must still clean up (see native.Up).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], opts); err != nil {
		fmt.Fprintln(os.Stderr, "kafka-native:", err)
		stop()
		os.Exit(1)
	}
}

func parseFlags(cmd string, args []string) (options, error) {
	var o options
	dir := os.Getenv(native.EnvDir)
	if dir == "" {
		dir = native.DefaultDir
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", dir, "work folder for jars and broker data")
	fs.StringVar(&o.compose, "compose", "", "compose file with the Kafka services (default docker-compose.yml, or docker-compose.cluster.yml with --nodes 3)")
	fs.StringVar(&o.version, "version", "", "Apache Kafka version (default: the one the compose image ships)")
	fs.IntVar(&o.nodes, "nodes", 0, "how many nodes up starts (default: as many as the compose file defines)")
	fs.IntVar(&o.node, "node", 0, "the node (its node.id) stop or start acts on")
	fs.BoolVar(&o.force, "force", false, "stop: even when the nodes left running would lack a majority of the controller quorum's voters")
	fs.DurationVar(&o.wait, "wait", native.DefaultWait, "how long up and start wait for a broker to answer")
	fs.Func("set", "up: override a server property of every node, `key=value` (repeatable)", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("--set %q: want key=value", s)
		}
		if o.set == nil {
			o.set = map[string]string{}
		}
		o.set[strings.TrimSpace(k)] = v
		return nil
	})
	fs.Func("add-scram", "up: SCRAM credentials created with the storage, e.g. `SCRAM-SHA-512=[name=alice,password=secret]` (repeatable)", func(s string) error {
		o.scram = append(o.scram, s)
		return nil
	})
	fs.BoolVar(&o.secure, "secure", false, "up: one broker that also listens with SASL_SSL on localhost:9192 (SCRAM-SHA-512, a CA made here), checks ACLs, and has a super user admin; writes <dir>/secure/client.properties for --config (lesson 19)")
	fs.BoolFunc("registry", "up: also a schema registry on 127.0.0.1:8081, Confluent's API under "+native.RegistryAPI+" (Apicurio Registry, built with Maven on first use; needs a JDK)", func(string) error {
		o.services = append(o.services, native.ServiceRegistry)
		return nil
	})
	fs.BoolFunc("connect", "up: also a Kafka Connect worker in distributed mode on 127.0.0.1:8083, its REST API behind user "+native.ConnectUser+" and a password in <dir>/data/connect/password (needs a JDK)", func(string) error {
		o.services = append(o.services, native.ServiceConnect)
		return nil
	})
	fs.IntVar(&o.records, "records", 1_000_000, "perf: records per throughput run")
	fs.IntVar(&o.recordSize, "record-size", 100, "perf: bytes of each random-letter record")
	fs.IntVar(&o.roundTrips, "round-trips", 0, "perf: round trips per latency run (default: records/20, at least 100, at most 5000)")
	fs.IntVar(&o.rounds, "rounds", 3, "perf: how many times each measurement runs, interleaved")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %v\n%s", fs.Args(), usage)
	}
	if (cmd == "stop" || cmd == "start") && o.node == 0 {
		return o, fmt.Errorf("%s needs --node ID, e.g. --node 2\n%s", cmd, usage)
	}
	if o.nodes < 0 {
		return o, fmt.Errorf("--nodes %d: want 1 or more", o.nodes)
	}
	if o.secure && (o.nodes > 1 || o.compose != "") {
		return o, fmt.Errorf("--secure starts the one broker of docker-compose.yml: leave out --nodes and --compose\n%s", usage)
	}
	if o.secure && len(o.services) > 0 {
		return o, fmt.Errorf("--registry and --connect run beside the plaintext brokers: leave out --secure\n%s", usage)
	}
	if cmd != "up" && len(o.services) > 0 {
		return o, fmt.Errorf("--registry and --connect go with up, e.g. kafka-native up --registry\n%s", usage)
	}
	if o.records < 1 || o.recordSize < 1 || o.rounds < 1 || o.roundTrips < 0 {
		return o, fmt.Errorf("--records, --record-size and --rounds must be 1 or more\n%s", usage)
	}
	if o.roundTrips == 0 {
		o.roundTrips = min(5000, max(100, o.records/20))
	}
	return o, nil
}

func run(ctx context.Context, cmd string, o options) error {
	switch cmd {
	case "up":
		if o.secure {
			return upSecure(ctx, o)
		}
		if c, ok := runningCluster(o); ok {
			return c.StartServices(ctx, o.services, o.wait) // beside whatever cluster runs here
		}
		c, err := native.Up(ctx, native.UpOptions{
			Dir: o.dir, Compose: o.compose, Nodes: o.nodes, Version: o.version, Wait: o.wait, Log: os.Stdout,
			Set: o.set, AddSCRAM: o.scram,
		})
		if err != nil || len(o.services) == 0 {
			return err
		}
		return c.StartServices(ctx, o.services, o.wait)
	case "down":
		return native.Down(ctx, o.dir, os.Stdout)
	case "status":
		return status(ctx, o)
	case "perf":
		return runPerf(ctx, o)
	case "stop":
		return stopNode(ctx, o)
	case "start":
		return startNode(ctx, o)
	default:
		return errors.New(usage)
	}
}

// runningCluster returns the cluster running from the work folder when up
// only adds services (up --registry, up --connect, with no --nodes,
// --compose or another --version) and every node runs: up then starts the
// services beside it, whatever its size.
func runningCluster(o options) (*native.Cluster, bool) {
	if len(o.services) == 0 || o.nodes != 0 || o.compose != "" {
		return nil, false
	}
	c, err := native.Open(o.dir)
	if err != nil || (o.version != "" && o.version != c.Version()) {
		return nil, false
	}
	for _, n := range c.Nodes() {
		if !n.Up {
			return nil, false
		}
	}
	c.Log = os.Stdout
	fmt.Printf("Kafka %s runs from %s\n", c.Version(), c.Compose())
	return c, true
}

// status prints every node and fails unless all run and answer, so scripts
// can use it as a health check.
func status(ctx context.Context, o options) error {
	c, err := native.Open(o.dir)
	if errors.Is(err, native.ErrNoCluster) {
		return errors.New("not running (start it with: go run ./cmd/kafka-native up, or up --nodes 3)")
	}
	if err != nil {
		return err
	}
	fmt.Printf("Kafka %s, cluster %s, from %s:\n", c.Version(), c.ClusterID(), c.Compose())
	var problems []string
	for _, n := range c.Nodes() {
		state, pid, answer := "down", "", ""
		if n.Up {
			state, pid, answer = "up", fmt.Sprintf("pid %d", n.PID), "answers"
			if err := c.Ready(ctx, n.ID); err != nil {
				answer = "does not answer: " + err.Error()
				problems = append(problems, fmt.Sprintf("node %d runs but does not answer on %s", n.ID, n.Addr))
			}
		} else {
			problems = append(problems, fmt.Sprintf("node %d is down (start it with: go run ./cmd/kafka-native start --node %d)", n.ID, n.ID))
		}
		fmt.Printf("  %-8s  %-4s  %-10s  %s  %s\n", fmt.Sprintf("node %d", n.ID), state, pid, n.Addr, answer)
	}
	for _, s := range c.Services() {
		state, pid, answer := "down", "", ""
		if s.Up {
			state, pid, answer = "up", fmt.Sprintf("pid %d", s.PID), "answers"
			if err := c.ServiceAnswers(ctx, s.Name); err != nil {
				answer = "does not answer: " + err.Error()
				problems = append(problems, fmt.Sprintf("the %s runs but does not answer at %s", native.ServiceLabel(s.Name), s.URL))
			}
		} else {
			problems = append(problems, fmt.Sprintf("the %s is down (start it again with: go run ./cmd/kafka-native up --%s)", native.ServiceLabel(s.Name), s.Name))
		}
		fmt.Printf("  %-8s  %-4s  %-10s  %s  %s\n", s.Name, state, pid, s.URL, answer)
		if s.PasswordFile != "" {
			fmt.Printf("  %-8s  user %s, password in %s\n", "", native.ConnectUser, s.PasswordFile)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func stopNode(ctx context.Context, o options) error {
	c, err := native.Open(o.dir)
	if err != nil {
		return err
	}
	c.Log, c.Force = os.Stdout, o.force
	for _, n := range c.Nodes() {
		if n.ID == o.node && !n.Up {
			fmt.Printf("Node %d is not running\n", n.ID)
			return nil
		}
	}
	started := time.Now()
	if err := c.Stop(ctx, o.node); err != nil {
		return err
	}
	fmt.Printf("Node %d stopped after %.1fs; its data stays. Start it again with: go run ./cmd/kafka-native start --node %d\n",
		o.node, time.Since(started).Seconds(), o.node)
	return nil
}

func startNode(ctx context.Context, o options) error {
	c, err := native.Open(o.dir)
	if err != nil {
		return err
	}
	c.Log = os.Stdout
	for _, n := range c.Nodes() {
		if n.ID == o.node && n.Up {
			fmt.Printf("Node %d is already running (pid %d)\n", n.ID, n.PID)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, o.wait)
	defer cancel()
	started := time.Now()
	if err := c.Start(ctx, o.node); err != nil {
		return err
	}
	for _, n := range c.Nodes() {
		if n.ID == o.node {
			fmt.Printf("Node %d is up on %s (pid %d) after %.1fs\n", n.ID, n.Addr, n.PID, time.Since(started).Seconds())
		}
	}
	return nil
}
