package main

import (
	"bytes"
	"strings"
	"testing"
)

// --secure starts docker-compose.yml's one broker: its listeners are that
// broker's, so another compose file or more nodes are refused at once.
func TestSecureIsOneBrokerOfTheDefaultCompose(t *testing.T) {
	for _, args := range [][]string{{"--secure", "--nodes", "3"}, {"--secure", "--compose", "docker-compose.cluster.yml"}} {
		if _, err := parseFlags("up", args); err == nil || !strings.Contains(err.Error(), "--secure starts the one broker") {
			t.Errorf("up %v: %v, want --secure refused", args, err)
		}
	}
	o, err := parseFlags("up", []string{"--secure", "--version", "4.1.1"})
	if err != nil || !o.secure {
		t.Errorf("up --secure --version 4.1.1: %+v %v", o, err)
	}
}

// The admin's password never reaches the output, whatever echoes it.
func TestMaskingHidesTheSecret(t *testing.T) {
	var out bytes.Buffer
	m := masking{w: &out, secret: "s3cret"}
	n, err := m.Write([]byte("--add-scram SCRAM-SHA-512=[name=admin,password=s3cret] ok\n"))
	if err != nil || n != 58 || strings.Contains(out.String(), "s3cret") || !strings.Contains(out.String(), "password=****") {
		t.Errorf("wrote %d (%v): %q", n, err, out.String())
	}
}
