package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/certs"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

const testPassword = "s3cret-Pa55word"

// securedBroker starts an embedded broker that speaks SASL_SSL with SCRAM-SHA-512
// and returns a client.properties for it, with the given password.
func securedBroker(t *testing.T) (addr string, properties func(password string) string) {
	t.Helper()
	ca, err := certs.NewCA("class CA")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), broker.CleanerEverySecond, kfake.EnableSASL(), kfake.EnableACLs(),
		kfake.Superuser("SCRAM-SHA-512", "alice", testPassword),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{srv.TLS()}}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addr = c.ListenAddrs()[0]
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return addr, func(password string) string {
		f := filepath.Join(dir, fmt.Sprintf("client-%d.properties", time.Now().UnixNano()))
		text := "# as a managed service hands it out\n" +
			"bootstrap.servers=" + addr + "\n" +
			"security.protocol=SASL_SSL\n" +
			"sasl.mechanism=SCRAM-SHA-512\n" +
			"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"" + password + "\";\n" +
			"ssl.ca.location=" + caFile + "\n" +
			"client.id=ccloud-python-client-1234\n"
		if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
}

// Every lesson runs through --config against a SASL_SSL broker; the banner
// says who connects, and the password is printed nowhere.
func TestEveryLessonThroughASecuredConfig(t *testing.T) {
	_, properties := securedBroker(t)
	transcript := filepath.Join(t.TempDir(), "run.md")
	cmd, out, errb := runner(t, nil, "--all", "--yes", "--config", properties(testPassword), "--topic-prefix", prefix(),
		"--transcript", transcript)
	if code := exitCode(t, cmd, 3*time.Minute); code != 0 {
		t.Fatalf("exit code %d\nstdout:\n%s\nstderr:\n%s", code, tail(out.String()), errb)
	}
	written, err := os.ReadFile(transcript)
	if err != nil || !strings.Contains(string(written), "SCRAM-SHA-512") {
		t.Fatalf("no transcript of the run (%v)", err)
	}
	s := out.String() + errb.String() + string(written)
	if strings.Contains(s, testPassword) {
		t.Fatalf("the password was printed")
	}
	for _, want := range []string{"protocol SASL_SSL", "mechanism SCRAM-SHA-512", "user alice", "password ****",
		"ignoring a key this program does not use: client.id", "TLS: true", "SASL mechanism: SCRAM-SHA-512"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, l := range lessons.All() {
		// An emulation that checks ACLs, reached over SCRAM as a super user:
		// lesson 19 runs too.
		if l.Requires.Unmet(lessons.Cluster{Brokers: 1, Embedded: true, ACLs: true}) != "" {
			continue
		}
		if !strings.Contains(s, fmt.Sprintf("✔ Lesson %d done.", l.Number)) {
			t.Errorf("lesson %d did not finish", l.Number)
		}
	}
}

// A wrong password fails within 5 s with exit 1, naming the user and the
// mechanism and never the password; a file that does not exist or a line
// that does not parse is a usage error (exit 2) that names the line.
func TestSecuredConfigFailures(t *testing.T) {
	_, properties := securedBroker(t)
	wrong := "not-" + testPassword
	start := time.Now()
	cmd, out, errb := runner(t, nil, "produce", "--config", properties(wrong))
	code := exitCode(t, cmd, 15*time.Second)
	if code != 1 {
		t.Errorf("wrong password: exit %d, want 1\n%s", code, errb)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("wrong password: %v to fail, want under 5 s", d)
	}
	if s := out.String() + errb.String(); strings.Contains(s, wrong) || strings.Contains(s, testPassword) {
		t.Errorf("a password was printed:\n%s", s)
	}
	for _, want := range []string{"alice", "SCRAM-SHA-512"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("wrong password: stderr lacks %q:\n%s", want, errb)
		}
	}

	cmd, _, errb = runner(t, []string{configEnvVar + "=" + filepath.Join(t.TempDir(), "nope.properties")}, "list")
	if code := exitCode(t, cmd, 10*time.Second); code != 0 {
		t.Errorf("list needs no broker nor config: exit %d %s", code, errb)
	}
	cmd, _, errb = runner(t, nil, "produce", "--config", filepath.Join(t.TempDir(), "nope.properties"))
	if code := exitCode(t, cmd, 10*time.Second); code != exitUsage || !strings.Contains(errb.String(), "nope.properties") {
		t.Errorf("missing file: exit %d, stderr %s", code, errb)
	}
	bad := filepath.Join(t.TempDir(), "bad.properties")
	os.WriteFile(bad, []byte("bootstrap.servers=localhost:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism=GSSAPI-ish\n"), 0o600)
	cmd, _, errb = runner(t, nil, "produce", "--config", bad)
	if code := exitCode(t, cmd, 10*time.Second); code != exitUsage || !strings.Contains(errb.String(), ":3") {
		t.Errorf("bad line 3: exit %d, stderr %s", code, errb)
	}
	// The same file through $KAFKA_CONFIG.
	cmd, _, errb = runner(t, []string{configEnvVar + "=" + bad}, "produce")
	if code := exitCode(t, cmd, 10*time.Second); code != exitUsage {
		t.Errorf("$%s: exit %d, stderr %s", configEnvVar, code, errb)
	}
}

// The connection settings reach every client: a plain broker's lesson 0
// reports no TLS and no SASL.
func TestLesson0OnAPlainBrokerHasNoTLS(t *testing.T) {
	env, rec := testkit.Env(t)
	l, _ := lessons.Find(0)
	plan := l.Plan()
	for _, s := range plan.Steps {
		if s.FuncName() == "securedConnection" {
			if err := s.Run(t.Context(), env); err != nil {
				t.Fatal(err)
			}
		}
	}
	if tls, sasl := rec.Values("TLS"), rec.Values("SASL mechanism"); len(tls) != 1 || tls[0] != false || len(sasl) != 1 || sasl[0] != "none" {
		t.Errorf("TLS %v, SASL %v on a plain broker", tls, sasl)
	}
}

// runner watch reaches a secured cluster through --config too, and prints
// no password.
func TestWatchThroughASecuredConfig(t *testing.T) {
	_, properties := securedBroker(t)
	cmd, out, errb := runner(t, nil, "watch", "--once", "--all-topics", "--config", properties(testPassword))
	if code := exitCode(t, cmd, 30*time.Second); code != 0 {
		t.Fatalf("exit code %d\n%s\n%s", code, out, errb)
	}
	s := out.String() + errb.String()
	if strings.Contains(s, testPassword) {
		t.Fatal("the password was printed")
	}
	for _, want := range []string{"BROKERS", "up", "user alice"} {
		if !strings.Contains(s, want) {
			t.Errorf("watch output lacks %q:\n%s", want, s)
		}
	}
}
