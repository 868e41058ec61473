// Package compose reads the Kafka node definitions out of the project's
// compose files (docker-compose.yml: one node; docker-compose.cluster.yml:
// three), so that the Docker brokers the learners run and the native brokers
// CI runs (cmd/kafka-native) are configured from one file.
package compose

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// ServiceName is the compose service that runs the single broker of
// docker-compose.yml.
const ServiceName = "kafka"

// Broker is the part of a Kafka service that matters outside Docker.
type Broker struct {
	Service  string // the compose service ("kafka", "kafka-2")
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
	project, err := loadProject(path)
	if err != nil {
		return nil, err
	}
	svc, err := project.GetService(ServiceName)
	if err != nil {
		return nil, fmt.Errorf("compose file %s: %w", path, err)
	}
	return brokerOf(path, svc)
}

// Cluster is every Kafka node of one compose file.
type Cluster struct {
	Path  string    // the compose file
	Nodes []*Broker // in node.id order
}

// LoadCluster parses a compose file like Load and returns every service that
// is a Kafka node: one that sets KAFKA_NODE_ID or KAFKA_PROCESS_ROLES (so a
// kcat or schema-registry service beside them is not mistaken for a node).
func LoadCluster(path string) (*Cluster, error) {
	project, err := loadProject(path)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Path: path}
	for _, svc := range project.Services {
		_, id := svc.Environment["KAFKA_NODE_ID"]
		_, roles := svc.Environment["KAFKA_PROCESS_ROLES"]
		if !id && !roles {
			continue
		}
		b, err := brokerOf(path, svc)
		if err != nil {
			return nil, err
		}
		c.Nodes = append(c.Nodes, b)
	}
	if len(c.Nodes) == 0 {
		return nil, fmt.Errorf("compose file %s has no Kafka node (a service that sets KAFKA_NODE_ID)", path)
	}
	// Node ids order the nodes as people count them; a missing or bad id
	// sorts by service name and is reported by Validate.
	sort.Slice(c.Nodes, func(i, j int) bool {
		a, b := c.Nodes[i], c.Nodes[j]
		ai, aerr := a.NodeID()
		bi, berr := b.NodeID()
		if aerr == nil && berr == nil && ai != bi {
			return ai < bi
		}
		if (aerr == nil) != (berr == nil) {
			return aerr == nil
		}
		return a.Service < b.Service
	})
	return c, nil
}

func loadProject(path string) (*types.Project, error) {
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
	return project, nil
}

func brokerOf(path string, svc types.ServiceConfig) (*Broker, error) {
	b := &Broker{Service: svc.Name, Image: svc.Image, Hostname: svc.Hostname, Env: map[string]string{}}
	if b.Hostname == "" {
		// Without an explicit hostname, containers reach it by service name.
		b.Hostname = svc.Name
	}
	for name, value := range svc.Environment {
		if value == nil {
			// `- KAFKA_X` without a value takes it from the host shell;
			// that would make the broker differ between machines.
			return nil, fmt.Errorf("compose file %s: service %s: variable %s has no value", path, svc.Name, name)
		}
		b.Env[name] = *value
	}
	b.ClusterID = b.Env["CLUSTER_ID"]
	for _, p := range svc.Ports {
		b.Ports = append(b.Ports, Port{HostIP: p.HostIP, Published: p.Published, Target: p.Target, Protocol: p.Protocol})
	}
	return b, nil
}

// NodeID is the service's KAFKA_NODE_ID.
func (b *Broker) NodeID() (int, error) {
	id, err := strconv.Atoi(strings.TrimSpace(b.Env["KAFKA_NODE_ID"]))
	if err != nil {
		return 0, fmt.Errorf("service %s: KAFKA_NODE_ID %q is not an integer", b.Service, b.Env["KAFKA_NODE_ID"])
	}
	return id, nil
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
// cluster id used to format its storage, its server properties, and that
// this machine reaches it where it is advertised.
func (b *Broker) Validate() []error {
	var errs []error
	if err := CheckClusterID(b.ClusterID); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, Check(b.Properties())...)
	return append(errs, b.checkPublished()...)
}

