package lessons

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// Outage notes when reaching Kafka started to fail and notices when it
// answers again, so a long-running consumer or producer can ride through a
// broker that restarts and say so in one status line. It is safe for
// concurrent use; Fail is a kafka.LoggerFunc for a Reader's ErrorLogger.
type Outage struct {
	env *Env

	mu    sync.Mutex
	since time.Time // zero: all is well
	last  string
}

// NewOutage returns a tracker that, while failing, checks every second
// whether the cluster answers again (until ctx ends).
func NewOutage(ctx context.Context, env *Env) *Outage {
	o := &Outage{env: env}
	go o.probe(ctx)
	return o
}

// Fail records a failure to reach Kafka.
func (o *Outage) Fail(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		o.since = time.Now()
	}
	o.last = fmt.Sprintf(format, args...)
}

// Clear records that Kafka answered.
func (o *Outage) Clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.since, o.last = time.Time{}, ""
}

// State returns since when Kafka has not answered (zero when it does) and
// the last failure.
func (o *Outage) State() (time.Time, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.since, o.last
}

// probe asks for the cluster's metadata every second while failing: a
// reader that has nothing to read says nothing when the broker is back.
func (o *Outage) probe(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if since, _ := o.State(); since.IsZero() {
			continue
		}
		tr := &kafka.Transport{TLS: o.env.Transport.TLS, SASL: o.env.Transport.SASL, DialTimeout: time.Second}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		client := &kafka.Client{Addr: kafka.TCP(o.env.Brokers...), Transport: tr}
		_, err := client.Metadata(pctx, &kafka.MetadataRequest{Topics: []string{o.env.Topic}})
		cancel()
		tr.CloseIdleConnections()
		if err == nil {
			o.Clear()
		}
	}
}
