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

	"github.com/google/uuid"
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
	// Nodes is how many brokers the embedded emulation runs (0 or 1: one),
	// on the default port and every second port above it, as the cluster
	// compose file publishes them (9092, 9094, 9096).
	Nodes int
	// Default is tried when no broker is named, and is where the embedded
	// broker listens if it can; empty means DefaultAddr.
	Default string
	// ProbeTimeout bounds each attempt to reach a broker.
	ProbeTimeout time.Duration
	// Transport makes the transport of each probe (TLS, SASL); nil: plain.
	Transport func() *kafka.Transport
	// NeverHost: when no broker is named and none answers at Default, fail
	// with ErrUnreachable rather than host the emulation, which would end
	// with this process and take what was written to it along.
	NeverHost bool
}

// Broker is the chosen broker.
type Broker struct {
	Addrs []string
	// Embedded says the broker is the emulation, hosted by this process or
	// by another run of the walkthrough (recognised by its cluster id).
	Embedded bool
	// Hosted says this process runs the embedded broker: it goes away when
	// the process ends.
	Hosted bool
	// Nodes is how many brokers the cluster's metadata lists.
	Nodes int
	// ConsumerProtocol says the brokers speak KIP-848's consumer group
	// protocol (see Info).
	ConsumerProtocol bool
	// Authorizer says the brokers check ACLs and the run's user may read
	// them (see Info).
	Authorizer bool
	cluster    *kfake.Cluster
}

// Emulation returns the embedded cluster this process hosts, or nil.
func (b *Broker) Emulation() *kfake.Cluster { return b.cluster }

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
// the default address if one answers; otherwise the embedded emulation, on
// the default port when it is free, so that a second process finds it there.
func Choose(ctx context.Context, opt Options) (*Broker, error) {
	if opt.ProbeTimeout == 0 {
		opt.ProbeTimeout = 3 * time.Second
	}
	if opt.Default == "" {
		opt.Default = DefaultAddr
	}
	_, port, err := net.SplitHostPort(opt.Default)
	if err != nil {
		return nil, fmt.Errorf("default broker %q: %w", opt.Default, err)
	}
	defaultPort, _ := strconv.Atoi(port)
	if opt.Embedded {
		return StartEmbedded(max(1, opt.Nodes), defaultPort)
	}
	if opt.Brokers != "" {
		addrs, err := ParseAddrs(opt.Brokers)
		if err != nil {
			return nil, err
		}
		info, err := probe(ctx, addrs, opt.ProbeTimeout, opt.Transport)
		if err != nil {
			return nil, err
		}
		return info.broker(addrs), nil
	}
	info, err := Probe(ctx, []string{opt.Default}, opt.ProbeTimeout)
	if err == nil {
		return info.broker([]string{opt.Default}), nil
	}
	if opt.NeverHost {
		return nil, err
	}
	return StartEmbedded(max(1, opt.Nodes), defaultPort)
}

// embeddedClusterID marks our embedded broker, so another process of the
// walkthrough that finds it knows it is the emulation.
const embeddedClusterID = "kafka-go-lessons-embedded"

// Info is what a probe learns of a cluster.
type Info struct {
	ClusterID string
	Brokers   int // how many brokers the metadata lists
	// ConsumerProtocol says the broker offers ConsumerGroupHeartbeat v1,
	// the consumer group protocol of KIP-848 (Apache Kafka 4.0 and later;
	// 3.7 to 3.9 offer only v0, an early access that clients do not use).
	ConsumerProtocol bool
	// Authorizer says the brokers answered DescribeACLs (without an
	// authorizer Apache Kafka answers SECURITY_DISABLED), and the user the
	// probe logged in as may alter the cluster (manage users and ACLs).
	// Only ProbeWith asks: without a login, it stays false.
	Authorizer bool
}

// consumerGroupHeartbeat is the API key of KIP-848's heartbeat.
const consumerGroupHeartbeat = 68

func (i Info) broker(addrs []string) *Broker {
	return &Broker{Addrs: addrs, Embedded: i.Embedded(), Nodes: i.Brokers, ConsumerProtocol: i.ConsumerProtocol, Authorizer: i.Authorizer}
}

// Embedded says the cluster is the walkthrough's embedded emulation.
func (i Info) Embedded() bool { return i.ClusterID == embeddedClusterID }

// Probe asks the brokers for the cluster's metadata and returns what the
// first that answers says.
func Probe(ctx context.Context, addrs []string, timeout time.Duration) (Info, error) {
	return probe(ctx, addrs, timeout, nil)
}