// Validate checks that the nodes form one KRaft cluster that boots, in
// Docker and natively: one node is checked as by Broker.Validate; several
// must share a cluster id, agree on a quorum that lists each of them, have
// distinct node ids and ports, and keep working when any one node stops.
func (c *Cluster) Validate() []error {
	if len(c.Nodes) == 1 {
		return c.Nodes[0].Validate()
	}
	var errs []error
	props := make([]map[string]string, len(c.Nodes))
	for i, n := range c.Nodes {
		if err := CheckClusterID(n.ClusterID); err != nil {
			errs = append(errs, fmt.Errorf("service %s: %w", n.Service, err))
		} else if first := c.Nodes[0]; n.ClusterID != first.ClusterID {
			errs = append(errs, fmt.Errorf("service %s: CLUSTER_ID %s differs from %s's %s: the nodes would not form one cluster",
				n.Service, n.ClusterID, first.Service, first.ClusterID))
		}
		for _, err := range n.checkPublished() {
			errs = append(errs, fmt.Errorf("service %s: %w", n.Service, err))
		}
		props[i] = n.Properties()
	}
	seen := map[string]string{}
	for _, n := range c.Nodes {
		for _, p := range n.Ports {
			if other, ok := seen[p.Published]; ok {
				errs = append(errs, fmt.Errorf("services %s and %s both publish port %s", other, n.Service, p.Published))
			}
			seen[p.Published] = n.Service
		}
	}
	return append(errs, CheckNodes(props)...)
}

// checkPublished catches the classic advertised-listeners trap: a client on
// this machine is told localhost:P, so the container must publish P, to the
// port that listener listens on.
func (b *Broker) checkPublished() []error {
	c := checker{props: b.Properties()}
	listeners := c.listeners("listeners", false)
	advertised := c.listeners("advertised.listeners", false)
	var errs []error
	for _, name := range sortedKeys(advertised) {
		addr := advertised[name]
		host := addr[:max(0, strings.LastIndex(addr, ":"))]
		if host != "localhost" && host != "127.0.0.1" {
			continue // another container's name: reached inside Docker
		}
		want := port(listeners[name])
		found := false
		for _, p := range b.Ports {
			if p.Published != port(addr) {
				continue
			}
			found = true
			if want != "" && strconv.Itoa(int(p.Target)) != want {
				errs = append(errs, fmt.Errorf("port %s is published to container port %d, but listener %s listens on %s",
					p.Published, p.Target, name, want))
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("advertised listener %s://%s is not published: ports needs \"%s:%s\"",
				name, addr, port(addr), cmp.Or(want, port(addr))))
		}
	}
	return errs
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
	c.node()
	c.equals("offsets.topic.replication.factor", "1")
	c.equals("transaction.state.log.replication.factor", "1")
	return c.errs
}

// CheckNodes returns every reason why the server properties of several
// nodes, each a combined broker+controller, would not boot one KRaft cluster
// in which any one node can stop (as the lessons do) while the others keep
// serving. It returns nil for a good configuration.
func CheckNodes(nodes []map[string]string) []error {
	var errs []error
	type owner struct{ node, listener string }
	ids := map[string]bool{}
	ports := map[string]owner{}
	for i, props := range nodes {
		c := checker{props: props}
		listeners := c.node()
		self := strings.TrimSpace(props["node.id"])
		label := "node " + self
		if self == "" {
			label = fmt.Sprintf("node #%d", i+1)
		}
		for _, err := range c.errs {
			errs = append(errs, fmt.Errorf("%s: %w", label, err))
		}
		if self != "" && ids[self] {
			errs = append(errs, fmt.Errorf("node.id %s is used by two nodes", self))
		}
		ids[self] = true
		// Natively all nodes run on one machine, where two listeners
		// cannot share a port even if their host names differ.
		for _, name := range sortedKeys(listeners) {
			p := port(listeners[name])
			if o, ok := ports[p]; ok {
				errs = append(errs, fmt.Errorf("port %s is used by %s (%s) and %s (%s): each node needs its own ports to run on one machine",
					p, o.node, o.listener, label, name))
				continue
			}
			ports[p] = owner{label, name}
		}
	}
	errs = append(errs, checkQuorum(nodes)...)
	return append(errs, checkReplication(nodes)...)
}

