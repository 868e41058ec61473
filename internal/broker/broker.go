// Package broker decides which Kafka broker the walkthrough talks to: a
// named one, the one at localhost:9092, or an embedded emulation.
package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
)

// DefaultAddr is where docker-compose.yml's broker listens.
const DefaultAddr = "localhost:9092"

// EnvVar names the environment variable that names brokers.
const EnvVar = "KAFKA_BOOTSTRAP_SERVERS"

// Options say what the user asked for.
type Options struct {
	Brokers  string // from --brokers or KAFKA_BOOTSTRAP_SERVERS; empty: choose
	Embedded bool   // --embedded: always the emulation
	// ProbeTimeout bounds each attempt to reach a broker.
	ProbeTimeout time.Duration
}

// Broker is the chosen broker.
type Broker struct {
	Addrs    []string
	Embedded bool
	// Hosted says this process runs the embedded broker: it goes away when
	// the process ends.
	Hosted  bool
	cluster *kfake.Cluster
}

// Close stops the embedded broker, if this process hosts it.
func (b *Broker) Close() {
	if b.cluster != nil {
		b.cluster.Close()
		b.cluster = nil
	}
}

// ErrUnreachable says no Kafka broker answered at an address.
var ErrUnreachable = errors.New("no Kafka broker answers")

// ParseAddrs splits and checks a comma-separated list of host:port.
func ParseAddrs(list string) ([]string, error) {
	var addrs []string
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" {
			return nil, fmt.Errorf("broker address %q is not host:port (for example localhost:9092)", a)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("broker address %q has no valid port (1-65535)", a)
		}
		addrs = append(addrs, a)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("no broker address in %q (for example localhost:9092)", list)
	}
	return addrs, nil
}

// Choose picks the broker: a named one must answer; otherwise the broker at
// localhost:9092 if one answers; otherwise the embedded emulation, on port
// 9092 when it is free so that a second process finds it there.
func Choose(ctx context.Context, opt Options) (*Broker, error) {
	if opt.ProbeTimeout == 0 {
		opt.ProbeTimeout = 3 * time.Second
	}
	if opt.Embedded {
		return StartEmbedded(9092)
	}
	if opt.Brokers != "" {
		addrs, err := ParseAddrs(opt.Brokers)
		if err != nil {
			return nil, err
		}
		if err := Probe(ctx, addrs, opt.ProbeTimeout); err != nil {
			return nil, err
		}
		return &Broker{Addrs: addrs}, nil
	}
	if err := Probe(ctx, []string{DefaultAddr}, opt.ProbeTimeout); err == nil {
		return &Broker{Addrs: []string{DefaultAddr}}, nil
	}
	return StartEmbedded(9092)
}

// Probe asks the brokers for their API versions and returns the first
// answer's error: nil as soon as one answers.
func Probe(ctx context.Context, addrs []string, timeout time.Duration) error {
	var errs []error
	for _, a := range addrs {
		pctx, cancel := context.WithTimeout(ctx, timeout)
		err := probeOne(pctx, a)
		cancel()
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("%w at %s: %w", ErrUnreachable, strings.Join(addrs, ","), errors.Join(errs...))
}

func probeOne(ctx context.Context, addr string) error {
	conn, err := (&kafka.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	_, err = conn.ApiVersions()
	return err
}

// StartEmbedded starts franz-go's in-memory broker (kfake) with one node on
// 127.0.0.1:port, or on a free port when that one is taken (port 0: always a
// free port).
func StartEmbedded(port int) (*Broker, error) {
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.ClusterID("kafka-go-lessons-embedded")}
	var c *kfake.Cluster
	var err error
	if port != 0 {
		c, err = kfake.NewCluster(append(opts, kfake.Ports(port))...)
	}
	if c == nil {
		c, err = kfake.NewCluster(opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("start the embedded broker: %w", err)
	}
	return &Broker{Addrs: c.ListenAddrs(), Embedded: true, Hosted: true, cluster: c}, nil
}
