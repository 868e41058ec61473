package compose

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestPropertyName(t *testing.T) {
	cases := map[string]string{
		"KAFKA_CONTROLLER_QUORUM_VOTERS":       "controller.quorum.voters",
		"KAFKA_NODE_ID":                        "node.id",
		"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "listener.security.protocol.map",
		// __ stands for an underscore, ___ for a dash.
		"KAFKA_LISTENER_NAME_PLAINTEXT__HOST_SASL_ENABLED_MECHANISMS":     "listener.name.plaintext_host.sasl.enabled.mechanisms",
		"KAFKA_LISTENER_NAME_INTERNAL_SCRAM___SHA___256_SASL_JAAS_CONFIG": "listener.name.internal.scram-sha-256.sasl.jaas.config",
		// Four underscores: the longest run (___) is taken first, then _.
		"KAFKA_A____B": "a-.b",
	}
	for env, want := range cases {
		got, ok := PropertyName(env)
		if !ok || got != want {
			t.Errorf("PropertyName(%s) = %q, %v; want %q", env, got, ok, want)
		}
	}
	for _, env := range []string{"CLUSTER_ID", "KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_", "PATH"} {
		if got, ok := PropertyName(env); ok {
			t.Errorf("PropertyName(%s) = %q, want no property", env, got)
		}
	}
}

func TestPropertiesSkipsClusterID(t *testing.T) {
	props := Properties(map[string]string{"CLUSTER_ID": "x", "KAFKA_NODE_ID": "1", "KAFKA_HEAP_OPTS": "-Xmx1g"})
	if len(props) != 1 || props["node.id"] != "1" {
		t.Fatalf("Properties = %v, want only node.id=1", props)
	}
}

