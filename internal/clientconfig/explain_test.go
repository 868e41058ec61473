package clientconfig

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

func TestExplainPassesWhatItDoesNotKnow(t *testing.T) {
	c := config(t, "localhost:9092", "security.protocol=SASL_SSL", "sasl.mechanism=PLAIN", "sasl.username=alice", "sasl.password="+secretPW)
	if Explain(nil, c) != nil {
		t.Error("Explain(nil) is not nil")
	}
	other := errors.New("something else")
	if Explain(other, c) != other {
		t.Error("an unknown error was changed")
	}
	if err := Explain(context.Canceled, c); err != context.Canceled {
		t.Errorf("Ctrl-C became %v", err)
	}
	explained := Explain(kafka.SASLAuthenticationFailed, c)
	if again := Explain(fmt.Errorf("lesson 3: %w", explained), c); !errors.Is(again, explained) {
		t.Errorf("an explained error was explained again: %v", again)
	}
	leaky := fmt.Errorf("server said: bad password %s", secretPW)
	err := Explain(leaky, c)
	if strings.Contains(err.Error(), secretPW) || !errors.Is(err, leaky) {
		t.Errorf("an unknown error holding the password: %v", err)
	}
	wrapped := Explain(fmt.Errorf("%w: %s", kafka.SASLAuthenticationFailed, secretPW), c)
	if strings.Contains(wrapped.Error(), secretPW) {
		t.Errorf("an explained error shows the password: %v", wrapped)
	}
}

// Failures kfake cannot produce, explained from kafka-go's own values.
func TestExplainKafkaErrors(t *testing.T) {
	c := config(t, "pkc-1:9092", "security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512", "sasl.username=alice", "sasl.password="+secretPW)
	for _, tc := range []struct {
		err  error
		kind Kind
		says string
	}{
		{kafka.WriteErrors{nil, kafka.TopicAuthorizationFailed}, TopicNotAuthorized, "--topic-prefix"},
		{fmt.Errorf("joining: %w", kafka.GroupAuthorizationFailed), GroupNotAuthorized, "READ on the lessons' groups"},
		{kafka.ClusterAuthorizationFailed, ClusterNotAuthorized, "cluster-wide"},
		// A SASL handshake to a Kafka listener without SASL.
		{fmt.Errorf("SASL handshake failed: %w", kafka.IllegalSASLState), NotSASL, "does not expect SASL on this port"},
		{&net.DNSError{Name: "pkc-1", Err: "no such host", IsNotFound: true}, Unreachable, `"pkc-1" does not resolve`},
		{fmt.Errorf("failed to dial: %w", context.DeadlineExceeded), Timeout, "did not answer in time"},
	} {
		err := Explain(tc.err, c)
		var e *Error
		if !errors.As(err, &e) || e.Kind != tc.kind || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%v: got %v (%v), want %v saying %q", tc.err, err, kindOf(err), tc.kind, tc.says)
		}
		if !errors.Is(err, tc.err) && !errors.As(err, new(kafka.WriteErrors)) {
			t.Errorf("%v: the explained error does not wrap kafka-go's", tc.err)
		}
	}
	// Without a config: a plaintext client.
	if err := Explain(kafka.TopicAuthorizationFailed, nil); kindOf(err) != TopicNotAuthorized || !strings.Contains(err.Error(), "this client may not") {
		t.Errorf("nil config: %v", err)
	}
	if s := fmt.Sprint(HostMismatch, Kind(99)); s != "host name mismatch Kind(99)" {
		t.Errorf("kind names: %s", s)
	}
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

func TestCheckAnyBootstrapBroker(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	alive := startBroker(t)
	c := config(t, dead+","+alive)
	if err := c.Check(context.Background()); err != nil {
		t.Errorf("one broker answers, yet: %v", err)
	}
	c = config(t, dead)
	if err := c.Check(context.Background()); kindOf(err) != Unreachable {
		t.Errorf("dead broker: %v", err)
	}
	c, _ = parse(t, "security.protocol=PLAINTEXT")
	var fe *FileError
	if err := c.Check(context.Background()); !errors.As(err, &fe) || fe.Key != keyBootstrap {
		t.Errorf("no bootstrap.servers: %v", err)
	}
}

// Ctrl-C during a check: it stops at once and says so.
func TestCheckStopsWhenCancelled(t *testing.T) {
	plainAddr := startBroker(t)
	c := config(t, plainAddr, "security.protocol=SSL") // waits for a TLS answer that never comes
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	err := c.Check(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v after the cancel", took)
	}
}