// checkQuorum: every node must name the same voters, one per node. (Each
// node's own entry is checked against its controller listener by node().)
func checkQuorum(nodes []map[string]string) []error {
	var errs []error
	first := strings.TrimSpace(nodes[0]["controller.quorum.voters"])
	voters := map[string]bool{}
	for _, v := range splitList(first) {
		id, _, _ := strings.Cut(v, "@")
		if voters[id] {
			errs = append(errs, fmt.Errorf("controller.quorum.voters %q names node %s twice", first, id))
		}
		voters[id] = true
	}
	ids := map[string]bool{}
	for _, props := range nodes {
		id := strings.TrimSpace(props["node.id"])
		ids[id] = true
		if v := strings.TrimSpace(props["controller.quorum.voters"]); !sameSet(splitList(v), splitList(first)) {
			errs = append(errs, fmt.Errorf("node %s: controller.quorum.voters %q differs from %q: the nodes would not agree on the quorum", id, v, first))
		}
	}
	for _, id := range sortedKeys(voters) {
		if !ids[id] {
			errs = append(errs, fmt.Errorf("controller.quorum.voters names node %s, which is not defined: the quorum would wait for it", id))
		}
	}
	if len(voters) < 3 {
		errs = append(errs, fmt.Errorf("controller.quorum.voters has %d voters: the quorum stops when any one stops (a majority of 3 survives one)", len(voters)))
	}
	return errs
}

// checkReplication compares replication settings (or Kafka's defaults for
// them) with the number of nodes. Nodes usually share these settings, so
// each problem is reported once.
func checkReplication(nodes []map[string]string) []error {
	var errs []error
	seen := map[string]bool{}
	add := func(err error) {
		if !seen[err.Error()] {
			seen[err.Error()] = true
			errs = append(errs, err)
		}
	}
	n := len(nodes)
	for _, props := range nodes {
		c := checker{props: props}
		offsetsRF := c.intOr("offsets.topic.replication.factor", 3)
		txnRF := c.intOr("transaction.state.log.replication.factor", 3)
		txnISR := c.intOr("transaction.state.log.min.isr", 2)
		defaultRF := c.intOr("default.replication.factor", 1)
		minISR := c.intOr("min.insync.replicas", 1)
		for _, err := range c.errs {
			add(err)
		}
		if offsetsRF > n {
			add(fmt.Errorf("offsets.topic.replication.factor is %d, more than the %d nodes: consumer groups would never start", offsetsRF, n))
		}
		if txnRF > n {
			add(fmt.Errorf("transaction.state.log.replication.factor is %d, more than the %d nodes: transactions would never start", txnRF, n))
		}
		if defaultRF > n {
			add(fmt.Errorf("default.replication.factor is %d, more than the %d nodes: topics created without one would fail", defaultRF, n))
		}
		if txnISR >= txnRF {
			add(fmt.Errorf("transaction.state.log.min.isr is %d with replication factor %d: transactions would stop when one node stops", txnISR, txnRF))
		}
		if minISR >= defaultRF && defaultRF > 1 {
			add(fmt.Errorf("min.insync.replicas is %d with default.replication.factor %d: acks=all writes would stop when one node stops", minISR, defaultRF))
		}
	}
	return errs
}

type checker struct {
	props map[string]string
	errs  []error
}

// node checks what every combined broker+controller needs, alone or in a
// cluster, and returns its listeners (name → host:port).
func (c *checker) node() map[string]string {
	c.roles()
	c.nodeID()
	listeners := c.listeners("listeners", true)
	advertised := c.listeners("advertised.listeners", false)
	controllers := c.controllerNames(listeners, advertised)
	c.voters(listeners, controllers)
	c.protocolMap(listeners, advertised)
	c.interBroker(listeners, controllers)
	if _, ok := c.props["kraft.mode"]; ok {
		// KAFKA_KRAFT_MODE is not a cp-kafka variable: it would become an
		// unknown "kraft.mode" property, a sign of a copied recipe.
		c.fail("KAFKA_KRAFT_MODE is set: it is no Kafka setting; KRaft mode comes from process.roles")
	}
	return listeners
}

// intOr returns an integer property, or def when it is not set.
func (c *checker) intOr(key string, def int) int {
	v := strings.TrimSpace(c.props[key])
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.fail("%s %q is not an integer", key, v)
		return def
	}
	return n
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

// sameSet tells whether two lists hold the same items in any order.
func sameSet(a, b []string) bool {
	sa, sb := set(a), set(b)
	if len(sa) != len(sb) {
		return false
	}
	for x := range sa {
		if !sb[x] {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
