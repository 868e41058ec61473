package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/certs"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// secureAddr is where --secure's SASL_SSL listener answers.
const secureAddr = "localhost:9192"

// upSecure starts docker-compose.yml's broker as up does, with what CI
// tests lesson 19 on: a SASL_SSL listener on localhost:9192 (SCRAM-SHA-512,
// a certificate from a CA made here), StandardAuthorizer, and a super user,
// admin, with a random password. It writes <dir>/secure/client.properties
// (the password is in it, readable by its owner only) and prints the
// command that uses it; the password is printed nowhere. The plaintext
// listeners stay, for the other lessons and the broker's own traffic, so
// their unauthenticated user, ANONYMOUS, is a super user too.
func upSecure(ctx context.Context, o options) error {
	dir, err := filepath.Abs(filepath.Join(o.dir, "secure"))
	if err != nil {
		return fmt.Errorf("work folder %s: %w", o.dir, err)
	}
	files, err := certs.Write(dir, []string{"localhost", "127.0.0.1"}, "client")
	if err != nil {
		return fmt.Errorf("make the certificates: %w", err)
	}
	password := strings.ToLower(rand.Text())
	set := map[string]string{
		"listeners":                      "PLAINTEXT://localhost:29092,CONTROLLER://localhost:9093,PLAINTEXT_HOST://0.0.0.0:9092,SASL_SSL://0.0.0.0:9192",
		"advertised.listeners":           "PLAINTEXT://localhost:29092,PLAINTEXT_HOST://localhost:9092,SASL_SSL://" + secureAddr,
		"listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT,SASL_SSL:SASL_SSL",
		"sasl.enabled.mechanisms":        "SCRAM-SHA-512",
		"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
		"ssl.keystore.type":       "PEM",
		"ssl.keystore.location":   files.Server,
		"ssl.truststore.type":     "PEM",
		"ssl.truststore.location": files.CA,
		"authorizer.class.name":   "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
		"super.users":             "User:ANONYMOUS;User:admin",
	}
	maps.Copy(set, o.set) // what the learner --set wins
	log := masking{w: os.Stdout, secret: password}
	_, err = native.Up(ctx, native.UpOptions{
		Dir: o.dir, Version: o.version, Wait: o.wait, Log: log,
		Set: set, AddSCRAM: append([]string{"SCRAM-SHA-512=[name=admin,password=" + password + "]"}, o.scram...),
	})
	if err != nil {
		return err
	}
	props := filepath.Join(dir, "client.properties")
	text := "# kafka-native up --secure: the super user admin on the SASL_SSL listener\n" +
		"bootstrap.servers=" + secureAddr + "\n" +
		"security.protocol=SASL_SSL\n" +
		"sasl.mechanism=SCRAM-SHA-512\n" +
		"sasl.username=admin\n" +
		"sasl.password=" + password + "\n" +
		"ssl.ca.location=" + files.CA + "\n"
	if err := os.WriteFile(props, []byte(text), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", props, err)
	}
	rel := props
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, props); err == nil && !strings.HasPrefix(r, "..") {
			rel = r
		}
	}
	fmt.Printf("SASL_SSL on %s: SCRAM-SHA-512, user admin (a super user), ACLs checked.\n"+
		"Its connection settings, password included (readable by you only): %s\n"+
		"Lesson 19: go run ./runner --config %s --lesson 19\n", secureAddr, rel, rel)
	return nil
}

// masking writes to w with secret replaced by ****: the broker's tools may
// echo the SCRAM credential they were given.
type masking struct {
	w      io.Writer
	secret string
}

func (m masking) Write(p []byte) (int, error) {
	if _, err := io.WriteString(m.w, strings.ReplaceAll(string(p), m.secret, "****")); err != nil {
		return 0, err
	}
	return len(p), nil
}
