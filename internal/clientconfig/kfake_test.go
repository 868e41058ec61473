package clientconfig

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/certs"
)

// failWithin is how soon every failure must show.
const failWithin = 5 * time.Second

// startBroker starts an embedded one-node broker on a free port.
func startBroker(t *testing.T, opts ...kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// pki is a CA and its files, and a certificate for the broker.
type pki struct {
	ca     *certs.CA
	caFile string
	server *certs.Pair
}

func newPKI(t *testing.T, hosts ...string) pki {
	t.Helper()
	ca, err := certs.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server(hosts...)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(f, ca.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return pki{ca, f, srv}
}

// listener is the broker side of TLS, with or without client certificates.
func (p pki) listener(mutual bool) *tls.Config {
	tc := &tls.Config{Certificates: []tls.Certificate{p.server.TLS()}}
	if mutual {
		tc.ClientAuth = tls.RequireAndVerifyClientCert
		tc.ClientCAs = p.ca.Pool()
	}
	return tc
}

// clientFiles writes a client certificate and key issued by ca.
func clientFiles(t *testing.T, ca *certs.CA) (cert, key string) {
	t.Helper()
	cli, err := ca.Client("learner")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, cli.CertPEM(), 0o644)
	os.WriteFile(key, cli.KeyPEM(), 0o600)
	return cert, key
}

func config(t *testing.T, addr string, lines ...string) *Config {
	t.Helper()
	c, err := parse(t, "bootstrap.servers="+addr+"\n"+strings.Join(lines, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// roundTrip creates a topic, writes one record with a Writer on
// c.Transport() and reads it back with a Reader on c.Dialer().
func roundTrip(t *testing.T, c *Config, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr := c.Transport()
	defer tr.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(c.Bootstrap...), Transport: tr, Timeout: 10 * time.Second}
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: 1, ReplicationFactor: 1}}})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		t.Fatalf("create %s: %v", topic, Explain(err, c))
	}
	w := &kafka.Writer{Addr: kafka.TCP(c.Bootstrap...), Topic: topic, Transport: tr, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	want := "order 1 over " + c.Protocol
	err = w.WriteMessages(ctx, kafka.Message{Key: []byte("k"), Value: []byte(want)})
	w.Close()
	if err != nil {
		t.Fatalf("write: %v", Explain(err, c))
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Bootstrap, Topic: topic, Partition: 0, Dialer: c.Dialer(), MaxWait: 100 * time.Millisecond})
	defer r.Close()
	m, err := r.ReadMessage(ctx)
	if err != nil {
		t.Fatalf("read: %v", Explain(err, c))
	}
	if string(m.Value) != want {
		t.Fatalf("read %q, want %q", m.Value, want)
	}
}

func TestSecuredBrokersWork(t *testing.T) {
	p := newPKI(t, "localhost", "127.0.0.1")
	other := newPKI(t, "kafka.example.com")
	cert, key := clientFiles(t, p.ca)
	users := []kfake.Opt{
		kfake.EnableSASL(),
		kfake.Superuser(Plain, "alice", secretPW),
		kfake.Superuser(ScramSHA256, "alice", secretPW),
		kfake.Superuser(ScramSHA512, "alice", secretPW),
	}
	saslAddr := startBroker(t, users...)
	tlsAddr := startBroker(t, kfake.TLS(p.listener(false)))
	saslSSLAddr := startBroker(t, append(users, kfake.TLS(p.listener(false)))...)
	mutualAddr := startBroker(t, kfake.TLS(p.listener(true)))
	otherNameAddr := startBroker(t, kfake.TLS(other.listener(false)))
	creds := func(mech string) []string {
		return []string{"sasl.mechanism=" + mech, "sasl.username=alice", "sasl.password=" + secretPW}
	}
	for _, tc := range []struct {
		name  string
		addr  string
		lines []string
	}{
		{"SASL_PLAINTEXT PLAIN", saslAddr, append(creds(Plain), "security.protocol=SASL_PLAINTEXT")},
		{"SASL_PLAINTEXT SCRAM-SHA-256", saslAddr, append(creds(ScramSHA256), "security.protocol=SASL_PLAINTEXT")},
		{"SASL_PLAINTEXT SCRAM-SHA-512", saslAddr, append(creds(ScramSHA512), "security.protocol=SASL_PLAINTEXT")},
		{"SASL_PLAINTEXT SCRAM-SHA-512 jaas", saslAddr, []string{"security.protocol=SASL_PLAINTEXT", "sasl.mechanism=SCRAM-SHA-512",
			`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="` + secretPW + `";`}},
		{"SSL with the CA", tlsAddr, []string{"security.protocol=SSL", "ssl.ca.location=" + p.caFile}},
		{"SASL_SSL SCRAM-SHA-512 with the CA", saslSSLAddr, append(creds(ScramSHA512), "security.protocol=SASL_SSL", "ssl.ca.location="+p.caFile)},
		{"SASL_SSL PLAIN with the CA", saslSSLAddr, append(creds(Plain), "security.protocol=SASL_SSL", "ssl.ca.location="+p.caFile)},
		{"SSL mutual TLS", mutualAddr, []string{"security.protocol=SSL", "ssl.ca.location=" + p.caFile, "ssl.certificate.location=" + cert, "ssl.key.location=" + key}},
		{"SSL host name not verified, chain verified", otherNameAddr, []string{"security.protocol=SSL", "ssl.ca.location=" + other.caFile, "ssl.endpoint.identification.algorithm="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := config(t, tc.addr, tc.lines...)
			if err := c.Check(context.Background()); err != nil {
				t.Fatalf("check: %v", err)
			}
			roundTrip(t, c, "orders-"+strings.NewReplacer(" ", "-", ",", "").Replace(tc.name))
		})
	}
}

