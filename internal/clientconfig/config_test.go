package clientconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/certs"
)

const secretPW = "hunter2-Very$ecret"

func parse(t *testing.T, text string) (*Config, error) {
	t.Helper()
	return Parse(strings.NewReader(text), "client.properties")
}

// What Confluent Cloud's "client config" hands out, Java flavour.
func TestConfluentCloudSnippet(t *testing.T) {
	c, err := parse(t, `# Required connection configs for Kafka producer, consumer, and admin
bootstrap.servers=pkc-12345.europe-west1.gcp.confluent.cloud:9092
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='ABCDEFGHIJ' password='`+secretPW+`';

# Required for correctness in Apache Kafka clients prior to 2.6
client.dns.lookup=use_all_dns_ips

# Best practice for higher availability in Apache Kafka clients prior to 3.0
session.timeout.ms=45000

# Best practice for Kafka producer to prevent data loss
acks=all
basic.auth.user.info=SR-KEY:SR-SECRET
`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Bootstrap, ","); got != "pkc-12345.europe-west1.gcp.confluent.cloud:9092" {
		t.Errorf("bootstrap %q", got)
	}
	if c.Protocol != SASLSSL || c.Mechanism != Plain || c.Username != "ABCDEFGHIJ" || c.secretText() != secretPW {
		t.Errorf("got %s %s %s", c.Protocol, c.Mechanism, c.Username)
	}
	if c.TLS == nil || c.TLS.RootCAs != nil || c.TLS.InsecureSkipVerify || !c.VerifyHost {
		t.Errorf("want TLS with the system CAs and host name verification, got %+v", c.TLS)
	}
	if got := strings.Join(c.Unknown, " "); got != "client.dns.lookup session.timeout.ms acks basic.auth.user.info" {
		t.Errorf("unknown keys %q", got)
	}
	if c.SASL() == nil || c.SASL().Name() != Plain {
		t.Errorf("mechanism %v", c.SASL())
	}
	if tr := c.Transport(); tr.TLS != c.TLS || tr.SASL == nil || tr.DialTimeout != DialTimeout {
		t.Errorf("transport %v", tr)
	}
	if d := c.Dialer(); d.TLS != c.TLS || d.SASLMechanism == nil || d.Timeout != DialTimeout {
		t.Errorf("dialer %v", d)
	}
}

func TestCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, text, mech, user string
	}{
		{"username and password", "sasl.mechanism=SCRAM-SHA-512\nsasl.username=alice\nsasl.password=" + secretPW, ScramSHA512, "alice"},
		{"librdkafka's sasl.mechanisms, lower case", "sasl.mechanisms=scram-sha-256\nsasl.username=alice\nsasl.password=" + secretPW, ScramSHA256, "alice"},
		{"jaas PLAIN infers the mechanism", `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="bob" password="` + secretPW + `";`, Plain, "bob"},
		{"jaas SCRAM-SHA-256", "sasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n    username=\"carol\" \\\n    password=\"" + secretPW + "\";", ScramSHA256, "carol"},
		{"jaas SCRAM-SHA-512, no ';', shaded class", "sasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=kafkashaded.org.apache.kafka.common.security.scram.ScramLoginModule required username=dave password=\"" + secretPW + "\"", ScramSHA512, "dave"},
		{"jaas with an escaped quote", `sasl.mechanism=PLAIN` + "\n" + `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="eve" password="a\\"b";`, Plain, "eve"},
		{"jaas agreeing with sasl.username", "sasl.mechanism=PLAIN\nsasl.username=frank\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"frank\" password=\"" + secretPW + "\";", Plain, "frank"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, "security.protocol=SASL_PLAINTEXT\n"+tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if c.Mechanism != tc.mech || c.Username != tc.user || c.SASL() == nil || c.SASL().Name() != tc.mech {
				t.Errorf("got %s %s %v, want %s %s", c.Mechanism, c.Username, c.SASL(), tc.mech, tc.user)
			}
			if c.TLS != nil {
				t.Error("SASL_PLAINTEXT has TLS")
			}
		})
	}
	c, _ := parse(t, "security.protocol=SASL_PLAINTEXT\n"+`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="eve" password="a\\"b";`)
	if c.secretText() != `a"b` {
		t.Errorf("escaped quote: password %q", c.secretText())
	}
}

