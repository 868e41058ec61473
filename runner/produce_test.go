package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// produce with no broker to write to says so and what to start first, and
// exits 1, instead of hosting an embedded broker that would end with it
// and take the order along. produce --embedded is refused (exit 2) for the
// same reason.
func TestProduceWithoutABroker(t *testing.T) {
	// A port nothing listens on: taken, then closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	old := defaultBroker
	defaultBroker = closed
	t.Cleanup(func() { defaultBroker = old })
	t.Setenv("KAFKA_BOOTSTRAP_SERVERS", "")
	t.Setenv(configEnvVar, "")

	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	for _, tc := range []struct {
		args []string
		code int
		said []string
	}{
		{[]string{"produce", "--topic-prefix", prefix()}, exitFailure,
			[]string{"no Kafka broker answers at " + closed, "does not start one of its own", "go run ./runner consume", "docker compose up -d"}},
		{[]string{"produce", "--embedded", "--topic-prefix", prefix()}, exitUsage,
			[]string{"ends when produce does", "go run ./runner consume", "docker compose up -d"}},
	} {
		var out, errb bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		code := run(ctx, tc.args, stdio{in: devnull, out: &out, err: &errb})
		cancel()
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s\n%s", tc.args, code, tc.code, out.String(), errb.String())
		}
		for _, s := range tc.said {
			if !strings.Contains(errb.String(), s) {
				t.Errorf("%v: did not say %q:\n%s", tc.args, s, errb.String())
			}
		}
		for _, s := range []string{"EMBEDDED BROKER", "Delivered"} {
			if strings.Contains(out.String(), s) {
				t.Errorf("%v: %q: it wrote to a broker of its own:\n%s", tc.args, s, out.String())
			}
		}
	}
}
