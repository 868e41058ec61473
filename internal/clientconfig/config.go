// Package clientconfig reads the client.properties file a Kafka service hands
// out (Confluent Cloud, Aiven, MSK, Redpanda Cloud, a teacher's broker) and
// turns it into kafka-go's TLS and SASL settings: a Transport for Writers and
// Clients, a Dialer for Readers and Conns. It keeps the password out of
// every printed form of the configuration and of every error it returns, and
// explains kafka-go's connection errors in words a learner can act on.
package clientconfig

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
	"github.com/twmb/franz-go/pkg/kgo"
	franzplain "github.com/twmb/franz-go/pkg/sasl/plain"
	franzscram "github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
)

// Security protocols, as security.protocol spells them.
const (
	Plaintext     = "PLAINTEXT"
	SSL           = "SSL"
	SASLPlaintext = "SASL_PLAINTEXT"
	SASLSSL       = "SASL_SSL"
)

// SASL mechanisms kafka-go speaks, as sasl.mechanism spells them.
const (
	Plain       = "PLAIN"
	ScramSHA256 = "SCRAM-SHA-256"
	ScramSHA512 = "SCRAM-SHA-512"
)

// DialTimeout bounds connecting to a broker: TCP, the TLS handshake and the
// first request (ApiVersions) for a Transport; TCP and TLS for a Dialer. 3 s
// is kafka-go's own default TCP timeout, ample for a managed service across
// an ocean, and leaves room under the 5 s in which a failure must show:
// without it, TLS spoken to a port that does not answer TLS waits forever.
const DialTimeout = 3 * time.Second

// maxFileSize keeps a wrong --config (a log, a binary) from being read whole.
const maxFileSize = 1 << 20

// Config is what a client.properties file says about reaching Kafka. Its
// printed forms (%v, %+v, %#v, %s, %q, String, GoString, JSON, slog) mask the
// password; the password itself is not exported.
type Config struct {
	Path      string   // the file it was read from, as given
	Bootstrap []string // bootstrap.servers, host:port; empty if the file has none
	Protocol  string   // security.protocol: PLAINTEXT (the default), SSL, SASL_PLAINTEXT, SASL_SSL
	Mechanism string   // sasl.mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; empty without SASL
	Username  string   // the SASL user; empty without SASL
	password  *secret  // a pointer: fmt prints a nested pointer as an address, even where it skips methods (%p of a value)

	// TLS is the TLS configuration for SSL and SASL_SSL, nil otherwise.
	TLS *tls.Config
	// CAFile is ssl.ca.location; empty: the system's certificate authorities.
	CAFile string
	// CertFile is ssl.certificate.location: a client certificate for mutual TLS.
	CertFile string
	// VerifyHost is false when ssl.endpoint.identification.algorithm is
	// empty: the certificate chain is still verified, its host name is not.
	VerifyHost bool
	// Registry is schema.registry.url: a schema registry's base URL, for
	// lesson 22; empty if the file has none. It may hold a password
	// (https://user:password@host): print it Redacted.
	Registry *url.URL
	// Unknown lists the keys this package does not use, in file order, for
	// one warning. Their values are never kept: some hold secrets.
	Unknown []string

	mech    *masked
	unnamed int // lines whose key does not look like one, never quoted
}

// keyLike is what a client.properties key looks like (lowercase words
// joined by dots: client.id, session.timeout.ms; or acks, retries); anything
// else may be a piece of a broken line, a secret's tail, and is counted, not
// named.
var keyLike = regexp.MustCompile(`^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$`)

// UsesTLS says whether connections are TLS.
func (c *Config) UsesTLS() bool {
	return c != nil && (c.Protocol == SSL || c.Protocol == SASLSSL)
}

// UsesSASL says whether connections authenticate with SASL.
func (c *Config) UsesSASL() bool {
	return c != nil && (c.Protocol == SASLPlaintext || c.Protocol == SASLSSL)
}

// SASL returns the kafka-go mechanism with the credentials, or nil without
// SASL. Printing it shows the mechanism and user, never the password.
func (c *Config) SASL() sasl.Mechanism {
	if c == nil || c.mech == nil {
		return nil // a nil interface, not a typed nil: kafka-go tests != nil
	}
	return c.mech
}