// Each value error points at the line to fix, says what to write, and never
// holds the password.
func TestValueErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o644)
	ca, _ := certs.NewCA("ca")
	cli, _ := ca.Client("c")
	certFile := filepath.Join(dir, "cert.pem")
	os.WriteFile(certFile, cli.CertPEM(), 0o644)
	encKey := filepath.Join(dir, "enc.pem")
	os.WriteFile(encKey, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"), 0o600)
	otherKey := filepath.Join(dir, "other-key.pem")
	other, _ := ca.Client("other")
	os.WriteFile(otherKey, other.KeyPEM(), 0o600)
	const sasl = "security.protocol=SASL_SSL\n"
	jaasPlain := `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="` + secretPW + `";`
	jaasScram := `org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="` + secretPW + `";`
	for _, tc := range []struct {
		name, text string
		line       int
		key, says  string
	}{
		{"unknown protocol", "security.protocol=SASL_TLS", 1, keyProtocol, "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"},
		{"bad bootstrap", "bootstrap.servers=pkc-1:9092,nohost", 1, keyBootstrap, "not host:port"},
		{"unknown mechanism", sasl + "sasl.mechanism=SCRAM-SHA-1\nsasl.username=u\nsasl.password=" + secretPW, 2, keyMechanism, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"},
		{"unsupported mechanism", sasl + "sasl.mechanism=OAUTHBEARER", 2, keyMechanism, "not supported"},
		{"SASL without credentials", sasl + "sasl.mechanism=PLAIN", 1, keyProtocol, "needs a user and a password"},
		{"SASL without password", sasl + "sasl.mechanism=PLAIN\nsasl.username=u", 1, keyProtocol, "needs a user and a password"},
		{"SASL without mechanism", sasl + "sasl.username=u\nsasl.password=" + secretPW, 1, keyProtocol, "needs sasl.mechanism"},
		{"credentials without SASL", "security.protocol=SSL\nsasl.username=u\nsasl.password=" + secretPW, 2, keyUsername, "set security.protocol=SASL_SSL"},
		{"credentials with the default protocol", "sasl.jaas.config=" + jaasPlain, 1, keyJAAS, "PLAINTEXT does not use SASL"},
		{"PLAIN module, SCRAM mechanism", sasl + "sasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=" + jaasPlain, 3, keyJAAS, "PlainLoginModule, which does not serve sasl.mechanism=SCRAM-SHA-256"},
		{"SCRAM module, PLAIN mechanism", sasl + "sasl.mechanism=PLAIN\nsasl.jaas.config=" + jaasScram, 3, keyJAAS, "ScramLoginModule, which does not serve sasl.mechanism=PLAIN"},
		{"SCRAM module, no mechanism", sasl + "sasl.jaas.config=" + jaasScram, 2, keyJAAS, "set sasl.mechanism"},
		{"jaas without password", sasl + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\";", 2, keyJAAS, "has no password"},
		{"jaas without flag", sasl + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule username=\"u\" password=\"" + secretPW + "\";", 2, keyJAAS, "needs a flag"},
		{"jaas OAuth", sasl + "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;", 2, keyJAAS, "names login module"},
		{"jaas garbage", sasl + "sasl.jaas.config=" + secretPW + " required;", 2, keyJAAS, "does not start with a login module"},
		{"jaas stray word", sasl + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" " + secretPW + ";", 2, keyJAAS, "an option has no value"},
		{"jaas open quote", sasl + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"" + secretPW, 2, keyJAAS, "not closed"},
		{"jaas and sasl.password differ", sasl + "sasl.password=other\nsasl.jaas.config=" + jaasPlain, 3, keyJAAS, "differs from sasl.password"},
		{"CA file missing", "security.protocol=SSL\nssl.ca.location=/nonexistent/ca.pem", 2, keyCA, "/nonexistent/ca.pem does not exist"},
		{"CA path with Windows backslashes", "security.protocol=SSL\nssl.ca.location=C:\\certs\\ca.pem", 2, keyCA, "a backslash is an escape"},
		{"CA relative path", "security.protocol=SSL\nssl.ca.location=certs/ca.pem", 2, keyCA, "relative to the folder you run from"},
		{"CA not PEM", "security.protocol=SSL\nssl.ca.location=" + notPEM, 2, keyCA, "holds no PEM certificate"},
		{"certificate without key", "security.protocol=SSL\nssl.certificate.location=" + certFile, 2, keyCert, "needs ssl.key.location"},
		{"key without certificate", "security.protocol=SSL\nssl.key.location=" + otherKey, 2, keyKey, "needs ssl.certificate.location"},
		{"encrypted key", "security.protocol=SSL\nssl.certificate.location=" + certFile + "\nssl.key.location=" + encKey, 3, keyKey, "is encrypted"},
		{"key of another certificate", "security.protocol=SSL\nssl.certificate.location=" + certFile + "\nssl.key.location=" + otherKey, 2, keyCert, "do not make a certificate and its key"},
		{"TLS files without TLS", "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.username=u\nsasl.password=p\nssl.ca.location=" + notPEM, 5, keyCA, "does not use TLS"},
		{"unknown host check", "security.protocol=SSL\nssl.endpoint.identification.algorithm=dns", 2, keyEndpoint, "use https"},
		{"registry without scheme", "schema.registry.url=" + secretPW + "@localhost:8081", 1, keyRegistry, "like http://localhost:8081"},
		{"registry not http", "schema.registry.url=ftp://u:" + secretPW + "@localhost:8081", 1, keyRegistry, "not a schema registry's URL"},
		{"registries listed", "schema.registry.url=http://a:8081,http://b:8081", 1, keyRegistry, "give one URL"},
		{"registry user info without a colon", "schema.registry.url=http://a:8081\nbasic.auth.user.info=" + secretPW, 2, keyRegistryUser, "not KEY:SECRET"},
		{"registry credentials from SASL", "schema.registry.url=http://a:8081\nbasic.auth.credentials.source=SASL_INHERIT", 2, keyRegistrySource, "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.text)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FileError", err)
			}
			t.Log(err)
			if fe.Line != tc.line || fe.Key != tc.key || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got %q (line %d, key %s), want line %d, key %s, saying %q", err, fe.Line, fe.Key, tc.line, tc.key, tc.says)
			}
			if strings.Contains(err.Error(), secretPW) {
				t.Errorf("the error shows the password: %q", err)
			}
		})
	}
}

