package lessons

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync/atomic"

	"github.com/segmentio/kafka-go"
	produceAPI "github.com/segmentio/kafka-go/protocol/produce"
	"github.com/twmb/franz-go/pkg/kgo"
)

// LostResponse is lesson 10's broken network, for one client: the broker
// receives a produce request, stores its records and answers, and the
// answer never reaches the producer. Only the first answer to a produce
// request is lost; everything else goes through.
type LostResponse struct {
	armed atomic.Bool // a produce request has been picked
	lost  atomic.Bool // and its response dropped
}

// Happened says whether the response was lost.
func (l *LostResponse) Happened() bool { return l.lost.Load() }

// Transport wraps a kafka-go transport. The first produce request it
// carries reaches the broker; its response is thrown away and the caller
// gets io.ErrUnexpectedEOF, what kafka-go reports when a connection breaks
// in the middle of a response (and an error its Writer retries).
func (l *LostResponse) Transport(rt kafka.RoundTripper) kafka.RoundTripper {
	return &losingTransport{RoundTripper: rt, l: l}
}

type losingTransport struct {
	kafka.RoundTripper
	l *LostResponse
}

func (t *losingTransport) RoundTrip(ctx context.Context, addr net.Addr, req kafka.Request) (kafka.Response, error) {
	resp, err := t.RoundTripper.RoundTrip(ctx, addr, req)
	if _, produce := req.(*produceAPI.Request); produce && err == nil && t.l.armed.CompareAndSwap(false, true) {
		t.l.lost.Store(true)
		return nil, io.ErrUnexpectedEOF
	}
	return resp, err
}

// FranzOpts returns the options that give a franz-go client the same
// broken network, with the env's TLS. franz-go has no transport to wrap,
// so its connections are wrapped instead: the broker's response to the
// first produce request written on them is read and dropped, and the
// connection is closed.
func (l *LostResponse) FranzOpts(env *Env) []kgo.Opt {
	var config *tls.Config
	if env.Transport != nil {
		config = env.Transport.TLS
	}
	dial := func(ctx context.Context, network, host string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, host)
		if err != nil {
			return nil, err
		}
		if config != nil {
			c := config.Clone()
			if c.ServerName == "" {
				c.ServerName, _, _ = net.SplitHostPort(host)
			}
			tc := tls.Client(conn, c)
			if err := tc.HandshakeContext(ctx); err != nil {
				conn.Close()
				return nil, fmt.Errorf("TLS handshake with %s: %w", host, err)
			}
			conn = tc
		}
		return &losingConn{Conn: conn, l: l}, nil
	}
	// The dialer does TLS itself: a DialTLSConfig among the env's options
	// would conflict with it.
	return []kgo.Opt{kgo.DialTLSConfig(nil), kgo.Dialer(dial)}
}

// losingConn follows the Kafka requests written on it (each one: a 4-byte
// size, then the API key, its version and a correlation id) and drops the
// response that carries the correlation id of the produce request it
// picked.
type losingConn struct {
	net.Conn
	l       *LostResponse // shared by a client's connections: one loss in all
	victim  atomic.Int64  // 1 + the correlation id whose response is lost; 0: none
	header  []byte        // Write's: the first 12 bytes of the request being written
	skip    int           // Write's: what remains of that request after them
	pending []byte        // Read's: a response not yet handed to the client
}

func (c *losingConn) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		if c.skip > 0 {
			n := min(c.skip, len(rest))
			c.skip, rest = c.skip-n, rest[n:]
			continue
		}
		n := min(12-len(c.header), len(rest))
		c.header, rest = append(c.header, rest[:n]...), rest[n:]
		if len(c.header) < 12 {
			continue
		}
		size := int(binary.BigEndian.Uint32(c.header))
		const produceKey = 0
		if binary.BigEndian.Uint16(c.header[4:]) == produceKey && c.l.armed.CompareAndSwap(false, true) {
			c.victim.Store(1 + int64(int32(binary.BigEndian.Uint32(c.header[8:]))))
		}
		c.skip, c.header = size-8, c.header[:0]
	}
	return c.Conn.Write(p)
}

func (c *losingConn) Read(p []byte) (int, error) {
	if len(c.pending) == 0 {
		var size [4]byte
		if _, err := io.ReadFull(c.Conn, size[:]); err != nil {
			return 0, err
		}
		frame := make([]byte, 4+binary.BigEndian.Uint32(size[:]))
		copy(frame, size[:])
		if _, err := io.ReadFull(c.Conn, frame[4:]); err != nil {
			return 0, err
		}
		if v := c.victim.Load(); v != 0 && len(frame) >= 8 && 1+int64(int32(binary.BigEndian.Uint32(frame[4:]))) == v {
			c.victim.Store(0)
			c.l.lost.Store(true)
			c.Conn.Close()
			return 0, io.ErrUnexpectedEOF
		}
		c.pending = frame
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}
