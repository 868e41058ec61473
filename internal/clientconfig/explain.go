package clientconfig

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/segmentio/kafka-go"
)

// Kind names a failure to reach or use Kafka that Explain recognises.
type Kind int

const (
	Other                Kind = iota // not recognised: the error is returned as it is
	Unreachable                      // nothing listens, or the host name does not resolve
	Timeout                          // no answer in time: a firewall, or TLS to a plaintext port
	Closed                           // the broker closed the connection: see Check for which reason
	AuthFailed                       // SASL_AUTHENTICATION_FAILED: wrong user or password
	MechanismDisabled                // UNSUPPORTED_SASL_MECHANISM
	NotSASL                          // ILLEGAL_SASL_STATE: SASL to a port without SASL
	ExpectsSASL                      // no SASL configured, the port wants it (found by Check)
	ExpectsTLS                       // plaintext to a TLS port (found by Check)
	NotTLS                           // TLS to a plaintext port (found by Check, or a record header)
	UnknownCA                        // the broker's certificate chains to no trusted CA
	HostMismatch                     // the broker's certificate is for another host
	BadCertificate                   // the broker's certificate is expired or unfit
	ClientCertRejected               // the broker wants, or refuses, our client certificate
	TopicNotAuthorized               // TOPIC_AUTHORIZATION_FAILED
	GroupNotAuthorized               // GROUP_AUTHORIZATION_FAILED
	ClusterNotAuthorized             // CLUSTER_AUTHORIZATION_FAILED
)

var kindNames = [...]string{"other", "unreachable", "timeout", "connection closed", "authentication failed",
	"mechanism disabled", "no SASL on this port", "SASL expected", "TLS expected", "not TLS",
	"unknown certificate authority", "host name mismatch", "bad certificate", "client certificate rejected",
	"topic not authorized", "group not authorized", "cluster not authorized"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// Error is a failure explained: what happened and what to do, naming the
// mechanism and user, never the password. A program exits 1 with it.
type Error struct {
	Kind Kind
	Msg  string // the explanation
	Err  error  // what kafka-go returned
	pass string // to scrub from Err's text, which we do not control
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Msg
	}
	return e.Msg + " (kafka-go: " + scrub(e.Err.Error(), e.pass) + ")"
}

func (e *Error) Unwrap() error { return e.Err }

// scrubbed is an unrecognised error whose text held the password.
type scrubbed struct {
	err  error
	pass string
}

func (e *scrubbed) Error() string { return scrub(e.err.Error(), e.pass) }
func (e *scrubbed) Unwrap() error { return e.err }

func scrub(s, pass string) string {
	if pass == "" {
		return s
	}
	return strings.ReplaceAll(s, pass, mask)
}

// Explain turns an error kafka-go returned while c was in use into one that
// says what happened and what to do. It returns nil for nil, an *Error for a
// failure it recognises, and otherwise err itself (with the password, should
// its text hold it, masked). Errors already explained pass unchanged.
func Explain(err error, c *Config) error {
	return explain(err, c, "")
}

func explain(err error, c *Config, addr string) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) || errors.Is(err, context.Canceled) {
		return err // already explained, or the user stopped: nothing to explain
	}
	k := classify(err)
	if k == Other {
		if p := c.secretText(); p != "" && strings.Contains(err.Error(), p) {
			return &scrubbed{err, p}
		}
		return err
	}
	return &Error{Kind: k, Msg: message(k, err, c, addr), Err: err, pass: c.secretText()}
}

// classify finds what went wrong from the error values kafka-go wraps:
// Kafka error codes, crypto/x509 and crypto/tls errors, network errors.
func classify(err error) Kind {
	if err == nil {
		return Other
	}
	var werrs kafka.WriteErrors // a Writer's per-message errors: no Unwrap
	if errors.As(err, &werrs) {
		for _, e := range werrs {
			if k := classify(e); k != Other {
				return k
			}
		}
	}
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		header    tls.RecordHeaderError
		dnsErr    *net.DNSError
		netErr    net.Error
	)
	switch {
	case errors.Is(err, kafka.TopicAuthorizationFailed):
		return TopicNotAuthorized
	case errors.Is(err, kafka.GroupAuthorizationFailed):
		return GroupNotAuthorized
	case errors.Is(err, kafka.ClusterAuthorizationFailed):
		return ClusterNotAuthorized
	case errors.Is(err, kafka.SASLAuthenticationFailed):
		return AuthFailed
	case errors.Is(err, kafka.UnsupportedSASLMechanism):
		return MechanismDisabled
	case errors.Is(err, kafka.IllegalSASLState):
		return NotSASL
	case errors.As(err, &unknownCA):
		return UnknownCA
	case errors.As(err, &hostErr):
		return HostMismatch
	case errors.As(err, &invalid):
		return BadCertificate
	case errors.As(err, &header):
		return NotTLS
	case isClientCertAlert(err):
		return ClientCertRejected
	case errors.As(err, &dnsErr), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return Unreachable
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return Timeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return Closed
	}
	return Other
}

