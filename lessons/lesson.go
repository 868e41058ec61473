// Package lessons holds the Kafka lessons of the walkthrough. A lesson is one
// file: its number, title, goal, summary and an ordered list of steps. A step
// is a small function whose doc comment is the narration the runner shows and
// whose body is the code the runner shows and then runs. Lessons know nothing
// about terminals: they report through a Printer.
package lessons

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

// Printer is how a lesson reports what happened. The runner decides how it
// looks: coloured on a terminal, plain in a pipe.
type Printer interface {
	// Say prints a line of commentary.
	Say(format string, args ...any)
	// Value prints a value the step got from Kafka, under a short label.
	Value(label string, value any)
	// Event prints something Kafka did: a delivery, a received order.
	Event(format string, args ...any)
	// Warn prints something that went wrong but that the step survives.
	Warn(format string, args ...any)
	// Block prints preformatted text: drawings, hex dumps, config files.
	Block(text string)
}

// Env is everything a lesson needs, passed as one value.
type Env struct {
	Brokers  []string // bootstrap addresses, host:port
	Embedded bool     // the broker is the in-process emulation, not Apache Kafka
	Prefix   string   // prepended to topic and group names, so a class can share a broker
	Topic    string   // "orders", with Prefix
	Out      Printer
}

// NewEnv returns the environment for brokers, with names carrying prefix.
func NewEnv(brokers []string, embedded bool, prefix string, out Printer) *Env {
	return &Env{Brokers: brokers, Embedded: embedded, Prefix: prefix, Topic: prefix + "orders", Out: out}
}

// Name returns a topic or group name with the learner's prefix.
func (e *Env) Name(s string) string { return e.Prefix + s }

// Client returns a kafka-go admin client for the brokers. Its timeout bounds
// every request that has no deadline of its own.
func (e *Env) Client() *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(e.Brokers...), Timeout: 10 * time.Second}
}

// Lesson is one numbered lesson.
type Lesson struct {
	Number  int
	Title   string
	Goal    string
	Summary []string
	// Plan returns the steps with fresh state, so a lesson can run again.
	Plan func() Plan
}

// Plan is one run of a lesson: its steps, and what to release when the run
// ends however it ends (a writer left open by a step that failed, say).
type Plan struct {
	Steps   []Step
	Cleanup func()
}

// Step is one cell of a lesson: a title and the function that runs.
type Step struct {
	Title string
	Run   func(ctx context.Context, env *Env) error
}

// All returns the lessons in order.
func All() []Lesson {
	return []Lesson{
		Broker(), Topic(), Serialization(), Produce(), Assign(), PollLoop(), Close(), PoisonPills(),
	}
}

// Find returns the lesson with number n.
func Find(n int) (Lesson, bool) {
	for _, l := range All() {
		if l.Number == n {
			return l, true
		}
	}
	return Lesson{}, false
}

// FuncName returns the name of the step's function as the source spells it:
// "createTopic" or "(*produceLesson).deliver".
func (s Step) FuncName() string {
	full := runtime.FuncForPC(reflect.ValueOf(s.Run).Pointer()).Name()
	full = strings.TrimSuffix(full, "-fm") // method values
	if i := strings.LastIndex(full, "/"); i >= 0 {
		full = full[i+1:]
	}
	_, name, _ := strings.Cut(full, ".") // drop the package name
	return name
}