// disabledMech is a mechanism no broker enables: kfake enables PLAIN and
// both SCRAMs whatever its users, so this is how a disabled one is asked for.
type disabledMech struct{}

func (disabledMech) Name() string { return "SCRAM-SHA-1024" }
func (disabledMech) Start(context.Context) (sasl.StateMachine, []byte, error) {
	return nil, []byte("n,,n=alice,r=abc"), nil
}

// Each failure: Check explains it within 5 s, naming what to fix; a Writer
// on Transport() fails within 5 s too; no text holds the password.
func TestFailuresAreExplainedWithin5s(t *testing.T) {
	p := newPKI(t, "localhost", "127.0.0.1")
	stranger := newPKI(t, "localhost", "127.0.0.1") // a CA the brokers do not use
	wrongName := newPKI(t, "kafka.example.com")
	strangerCert, strangerKey := clientFiles(t, stranger.ca)
	users := []kfake.Opt{kfake.EnableSASL(), kfake.Superuser(Plain, "alice", "right-password"), kfake.Superuser(ScramSHA512, "alice", "right-password")}
	plainAddr := startBroker(t)
	saslAddr := startBroker(t, users...)
	tlsAddr := startBroker(t, kfake.TLS(p.listener(false)))
	saslSSLAddr := startBroker(t, append(users, kfake.TLS(p.listener(false)))...)
	mutualAddr := startBroker(t, kfake.TLS(p.listener(true)))
	wrongNameAddr := startBroker(t, kfake.TLS(wrongName.listener(false)))
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := ln.Addr().String()
	ln.Close()

	creds := func(mech, pw string) []string {
		return []string{"sasl.mechanism=" + mech, "sasl.username=alice", "sasl.password=" + pw}
	}
	for _, tc := range []struct {
		name   string
		addr   string
		lines  []string
		setup  func(c *Config)
		kind   Kind
		says   []string
		writer []Kind // what Explain makes of the Writer's error (kfake closes where Kafka answers)
	}{
		{"wrong password PLAIN", saslAddr, append(creds(Plain, secretPW), "security.protocol=SASL_PLAINTEXT"), nil,
			AuthFailed, []string{`user "alice"`, "mechanism PLAIN", "client.properties"}, []Kind{AuthFailed, Closed}},
		{"wrong password SCRAM-SHA-512 over TLS", saslSSLAddr, append(creds(ScramSHA512, secretPW), "security.protocol=SASL_SSL", "ssl.ca.location="+p.caFile), nil,
			AuthFailed, []string{`user "alice"`, "mechanism SCRAM-SHA-512", "created for SCRAM-SHA-512"}, []Kind{AuthFailed, Closed}},
		{"mechanism the broker does not enable", saslAddr, append(creds(Plain, secretPW), "security.protocol=SASL_PLAINTEXT"),
			func(c *Config) { c.mech, c.Mechanism = &masked{disabledMech{}, "alice"}, "SCRAM-SHA-1024" },
			MechanismDisabled, []string{"does not enable SASL mechanism SCRAM-SHA-1024", `user "alice"`, "sasl.mechanism"}, []Kind{MechanismDisabled}},
		{"TLS to a plaintext port", plainAddr, []string{"security.protocol=SSL"}, nil,
			NotTLS, []string{"does not speak TLS", "security.protocol=PLAINTEXT"}, []Kind{Timeout}},
		{"SASL_SSL to a SASL_PLAINTEXT port", saslAddr, append(creds(Plain, secretPW), "security.protocol=SASL_SSL"), nil,
			NotTLS, []string{"does not speak TLS", "security.protocol=SASL_PLAINTEXT"}, []Kind{Timeout}},
		{"plaintext to a TLS port", tlsAddr, nil, nil,
			ExpectsTLS, []string{"speaks TLS", "security.protocol=SSL"}, []Kind{Closed}},
		{"SASL_PLAINTEXT to a SASL_SSL port", saslSSLAddr, append(creds(Plain, secretPW), "security.protocol=SASL_PLAINTEXT"), nil,
			ExpectsTLS, []string{"speaks TLS", "security.protocol=SASL_PLAINTEXT does not"}, []Kind{Closed}},
		{"no SASL to a SASL port", saslAddr, nil, nil,
			ExpectsSASL, []string{"expects SASL authentication", "security.protocol=SASL_SSL"}, []Kind{Closed}},
		{"unknown CA: system roots", tlsAddr, []string{"security.protocol=SSL"}, nil,
			UnknownCA, []string{`issued by "CN=test CA"`, "set ssl.ca.location"}, []Kind{UnknownCA}},
		{"unknown CA: another CA file", tlsAddr, []string{"security.protocol=SSL", "ssl.ca.location=" + stranger.caFile}, nil,
			UnknownCA, []string{"ssl.ca.location=" + stranger.caFile + " in client.properties does not hold the CA"}, []Kind{UnknownCA}},
		{"host name mismatch", wrongNameAddr, []string{"security.protocol=SSL", "ssl.ca.location=" + wrongName.caFile}, nil,
			HostMismatch, []string{"certificate for kafka.example.com", `not for "127.0.0.1"`, "ssl.endpoint.identification.algorithm="}, []Kind{HostMismatch}},
		{"mutual TLS without a client certificate", mutualAddr, []string{"security.protocol=SSL", "ssl.ca.location=" + p.caFile}, nil,
			ClientCertRejected, []string{"requires a client certificate", "ssl.certificate.location"}, []Kind{ClientCertRejected}},
		{"mutual TLS with a certificate of another CA", mutualAddr, []string{"security.protocol=SSL", "ssl.ca.location=" + p.caFile, "ssl.certificate.location=" + strangerCert, "ssl.key.location=" + strangerKey}, nil,
			ClientCertRejected, []string{"refused the client certificate " + strangerCert}, []Kind{ClientCertRejected}},
		{"nothing listening", deadAddr, nil, nil,
			Unreachable, []string{"nothing accepts connections at " + deadAddr}, []Kind{Unreachable}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // several wait for a timeout: wait together
			c := config(t, tc.addr, tc.lines...)
			if tc.setup != nil {
				tc.setup(c)
			}
			start := time.Now()
			err := c.Check(context.Background())
			took := time.Since(start)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("check: got %T %v, want an explained *Error", err, err)
			}
			t.Logf("check after %v: %v", took.Round(time.Millisecond), err)
			if took > failWithin {
				t.Errorf("check took %v, more than %v", took, failWithin)
			}
			if e.Kind != tc.kind {
				t.Errorf("kind %v, want %v", e.Kind, tc.kind)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("the message does not say %q", s)
				}
			}
			if strings.Contains(err.Error(), secretPW) {
				t.Errorf("the message shows the password")
			}

			// The same failure from a Writer on Transport(), as a lesson meets it.
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			tr := c.Transport()
			defer tr.CloseIdleConnections()
			w := &kafka.Writer{Addr: kafka.TCP(c.Bootstrap...), Topic: "orders", Transport: tr, BatchTimeout: time.Millisecond}
			start = time.Now()
			werr := w.WriteMessages(ctx, kafka.Message{Value: []byte("x")})
			took = time.Since(start)
			w.Close()
			t.Logf("writer after %v: %v", took.Round(time.Millisecond), werr)
			if took > failWithin {
				t.Errorf("the writer took %v, more than %v", took, failWithin)
			}
			xerr := Explain(werr, c)
			if !errors.As(xerr, &e) {
				t.Fatalf("writer: got %T %v, want an explained *Error", xerr, xerr)
			}
			t.Logf("writer explained: %v", xerr)
			ok := false
			for _, k := range tc.writer {
				ok = ok || e.Kind == k
			}
			if !ok {
				t.Errorf("writer: kind %v, want one of %v", e.Kind, tc.writer)
			}
			if strings.Contains(xerr.Error(), secretPW) {
				t.Errorf("the writer's message shows the password")
			}
		})
	}
}