// Transport returns a kafka-go Transport for Writers and Clients, with the
// TLS and SASL settings and a DialTimeout. Keep one and share it: it pools
// connections. A nil Config gives a plaintext transport.
func (c *Config) Transport() *kafka.Transport {
	t := &kafka.Transport{DialTimeout: DialTimeout}
	if c != nil {
		t.TLS = c.TLS
		t.SASL = c.SASL()
	}
	return t
}

// Dialer returns a kafka-go Dialer for Readers and Conns, with the TLS and
// SASL settings and a Timeout. A nil Config gives a plaintext dialer.
func (c *Config) Dialer() *kafka.Dialer {
	// DualStack as kafka.DefaultDialer, which Readers use when given none.
	d := &kafka.Dialer{Timeout: DialTimeout, DualStack: true}
	if c != nil {
		d.TLS = c.TLS
		d.SASLMechanism = c.SASL()
	}
	return d
}

// Warning returns the one line to show about unknown keys, or "" if there
// are none. It names the keys, never their values.
func (c *Config) Warning() string {
	if c == nil || len(c.Unknown)+c.unnamed == 0 {
		return ""
	}
	name := c.Path
	if name == "" {
		name = "the client config"
	}
	names := c.Unknown
	if c.unnamed > 0 {
		names = append(slices.Clone(names), fmt.Sprintf("%d %s that do not look like keys", c.unnamed, plural(c.unnamed, "line", "lines")))
	}
	return fmt.Sprintf("%s: ignoring %s this program does not use: %s", name, plural(len(names), "a key", "keys"), strings.Join(names, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// FileError is a client.properties file that cannot be used: missing,
// unreadable, a line that does not parse or a value that is wrong. A program
// exits with a usage error (2) for it. Its message never holds a secret.
type FileError struct {
	Path string // the file, as given
	Line int    // 1-based; 0 when the error is about the whole file
	Key  string // the key concerned, if any
	Msg  string // what is wrong and what to do
	Err  error  // the underlying error, if any (a file system error)
}

func (e *FileError) Error() string {
	where := e.Path
	if where == "" {
		where = "client config"
	}
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", where, e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

func (e *FileError) Unwrap() error { return e.Err }

// Load reads a client.properties file.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		msg := err.Error()
		switch {
		case errors.Is(err, os.ErrNotExist):
			abs, _ := filepath.Abs(path)
			msg = fmt.Sprintf("no such file (looked for %s): check the path to the client.properties file", abs)
		case errors.Is(err, os.ErrPermission):
			msg = "permission denied: the file must be readable by you"
		}
		return nil, &FileError{Path: path, Msg: msg, Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, &FileError{Path: path, Msg: "is a folder: give the client.properties file inside it"}
	}
	return Parse(f, path)
}

// Parse reads client.properties text from r; name is how errors call it.
func Parse(r io.Reader, name string) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, &FileError{Path: name, Msg: "cannot read: " + err.Error(), Err: err}
	}
	if len(data) > maxFileSize {
		return nil, &FileError{Path: name, Msg: "is larger than 1 MiB: is it really a client.properties file?"}
	}
	props, err := parseProperties(string(data))
	if err != nil {
		var le *lineError
		if errors.As(err, &le) {
			return nil, &FileError{Path: name, Line: le.line, Msg: le.msg}
		}
		return nil, &FileError{Path: name, Msg: err.Error()}
	}
	return build(name, props)
}

// The keys this package reads. sasl.mechanisms is librdkafka's (kcat's)
// spelling of sasl.mechanism.
const (
	keyBootstrap = "bootstrap.servers"
	keyProtocol  = "security.protocol"
	keyMechanism = "sasl.mechanism"
	keyMechs     = "sasl.mechanisms"
	keyUsername  = "sasl.username"
	keyPassword  = "sasl.password"
	keyJAAS      = "sasl.jaas.config"
	keyCA        = "ssl.ca.location"
	keyCert      = "ssl.certificate.location"
	keyKey       = "ssl.key.location"
	keyEndpoint  = "ssl.endpoint.identification.algorithm"
	keyRegistry  = "schema.registry.url" // Confluent's serializers' key
	// The registry's HTTP basic authentication, as Confluent Cloud's
	// client.properties gives it: USER_INFO, then key:secret.
	keyRegistrySource   = "basic.auth.credentials.source"
	keyRegistryUser     = "basic.auth.user.info"
	keyRegistryUserLong = "schema.registry.basic.auth.user.info"
)

var knownKeys = []string{keyBootstrap, keyProtocol, keyMechanism, keyMechs, keyUsername, keyPassword, keyJAAS, keyCA, keyCert, keyKey, keyEndpoint, keyRegistry, keyRegistrySource, keyRegistryUser, keyRegistryUserLong}

// build checks the properties and makes the Config. The checks follow the
// order a reader of the file would fix things in.
func build(name string, props []property) (*Config, error) {
	c := &Config{Path: name, Protocol: Plaintext, VerifyHost: true}
	got := map[string]property{} // the last of a repeated key wins, as in Java
	for _, p := range props {
		if slices.Contains(knownKeys, p.key) {
			got[p.key] = p
		} else if !keyLike.MatchString(p.key) && p.key != "acks" && p.key != "retries" {
			c.unnamed++ // not quoted: it may be a piece of a secret
		} else if !slices.Contains(c.Unknown, p.key) {
			c.Unknown = append(c.Unknown, p.key)
		}
	}
	fail := func(p property, format string, args ...any) error {
		return &FileError{Path: name, Line: p.line, Key: p.key, Msg: fmt.Sprintf(format, args...)}
	}

	if p, ok := got[keyBootstrap]; ok {
		addrs, err := broker.ParseAddrs(p.value)
		if err != nil {
			return nil, fail(p, "%v", err)
		}
		c.Bootstrap = addrs
	}

	if p, ok := got[keyProtocol]; ok {
		c.Protocol = strings.ToUpper(strings.TrimSpace(p.value))
		if !slices.Contains([]string{Plaintext, SSL, SASLPlaintext, SASLSSL}, c.Protocol) {
			return nil, fail(p, "%q is not a security protocol: use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", p.value)
		}
	}

	if err := c.buildRegistry(got, fail); err != nil {
		return nil, err
	}

	if err := c.buildSASL(got, fail); err != nil {
		return nil, err
	}
	if err := c.buildTLS(got, fail); err != nil {
		return nil, err
	}
	return c, nil
}

type failFunc func(p property, format string, args ...any) error

// buildRegistry reads schema.registry.url and its basic authentication,
// which goes into the URL's user info (never printed: see Registry).
func (c *Config) buildRegistry(got map[string]property, fail failFunc) error {
	p, ok := got[keyRegistry]
	if ok {
		value := strings.TrimSpace(p.value)
		if strings.Contains(value, ",") {
			return fail(p, "names several registries: give one URL, like http://localhost:8081")
		}
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The value is not quoted: it may hold a password.
			return fail(p, "is not a schema registry's URL: give one like http://localhost:8081")
		}
		c.Registry = u
	}
	if c.Registry == nil {
		// Confluent Cloud's snippets carry the registry's key without its
		// URL: unused here, as before lesson 22 read them.
		for _, k := range []string{keyRegistrySource, keyRegistryUser, keyRegistryUserLong} {
			if _, ok := got[k]; ok {
				c.Unknown = append(c.Unknown, k)
			}
		}
		return nil
	}
	if src, ok := got[keyRegistrySource]; ok {
		switch strings.ToUpper(strings.TrimSpace(src.value)) {
		case "USER_INFO", "URL":
		default:
			return fail(src, "%q is not supported here: use USER_INFO with basic.auth.user.info=KEY:SECRET, or put them in the URL", src.value)
		}
	}
	info, ok := got[keyRegistryUser]
	if long, has := got[keyRegistryUserLong]; has && (!ok || long.line > info.line) {
		info, ok = long, true
	}
	if !ok {
		return nil
	}
	user, password, found := strings.Cut(info.value, ":")
	if !found || user == "" {
		return fail(info, "is not KEY:SECRET")
	}
	c.Registry.User = url.UserPassword(user, password)
	return nil
}

