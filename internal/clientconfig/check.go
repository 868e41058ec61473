package clientconfig

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// CheckTimeout bounds Check however the broker behaves: DialTimeout for the
// connection as configured, then up to probeTimeout to find out what the
// port speaks, within the 5 s a learner should wait for a clear failure.
const CheckTimeout = 4500 * time.Millisecond

// probeTimeout bounds each look at what a port speaks: on a local network or
// across an ocean a broker answers a TLS hello or an ApiVersions in far less.
const probeTimeout = time.Second

// Check connects to the bootstrap brokers as every client will (TLS, SASL)
// and asks for the cluster's metadata. It returns nil when one broker
// answers, else the first broker's failure explained. It takes at most
// CheckTimeout. Where kafka-go's error is ambiguous (the broker closed the
// connection, or did not answer), Check opens one more connection to see
// whether the port speaks TLS, so it can say which setting is wrong.
//
// Run it before the lessons: a Reader retries a failing connection quietly
// until its context ends, and this is how a failure shows within 5 s.
func (c *Config) Check(ctx context.Context) error {
	if c == nil || len(c.Bootstrap) == 0 {
		path := ""
		if c != nil {
			path = c.Path
		}
		return &FileError{Path: path, Key: keyBootstrap, Msg: "is not set: add bootstrap.servers=host:port (or pass --brokers)"}
	}
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	// All brokers at once: the first to answer ends the check, and a dead
	// one does not make the others wait.
	errs := make([]error, len(c.Bootstrap))
	ok := make(chan struct{}, len(c.Bootstrap))
	var wg sync.WaitGroup
	for i, addr := range c.Bootstrap {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = c.checkAddr(ctx, addr); errs[i] == nil {
				ok <- struct{}{}
			}
		}()
	}
	go func() { wg.Wait(); close(ok) }()
	if _, answered := <-ok; answered {
		cancel() // stop the others
		return nil
	}
	if ctx.Err() == context.Canceled {
		return ctx.Err() // the caller stopped
	}
	return errs[0]
}

// stage says how far a connection got, which tells an EOF's reasons apart.
type stage int

const (
	stageConnect  stage = iota // TCP, TLS handshake, SASL
	stageVersions              // the first request: ApiVersions
	stageMetadata              // a request the broker serves only after a login
)

func (c *Config) checkAddr(ctx context.Context, addr string) error {
	st, err := c.try(ctx, addr)
	if err == nil {
		return nil
	}
	if ctx.Err() == context.Canceled {
		return ctx.Err()
	}
	k := classify(err)
	if k != Closed && k != Timeout {
		return explain(err, c, addr)
	}
	// Ambiguous: look at what the port speaks.
	speaksTLS, known := probeTLS(ctx, addr)
	switch {
	case known && speaksTLS && !c.UsesTLS():
		k = ExpectsTLS
	case known && !speaksTLS && c.UsesTLS():
		k = NotTLS
	case known && !c.UsesSASL() && st == stageMetadata:
		k = ExpectsSASL
	default:
		return explain(err, c, addr)
	}
	return &Error{Kind: k, Msg: message(k, err, c, addr), Err: err, pass: c.secretText()}
}

// try connects with the configured Dialer and sends ApiVersions, then
// Metadata, returning how far it got. The connection is closed when ctx
// ends, which also ends the SASL exchange, for which kafka-go sets no
// deadline of its own.
func (c *Config) try(ctx context.Context, addr string) (stage, error) {
	var mu sync.Mutex
	var raw net.Conn
	d := c.Dialer()
	d.DialFunc = func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, address)
		mu.Lock()
		raw = conn
		mu.Unlock()
		return conn, err
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if raw != nil {
			raw.Close()
		}
	})
	defer stop()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return stageConnect, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	if _, err := conn.ApiVersions(); err != nil {
		return stageVersions, err
	}
	if _, err := conn.Brokers(); err != nil {
		return stageMetadata, err
	}
	return stageMetadata, nil
}

// probeTLS says whether addr answers a TLS hello with a TLS server hello
// (speaksTLS) or answers Kafka's ApiVersions in plaintext (!speaksTLS);
// known is false when it can tell neither. It verifies no certificate: it
// only asks what the port speaks, and sends nothing secret.
func probeTLS(ctx context.Context, addr string) (speaksTLS, known bool) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var wg sync.WaitGroup
	var tlsErr, plainErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // only asks whether the port speaks TLS
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
		}
		tlsErr = err
	}()
	go func() {
		defer wg.Done()
		conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", addr)
		if err == nil {
			if dl, ok := ctx.Deadline(); ok {
				conn.SetDeadline(dl)
			}
			_, err = conn.ApiVersions()
			conn.Close()
		}
		plainErr = err
	}()
	wg.Wait()
	// A broker that wants a client certificate may end the handshake with
	// an alert: that is TLS too. crypto/tls reports a received alert as a
	// net.OpError "remote error" around an unexported type.
	var op *net.OpError
	tlsOK := tlsErr == nil || errors.As(tlsErr, &op) && op.Op == "remote error"

	switch {
	case tlsOK && plainErr != nil:
		return true, true
	case plainErr == nil && !tlsOK:
		return false, true
	}
	return false, false
}
