package clientconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/segmentio/kafka-go/sasl"
)

// mask is what every printed form shows instead of a password.
const mask = "****"

// secret is a password. Every way Go prints it (fmt's verbs, Stringer,
// GoStringer, JSON, text, slog) shows it masked, so a debugging Printf of a
// struct holding it cannot leak it. Hold it by pointer: fmt prints a
// pointer inside a value as an address even when it bypasses methods (%p of
// a struct value prints the struct's fields raw).
type secret struct{ text string }

func (*secret) String() string                { return mask }
func (*secret) GoString() string              { return `"` + mask + `"` }
func (*secret) Format(f fmt.State, verb rune) { fmt.Fprintf(f, fmt.FormatString(f, verb), mask) }
func (*secret) MarshalJSON() ([]byte, error)  { return json.Marshal(mask) }
func (*secret) MarshalText() ([]byte, error)  { return []byte(mask), nil }
func (*secret) LogValue() slog.Value          { return slog.StringValue(mask) }

// masked wraps kafka-go's SASL mechanism: plain.Mechanism has an exported
// Password field that %v and JSON print, so a Transport or Dialer printed
// while debugging would show it. It is used by pointer, as secret is.
type masked struct {
	m    sasl.Mechanism
	user string
}

func (m *masked) Name() string { return m.m.Name() }

func (m *masked) Start(ctx context.Context) (sasl.StateMachine, []byte, error) {
	return m.m.Start(ctx)
}

func (m *masked) String() string {
	return fmt.Sprintf("SASL/%s user %s password %s", m.Name(), m.user, mask)
}
func (m *masked) GoString() string { return m.String() }
func (m *masked) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), m.String())
}
func (m *masked) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }
func (m *masked) LogValue() slog.Value         { return slog.StringValue(m.String()) }

// Describe is a one-line summary for a banner: broker, protocol, mechanism,
// user, the password masked, and how TLS verifies the broker.
func (c Config) Describe() string {
	var parts []string
	if len(c.Bootstrap) > 0 {
		parts = append(parts, "broker "+strings.Join(c.Bootstrap, ","))
	}
	protocol := c.Protocol
	if protocol == "" {
		protocol = Plaintext
	}
	parts = append(parts, "protocol "+protocol)
	if c.UsesSASL() {
		parts = append(parts, "mechanism "+c.Mechanism, "user "+c.Username, "password "+mask)
	}
	if c.UsesTLS() {
		if c.CAFile != "" {
			parts = append(parts, "CA "+c.CAFile)
		} else {
			parts = append(parts, "system CAs")
		}
		if !c.VerifyHost {
			parts = append(parts, "host name not verified")
		}
		if c.CertFile != "" {
			parts = append(parts, "client certificate "+c.CertFile)
		}
	}
	return strings.Join(parts, ", ")
}

// String is Describe: the password masked.
func (c Config) String() string { return c.Describe() }

// GoString is for %#v: the fields, the password masked.
func (c Config) GoString() string {
	pw := ""
	if c.password != nil {
		pw = mask
	}
	return fmt.Sprintf("clientconfig.Config{Path:%q, Bootstrap:%#v, Protocol:%q, Mechanism:%q, Username:%q, password:%q, TLS:%t, CAFile:%q, CertFile:%q, VerifyHost:%t, Unknown:%#v}",
		c.Path, c.Bootstrap, c.Protocol, c.Mechanism, c.Username, pw, c.TLS != nil, c.CAFile, c.CertFile, c.VerifyHost, c.Unknown)
}

// Format makes every fmt verb print the masked forms: %#v GoString, any other
// verb (%v, %+v, %s, %q, %x, …) String through that verb.
func (c Config) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, c.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), c.String())
}

// MarshalJSON writes the fields with the password masked.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"path": c.Path, "bootstrap": c.Bootstrap, "protocol": c.Protocol, "mechanism": c.Mechanism,
		"username": c.Username, "password": mask, "tls": c.TLS != nil, "ca_file": c.CAFile,
		"cert_file": c.CertFile, "verify_host": c.VerifyHost, "unknown": c.Unknown,
	})
}

// LogValue makes slog print the masked summary.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.Describe()) }