func (c *Config) buildSASL(got map[string]property, fail failFunc) error {
	mp, hasMech := got[keyMechanism]
	if p, ok := got[keyMechs]; ok && (!hasMech || p.line > mp.line) {
		mp, hasMech = p, true
	}
	if hasMech {
		c.Mechanism = strings.ToUpper(strings.TrimSpace(mp.value))
		switch c.Mechanism {
		case Plain, ScramSHA256, ScramSHA512:
		case "GSSAPI", "OAUTHBEARER", "AWS_MSK_IAM":
			return fail(mp, "%s is not supported here (kafka-go speaks PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512): ask for a user with a password for one of those", c.Mechanism)
		default:
			return fail(mp, "%q is not a SASL mechanism: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", mp.value)
		}
	}

	user, hasUser := got[keyUsername]
	pass, hasPass := got[keyPassword]
	if hasUser {
		c.Username = user.value
	}
	if hasPass {
		c.password = &secret{pass.value}
	}
	if jp, ok := got[keyJAAS]; ok {
		j, err := parseJAAS(jp.value)
		if err != nil {
			return fail(jp, "%v", err)
		}
		switch {
		case c.Mechanism == "" && j.module == jaasScram:
			return fail(jp, "the ScramLoginModule serves SCRAM-SHA-256 and SCRAM-SHA-512: set %s to the one the service uses", keyMechanism)
		case c.Mechanism == "":
			c.Mechanism = Plain
		case j.module == jaasPlain && c.Mechanism != Plain,
			j.module == jaasScram && c.Mechanism == Plain:
			return fail(jp, "uses the %s, which does not serve %s=%s: set %s=%s, or use the login module for %s", j.module, keyMechanism, c.Mechanism, keyMechanism, j.module.wants(), c.Mechanism)
		}
		if hasUser && user.value != j.username {
			return fail(jp, "names user %q but %s says %q: keep one of them", j.username, keyUsername, user.value)
		}
		if hasPass && pass.value != j.password {
			return fail(jp, "holds a password that differs from %s: keep one of them", keyPassword)
		}
		c.Username, c.password = j.username, &secret{j.password}
		hasUser, hasPass = true, true
	}

	hasCreds := hasUser || hasPass || hasMech
	if !c.UsesSASL() {
		if hasCreds {
			p := firstOf(got, keyMechanism, keyMechs, keyUsername, keyPassword, keyJAAS)
			return fail(p, "is set but %s=%s does not use SASL: set %s=SASL_SSL (or SASL_PLAINTEXT for a broker without TLS)", keyProtocol, c.Protocol, keyProtocol)
		}
		return nil
	}
	protocolLine := got[keyProtocol]
	switch {
	case c.Mechanism == "":
		return fail(protocolLine, "%s needs %s: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, as the service says", c.Protocol, keyMechanism)
	case c.Username == "" || c.secretText() == "":
		return fail(protocolLine, "%s needs a user and a password: set %s and %s, or the %s line the service gives", c.Protocol, keyUsername, keyPassword, keyJAAS)
	}
	switch c.Mechanism {
	case Plain:
		c.mech = &masked{plain.Mechanism{Username: c.Username, Password: c.secretText()}, c.Username}
	default:
		algo := scram.SHA256
		if c.Mechanism == ScramSHA512 {
			algo = scram.SHA512
		}
		m, err := scram.Mechanism(algo, c.Username, c.secretText())
		if err != nil {
			// The SCRAM library prepares user and password as RFC 4013 says;
			// its error is about the characters, never quotes them.
			return fail(protocolLine, "the user or password has characters SCRAM does not allow (%v)", err)
		}
		c.mech = &masked{m, c.Username}
	}
	return nil
}