// loadRepoBroker loads the compose file the learners run.
func loadRepoBroker(t *testing.T) *Broker {
	t.Helper()
	b, err := Load(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRepoComposeFileBootsKRaft(t *testing.T) {
	b := loadRepoBroker(t)
	if !strings.HasPrefix(b.Image, "confluentinc/cp-kafka:") {
		t.Errorf("image %q: the env→property rule here is cp-kafka's", b.Image)
	}
	if !hasPort(b.Ports, "9092", 9092) {
		t.Errorf("ports %+v: want 9092 published to the host", b.Ports)
	}
	for _, err := range b.Validate() {
		t.Error(err)
	}
	if _, ok := b.Env["KAFKA_KRAFT_MODE"]; ok {
		t.Error("KAFKA_KRAFT_MODE must not be set")
	}
}

func hasPort(ports []Port, published string, target uint32) bool {
	for _, p := range ports {
		if p.Published == published && p.Target == target {
			return true
		}
	}
	return false
}

// TestCheckCatchesBrokenConfigs breaks the real configuration one way at a
// time and expects Check to notice each.
func TestCheckCatchesBrokenConfigs(t *testing.T) {
	base := loadRepoBroker(t).Properties()
	breaks := map[string]struct {
		key, value, want string
	}{
		"controller advertised": {"advertised.listeners", "PLAINTEXT://kafka:29092,CONTROLLER://kafka:9093", "advertised.listeners includes the controller"},
		"broker only":           {"process.roles", "broker", "want both broker and controller"},
		"no node id":            {"node.id", "", "node.id is not set"},
		"no voters":             {"controller.quorum.voters", "", "controller.quorum.voters is not set"},
		"voter is another node": {"controller.quorum.voters", "2@kafka:9093", "does not include this node"},
		"voter wrong port":      {"controller.quorum.voters", "1@kafka:9094", "listener is on 9093"},
		"no controller listen":  {"listeners", "PLAINTEXT://kafka:29092,PLAINTEXT_HOST://0.0.0.0:9092", "no CONTROLLER listener"},
		"no controller names":   {"controller.listener.names", "", "controller.listener.names is not set"},
		"unmapped listener":     {"listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT", "no entry for listener PLAINTEXT_HOST"},
		"offsets RF 3":          {"offsets.topic.replication.factor", "3", "offsets.topic.replication.factor is 3"},
		"no txn RF":             {"transaction.state.log.replication.factor", "", "transaction.state.log.replication.factor is not set"},
		"kraft mode variable":   {"kraft.mode", "true", "KAFKA_KRAFT_MODE"},
	}
	for name, br := range breaks {
		t.Run(name, func(t *testing.T) {
			props := clone(base)
			if br.value == "" {
				delete(props, br.key)
			} else {
				props[br.key] = br.value
			}
			errs := Check(props)
			if !anyContains(errs, br.want) {
				t.Errorf("Check = %v, want an error containing %q", errs, br.want)
			}
		})
	}
}

func TestCheckClusterID(t *testing.T) {
	if err := CheckClusterID("MkU3OEVBNTcwNTJENDM2Qk"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "not-a-uuid", "MkU3OEVBNTcwNTJENDM2"} {
		if CheckClusterID(bad) == nil {
			t.Errorf("CheckClusterID(%q) = nil, want an error", bad)
		}
	}
}

func TestLoadRejectsInvalidCompose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "docker-compose.yml")
	// "environment" must be a mapping or a list, not a number.
	if err := os.WriteFile(path, []byte("services:\n  kafka:\n    image: x\n    environment: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Fatal("Load accepted an invalid compose file")
	}
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func anyContains(errs []error, want string) bool {
	for _, err := range errs {
		if strings.Contains(err.Error(), want) {
			return true
		}
	}
	return false
}

// loadRepoCluster loads the three-node compose file the learners run.
func loadRepoCluster(t *testing.T) *Cluster {
	t.Helper()
	c, err := LoadCluster(filepath.Join("..", "..", "docker-compose.cluster.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRepoClusterFileBootsThreeVoters(t *testing.T) {
	c := loadRepoCluster(t)
	if len(c.Nodes) != 3 {
		t.Fatalf("got %d nodes, want 3", len(c.Nodes))
	}
	for i, n := range c.Nodes {
		id, err := n.NodeID()
		if err != nil || id != i+1 {
			t.Errorf("node %d: id %d, %v; want nodes in id order 1, 2, 3", i, id, err)
		}
		if want := "kafka-" + strconv.Itoa(i+1); n.Service != want || n.Hostname != want {
			t.Errorf("node %d: service %q host %q, want %s", i+1, n.Service, n.Hostname, want)
		}
		// Clients on this machine: localhost:9092, :9094, :9096.
		hostPort := strconv.Itoa(9092 + 2*i)
		if !hasPort(n.Ports, hostPort, uint32(9092+2*i)) {
			t.Errorf("%s: ports %+v, want %s published", n.Service, n.Ports, hostPort)
		}
		props := n.Properties()
		want := map[string]string{
			"process.roles":                            "broker,controller",
			"controller.quorum.voters":                 "1@kafka-1:9093,2@kafka-2:9095,3@kafka-3:9097",
			"offsets.topic.replication.factor":         "3",
			"transaction.state.log.replication.factor": "3",
			"transaction.state.log.min.isr":            "2",
			"default.replication.factor":               "3",
			"min.insync.replicas":                      "2",
			"group.initial.rebalance.delay.ms":         "0",
			"auto.create.topics.enable":                "false",
			"log.cleaner.backoff.ms":                   "1000",
		}
		for k, v := range want {
			if props[k] != v {
				t.Errorf("%s: %s = %q, want %q", n.Service, k, props[k], v)
			}
		}
		if n.Env["KAFKA_HEAP_OPTS"] == "" {
			t.Errorf("%s: KAFKA_HEAP_OPTS is not set: three JVMs with the image's 1 GB heaps are too much for a laptop", n.Service)
		}
		if _, ok := props["heap.opts"]; ok {
			t.Errorf("%s: KAFKA_HEAP_OPTS became a server property", n.Service)
		}
	}
	for _, err := range c.Validate() {
		t.Error(err)
	}
}

// The single-node file loads as a cluster of one, which Validate checks as
// before.
func TestLoadClusterOfOne(t *testing.T) {
	c, err := LoadCluster(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Nodes) != 1 || c.Nodes[0].Service != ServiceName || c.Nodes[0].Hostname != "kafka" {
		t.Fatalf("nodes %+v, want the one kafka service", c.Nodes)
	}
	for _, err := range c.Validate() {
		t.Error(err)
	}
	if got := loadRepoBroker(t).Properties()["log.cleaner.backoff.ms"]; got != "1000" {
		t.Errorf("log.cleaner.backoff.ms = %q, want 1000 so compaction shows within a lesson step", got)
	}
}

func TestLoadClusterSkipsOtherServicesAndSortsByID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "compose.yml")
	file := `services:
  b:
    image: x
    environment: {KAFKA_NODE_ID: "2"}
  tools:
    image: kcat
    environment: {KAFKA_BOOTSTRAP: "b:9092"}
  a:
    image: x
    environment: {KAFKA_NODE_ID: "10"}
  c:
    image: x
    environment: {KAFKA_NODE_ID: "1"}
`
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCluster(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range c.Nodes {
		got = append(got, n.Service)
	}
	if strings.Join(got, " ") != "c b a" {
		t.Errorf("nodes %v, want c b a (ids 1, 2, 10; no tools)", got)
	}
}

// TestClusterValidateCatchesBrokenQuorums breaks the real three-node file one
// way at a time and expects Validate to notice each.
func TestClusterValidateCatchesBrokenQuorums(t *testing.T) {
	breaks := map[string]struct {
		change func(c *Cluster)
		want   string
	}{
		"duplicate node id": {func(c *Cluster) { c.Nodes[2].Env["KAFKA_NODE_ID"] = "2" }, "node.id 2 is used by two nodes"},
		"voter missing": {func(c *Cluster) {
			for _, n := range c.Nodes {
				n.Env["KAFKA_CONTROLLER_QUORUM_VOTERS"] = "1@kafka-1:9093,2@kafka-2:9095"
			}
		}, "does not include this node (node.id 3)"},
		"voter not defined": {func(c *Cluster) {
			for _, n := range c.Nodes {
				n.Env["KAFKA_CONTROLLER_QUORUM_VOTERS"] += ",4@kafka-4:9099"
			}
		}, "names node 4, which is not defined"},
		"voters disagree": {func(c *Cluster) {
			c.Nodes[1].Env["KAFKA_CONTROLLER_QUORUM_VOTERS"] = "1@kafka-1:9093,2@kafka-2:9095,3@kafka-3:9099"
		}, "node 2: controller.quorum.voters \"1@kafka-1:9093,2@kafka-2:9095,3@kafka-3:9099\" differs from"},
		"voter wrong port": {func(c *Cluster) {
			for _, n := range c.Nodes {
				n.Env["KAFKA_CONTROLLER_QUORUM_VOTERS"] = "1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9097"
			}
		}, "node 2: controller.quorum.voters names port 9093 for this node, but its CONTROLLER listener is on 9095"},
		"shared ports": {func(c *Cluster) {
			c.Nodes[1].Env["KAFKA_LISTENERS"] = "PLAINTEXT://kafka-2:29092,CONTROLLER://kafka-2:9095,PLAINTEXT_HOST://0.0.0.0:9094"
		}, "port 29092 is used by node 1 (PLAINTEXT) and node 2 (PLAINTEXT)"},
		"two voters": {func(c *Cluster) {
			c.Nodes = c.Nodes[:2]
			for _, n := range c.Nodes {
				n.Env["KAFKA_CONTROLLER_QUORUM_VOTERS"] = "1@kafka-1:9093,2@kafka-2:9095"
			}
		}, "has 2 voters"},
		"other cluster id": {func(c *Cluster) { c.Nodes[2].ClusterID = "MkU3OEVBNTcwNTJENDM2Qk" }, "service kafka-3: CLUSTER_ID MkU3OEVBNTcwNTJENDM2Qk differs from kafka-1's"},
		"bad cluster id":   {func(c *Cluster) { c.Nodes[1].ClusterID = "abc" }, "service kafka-2: CLUSTER_ID \"abc\" is not a base64 UUID"},
		"offsets RF 4": {func(c *Cluster) {
			for _, n := range c.Nodes {
				n.Env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] = "4"
			}
		}, "offsets.topic.replication.factor is 4, more than the 3 nodes"},
		"offsets RF default on 2 nodes": {func(c *Cluster) {
			for _, n := range c.Nodes {
				delete(n.Env, "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR")
			}
			c.Nodes = c.Nodes[:2]
		}, "offsets.topic.replication.factor is 3, more than the 2 nodes"},
		"min ISR 3": {func(c *Cluster) {
			for _, n := range c.Nodes {
				n.Env["KAFKA_MIN_INSYNC_REPLICAS"] = "3"
			}
		}, "acks=all writes would stop when one node stops"},
		"txn min ISR 3": {func(c *Cluster) {
			for _, n := range c.Nodes {
				n.Env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] = "3"
			}
		}, "transactions would stop when one node stops"},
		"port not published":      {func(c *Cluster) { c.Nodes[1].Ports = nil }, "service kafka-2: advertised listener PLAINTEXT_HOST://localhost:9094 is not published"},
		"published to wrong port": {func(c *Cluster) { c.Nodes[1].Ports = []Port{{Published: "9094", Target: 9092}} }, "published to container port 9092, but listener PLAINTEXT_HOST listens on 9094"},
		"published twice":         {func(c *Cluster) { c.Nodes[2].Ports = append(c.Nodes[2].Ports, Port{Published: "9092", Target: 9096}) }, "services kafka-1 and kafka-3 both publish port 9092"},
		"broker only":             {func(c *Cluster) { c.Nodes[0].Env["KAFKA_PROCESS_ROLES"] = "broker" }, "node 1: process.roles is \"broker\""},
	}
	for name, br := range breaks {
		t.Run(name, func(t *testing.T) {
			c := loadRepoCluster(t)
			br.change(c)
			errs := c.Validate()
			if !anyContains(errs, br.want) {
				t.Errorf("Validate = %v, want an error containing %q", errs, br.want)
			}
		})
	}
}

// The voter list is a set: another order or spacing is the same quorum.
func TestClusterVotersInAnotherOrderAgree(t *testing.T) {
	c := loadRepoCluster(t)
	c.Nodes[1].Env["KAFKA_CONTROLLER_QUORUM_VOTERS"] = "3@kafka-3:9097, 1@kafka-1:9093,2@kafka-2:9095"
	for _, err := range c.Validate() {
		t.Error(err)
	}
}

// Each replication problem is named once, not once per node.
func TestCheckNodesReportsSharedProblemsOnce(t *testing.T) {
	c := loadRepoCluster(t)
	var props []map[string]string
	for _, n := range c.Nodes {
		p := n.Properties()
		p["default.replication.factor"] = "5"
		props = append(props, p)
	}
	errs := CheckNodes(props)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "default.replication.factor is 5") {
		t.Errorf("CheckNodes = %v, want one error about default.replication.factor", errs)
	}
}

func TestSingleNodePublishedPortIsChecked(t *testing.T) {
	b := loadRepoBroker(t)
	b.Ports = []Port{{Published: "9093", Target: 9092}}
	if errs := b.Validate(); !anyContains(errs, "PLAINTEXT_HOST://localhost:9092 is not published") {
		t.Errorf("Validate = %v, want the unpublished advertised listener named", errs)
	}
}
