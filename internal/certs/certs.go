// Package certs makes a throwaway certificate authority and the certificates
// a TLS test needs: one for the broker, one for a client (mutual TLS). Tests
// use it in memory; CI writes the files a secured Apache Kafka reads
// (ssl.keystore.type=PEM, ssl.truststore.type=PEM), so that no key is ever
// committed.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// validity is how long the certificates are good for: long enough for any
// test run or class, short enough that a leaked one soon stops mattering.
const validity = 30 * 24 * time.Hour

// CA is a certificate authority that signs the broker's and client's
// certificates.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// Pair is a certificate issued by a CA and its private key.
type Pair struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	ca   *CA
}

// NewCA makes a certificate authority whose name is name.
func NewCA(name string) (*CA, error) {
	// ECDSA P-256: generated in a millisecond on a busy machine, and both Go
	// and Kafka's PEM key store (which tries RSA, DSA and EC) read it.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("certs: CA key: %w", err)
	}
	tmpl, err := template(name)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.MaxPathLenZero = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("certs: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("certs: CA certificate: %w", err)
	}
	return &CA{Cert: cert, key: key}, nil
}

// Server issues a certificate for a broker reachable at hosts: host names
// and IP addresses ("localhost", "127.0.0.1"), as clients verify them.
func (ca *CA) Server(hosts ...string) (*Pair, error) {
	if len(hosts) == 0 {
		return nil, errors.New("certs: a server certificate needs at least one host name or IP address")
	}
	return ca.issue(hosts[0], hosts, x509.ExtKeyUsageServerAuth)
}

// Client issues a certificate for a client called name, for mutual TLS.
// Kafka (ssl.client.auth=required) takes the principal from its subject:
// "User:CN=name".
func (ca *CA) Client(name string) (*Pair, error) {
	return ca.issue(name, nil, x509.ExtKeyUsageClientAuth)
}

func (ca *CA) issue(cn string, hosts []string, usage x509.ExtKeyUsage) (*Pair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("certs: key for %s: %w", cn, err)
	}
	tmpl, err := template(cn)
	if err != nil {
		return nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{usage}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("certs: certificate for %s: %w", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("certs: certificate for %s: %w", cn, err)
	}
	return &Pair{Cert: cert, key: key, ca: ca}, nil
}

func template(cn string) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("certs: serial number: %w", err)
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		// The common name alone: Kafka makes a client's principal from the
		// whole subject, and "User:CN=client" is easy to write in an ACL.
		Subject: pkix.Name{CommonName: cn},
		// An hour back, so a clock a little behind the machine's still accepts it.
		NotBefore: now.Add(-time.Hour),
		NotAfter:  now.Add(validity),
	}, nil
}

// PEM returns the CA certificate in PEM: a trust store, or ssl.ca.location.
func (ca *CA) PEM() []byte { return certPEM(ca.Cert) }

// Pool returns a pool that trusts only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// CertPEM returns the certificate followed by its CA's: the chain a peer
// needs to verify it.
func (p *Pair) CertPEM() []byte { return append(certPEM(p.Cert), certPEM(p.ca.Cert)...) }

// KeyPEM returns the private key as unencrypted PKCS#8 ("PRIVATE KEY"), the
// only unencrypted form Kafka's PEM key store accepts.
func (p *Pair) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(p.key)
	if err != nil {
		panic(err) // cannot happen for an ECDSA key we made
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// KeyStorePEM returns the key followed by the certificate chain in one file,
// as Kafka's ssl.keystore.type=PEM expects at ssl.keystore.location.
func (p *Pair) KeyStorePEM() []byte { return append(p.KeyPEM(), p.CertPEM()...) }

// TLS returns the pair for a crypto/tls config.
func (p *Pair) TLS() tls.Certificate {
	return tls.Certificate{
		Certificate: [][]byte{p.Cert.Raw, p.ca.Cert.Raw},
		PrivateKey:  p.key,
		Leaf:        p.Cert,
	}
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Files are the PEM files Write makes, by absolute path.
type Files struct {
	CA         string // the CA certificate: ssl.truststore.location, ssl.ca.location
	Server     string // broker key + certificate chain: ssl.keystore.location
	ClientCert string // client certificate chain: ssl.certificate.location
	ClientKey  string // client key: ssl.key.location
}

// Write makes a CA, a broker certificate for hosts and a client certificate
// named client, and writes them as PEM files into dir (created if missing).
// The CA's key is not written: nothing else can be signed with it later.
func Write(dir string, hosts []string, client string) (*Files, error) {
	ca, err := NewCA("kafka-go-lessons test CA")
	if err != nil {
		return nil, err
	}
	srv, err := ca.Server(hosts...)
	if err != nil {
		return nil, err
	}
	cli, err := ca.Client(client)
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	f := &Files{
		CA:         filepath.Join(dir, "ca.pem"),
		Server:     filepath.Join(dir, "server.pem"),
		ClientCert: filepath.Join(dir, "client-cert.pem"),
		ClientKey:  filepath.Join(dir, "client-key.pem"),
	}
	for _, w := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{f.CA, ca.PEM(), 0o644},
		{f.Server, srv.KeyStorePEM(), 0o600},
		{f.ClientCert, cli.CertPEM(), 0o644},
		{f.ClientKey, cli.KeyPEM(), 0o600},
	} {
		// Chmod too: WriteFile keeps the mode of a file that already exists.
		if err := os.WriteFile(w.path, w.data, w.mode); err != nil {
			return nil, fmt.Errorf("certs: %w", err)
		}
		if err := os.Chmod(w.path, w.mode); err != nil {
			return nil, fmt.Errorf("certs: %w", err)
		}
	}
	return f, nil
}
