package testkit

import (
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Kind is what a lesson called on its Printer.
type Kind string

const (
	KindSay    Kind = "say"
	KindValue  Kind = "value"
	KindEvent  Kind = "event"
	KindRecord Kind = "record"
	KindWarn   Kind = "warn"
	KindBlock  Kind = "block"
)

// Entry is one thing a lesson reported.
type Entry struct {
	Kind   Kind
	Label  string         // KindValue: the label
	Value  any            // KindValue: the value, with its Go type
	Record lessons.Record // KindRecord
	Text   string         // the words, as formatted
}

// Recorder is a lessons.Printer that keeps what a lesson reported as facts,
// so tests check partitions, offsets and counts rather than sentences. It
// also prints plain text, for a failing test's log.
type Recorder struct {
	text Buffer
	out  *output.Printer

	mu      sync.Mutex
	entries []Entry
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder {
	r := &Recorder{}
	r.out = output.New(&r.text, false)
	return r
}

func (r *Recorder) add(e Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, e)
}

func (r *Recorder) Say(format string, args ...any) {
	r.add(Entry{Kind: KindSay, Text: fmt.Sprintf(format, args...)})
	r.out.Say(format, args...)
}

func (r *Recorder) Value(label string, value any) {
	r.add(Entry{Kind: KindValue, Label: label, Value: value, Text: fmt.Sprint(value)})
	r.out.Value(label, value)
}

func (r *Recorder) Event(format string, args ...any) {
	r.add(Entry{Kind: KindEvent, Text: fmt.Sprintf(format, args...)})
	r.out.Event(format, args...)
}

func (r *Recorder) Record(rec lessons.Record) {
	r.add(Entry{Kind: KindRecord, Record: rec, Text: rec.String()})
	r.out.Record(rec)
}

func (r *Recorder) Warn(format string, args ...any) {
	r.add(Entry{Kind: KindWarn, Text: fmt.Sprintf(format, args...)})
	r.out.Warn(format, args...)
}

func (r *Recorder) Block(text string) {
	r.add(Entry{Kind: KindBlock, Text: text})
	r.out.Block(text)
}

// Entries returns a copy of everything recorded, in order.
func (r *Recorder) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...)
}

// Records returns the records of the given kinds, in the order reported.
func (r *Recorder) Records(kinds ...lessons.RecordKind) []lessons.Record {
	var out []lessons.Record
	for _, e := range r.Entries() {
		if e.Kind != KindRecord {
			continue
		}
		for _, k := range kinds {
			if e.Record.Kind == k {
				out = append(out, e.Record)
			}
		}
	}
	return out
}

// Values returns every value reported under label, in order.
func (r *Recorder) Values(label string) []any {
	var out []any
	for _, e := range r.Entries() {
		if e.Kind == KindValue && e.Label == label {
			out = append(out, e.Value)
		}
	}
	return out
}

// ValuesWithPrefix returns label → value for every label that starts with
// prefix (the last value wins).
func (r *Recorder) ValuesWithPrefix(prefix string) map[string]any {
	out := map[string]any{}
	for _, e := range r.Entries() {
		if e.Kind == KindValue && strings.HasPrefix(e.Label, prefix) {
			out[e.Label] = e.Value
		}
	}
	return out
}

// Texts returns the text of every entry of kind.
func (r *Recorder) Texts(kind Kind) []string {
	var out []string
	for _, e := range r.Entries() {
		if e.Kind == kind {
			out = append(out, e.Text)
		}
	}
	return out
}

// String is everything printed, as plain text.
func (r *Recorder) String() string { return r.text.String() }

// Prefix returns a topic prefix no other test uses: "name-1a2b3c4d-".
func Prefix(name string) string { return name + "-" + uuid.NewString()[:8] + "-" }
