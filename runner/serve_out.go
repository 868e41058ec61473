package main

import (
	"strings"
	"sync"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The page's output: the terminal's own printer, coloured, writing into the
// event stream. Each line goes to the cell that is running (cellTarget),
// marked with what it is (say, value, record…), so that the page colours
// it by meaning; a record also carries its facts.

// cellTarget is the cell output goes to now.
type cellTarget struct {
	mu   sync.Mutex
	cell string
}

func (t *cellTarget) set(cell string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cell = cell
}

func (t *cellTarget) get() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cell
}

// cellWriter turns each write of a printer (one call, one write) into an
// output event.
type cellWriter struct {
	hub    *hub
	target *cellTarget
	kind   string
	record *webRecord
}

func (w *cellWriter) Write(b []byte) (int, error) {
	text := strings.TrimSuffix(string(b), "\n")
	w.hub.send(event{Type: "out", Cell: w.target.get(), Kind: w.kind, HTML: ansiHTML(text), Record: w.record})
	return len(b), nil
}

// webPrinter is the lessons' Printer on the page: what the terminal's
// printer would print, one event per call, with its kind.
type webPrinter struct {
	mu  sync.Mutex // one call at a time: the writer's kind is the call's
	out *output.Printer
	w   *cellWriter
	// also sees every call too: a test's recorder.
	also lessons.Printer
}

func newWebPrinter(h *hub, t *cellTarget) *webPrinter {
	w := &cellWriter{hub: h, target: t}
	return &webPrinter{out: output.New(w, true), w: w}
}

func (p *webPrinter) as(kind string, rec *webRecord, print func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.w.kind, p.w.record = kind, rec
	print()
}

func (p *webPrinter) Say(format string, args ...any) {
	p.as("say", nil, func() { p.out.Say(format, args...) })
	if p.also != nil {
		p.also.Say(format, args...)
	}
}

func (p *webPrinter) Value(label string, value any) {
	p.as("value", nil, func() { p.out.Value(label, value) })
	if p.also != nil {
		p.also.Value(label, value)
	}
}

func (p *webPrinter) Event(format string, args ...any) {
	p.as("event", nil, func() { p.out.Event(format, args...) })
	if p.also != nil {
		p.also.Event(format, args...)
	}
}

func (p *webPrinter) Record(r lessons.Record) {
	kind := map[lessons.RecordKind]string{lessons.Delivered: "delivered", lessons.DeliveryFailed: "failed",
		lessons.Received: "received", lessons.Skipped: "skipped"}[r.Kind]
	rec := &webRecord{Kind: kind, Topic: r.Topic, Partition: r.Partition, Offset: r.Offset}
	p.as("record", rec, func() { p.out.Record(r) })
	if p.also != nil {
		p.also.Record(r)
	}
}

func (p *webPrinter) Warn(format string, args ...any) {
	p.as("warn", nil, func() { p.out.Warn(format, args...) })
	if p.also != nil {
		p.also.Warn(format, args...)
	}
}

func (p *webPrinter) Block(text string) {
	p.as("block", nil, func() { p.out.Block(text) })
	if p.also != nil {
		p.also.Block(text)
	}
}
