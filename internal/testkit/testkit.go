// Package testkit holds what the tests of several packages share: the
// broker they run against, a buffer that collects concurrent output and a
// Printer that records what lessons report.
package testkit

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Brokers returns the broker a test runs against: the one
// $KAFKA_BOOTSTRAP_SERVERS names (a real broker, which must answer), else an
// embedded one started for this test and closed after it.
func Brokers(t testing.TB) ([]string, lessons.Cluster) {
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
		return addrs, lessons.Cluster{Brokers: info.Brokers, Embedded: info.Embedded()}
	}
	b, err := broker.StartEmbedded(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b.Addrs, lessons.Cluster{Brokers: b.Nodes, Embedded: true}
}

// Env returns an env on the test's broker with a topic prefix of its own,
// so tests (and runs against a shared real broker) never read each other's
// orders, and the recorder that collects what lessons report.
func Env(t testing.TB) (*lessons.Env, *Recorder) {
	t.Helper()
	addrs, cluster := Brokers(t)
	rec := NewRecorder()
	env := lessons.NewEnv(addrs, cluster, Prefix("test"), rec)
	t.Cleanup(env.Close)
	return env, rec
}

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