// A Reader on Dialer() with a wrong password gives up within 5 s, and the
// error it returns is explained.
func TestReaderWithAWrongPassword(t *testing.T) {
	addr := startBroker(t, kfake.EnableSASL(), kfake.Superuser(ScramSHA256, "alice", "right-password"), kfake.SeedTopics(1, "orders"))
	c := config(t, addr, "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=SCRAM-SHA-256", "sasl.username=alice", "sasl.password="+secretPW)
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Bootstrap, Topic: "orders", Dialer: c.Dialer(), MaxWait: 100 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	start := time.Now()
	_, err := r.ReadMessage(ctx)
	took := time.Since(start)
	err = Explain(err, c)
	var e *Error
	if !errors.As(err, &e) || e.Kind != AuthFailed {
		t.Fatalf("got %v, want authentication failed", err)
	}
	if took > failWithin {
		t.Errorf("took %v", took)
	}
	if !strings.Contains(err.Error(), `user "alice"`) || !strings.Contains(err.Error(), "SCRAM-SHA-256") || strings.Contains(err.Error(), secretPW) {
		t.Errorf("message: %v", err)
	}
}

// kfake enforces ACLs: a user allowed only topics under a prefix gets
// TOPIC_AUTHORIZATION_FAILED for others, explained with what to ask for.
func TestTopicAuthorizationFailed(t *testing.T) {
	allow := func(rt kmsg.ACLResourceType) kfake.ACL {
		return kfake.ACL{Resource: rt, Name: "bob-", Pattern: kmsg.ACLResourcePatternTypePrefixed, Operation: kmsg.ACLOperationAll, Allow: true}
	}
	addr := startBroker(t, kfake.EnableSASL(), kfake.EnableACLs(),
		kfake.Superuser(Plain, "admin", "admin-password"),
		kfake.User(Plain, "bob", secretPW, allow(kmsg.ACLResourceTypeTopic), allow(kmsg.ACLResourceTypeGroup)),
		kfake.SeedTopics(1, "orders"))
	c := config(t, addr, "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN", "sasl.username=bob", "sasl.password="+secretPW)
	if err := c.Check(context.Background()); err != nil {
		t.Fatalf("check: %v", err) // a login and metadata need no ACL
	}
	roundTrip(t, c, "bob-orders") // the prefix is allowed

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	client := &kafka.Client{Addr: kafka.TCP(addr), Transport: c.Transport(), Timeout: 5 * time.Second}
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{Topic: "payments", NumPartitions: 1, ReplicationFactor: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kafka-go: %v", resp.Errors["payments"])
	checkTopicDenied(t, Explain(resp.Errors["payments"], c))

	// Reading a topic that exists but is not allowed.
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Bootstrap, Topic: "orders", Dialer: c.Dialer(), MaxWait: 100 * time.Millisecond})
	defer r.Close()
	start := time.Now()
	_, err = r.ReadMessage(ctx)
	if took := time.Since(start); took > failWithin {
		t.Errorf("the reader took %v", took)
	}
	t.Logf("kafka-go: %v", err)
	checkTopicDenied(t, Explain(err, c))
}

func checkTopicDenied(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Kind != TopicNotAuthorized {
		t.Fatalf("got %v, want topic not authorized", err)
	}
	for _, s := range []string{`user "bob"`, "TOPIC_AUTHORIZATION_FAILED", "CREATE, DESCRIBE, READ and WRITE", "--topic-prefix", "--topic "} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err, s)
		}
	}
	if strings.Contains(err.Error(), secretPW) {
		t.Error("the message shows the password")
	}
}
