// Package compose reads the Kafka broker definition out of the project's
// docker-compose.yml, so that the Docker broker the learners run and the
// native broker CI runs (cmd/kafka-native) are configured from one file.
package compose

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

// ServiceName is the compose service that runs the broker.
const ServiceName = "kafka"

// Broker is the part of the kafka service that matters outside Docker.
type Broker struct {
	Image    string
	Hostname string // the name other containers reach the broker by ("kafka")
	Ports    []Port
	// Env holds the service's environment exactly as the container sees it.
	Env map[string]string
	// ClusterID is the CLUSTER_ID variable: cp-kafka formats the storage with
	// it on first start, it is not a server property.
	ClusterID string
}

// Port is one published port ("9092:9092").
type Port struct {
	HostIP    string
	Published string
	Target    uint32
	Protocol  string
}

// Load parses a compose file with the Compose specification's own loader
// (so an invalid file fails here as it would in `docker compose`) and returns
// its kafka service.
func Load(path string) (*Broker, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("compose file %s: %w", path, err)
	}
	// No OS environment and no .env file: the broker must be configured by
	// what the file says, not by whatever the shell running CI exports.
	opts, err := cli.NewProjectOptions([]string{abs},
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithName("kafka-lessons"),
	)
	if err != nil {
		return nil, fmt.Errorf("compose options for %s: %w", path, err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return nil, fmt.Errorf("load compose file %s: %w", path, err)
	}
	svc, err := project.GetService(ServiceName)
	if err != nil {
		return nil, fmt.Errorf("compose file %s: %w", path, err)
	}

	b := &Broker{Image: svc.Image, Hostname: svc.Hostname, Env: map[string]string{}}
	if b.Hostname == "" {
		// Without an explicit hostname, containers reach it by service name.
		b.Hostname = svc.Name
	}
	for name, value := range svc.Environment {
		if value == nil {
			// `- KAFKA_X` without a value takes it from the host shell;
			// that would make the broker differ between machines.
			return nil, fmt.Errorf("compose file %s: service %s: variable %s has no value", path, ServiceName, name)
		}
		b.Env[name] = *value
	}
	b.ClusterID = b.Env["CLUSTER_ID"]
	for _, p := range svc.Ports {
		b.Ports = append(b.Ports, Port{HostIP: p.HostIP, Published: p.Published, Target: p.Target, Protocol: p.Protocol})
	}
	return b, nil
}

// excluded are KAFKA_* variables that cp-kafka reads as JVM/launcher options,
// not as server properties (its kafka.properties template skips them).
var excluded = map[string]bool{
	"KAFKA_VERSION":                      true,
	"KAFKA_HEAP_OPTS":                    true,
	"KAFKA_LOG4J_OPTS":                   true,
	"KAFKA_OPTS":                         true,
	"KAFKA_JMX_OPTS":                     true,
	"KAFKA_JVM_PERFORMANCE_OPTS":         true,
	"KAFKA_GC_LOG_OPTS":                  true,
	"KAFKA_LOG4J_ROOT_LOGLEVEL":          true,
	"KAFKA_LOG4J_LOGGERS":                true,
	"KAFKA_TOOLS_LOG4J_LOGLEVEL":         true,
	"KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET": true,
}

// PropertyName applies the cp-kafka image's naming rule to one variable:
// drop KAFKA_, lowercase, then ___ → -, __ → _, _ → . It reports false for
// variables that are not server properties.
func PropertyName(envName string) (string, bool) {
	rest, ok := strings.CutPrefix(envName, "KAFKA_")
	if !ok || rest == "" || excluded[envName] {
		return "", false
	}
	// Longest run first, through placeholders that cannot occur in a
	// variable name, so "___" is not eaten as "__" + "_".
	name := strings.ToLower(rest)
	name = strings.ReplaceAll(name, "___", "\x00")
	name = strings.ReplaceAll(name, "__", "\x01")
	name = strings.ReplaceAll(name, "_", ".")
	name = strings.ReplaceAll(name, "\x00", "-")
	name = strings.ReplaceAll(name, "\x01", "_")
	return name, true
}

// Properties turns a container environment into the server properties the
// cp-kafka image would write to its kafka.properties.
func Properties(env map[string]string) map[string]string {
	props := map[string]string{}
	for k, v := range env {
		if name, ok := PropertyName(k); ok {
			props[name] = v
		}
	}
	return props
}

// Properties of this broker's environment.
func (b *Broker) Properties() map[string]string { return Properties(b.Env) }

// Validate checks everything a single-node KRaft broker needs to start: the
// cluster id used to format its storage and its server properties.
func (b *Broker) Validate() []error {
	var errs []error
	if err := CheckClusterID(b.ClusterID); err != nil {
		errs = append(errs, err)
	}
	return append(errs, Check(b.Properties())...)
}

