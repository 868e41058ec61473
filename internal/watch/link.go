package watch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	"github.com/segmentio/kafka-go/protocol/apiversions"
	"github.com/segmentio/kafka-go/protocol/listoffsets"
	metadataAPI "github.com/segmentio/kafka-go/protocol/metadata"
	"github.com/segmentio/kafka-go/protocol/saslauthenticate"
	"github.com/segmentio/kafka-go/protocol/saslhandshake"
	"github.com/segmentio/kafka-go/sasl"
)

// link is one connection of the watch to one broker address, kept open
// between polls. Through it the watch checks that the broker answers, asks
// for fresh Metadata, and asks each partition's leader, as that Metadata
// names it, for the partition's offsets. kafka-go's Client cannot do that:
// its transport serves Metadata from a cache (and keeps serving the last
// one it had when the cluster stops answering), and routes ListOffsets by
// that cache, to a leader that may have changed.
//
// A link speaks kafka-go's own protocol package, the way kafka-go's
// transport does: ApiVersions first, then each request at the highest
// version both sides know.
type link struct {
	addr string
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	tls  *tls.Config
	sasl sasl.Mechanism
	conn *protocol.Conn // nil until dialled, and after a failure
}

// roundTrip sends one request and waits for its answer, for at most
// timeout. A failed link is closed, and dialled again on its next use.
func (l *link) roundTrip(ctx context.Context, timeout time.Duration, req protocol.Message) (protocol.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if l.conn == nil {
		if err := l.connect(ctx); err != nil {
			return nil, err
		}
	}
	pc := l.conn
	deadline, _ := ctx.Deadline()
	pc.SetDeadline(deadline)
	// A cancelled context (Ctrl-C) interrupts the read at once.
	stop := context.AfterFunc(ctx, func() { pc.SetDeadline(time.Now()) })
	resp, err := pc.RoundTrip(req)
	stop()
	if err != nil {
		l.close()
		return nil, fmt.Errorf("%s: %w", l.addr, err)
	}
	return resp, nil
}

func (l *link) connect(ctx context.Context) error {
	nc, err := l.dial(ctx, "tcp", l.addr)
	if err != nil {
		return fmt.Errorf("%s: %w", l.addr, err)
	}
	if l.tls != nil {
		cfg := l.tls.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(l.addr)
		}
		nc = tls.Client(nc, cfg)
	}
	pc := protocol.NewConn(nc, clientID)
	deadline, _ := ctx.Deadline()
	pc.SetDeadline(deadline)
	r, err := pc.RoundTrip(new(apiversions.Request))
	if err != nil {
		pc.Close()
		return fmt.Errorf("%s: api versions: %w", l.addr, err)
	}
	res := r.(*apiversions.Response)
	if res.ErrorCode != 0 {
		pc.Close()
		return fmt.Errorf("%s: api versions: %w", l.addr, kafka.Error(res.ErrorCode))
	}
	versions := map[protocol.ApiKey]int16{}
	for _, k := range res.ApiKeys {
		switch key := protocol.ApiKey(k.ApiKey); key {
		case protocol.ApiVersions, protocol.Metadata, protocol.ListOffsets, protocol.SaslHandshake, protocol.SaslAuthenticate:
			versions[key] = key.SelectVersion(k.MinVersion, k.MaxVersion)
		}
	}
	if _, ok := versions[protocol.Metadata]; !ok {
		pc.Close()
		return fmt.Errorf("%s does not speak Kafka's Metadata API", l.addr)
	}
	pc.SetVersions(versions)
	if l.sasl != nil {
		if err := l.authenticate(ctx, pc); err != nil {
			pc.Close()
			return fmt.Errorf("%s: SASL %s: %w", l.addr, l.sasl.Name(), err)
		}
	}
	l.conn = pc
	return nil
}

// authenticate runs the SASL exchange, as kafka-go's transport does.
func (l *link) authenticate(ctx context.Context, pc *protocol.Conn) error {
	host, port, _ := net.SplitHostPort(l.addr)
	n, _ := strconv.Atoi(port)
	ctx = sasl.WithMetadata(ctx, &sasl.Metadata{Host: host, Port: n})
	r, err := pc.RoundTrip(&saslhandshake.Request{Mechanism: l.sasl.Name()})
	if err != nil {
		return err
	}
	if code := r.(*saslhandshake.Response).ErrorCode; code != 0 {
		return kafka.Error(code)
	}
	session, state, err := l.sasl.Start(ctx)
	if err != nil {
		return err
	}
	for done := false; !done; {
		r, err := pc.RoundTrip(&saslauthenticate.Request{AuthBytes: state})
		if errors.Is(err, io.EOF) {
			return kafka.SASLAuthenticationFailed // a broker may say no by hanging up
		}
		if err != nil {
			return err
		}
		res := r.(*saslauthenticate.Response)
		if res.ErrorCode != 0 {
			return fmt.Errorf("%w: %s", kafka.Error(res.ErrorCode), res.ErrorMessage)
		}
		if done, state, err = session.Next(ctx, res.AuthBytes); err != nil {
			return err
		}
	}
	return nil
}

// ping asks the broker for its API versions: the lightest request there is.
func (l *link) ping(ctx context.Context, timeout time.Duration) error {
	r, err := l.roundTrip(ctx, timeout, new(apiversions.Request))
	if err != nil {
		return err
	}
	if code := r.(*apiversions.Response).ErrorCode; code != 0 {
		return fmt.Errorf("%s: %w", l.addr, kafka.Error(code))
	}
	return nil
}

// metadata asks for the brokers and every topic.
func (l *link) metadata(ctx context.Context, timeout time.Duration) (*metadataAPI.Response, error) {
	r, err := l.roundTrip(ctx, timeout, &metadataAPI.Request{TopicNames: nil}) // nil: every topic
	if err != nil {
		return nil, err
	}
	return r.(*metadataAPI.Response), nil
}

// offsetAnswer is a partition's offset, or why there is none.
type offsetAnswer struct {
	offset int64
	err    error
}

// Timestamps that ListOffsets understands as "the first offset" and "the
// high watermark".
const (
	earliest = -2
	latest   = -1
)

// listOffsets asks the broker, the leader of the partitions, for their
// first offsets (at earliest) or their high watermarks (at latest).
func (l *link) listOffsets(ctx context.Context, timeout time.Duration, parts map[string][]int32, at int64) (map[string]map[int32]offsetAnswer, error) {
	req := &listoffsets.Request{ReplicaID: -1}
	for topic, ps := range parts {
		rt := listoffsets.RequestTopic{Topic: topic}
		for _, p := range ps {
			rt.Partitions = append(rt.Partitions, listoffsets.RequestPartition{Partition: p, CurrentLeaderEpoch: -1, Timestamp: at})
		}
		req.Topics = append(req.Topics, rt)
	}
	r, err := l.roundTrip(ctx, timeout, req)
	if err != nil {
		return nil, err
	}
	out := map[string]map[int32]offsetAnswer{}
	for _, t := range r.(*listoffsets.Response).Topics {
		out[t.Topic] = map[int32]offsetAnswer{}
		for _, p := range t.Partitions {
			a := offsetAnswer{offset: p.Offset}
			if p.ErrorCode != 0 {
				a.err = kafka.Error(p.ErrorCode)
			}
			out[t.Topic][p.Partition] = a
		}
	}
	return out, nil
}

func (l *link) close() {
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
}