func (c *Config) buildTLS(got map[string]property, fail failFunc) error {
	if p, ok := got[keyEndpoint]; ok {
		switch strings.ToLower(strings.TrimSpace(p.value)) {
		case "https":
		case "", "none": // none: librdkafka's spelling
			c.VerifyHost = false
		default:
			return fail(p, "%q is not known: use https (verify the broker's host name, the default) or an empty value (do not verify it)", p.value)
		}
	}
	ca, hasCA := got[keyCA]
	cert, hasCert := got[keyCert]
	key, hasKey := got[keyKey]
	if !c.UsesTLS() {
		if hasCA || hasCert || hasKey {
			p := firstOf(got, keyCA, keyCert, keyKey)
			return fail(p, "is set but %s=%s does not use TLS: set %s=SSL or SASL_SSL, or remove it", keyProtocol, c.Protocol, keyProtocol)
		}
		return nil
	}
	// TLS 1.2 is the oldest any Kafka service still offers.
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if hasCA {
		pemData, err := readPEMFile(ca)
		if err != nil {
			return fail(ca, "%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			return fail(ca, "%s holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the certificate authority's certificate in PEM form", ca.value)
		}
		tc.RootCAs = pool
		c.CAFile = ca.value
	}
	switch {
	case hasCert && !hasKey:
		return fail(cert, "needs %s, the client certificate's private key", keyKey)
	case hasKey && !hasCert:
		return fail(key, "needs %s, the client certificate", keyCert)
	case hasCert:
		certPEM, err := readPEMFile(cert)
		if err != nil {
			return fail(cert, "%v", err)
		}
		keyPEM, err := readPEMFile(key)
		if err != nil {
			return fail(key, "%v", err)
		}
		if b, _ := pem.Decode(keyPEM); b != nil && strings.Contains(b.Type, "ENCRYPTED") || strings.Contains(string(keyPEM), "Proc-Type: 4,ENCRYPTED") {
			return fail(key, "%s is encrypted, and this program reads only unencrypted keys: decrypt a copy with 'openssl pkey -in %s -out client-key.pem'", key.value, key.value)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			// crypto/tls's message says which half is wrong; it never
			// quotes the key.
			return fail(cert, "%s and %s do not make a certificate and its key: %v", cert.value, key.value, err)
		}
		tc.Certificates = []tls.Certificate{pair}
		c.CertFile = cert.value
	}
	if !c.VerifyHost {
		// Skip crypto/tls's check, which is chain and host name together,
		// and do the chain alone.
		roots := tc.RootCAs
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("tls: the broker sent no certificate")
			}
			inter := x509.NewCertPool()
			for _, ic := range cs.PeerCertificates[1:] {
				inter.AddCert(ic)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
			return err
		}
	}
	c.TLS = tc
	return nil
}

