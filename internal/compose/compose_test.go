package compose

import (
	"os"
	"path/filepath"
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
