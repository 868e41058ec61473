// Package testkit holds what the tests of several packages share: the
// broker they run against and a buffer that collects concurrent output.
package testkit

import (
	"bytes"
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
)

// Brokers returns the broker a test runs against: the one
// $KAFKA_BOOTSTRAP_SERVERS names (a real broker, which must answer), else an
// embedded one started for this test and closed after it.
func Brokers(t testing.TB) (addrs []string, embedded bool) {
	t.Helper()
	if list := os.Getenv(broker.EnvVar); list != "" {
		addrs, err := broker.ParseAddrs(list)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := broker.Probe(context.Background(), addrs, 5*time.Second); err != nil {
			t.Fatalf("%s is set but: %v", broker.EnvVar, err)
		}
		return addrs, false
	}
	b, err := broker.StartEmbedded(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b.Addrs, true
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