// readPEMFile reads a file named by a *.location key, with hints for the two
// usual mistakes: a relative path and Windows backslashes, which a
// properties file treats as escapes.
func readPEMFile(p property) ([]byte, error) {
	if p.value == "" {
		return nil, errors.New("is empty: give the path of a PEM file")
	}
	data, err := os.ReadFile(p.value)
	if err == nil {
		return data, nil
	}
	var hints []string
	if errors.Is(err, os.ErrNotExist) {
		if strings.Contains(p.raw, `\`) {
			hints = append(hints, `a backslash is an escape in a properties file: write C:/certs/ca.pem or C:\\certs\\ca.pem`)
		}
		if !filepath.IsAbs(p.value) && len(hints) == 0 {
			wd, _ := os.Getwd()
			hints = append(hints, "a relative path is relative to the folder you run from ("+wd+"), not to the file's")
		}
		err = fmt.Errorf("%s does not exist", p.value)
	}
	if len(hints) > 0 {
		return nil, fmt.Errorf("%w; %s", err, strings.Join(hints, "; "))
	}
	return nil, err
}

func firstOf(got map[string]property, keys ...string) property {
	var first property
	for _, k := range keys {
		if p, ok := got[k]; ok && (first.line == 0 || p.line < first.line) {
			first = p
		}
	}
	return first
}

// secretText returns the password, for the code in this package that must
// scrub it from error messages.
func (c *Config) secretText() string {
	if c == nil || c.password == nil {
		return ""
	}
	return c.password.text
}

// FranzOpts returns the same connection settings for a franz-go client
// (lesson 10's transactional producer): TLS and the SASL login. A nil
// Config gives none.
func (c *Config) FranzOpts() []kgo.Opt {
	if c == nil {
		return nil
	}
	var opts []kgo.Opt
	if c.UsesTLS() && c.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(c.TLS.Clone()))
	}
	if c.UsesSASL() {
		user, pass := c.Username, c.secretText()
		switch c.Mechanism {
		case Plain:
			opts = append(opts, kgo.SASL(franzplain.Auth{User: user, Pass: pass}.AsMechanism()))
		case ScramSHA256:
			opts = append(opts, kgo.SASL(franzscram.Auth{User: user, Pass: pass}.AsSha256Mechanism()))
		case ScramSHA512:
			opts = append(opts, kgo.SASL(franzscram.Auth{User: user, Pass: pass}.AsSha512Mechanism()))
		}
	}
	return opts
}