// schema.registry.url, the key of Confluent's serializers, names lesson
// 22's registry; its password stays out of what is printed.
func TestRegistryURL(t *testing.T) {
	c, err := parse(t, "bootstrap.servers=localhost:9092\nschema.registry.url=https://u:"+secretPW+"@registry.example:8081/api\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Registry == nil || c.Registry.Host != "registry.example:8081" || c.Registry.Path != "/api" {
		t.Fatalf("Registry %v, want https://registry.example:8081/api", c.Registry)
	}
	if strings.Contains(c.Registry.Redacted(), secretPW) || len(c.Unknown) != 0 {
		t.Errorf("Redacted %q, unknown %v", c.Registry.Redacted(), c.Unknown)
	}
	// Confluent Cloud's way: USER_INFO, then key:secret.
	c, err = parse(t, "schema.registry.url=https://psrc.example\nbasic.auth.credentials.source=USER_INFO\nbasic.auth.user.info=KEY:"+secretPW+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c.Registry.User.Password(); c.Registry.User.Username() != "KEY" || p != secretPW || strings.Contains(c.Registry.Redacted(), secretPW) {
		t.Errorf("user info: %q, redacted %q", c.Registry.User.Username(), c.Registry.Redacted())
	}
}

func TestLoad(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.properties"))
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(t.TempDir()); !errors.As(err, &fe) || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder: %v", err)
	}
	path := filepath.Join(t.TempDir(), "client.properties")
	os.WriteFile(path, []byte("bootstrap.servers=localhost:9092\n"), 0o644)
	c, err := Load(path)
	if err != nil || c.Path != path || c.Protocol != Plaintext || c.TLS != nil || c.SASL() != nil {
		t.Errorf("plain file: %v %v", c, err)
	}
}

