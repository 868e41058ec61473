package clientconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"
)

// However a Config, its mechanism, Transport or Dialer is printed, the
// password does not show.
func TestPrintingNeverShowsThePassword(t *testing.T) {
	for _, mech := range []string{Plain, ScramSHA256, ScramSHA512} {
		c, err := parse(t, "bootstrap.servers=localhost:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism="+mech+"\nsasl.username=alice\nsasl.password="+secretPW)
		if err != nil {
			t.Fatal(err)
		}
		values := map[string]any{
			"*Config": c, "Config": *c, "SASL()": c.SASL(), "Transport()": c.Transport(), "Dialer()": c.Dialer(),
			"*Transport": *c.Transport(), "*Dialer": *c.Dialer(), "password field": c.password,
			"in a struct": struct{ C *Config }{c}, "in a slice": []any{c, *c, c.SASL()}, "in a map": map[string]any{"c": *c},
		}
		verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%-40v", "%T", "%p"}
		for name, v := range values {
			for _, verb := range verbs {
				if out := fmt.Sprintf(verb, v); strings.Contains(out, secretPW) || strings.Contains(out, fmt.Sprintf("%x", secretPW)) || strings.Contains(out, fmt.Sprintf("%X", secretPW)) {
					t.Errorf("%s: fmt %s of %s shows the password: %s", mech, verb, name, out)
				}
			}
			for _, out := range []string{fmt.Sprint(v), fmt.Sprintln(v)} {
				if strings.Contains(out, secretPW) {
					t.Errorf("%s: Sprint of %s shows the password: %s", mech, name, out)
				}
			}
			if data, err := json.Marshal(v); err == nil && bytes.Contains(data, []byte(secretPW)) {
				t.Errorf("%s: JSON of %s shows the password: %s", mech, name, data)
			}
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "v", v)
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "v", v)
			log.New(&buf, "", 0).Printf("%v %+v", v, v)
			if strings.Contains(buf.String(), secretPW) {
				t.Errorf("%s: a log of %s shows the password: %s", mech, name, buf.String())
			}
		}
		if got := c.String(); !strings.Contains(got, "password ****") || !strings.Contains(got, "user alice") || !strings.Contains(got, "mechanism "+mech) {
			t.Errorf("String() = %q: want the user, the mechanism and the password masked", got)
		}
		if got := fmt.Sprintf("%#v", c); !strings.Contains(got, `password:"****"`) || !strings.Contains(got, `Username:"alice"`) {
			t.Errorf("%%#v = %s", got)
		}
		if got := fmt.Sprintf("%v", c.Transport()); !strings.Contains(got, "SASL/"+mech+" user alice password ****") {
			t.Errorf("a printed Transport does not show the masked mechanism: %s", got)
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"bootstrap.servers=a:9092,b:9092", "broker a:9092,b:9092, protocol PLAINTEXT"},
		{"security.protocol=SSL\nssl.endpoint.identification.algorithm=", "protocol SSL, system CAs, host name not verified"},
		{"bootstrap.servers=pkc-1:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=alice\nsasl.password=" + secretPW,
			"broker pkc-1:9092, protocol SASL_SSL, mechanism SCRAM-SHA-512, user alice, password ****, system CAs"},
	} {
		c, err := parse(t, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Describe(); got != tc.want {
			t.Errorf("Describe() = %q, want %q", got, tc.want)
		}
	}
}