// CheckClusterID reports whether id is what `kafka-storage format -t` takes:
// 16 bytes in URL-safe base64 without padding (22 characters).
func CheckClusterID(id string) error {
	if id == "" {
		return errors.New("CLUSTER_ID is not set: the storage cannot be formatted")
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(raw) != 16 {
		return fmt.Errorf("CLUSTER_ID %q is not a base64 UUID (16 bytes, 22 characters)", id)
	}
	return nil
}

// Check returns every reason why props would not boot a combined
// broker+controller in KRaft mode with one node. It returns nil for a good
// configuration.
func Check(props map[string]string) []error {
	c := checker{props: props}
	c.roles()
	c.nodeID()
	listeners := c.listeners("listeners", true)
	advertised := c.listeners("advertised.listeners", false)
	controllers := c.controllerNames(listeners, advertised)
	c.voters(listeners, controllers)
	c.protocolMap(listeners, advertised)
	c.interBroker(listeners, controllers)
	c.equals("offsets.topic.replication.factor", "1")
	c.equals("transaction.state.log.replication.factor", "1")
	if _, ok := props["kraft.mode"]; ok {
		// KAFKA_KRAFT_MODE is not a cp-kafka variable: it would become an
		// unknown "kraft.mode" property, a sign of a copied recipe.
		c.fail("KAFKA_KRAFT_MODE is set: it is no Kafka setting; KRaft mode comes from process.roles")
	}
	return c.errs
}

type checker struct {
	props map[string]string
	errs  []error
}

func (c *checker) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// require returns the property or records that it is missing.
func (c *checker) require(key string) (string, bool) {
	v := strings.TrimSpace(c.props[key])
	if v == "" {
		c.fail("%s is not set", key)
		return "", false
	}
	return v, true
}

func (c *checker) equals(key, want string) {
	if v, ok := c.require(key); ok && v != want {
		c.fail("%s is %s, want %s on a single node", key, v, want)
	}
}

func (c *checker) roles() {
	v, ok := c.require("process.roles")
	if !ok {
		return
	}
	roles := set(splitList(v))
	if !roles["broker"] || !roles["controller"] {
		c.fail("process.roles is %q, want both broker and controller (one node is its own quorum)", v)
	}
}

func (c *checker) nodeID() {
	if v, ok := c.require("node.id"); ok {
		if _, err := strconv.Atoi(v); err != nil {
			c.fail("node.id %q is not an integer", v)
		}
	}
}

// listeners parses "NAME://host:port,..." into name → host:port.
func (c *checker) listeners(key string, required bool) map[string]string {
	v := strings.TrimSpace(c.props[key])
	if v == "" {
		if required {
			c.fail("%s is not set", key)
		}
		return nil
	}
	out := map[string]string{}
	for _, l := range splitList(v) {
		name, addr, ok := strings.Cut(l, "://")
		if !ok || name == "" {
			c.fail("%s: %q is not NAME://host:port", key, l)
			continue
		}
		out[strings.ToUpper(name)] = addr
	}
	return out
}

func (c *checker) controllerNames(listeners, advertised map[string]string) []string {
	v, ok := c.require("controller.listener.names")
	if !ok {
		return nil
	}
	names := splitList(v)
	for _, n := range names {
		n = strings.ToUpper(n)
		if _, ok := listeners[n]; !ok && listeners != nil {
			c.fail("listeners has no %s listener named in controller.listener.names", n)
		}
		if _, ok := advertised[n]; ok {
			c.fail("advertised.listeners includes the controller listener %s: clients would be sent to the quorum port", n)
		}
	}
	return names
}

// voters checks "id@host:port,..." and that this node is one of the voters,
// reached on its controller listener's port.
func (c *checker) voters(listeners map[string]string, controllers []string) {
	v, ok := c.require("controller.quorum.voters")
	if !ok {
		return
	}
	self := strings.TrimSpace(c.props["node.id"])
	found := false
	for _, voter := range splitList(v) {
		id, addr, ok := strings.Cut(voter, "@")
		if !ok {
			c.fail("controller.quorum.voters: %q is not id@host:port", voter)
			continue
		}
		if id != self {
			continue
		}
		found = true
		if len(controllers) > 0 && listeners != nil {
			c.samePort(addr, listeners[strings.ToUpper(controllers[0])], controllers[0])
		}
	}
	if !found && self != "" {
		c.fail("controller.quorum.voters %q does not include this node (node.id %s)", v, self)
	}
}

func (c *checker) samePort(voterAddr, listenerAddr, name string) {
	if listenerAddr != "" && port(voterAddr) != port(listenerAddr) {
		c.fail("controller.quorum.voters names port %s for this node, but its %s listener is on %s",
			port(voterAddr), name, port(listenerAddr))
	}
}

func (c *checker) protocolMap(listeners, advertised map[string]string) {
	v, ok := c.require("listener.security.protocol.map")
	if !ok {
		return
	}
	mapped := map[string]bool{}
	for _, e := range splitList(v) {
		name, _, _ := strings.Cut(e, ":")
		mapped[strings.ToUpper(name)] = true
	}
	for _, m := range []map[string]string{listeners, advertised} {
		for _, name := range sortedKeys(m) {
			if !mapped[name] {
				c.fail("listener.security.protocol.map has no entry for listener %s", name)
				mapped[name] = true // report each name once
			}
		}
	}
}

func (c *checker) interBroker(listeners map[string]string, controllers []string) {
	v := strings.ToUpper(strings.TrimSpace(c.props["inter.broker.listener.name"]))
	if v == "" || listeners == nil {
		return
	}
	if _, ok := listeners[v]; !ok {
		c.fail("inter.broker.listener.name %s is not in listeners", v)
	}
	if set(upper(controllers))[v] {
		c.fail("inter.broker.listener.name %s is the controller listener", v)
	}
}

// port returns the part of host:port after the last colon (IPv6 hosts
// contain colons too).
func port(addr string) string {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func set(items []string) map[string]bool {
	m := map[string]bool{}
	for _, i := range items {
		m[i] = true
	}
	return m
}

func upper(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = strings.ToUpper(s)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