func TestTLSSettings(t *testing.T) {
	dir := t.TempDir()
	files, err := certs.Write(dir, []string{"localhost"}, "client")
	if err != nil {
		t.Fatal(err)
	}
	c, err := parse(t, "security.protocol=SSL\nssl.ca.location="+files.CA+"\nssl.certificate.location="+files.ClientCert+"\nssl.key.location="+files.ClientKey+"\nssl.endpoint.identification.algorithm=\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.TLS.RootCAs == nil || len(c.TLS.Certificates) != 1 || c.VerifyHost || !c.TLS.InsecureSkipVerify || c.TLS.VerifyConnection == nil {
		t.Errorf("TLS %+v", c.TLS)
	}
	if c.CAFile != files.CA || c.CertFile != files.ClientCert {
		t.Errorf("files %q %q", c.CAFile, c.CertFile)
	}
	if c.SASL() != nil {
		t.Error("SSL has a SASL mechanism")
	}
}

// A nil Config is a plaintext client, so callers need not branch.
func TestNilConfig(t *testing.T) {
	var c *Config
	if tr := c.Transport(); tr.TLS != nil || tr.SASL != nil || tr.DialTimeout != DialTimeout {
		t.Errorf("transport %+v", tr)
	}
	if d := c.Dialer(); d.TLS != nil || d.SASLMechanism != nil || d.Timeout != DialTimeout {
		t.Errorf("dialer %+v", d)
	}
	if c.UsesTLS() || c.UsesSASL() || c.SASL() != nil {
		t.Error("a nil config uses TLS or SASL")
	}
}

func TestWarningNamesUnknownKeysNotValues(t *testing.T) {
	c, err := parse(t, "acks=all\nbasic.auth.user.info=KEY:"+secretPW+"\nacks=1\n")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Warning(), "client.properties: ignoring keys this program does not use: acks, basic.auth.user.info"; got != want {
		t.Errorf("Warning() = %q, want %q", got, want)
	}
	if c, _ := parse(t, "bootstrap.servers=a:1"); c.Warning() != "" {
		t.Errorf("a warning without unknown keys: %q", c.Warning())
	}
}

// A sasl.jaas.config line broken inside its password: neither the error
// nor the warning about unknown keys quotes the tail of the secret.
func TestABrokenLineNeverQuotesTheSecret(t *testing.T) {
	for _, text := range []string{
		"bootstrap.servers=localhost:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n" +
			`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="ada" password="s3cr` + "\n" + `ETtail";` + "\n",
		"bootstrap.servers=localhost:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.username=ada\nsasl.password=s3cr\nETtail=\n",
	} {
		c, err := parse(t, text)
		shown := ""
		if err != nil {
			shown = err.Error()
		} else {
			shown = c.Warning() + fmt.Sprintf("%v %+v %#v", c, c, c)
		}
		if strings.Contains(shown, "ETtail") {
			t.Errorf("the tail of a broken secret is shown: %s", shown)
		}
	}
}
