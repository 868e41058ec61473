package native

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/compose"
)

func TestNativePropertiesFromRepoCompose(t *testing.T) {
	b, err := compose.Load(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	container := b.Properties()
	props, changes := nativeProperties(container, map[string]string{b.Hostname: "localhost"}, "/tmp/kn/data/kraft-logs")

	want := map[string]string{
		"listeners":                "PLAINTEXT://localhost:29092,CONTROLLER://localhost:9093,PLAINTEXT_HOST://0.0.0.0:9092",
		"advertised.listeners":     "PLAINTEXT://localhost:29092,PLAINTEXT_HOST://localhost:9092",
		"controller.quorum.voters": "1@localhost:9093",
		"log.dirs":                 "/tmp/kn/data/kraft-logs",
	}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s = %q, want %q", k, props[k], v)
		}
	}
	// Everything else is exactly the container's configuration.
	for k, v := range container {
		if _, changed := want[k]; !changed && props[k] != v {
			t.Errorf("%s changed from %q to %q", k, v, props[k])
		}
	}
	if len(props) != len(container) {
		t.Errorf("got %d properties, container has %d", len(props), len(container))
	}
	var keys []string
	for _, c := range changes {
		keys = append(keys, c.key)
		if c.old != container[c.key] || c.new != props[c.key] {
			t.Errorf("change %+v does not match %q → %q", c, container[c.key], props[c.key])
		}
	}
	wantKeys := []string{"advertised.listeners", "controller.quorum.voters", "listeners", "log.dirs"}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("changed keys %v, want %v", keys, wantKeys)
	}
	// The result must still be a valid single-node KRaft configuration.
	for _, err := range compose.Check(props) {
		t.Error(err)
	}
}

func TestReplaceHostsOnlyTouchesContainerHosts(t *testing.T) {
	hosts := map[string]string{"kafka": "localhost", "kafka-2": "127.0.0.1"}
	cases := map[string]string{
		"PLAINTEXT://kafka:29092,PLAINTEXT_HOST://0.0.0.0:9092": "PLAINTEXT://localhost:29092,PLAINTEXT_HOST://0.0.0.0:9092",
		"1@kafka:9093,2@kafka2:9093":                            "1@localhost:9093,2@kafka2:9093",
		"1@kafka:9093, 2@kafka-2:9095":                          "1@localhost:9093,2@127.0.0.1:9095",
		"PLAINTEXT://kafkaesque:1":                              "PLAINTEXT://kafkaesque:1",
		"EXTERNAL://[::1]:9092":                                 "EXTERNAL://[::1]:9092",
	}
	for in, want := range cases {
		if got := replaceHosts(in, hosts); got != want {
			t.Errorf("replaceHosts(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWritePropertiesIsSortedAndEscaped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.properties")
	err := writeProperties(path, "generated", map[string]string{"node.id": "1", "a.path": `C:\x`})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# generated\na.path=C:\\\\x\nnode.id=1\n"
	if string(got) != want {
		t.Errorf("file = %q, want %q", got, want)
	}
}

func TestDefaultVersionsFollowTheImage(t *testing.T) {
	got, line, err := defaultVersions("confluentinc/cp-kafka:7.8.3")
	if err != nil {
		t.Fatal(err)
	}
	if line != "3.8" || strings.Join(got, " ") != "3.8.1 3.8.0 3.9.1 3.9.0" {
		t.Errorf("cp-kafka 7.8.3 → line %s, candidates %v", line, got)
	}
	if got, _, _ := defaultVersions("apache/kafka:4.1.1"); len(got) == 0 || got[0] != "4.1.1" {
		t.Errorf("apache/kafka:4.1.1 → %v", got)
	}
	if _, _, err := defaultVersions("bitnami/kafka:latest"); err == nil {
		t.Error("an unknown image must ask for --version")
	}
}

func TestLoggingBackendMatchesTheJars(t *testing.T) {
	const l4j = "org.apache.logging.log4j"
	cases := []struct {
		kafka string
		jars  []string
		want  []artifact
	}{
		{"3.8.1", []string{"kafka_2.13-3.8.1.jar", "slf4j-api-1.7.36.jar"}, []artifact{{"org.slf4j", "slf4j-reload4j", "1.7.36"}}},
		// 4.1 brings log4j-core: only the slf4j 1.7 bridge is missing.
		{"4.1.1", []string{"slf4j-api-1.7.36.jar", "log4j-api-2.24.3.jar", "log4j-core-2.24.3.jar"}, []artifact{{l4j, "log4j-slf4j-impl", "2.24.3"}}},
		// 4.0's pom forgets log4j-core although its code calls it.
		{"4.0.1", []string{"kafka_2.13-4.0.1.jar", "slf4j-api-1.7.36.jar"}, []artifact{{l4j, "log4j-slf4j-impl", defaultLog4j2}, {l4j, "log4j-core", defaultLog4j2}}},
		{"4.9.0", []string{"slf4j-api-2.0.17.jar", "log4j-core-2.25.1.jar"}, []artifact{{l4j, "log4j-slf4j2-impl", "2.25.1"}}},
		{"3.8.1", []string{"slf4j-api-1.7.36.jar", "slf4j-reload4j-1.7.36.jar"}, nil},
	}
	for _, c := range cases {
		dir := t.TempDir()
		for _, j := range c.jars {
			if err := os.WriteFile(filepath.Join(dir, j), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got := loggingBackend(dir, c.kafka); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Kafka %s, jars %v: backend %v, want %v", c.kafka, c.jars, got, c.want)
		}
	}
}
