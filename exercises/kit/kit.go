// Package kit is what every exercise program shares and nothing of what it
// teaches: the broker, the connection settings and the names that
// `go run ./runner check N` gives the program through its environment. The
// Kafka code is the learner's, plain kafka-go.
package kit

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
)

// The variables the runner sets for an exercise program.
const (
	BrokersVar = "KAFKA_BOOTSTRAP_SERVERS" // host:port[,host:port...]
	ConfigVar  = "KAFKA_CONFIG"            // a client.properties for TLS and SASL, if any
)

// Brokers returns the bootstrap addresses.
func Brokers() []string { return strings.Split(Env(BrokersVar), ",") }

// Transport returns the connection settings of Writers and Clients: TLS and
// SASL when the runner was given --config.
func Transport() *kafka.Transport {
	if cfg := config(); cfg != nil {
		return cfg.Transport()
	}
	return &kafka.Transport{DialTimeout: 5 * time.Second}
}

// Dialer returns the connection settings of Readers and Conns.
func Dialer() *kafka.Dialer {
	if cfg := config(); cfg != nil {
		return cfg.Dialer()
	}
	return &kafka.Dialer{Timeout: 5 * time.Second, DualStack: true}
}

// Franz returns a franz-go client's connection options: the brokers, and
// TLS and SASL when the runner was given --config (kgo.NewClient(
// append(kit.Franz(), ...)...)).
func Franz() []kgo.Opt {
	return append([]kgo.Opt{kgo.SeedBrokers(Brokers()...)}, config().FranzOpts()...)
}

func config() *clientconfig.Config {
	path := os.Getenv(ConfigVar)
	if path == "" {
		return nil
	}
	cfg, err := clientconfig.Load(path)
	if err != nil {
		Fail(fmt.Errorf("$%s: %w", ConfigVar, err))
	}
	return cfg
}

// RegistryVar names the schema registry's URL, for exercise 22.
const RegistryVar = "REGISTRY"

// Registry returns the settings of a client of the schema registry the
// runner names (sr.NewClient(kit.Registry()...)): its URL, and HTTP basic
// authentication when the URL holds a user and password, which then stay
// out of the URL the client prints in its errors.
func Registry() []sr.ClientOpt {
	opts, err := clientconfig.RegistryClientOpts(Env(RegistryVar))
	if err != nil {
		Fail(fmt.Errorf("$%s: %w", RegistryVar, err))
	}
	return opts
}

// Env returns the variable name, and stops the program with a clear message
// when it is not set: the program runs through the runner, which sets it.
func Env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		Fail(fmt.Errorf("$%s is not set: run this exercise through the runner, e.g. go run ./runner check 8", name))
	}
	return v
}

// Int returns the variable name as a number.
func Int(name string) int {
	n, err := strconv.Atoi(Env(name))
	if err != nil {
		Fail(fmt.Errorf("$%s: %w", name, err))
	}
	return n
}

// Context returns a context cancelled on Ctrl-C or SIGTERM: the runner
// interrupts a program that runs past its time limit, so a program that
// passes this context to every call ends in time.
func Context() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// Fail prints err and ends the program with exit code 1.
func Fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

// WaitForTopic waits until every broker of the cluster knows topic and its
// partitions. CreateTopics returns once the controller has a topic; each
// broker learns it a moment later, and a group's coordinator may be any of
// them: a group formed before its broker knows the topic gets none of it.
func WaitForTopic(ctx context.Context, client *kafka.Client, topic string) error {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return fmt.Errorf("wait for topic %s: %w", topic, err)
	}
	for _, b := range meta.Brokers {
		addr := kafka.TCP(net.JoinHostPort(b.Host, strconv.Itoa(b.Port)))
		for {
			m, err := client.Metadata(ctx, &kafka.MetadataRequest{Addr: addr, Topics: []string{topic}})
			if err != nil {
				return fmt.Errorf("wait for topic %s on broker %d: %w", topic, b.ID, err)
			}
			if len(m.Topics) == 1 && m.Topics[0].Error == nil && len(m.Topics[0].Partitions) > 0 {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("wait for topic %s on broker %d: %w", topic, b.ID, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}
