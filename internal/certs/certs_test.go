package certs

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
)

func TestServerCertificateVerifiesForItsHosts(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Server("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"localhost", "127.0.0.1"} {
		if _, err := srv.Cert.Verify(x509.VerifyOptions{DNSName: host, Roots: ca.Pool()}); err != nil {
			t.Errorf("verify for %s: %v", host, err)
		}
	}
	if _, err := srv.Cert.Verify(x509.VerifyOptions{DNSName: "kafka.example.com", Roots: ca.Pool()}); err == nil {
		t.Error("a certificate for localhost verified for kafka.example.com")
	}
	other, _ := NewCA("other CA")
	if _, err := srv.Cert.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: other.Pool()}); err == nil {
		t.Error("verified against a CA that did not sign it")
	}
	if _, err := ca.Server(); err == nil {
		t.Error("a server certificate without a host was issued")
	}
}

func TestClientCertificateIsForClientAuth(t *testing.T) {
	ca, _ := NewCA("test CA")
	cli, err := ca.Client("alice")
	if err != nil {
		t.Fatal(err)
	}
	opts := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := cli.Cert.Verify(opts); err != nil {
		t.Fatal(err)
	}
	if got := cli.Cert.Subject.String(); got != "CN=alice" {
		t.Errorf("subject %q, want CN=alice (Kafka principal User:CN=alice)", got)
	}
}

// Kafka's ssl.keystore.type=PEM reads one file: an unencrypted PKCS#8 key,
// then the certificate chain.
func TestWriteMakesKafkaPEMFiles(t *testing.T) {
	dir := t.TempDir() + "/certs"
	f, err := Write(dir, []string{"localhost", "127.0.0.1"}, "client")
	if err != nil {
		t.Fatal(err)
	}
	store, err := os.ReadFile(f.Server)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for rest := store; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		types = append(types, b.Type)
	}
	if want := []string{"PRIVATE KEY", "CERTIFICATE", "CERTIFICATE"}; len(types) != 3 || types[0] != want[0] || types[1] != want[1] || types[2] != want[2] {
		t.Errorf("server.pem holds %v, want %v", types, want)
	}
	pair, err := tls.X509KeyPair(store, store)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(pair.Certificate[0])
	caPEM, _ := os.ReadFile(f.CA)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("ca.pem holds no certificate")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots}); err != nil {
		t.Error(err)
	}
	if _, err := tls.LoadX509KeyPair(f.ClientCert, f.ClientKey); err != nil {
		t.Error(err)
	}
	for _, key := range []string{f.Server, f.ClientKey} {
		st, err := os.Stat(key)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", key, st.Mode().Perm())
		}
	}
}
