package main

import (
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// rider turns an outage into status lines: one when Kafka stops answering,
// one every 10 s while it does not, one when it answers again. A teacher
// restarting the broker must not kill every learner's consumer; it must
// say what is going on.
type rider struct {
	out     lessons.Printer
	outage  *lessons.Outage
	brokers string
	down    time.Time // when the current outage was announced; zero: none
	said    time.Time
}

func newRider(out lessons.Printer, outage *lessons.Outage, brokers []string) *rider {
	return &rider{out: out, outage: outage, brokers: strings.Join(brokers, ",")}
}

// check prints what changed since the last check.
func (r *rider) check() {
	since, last := r.outage.State()
	now := time.Now()
	switch {
	case !since.IsZero() && r.down.IsZero():
		r.down, r.said = since, now
		r.out.Warn("Kafka at %s does not answer (%s). Still trying; Ctrl-C to stop.", r.brokers, clip(last, 100))
	case !since.IsZero() && now.Sub(r.said) >= 10*time.Second:
		r.said = now
		r.out.Warn("Kafka at %s has not answered for %v. Still trying; Ctrl-C to stop.", r.brokers, now.Sub(r.down).Round(time.Second))
	case since.IsZero() && !r.down.IsZero():
		r.out.Event("Kafka at %s answers again after %v: going on.", r.brokers, now.Sub(r.down).Round(time.Second))
		r.down = time.Time{}
	}
}

// every calls f every d until the returned stop is called.
func every(d time.Duration, f func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				f()
			}
		}
	}()
	return func() { close(done); <-finished }
}
