package testkit

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// SecureConfigVar names the client.properties of a SASL_SSL Apache Kafka
// that checks ACLs, logged in as a super user (CI boots one with
// kafka-native up --secure).
const SecureConfigVar = "KAFKA_SECURE_CONFIG"

// ACLEnv is an env logged in as a super user of brokers that check ACLs:
// the Apache Kafka of $KAFKA_SECURE_CONFIG when it is set, else the
// emulation with SASL and ACLs switched on. config is a client.properties
// with the same login, for a program the test runs (an exercise's).
func ACLEnv(t *testing.T) (env *lessons.Env, config string) {
	t.Helper()
	if path := os.Getenv(SecureConfigVar); path != "" {
		cfg, err := clientconfig.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		env := lessons.NewEnv(cfg.Bootstrap, lessons.Cluster{Brokers: 1, ACLs: true}, Prefix("test"), NewRecorder())
		env.Transport, env.Dialer = cfg.Transport(), cfg.Dialer()
		t.Cleanup(env.Close)
		return env, path
	}
	const user, password = "admin", "admin-secret"
	c, err := kfake.NewCluster(kfake.NumBrokers(1), broker.CleanerEverySecond, kfake.EnableSASL(), kfake.EnableACLs(),
		kfake.Superuser("SCRAM-SHA-512", user, password))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	login, err := lessons.ScramLogin("SCRAM-SHA-512", user, password)
	if err != nil {
		t.Fatal(err)
	}
	env = lessons.NewEnv(c.ListenAddrs(), lessons.Cluster{Brokers: 1, Embedded: true, ACLs: true}, Prefix("test"), NewRecorder())
	env.Transport = &kafka.Transport{SASL: login, DialTimeout: 5 * time.Second}
	env.Dialer = &kafka.Dialer{SASLMechanism: login, Timeout: 5 * time.Second}
	t.Cleanup(env.Close)
	config = filepath.Join(t.TempDir(), "client.properties")
	props := "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=" + user + "\nsasl.password=" + password + "\n"
	if err := os.WriteFile(config, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	return env, config
}