// isClientCertAlert recognises the TLS alerts a broker sends when it wants a
// client certificate and got none, or does not accept the one it got.
// crypto/tls returns them as text only ("remote error: tls: …").
func isClientCertAlert(err error) bool {
	s := err.Error()
	return strings.Contains(s, "remote error: tls: certificate required") ||
		strings.Contains(s, "remote error: tls: bad certificate") ||
		strings.Contains(s, "remote error: tls: unknown certificate authority") ||
		strings.Contains(s, "remote error: tls: expired certificate")
}

func message(k Kind, err error, c *Config, addr string) string {
	if c == nil {
		c = &Config{Protocol: Plaintext} // Explain(err, nil): what a client without a config does
	}
	file := "the client config"
	if c.Path != "" {
		file = c.Path
	}
	where := "the broker"
	switch {
	case addr != "":
		where = "the broker at " + addr
	case len(c.Bootstrap) > 0:
		where = "the broker at " + strings.Join(c.Bootstrap, ",")
	}
	protocol := c.Protocol
	if protocol == "" {
		protocol = Plaintext
	}
	who := "this client"
	if c.UsesSASL() {
		who = fmt.Sprintf("user %q", c.Username)
	}
	mech := c.Mechanism
	if mech == "" {
		mech = "(none configured)"
	}

	switch k {
	case Unreachable:
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return fmt.Sprintf("the host name %q does not resolve: check bootstrap.servers in %s (or --brokers)", dnsErr.Name, file)
		}
		return fmt.Sprintf("nothing accepts connections at %s: check the host and port in bootstrap.servers in %s (or --brokers), and that the broker is running", strings.TrimPrefix(where, "the broker at "), file)

	case Timeout:
		msg := fmt.Sprintf("%s did not answer in time", where)
		if c.UsesTLS() {
			return msg + fmt.Sprintf(": a port that does not speak TLS keeps a TLS handshake waiting, so check that the port is the service's TLS (%s) port, or that security.protocol=%s is right; else a firewall drops the connection", protocol, protocol)
		}
		return msg + ": check the host and port, and that no firewall drops the connection"

	case Closed:
		var maybe []string
		if !c.UsesTLS() {
			maybe = append(maybe, fmt.Sprintf("the port expects TLS (security.protocol=%s does not speak it: try SSL or SASL_SSL)", protocol))
		}
		if !c.UsesSASL() {
			maybe = append(maybe, "the port expects SASL authentication (security.protocol=SASL_SSL or SASL_PLAINTEXT with sasl.mechanism, user and password)")
		} else {
			maybe = append(maybe, fmt.Sprintf("it rejected %s with SASL mechanism %s (check the user and password)", who, mech))
		}
		if c.UsesTLS() {
			maybe = append(maybe, "the port does not speak TLS")
		}
		return fmt.Sprintf("%s closed the connection. Either %s", where, strings.Join(maybe, ", or "))

	case AuthFailed:
		msg := fmt.Sprintf("authentication failed: %s rejected %s with SASL mechanism %s. Check the user and password in %s (sasl.username and sasl.password, or the sasl.jaas.config line)",
			where, who, mech, file)
		switch {
		case strings.HasPrefix(mech, "SCRAM"):
			msg += fmt.Sprintf("; a SCRAM user exists for one mechanism: ask whether %s was created for %s", who, mech)
		case mech == Plain:
			msg += "; on Confluent Cloud the user is the API key and the password its secret"
		}
		return msg

	case MechanismDisabled:
		return fmt.Sprintf("%s does not enable SASL mechanism %s (asked as %s): set sasl.mechanism in %s to one the service lists (the broker's sasl.enabled.mechanisms): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
			where, mech, who, file)

	case NotSASL:
		return fmt.Sprintf("%s does not expect SASL on this port (ILLEGAL_SASL_STATE): use the port the service gives for %s, or set security.protocol in %s to SSL or PLAINTEXT if this port needs no password",
			where, protocol, file)

	case ExpectsSASL:
		return fmt.Sprintf("%s closed the connection at the first request that needs a login: it expects SASL authentication, which security.protocol=%s does not do. Set security.protocol=SASL_SSL (or SASL_PLAINTEXT), sasl.mechanism, and the user and password in %s",
			where, protocol, file)

	case ExpectsTLS:
		return fmt.Sprintf("%s speaks TLS, and security.protocol=%s does not: set security.protocol=SSL, or SASL_SSL if the service gave you a user and password, in %s",
			where, protocol, file)

	case NotTLS:
		return fmt.Sprintf("%s does not speak TLS, and security.protocol=%s starts a TLS handshake: use the service's TLS port, or set security.protocol=%s in %s if this broker has no TLS",
			where, protocol, map[string]string{SSL: Plaintext, SASLSSL: SASLPlaintext}[protocol], file)

	case UnknownCA:
		var u x509.UnknownAuthorityError
		issuer := "an unknown issuer"
		if errors.As(err, &u) && u.Cert != nil {
			issuer = fmt.Sprintf("%q", u.Cert.Issuer.String())
		}
		msg := fmt.Sprintf("%s presents a certificate issued by %s, a certificate authority this program does not trust: ", where, issuer)
		if c.CAFile != "" {
			return msg + fmt.Sprintf("ssl.ca.location=%s in %s does not hold the CA that signed it; give the CA certificate (PEM) the service hands out", c.CAFile, file)
		}
		return msg + fmt.Sprintf("set ssl.ca.location in %s to the CA certificate (PEM) the service hands out (without it, only the system's CAs are trusted)", file)

	case HostMismatch:
		var h x509.HostnameError
		names, host := "other names", "this host"
		if errors.As(err, &h) {
			host = fmt.Sprintf("%q", h.Host)
			if h.Certificate != nil {
				var all []string
				all = append(all, h.Certificate.DNSNames...)
				for _, ip := range h.Certificate.IPAddresses {
					all = append(all, ip.String())
				}
				if len(all) > 0 {
					names = strings.Join(all, ", ")
				}
			}
		}
		return fmt.Sprintf("%s presents a certificate for %s, not for %s: put a name the certificate holds in bootstrap.servers, or set ssl.endpoint.identification.algorithm= (empty) in %s to skip the host name check (the certificate chain is still verified)",
			where, names, host, file)

	case BadCertificate:
		var inv x509.CertificateInvalidError
		reason := "it is not valid"
		if errors.As(err, &inv) {
			reason = inv.Error()
		}
		return fmt.Sprintf("%s presents a certificate this program cannot accept (%s): tell the service's administrator, or check this machine's clock", where, reason)

	case ClientCertRejected:
		if c.CertFile != "" {
			return fmt.Sprintf("%s refused the client certificate %s: check that ssl.certificate.location and ssl.key.location in %s are the certificate and key the service issued, and that it has not expired", where, c.CertFile, file)
		}
		return fmt.Sprintf("%s requires a client certificate (mutual TLS): set ssl.certificate.location and ssl.key.location in %s to the certificate and key the service issued you", where, file)

	case TopicNotAuthorized:
		return fmt.Sprintf("%s may not use this topic (TOPIC_AUTHORIZATION_FAILED). The lessons create their topics, then write and read them: ask the cluster's administrator for CREATE, DESCRIBE, READ and WRITE on them (one ACL on a prefix, say \"yourname-\", covers them all when you run with --topic-prefix yourname-), or run with --topic naming an existing topic you may read and write",
			who)

	case GroupNotAuthorized:
		return fmt.Sprintf("%s may not use this consumer group (GROUP_AUTHORIZATION_FAILED): ask the cluster's administrator for READ on the lessons' groups (one ACL on the prefix you pass with --topic-prefix covers them all)", who)

	case ClusterNotAuthorized:
		return fmt.Sprintf("%s may not do this cluster-wide operation (CLUSTER_AUTHORIZATION_FAILED): ask the cluster's administrator for the permission, or skip this step", who)
	}
	return err.Error()
}

// Redact masks the password wherever it appears in s: for text the program
// writes to a file (a notebook, a transcript) that might quote an error.
func (c *Config) Redact(s string) string { return scrub(s, c.secretText()) }
