// Package testkit holds what the tests of several packages share: the
// broker they run against, a buffer that collects concurrent output and a
// Printer that records what lessons report.
package testkit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/cluster"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Brokers returns the broker a test runs against: the one
// $KAFKA_BOOTSTRAP_SERVERS names (a real broker, which must answer), else an
// embedded one started for this test and closed after it.
func Brokers(t testing.TB) ([]string, lessons.Cluster) {
	t.Helper()
	b := kafkaFor(t, 1)
	return b.Addrs, lessons.Cluster{Brokers: b.Nodes, Embedded: b.Embedded, ConsumerProtocol: b.ConsumerProtocol}
}

// kafkaFor returns the named real broker, else an embedded cluster of nodes
// brokers.
func kafkaFor(t testing.TB, nodes int) *broker.Broker {
	t.Helper()
	if list := os.Getenv(broker.EnvVar); list != "" {
		addrs, err := broker.ParseAddrs(list)
		if err != nil {
			t.Fatal(err)
		}
		info, err := broker.Probe(context.Background(), addrs, 5*time.Second)
		if err != nil {
			t.Fatalf("%s is set but: %v", broker.EnvVar, err)
		}
		return &broker.Broker{Addrs: addrs, Embedded: info.Embedded(), Nodes: info.Brokers, ConsumerProtocol: info.ConsumerProtocol}
	}
	b, err := broker.StartEmbedded(nodes, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// Env returns an env on the test's broker with a topic prefix of its own,
// so tests (and runs against a shared real broker) never read each other's
// orders, and the recorder that collects what lessons report.
func Env(t testing.TB) (*lessons.Env, *Recorder) { return ClusterEnv(t, 1) }

// ClusterEnv is Env on an embedded cluster of nodes brokers when no real
// broker is named. Its Nodes handle stops and starts the emulation's
// nodes, or the native cluster's that kafka-native started; on any other
// cluster it cannot (nobody is there to do it).
func ClusterEnv(t testing.TB, nodes int) (*lessons.Env, *Recorder) {
	t.Helper()
	b := kafkaFor(t, nodes)
	rec := NewRecorder()
	env := lessons.NewEnv(b.Addrs, lessons.Cluster{Brokers: b.Nodes, Embedded: b.Embedded, ConsumerProtocol: b.ConsumerProtocol}, Prefix("test"), rec)
	env.Nodes = cluster.For(b, cluster.Watch{Brokers: b.Addrs}, unattended{})
	if !b.Embedded && os.Getenv(NoStopsEnv) != "" {
		env.Nodes = noStops{env.Nodes}
	}
	t.Cleanup(env.Close)
	return env, rec
}

// NoStopsEnv, set, says other packages' tests share the named cluster at
// the same time (CI's three brokers, packages side by side): a broker
// stopped by one would fail the others. Tests that stop brokers skip
// (StopsBrokers), and a stop through a ClusterEnv fails. A runner started
// by a test has its own handle: such a test calls StopsBrokers too.
const NoStopsEnv = "KAFKA_TESTS_NO_STOPS"

// StopsBrokers skips a test that stops brokers of a real cluster while
// NoStopsEnv is set; CI runs it after, alone.
func StopsBrokers(t testing.TB, c lessons.Cluster) {
	t.Helper()
	if !c.Embedded && os.Getenv(NoStopsEnv) != "" {
		t.Skipf("it stops brokers that other packages' tests use now (%s is set)", NoStopsEnv)
	}
}

// noStops refuses to stop a broker, so a test that stops one without
// StopsBrokers fails, saying why, instead of failing the others.
type noStops struct{ lessons.NodeControl }

func (noStops) Stop(context.Context, int) error {
	return fmt.Errorf("a broker stop while %s is set: call testkit.StopsBrokers in this test", NoStopsEnv)
}

// unattended is a test: nobody is there to stop a broker by hand.
type unattended struct{}

func (unattended) Interactive() bool   { return false }
func (unattended) Tell(string, ...any) {}

// Buffer is a bytes.Buffer that concurrent writers may share: delivery
// reports arrive from a writer's goroutine, a process's output from a pipe.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
