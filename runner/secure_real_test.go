package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/certs"
)

// secureConfig returns the client.properties of a secured Apache Kafka
// that CI boots (.ci/run: a SASL_SSL listener with SCRAM-SHA-512 users alice,
// a super user, and bob, who may do nothing), and its password.
func secureConfig(t *testing.T) (path, text, password string) {
	t.Helper()
	path = os.Getenv("KAFKA_SECURE_CONFIG")
	if path == "" || os.Getenv(broker.EnvVar) == "" {
		t.Skip("set KAFKA_SECURE_CONFIG to the client.properties of a SASL_SSL Apache Kafka, and $" + broker.EnvVar +
			" to its plaintext listener (.ci/run does)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^sasl\.password=(.*)$`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("%s has no sasl.password line", path)
	}
	return path, string(b), m[1]
}

// variant writes a copy of the config with some lines replaced.
func variant(t *testing.T, text string, replace map[string]string) string {
	t.Helper()
	for re, with := range replace {
		text = regexp.MustCompile(`(?m)^`+re+`$`).ReplaceAllString(text, with)
	}
	f := filepath.Join(t.TempDir(), "client.properties")
	if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// Every lesson runs through --config against a real SASL_SSL Apache Kafka,
// and no output holds the password.
func TestSecuredApacheKafkaEveryLesson(t *testing.T) {
	path, _, password := secureConfig(t)
	cmd, out, errb := runner(t, nil, "--all", "--yes", "--config", path, "--topic-prefix", prefix())
	if code := exitCode(t, cmd, 5*time.Minute); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, tail(out.String()), errb)
	}
	s := out.String() + errb.String()
	if strings.Contains(s, password) {
		t.Fatal("the password was printed")
	}
	for _, want := range []string{"protocol SASL_SSL", "mechanism SCRAM-SHA-512", "user alice", "TLS: true", "✔ Lesson 13 done.",
		"✔ Lesson 19 done."} { // an authorizer, and alice a super user: the ACL lesson runs
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// Each failure a teacher may meet is explained within 5 s, exit 1, without
// the password.
func TestSecuredApacheKafkaFailures(t *testing.T) {
	_, text, password := secureConfig(t)
	ca, err := certs.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	otherCA := filepath.Join(t.TempDir(), "other-ca.pem")
	os.WriteFile(otherCA, ca.PEM(), 0o644)
	for _, tc := range []struct {
		name    string
		replace map[string]string
		args    []string
		want    []string
	}{
		{"wrong password", map[string]string{`sasl\.password=.*`: "sasl.password=not-" + password}, nil,
			[]string{"alice", "SCRAM-SHA-512"}},
		{"mechanism not enabled", map[string]string{`sasl\.mechanism=.*`: "sasl.mechanism=PLAIN"}, nil,
			[]string{"PLAIN"}},
		{"TLS to a plaintext port", map[string]string{`bootstrap\.servers=.*`: "bootstrap.servers=" + os.Getenv(broker.EnvVar)}, nil,
			[]string{"TLS"}},
		{"plaintext to a TLS port", map[string]string{`security\.protocol=.*`: "security.protocol=SASL_PLAINTEXT", `ssl\.ca\.location=.*`: ""}, nil,
			[]string{"TLS"}},
		{"unknown certificate authority", map[string]string{`ssl\.ca\.location=.*`: "ssl.ca.location=" + otherCA}, nil,
			[]string{"certificate"}},
		{"host name not in the certificate", map[string]string{`bootstrap\.servers=localhost:(.*)`: "bootstrap.servers=127.0.0.2:$1"}, nil,
			[]string{"127.0.0.2"}},
		{"topic not allowed", map[string]string{`sasl\.username=.*`: "sasl.username=bob"}, []string{"produce"},
			[]string{"TOPIC_AUTHORIZATION_FAILED", "--topic-prefix"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				args = []string{"produce"}
			}
			start := time.Now()
			cmd, out, errb := runner(t, nil, append(args, "--config", variant(t, text, tc.replace), "--topic-prefix", prefix())...)
			code := exitCode(t, cmd, 20*time.Second)
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s\n%s", code, out, errb)
			}
			if d := time.Since(start); d > 5*time.Second+time.Second { // the process's own start-up on top
				t.Errorf("took %v, want within 5 s", d)
			}
			s := out.String() + errb.String()
			if strings.Contains(s, password) {
				t.Errorf("the password was printed:\n%s", s)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.ToLower(errb.String()), strings.ToLower(w)) {
					t.Errorf("stderr lacks %q:\n%s", w, errb)
				}
			}
			t.Logf("stderr: %s", errb)
		})
	}
}

// An exercise's program reaches a secured cluster through the config the
// check was given: exercise 3's starting program writes its orders over
// SASL_SSL (and fails the check for its missing delivery reports), and no
// output holds the password.
func TestSecuredApacheKafkaExerciseCheck(t *testing.T) {
	path, _, password := secureConfig(t)
	env := []string{progressEnv + "=" + filepath.Join(t.TempDir(), "progress.json")}
	cmd, out, errb := runner(t, env, "check", "3", "--config", path, "--topic-prefix", prefix())
	if code := exitCode(t, cmd, 3*time.Minute); code != 1 {
		t.Fatalf("check 3 of the starting file through --config: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errb)
	}
	if !regexp.MustCompile(`✔ orders on \S+: want (\d+), got (\d+)`).MatchString(out.String()) {
		t.Errorf("the program's orders did not reach the secured cluster:\n%s", out)
	}
	if strings.Contains(out.String()+errb.String(), password) {
		t.Fatal("the password was printed")
	}
}