// ProbeWith is Probe through transports made by transport (TLS, SASL).
func ProbeWith(ctx context.Context, addrs []string, timeout time.Duration, transport func() *kafka.Transport) (Info, error) {
	return probe(ctx, addrs, timeout, transport)
}

func probe(ctx context.Context, addrs []string, timeout time.Duration, transport func() *kafka.Transport) (Info, error) {
	var errs []error
	for _, a := range addrs {
		// A transport of its own: kafka-go's shared one remembers a failed
		// address for a while, and the embedded broker may start there next.
		tr := &kafka.Transport{DialTimeout: timeout}
		if transport != nil {
			tr = transport()
		}
		pctx, cancel := context.WithTimeout(ctx, timeout)
		client := &kafka.Client{Addr: kafka.TCP(a), Timeout: timeout, Transport: tr}
		md, err := client.Metadata(pctx, &kafka.MetadataRequest{Topics: []string{}})
		var info Info
		if err == nil {
			info = Info{ClusterID: md.ClusterID, Brokers: len(md.Brokers)}
			// What the broker offers decides which steps can run; a broker
			// that does not answer this is taken to offer nothing new.
			if v, verr := client.ApiVersions(pctx, &kafka.ApiVersionsRequest{}); verr == nil {
				for _, k := range v.ApiKeys {
					info.ConsumerProtocol = info.ConsumerProtocol || (k.ApiKey == consumerGroupHeartbeat && k.MaxVersion >= 1)
				}
			}
			// Only a login (a configured transport) can manage users and
			// ACLs: a plain probe spares the broker two requests.
			if transport != nil {
				acls, aerr := client.DescribeACLs(pctx, &kafka.DescribeACLsRequest{Filter: kafka.ACLFilter{
					ResourceTypeFilter: kafka.ResourceTypeAny, ResourcePatternTypeFilter: kafka.PatternTypeAny,
					Operation: kafka.ACLOperationTypeAny, PermissionType: kafka.ACLPermissionTypeAny,
				}})
				info.Authorizer = aerr == nil && acls.Error == nil && mayAlterCluster(pctx, client)
			}
		}
		cancel()
		tr.CloseIdleConnections()
		if err == nil {
			return info, nil
		}
		errs = append(errs, err)
	}
	return Info{}, fmt.Errorf("%w at %s: %w", ErrUnreachable, strings.Join(addrs, ","), errors.Join(errs...))
}

// mayAlterCluster says whether the client's user may alter the cluster
// (ALTER on it: create users and ACLs). It asks to delete the SCRAM
// credential of a user no one has (a random name): RESOURCE_NOT_FOUND says
// it may, CLUSTER_AUTHORIZATION_FAILED that it may not.
func mayAlterCluster(ctx context.Context, client *kafka.Client) bool {
	resp, err := client.AlterUserScramCredentials(ctx, &kafka.AlterUserScramCredentialsRequest{
		Deletions: []kafka.UserScramCredentialsDeletion{{Name: "no-one-" + uuid.NewString(), Mechanism: kafka.ScramMechanismSha512}},
	})
	return err == nil && len(resp.Results) == 1 && !errors.Is(resp.Results[0].Error, kafka.ClusterAuthorizationFailed)
}

// CleanerEverySecond makes the emulation compact and apply retention every
// second, as the compose files make Apache Kafka do, so lesson 12 sees it
// within a step. Tests that start an emulation of their own add it too.
var CleanerEverySecond = kfake.BrokerConfigs(map[string]string{
	"log.cleaner.backoff.ms": "1000", "log.retention.check.interval.ms": "1000"})

// StartEmbedded starts franz-go's in-memory broker (kfake) with n nodes on
// 127.0.0.1:port, port+2, port+4..., or on free ports when those are taken
// (port 0: always free ports).
func StartEmbedded(n, port int) (*Broker, error) {
	opts := []kfake.Opt{kfake.NumBrokers(n), kfake.ClusterID(embeddedClusterID), CleanerEverySecond}
	var c *kfake.Cluster
	var err error
	if port != 0 {
		ports := make([]int, n)
		for i := range ports {
			ports[i] = port + 2*i
		}
		c, err = kfake.NewCluster(append(opts, kfake.Ports(ports...))...)
	}
	if c == nil {
		c, err = kfake.NewCluster(opts...)
	}
	if err != nil {
		return nil, fmt.Errorf("start the embedded broker: %w", err)
	}
	// kfake speaks KIP-848's consumer group protocol (TestEmbeddedSpeaksTheConsumerProtocol).
	return &Broker{Addrs: c.ListenAddrs(), Embedded: true, Hosted: true, Nodes: n, ConsumerProtocol: true, cluster: c}, nil
}
