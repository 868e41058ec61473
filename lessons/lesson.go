// Package lessons holds the Kafka lessons of the walkthrough. A lesson is one
// file, NN_name.go: its number, title, goal, summary and an ordered list of
// steps. A step is a small function whose doc comment is the narration the
// runner shows and whose body is the code the runner shows and then runs.
// Lessons know nothing about terminals: they report through a Printer.
//
// How to add a lesson: CONTRIBUTING.md.
package lessons

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// Printer is how a lesson reports what happened. The runner decides how it
// looks: coloured on a terminal, plain in a pipe, recorded in a test.
type Printer interface {
	// Say prints a line of commentary.
	Say(format string, args ...any)
	// Value prints a value the step got from Kafka, under a short label.
	Value(label string, value any)
	// Event prints something Kafka did that is not a record.
	Event(format string, args ...any)
	// Record reports a record: a delivery report, an order received, a
	// record skipped.
	Record(r Record)
	// Warn prints something that went wrong but that the step survives.
	Warn(format string, args ...any)
	// Block prints preformatted text: drawings, hex dumps, config files.
	Block(text string)
}

// Cluster is what the brokers behind Env.Brokers are.
type Cluster struct {
	Brokers  int  // how many brokers the cluster's metadata lists
	Embedded bool // the in-process emulation (franz-go's kfake), not Apache Kafka
	// ConsumerProtocol says the brokers speak the consumer group protocol
	// of KIP-848 (ConsumerGroupHeartbeat v1: Apache Kafka 4.0 and later).
	ConsumerProtocol bool
	// ACLs says the brokers check ACLs (they have an authorizer), and the
	// run logs in with SASL/SCRAM as a user who may manage ACLs and users.
	ACLs bool
	// JVM says Java programs can run next to the brokers (Env.JVM): a JDK
	// is installed, and the brokers are reached without TLS or SASL.
	JVM bool
	// Registry says lesson 22 has a schema registry: one answers at
	// Env.RegistryURL, or Env.JVM can start one (it needs no broker).
	Registry bool
}

// Env is everything a lesson needs, passed as one value.
type Env struct {
	Brokers []string // bootstrap addresses, host:port
	Cluster Cluster
	Prefix  string // prepended to topic and group names, so a class can share a broker
	Topic   string // "orders", with Prefix
	Out     Printer
	// Transport carries the connections of Writers and Clients, Dialer
	// those of Readers: one place for connection settings.
	Transport *kafka.Transport
	Dialer    *kafka.Dialer
	// Nodes stops and starts brokers, for the lessons about failures.
	Nodes NodeControl
	// Franz is the same connection settings for a franz-go client (TLS,
	// SASL), for what kafka-go cannot do (transactions).
	Franz []kgo.Opt
	// JVM starts the Java programs of lessons 20 to 22; nil without a
	// JDK. Those that connect to the brokers run only where Cluster.JVM.
	JVM *native.JVM
	// RegistryURL is a schema registry already running (its Confluent
	// API's base URL), or "": lesson 22 then starts one with JVM.
	RegistryURL string
}

// NewEnv returns the environment for the brokers of cluster, with names
// carrying prefix.
func NewEnv(brokers []string, cluster Cluster, prefix string, out Printer) *Env {
	return &Env{
		Brokers: brokers, Cluster: cluster, Prefix: prefix, Topic: prefix + "orders", Out: out,
		Transport: &kafka.Transport{DialTimeout: 5 * time.Second},
		Dialer:    &kafka.Dialer{Timeout: 5 * time.Second, DualStack: true},
	}
}

// FranzClient returns a franz-go client for the brokers, with the run's
// connection settings and opts.
func (e *Env) FranzClient(opts ...kgo.Opt) (*kgo.Client, error) {
	all := append([]kgo.Opt{kgo.SeedBrokers(e.Brokers...)}, e.Franz...)
	return kgo.NewClient(append(all, opts...)...)
}

// FranzTransactSession returns a franz-go GroupTransactSession (a group
// consumer and a transactional producer in one client) for the brokers,
// with the run's connection settings and opts.
func (e *Env) FranzTransactSession(opts ...kgo.Opt) (*kgo.GroupTransactSession, error) {
	all := append([]kgo.Opt{kgo.SeedBrokers(e.Brokers...)}, e.Franz...)
	return kgo.NewGroupTransactSession(append(all, opts...)...)
}

// NewTransport returns a transport of its own with the run's connection
// settings (TLS, SASL). It reads the cluster's metadata when first used,
// where a shared one re-reads it only every MetadataTTL (6 s by default):
// after a broker stops, it knows the new leaders at once.
func (e *Env) NewTransport() *kafka.Transport {
	return &kafka.Transport{TLS: e.Transport.TLS, SASL: e.Transport.SASL, DialTimeout: 2 * time.Second}
}

// Name returns a topic or group name with the learner's prefix.
func (e *Env) Name(s string) string { return e.Prefix + s }

// adminTimeout bounds every admin request that has no deadline of its own.
const adminTimeout = 10 * time.Second

// Client returns a kafka-go admin client for the brokers, bounded in time.
func (e *Env) Client() *kafka.Client {
	return &kafka.Client{Addr: kafka.TCP(e.Brokers...), Timeout: adminTimeout, Transport: e.Transport}
}

// Close releases the connections the env's transport keeps open.
func (e *Env) Close() {
	if e.Transport != nil {
		e.Transport.CloseIdleConnections()
	}
}

// Replicas is how many copies of a partition this cluster can keep: three
// (the usual production choice) or as many brokers as there are.
func (e *Env) Replicas() int16 { return int16(min(3, max(1, e.Cluster.Brokers))) }

// Requirement is what a lesson or a step needs of the cluster.
type Requirement struct {
	Brokers          int  // at least this many brokers
	RealKafka        bool // Apache Kafka, not the emulation
	ConsumerProtocol bool // KIP-848's consumer group protocol (Kafka 4.0+)
	ACLs             bool // an authorizer, and a SCRAM login that may manage it
	JVM              bool // Java programs next to the brokers (Kafka Streams)
	Registry         bool // a schema registry, running or started by the lesson
}

// Unmet says why c does not meet r, or "" when it does.
func (r Requirement) Unmet(c Cluster) string { return r.UnmetIn(nil, c) }

// UnmetIn is Unmet in the catalogue's language.
func (r Requirement) UnmetIn(tr *i18n.Catalog, c Cluster) string {
	switch {
	case r.RealKafka && c.Embedded:
		return tr.T("it needs Apache Kafka, and this is the embedded emulation")
	case c.Brokers < r.Brokers:
		return tr.F("it needs %d brokers, and this cluster has %d", r.Brokers, c.Brokers)
	case r.ConsumerProtocol && !c.ConsumerProtocol:
		return tr.T("it needs the consumer group protocol of KIP-848 (Apache Kafka 4.0 or later), and this broker does not offer it")
	case r.ACLs && !c.ACLs:
		return tr.T("it needs brokers that check ACLs, reached over SASL/SCRAM as a user who may manage ACLs and users (docs/secured-cluster.md starts one)")
	case r.JVM && !c.JVM:
		return tr.T("it runs a Java program next to the broker, and needs a JDK (Java 11 or later, with its compiler) and Maven on this machine, and a broker reached without TLS or SASL")
	case r.Registry && !c.Registry:
		return tr.T("it needs a schema registry: none answers at localhost:8081, and starting one takes a JDK (Java 11 or later, with its compiler) and Maven on this machine")
	}
	return ""
}

// Lesson is one numbered lesson. Its number is its file's prefix and its
// place in All().
type Lesson struct {
	Number  int
	Title   string
	Goal    string
	Summary []string
	// DeeperSummary is what the steps marked Deeper taught: said after the
	// Summary when they ran, left out when the learner skipped them.
	DeeperSummary []string
	Requires      Requirement
	// Quiz checks that the lesson's ideas landed, at its end.
	Quiz []Question
	// Plan returns the steps with fresh state, so a lesson can run again.
	Plan func() Plan
}

// Question is a check of understanding with one right answer.
type Question struct {
	Ask     string
	Choices []string
	Answer  int    // index of the right choice
	Why     string // why it is right: shown after a wrong answer, and unattended
	Step    int    // the step (from 1) that shows it, to run again; 0: none
}

// Plan is one run of a lesson.
type Plan struct {
	// Setup prepares what the lesson assumes (its topic), quietly, before
	// the first step. It is not a step: it teaches nothing new.
	Setup func(ctx context.Context, env *Env) error
	Steps []Step
	// Cleanup releases what the steps left open, however the run ends (a
	// writer left open by a step that failed or was never reached, say).
	Cleanup func()
}

// Step is one cell of a lesson: a title and the function that runs.
type Step struct {
	Title string
	Run   func(ctx context.Context, env *Env) error
	// Needs lists the earlier steps (numbered from 1) whose results this
	// step uses: the runner runs them first when they were skipped.
	Needs []int
	// Requires is what the cluster must be for this step to mean anything.
	Requires Requirement
	// Reset undoes an earlier run of this step before it runs again (it
	// closes the writer that run made, say). The runner calls it.
	Reset func()
	// Ends lists the earlier steps whose results this step uses up (it
	// closes the writer step 1 made): a later step that needs them gets
	// them made again.
	Ends []int
	// NoEdit says why the step cannot be edited and run again in a program
	// of its own, which runs the steps it needs again ("": it can). A step
	// that stops a broker would stop a second one.
	NoEdit string
	// Deeper marks a step a beginner may leave for later: it looks under
	// the hood of what the steps before it did. The runner marks it
	// "(deeper)" and offers to skip the lesson's deeper steps; unattended
	// runs run it as any other.
	Deeper bool
	// deeperMark is DeeperMark in the lesson's language (Localize).
	deeperMark string
}

// DeeperMark is what the runner and LESSONS.md add to a deeper step's title.
const DeeperMark = " (deeper)"

// Heading is the step's title as the learner sees it: with DeeperMark when
// the step is deeper.
func (s Step) Heading() string {
	if s.Deeper {
		if s.deeperMark != "" {
			return s.Title + s.deeperMark
		}
		return s.Title + DeeperMark
	}
	return s.Title
}

// All returns the lessons in order: the one registry.
func All() []Lesson {
	return []Lesson{
		brokerLesson(), topicLesson(), serializationLesson(), produceLesson(),
		assignLesson(), pollLoopLesson(), closeLesson(), poisonPillLesson(),
		keysLesson(), groupsLesson(), guaranteesLesson(), replicationLesson(),
		retentionLesson(), schemasLesson(), throughputLesson(), pipelineLesson(), timeLesson(), rebalancingLesson(), defaultsLesson(), aclsLesson(), streamsLesson(), connectLesson(), registryLesson(),
	}
}

// Find returns the lesson with number n. It looks at the numbers, not at
// the places in All(), so that it finds the right lesson even while the
// registry has a gap (TestOneRegistry then fails and says where).
func Find(n int) (Lesson, bool) {
	for _, l := range All() {
		if l.Number == n {
			return l, true
		}
	}
	return Lesson{}, false
}

// FuncName returns the name of the step's function as the source spells it:
// "listBrokers" or "(*producer).send".
func (s Step) FuncName() string { return funcName(s.Run) }

func funcName(f any) string {
	full := runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
	full = strings.TrimSuffix(full, "-fm") // method values
	if i := strings.LastIndex(full, "/"); i >= 0 {
		full = full[i+1:]
	}
	_, name, _ := strings.Cut(full, ".") // drop the package name
	return name
}

// topicReady is the Setup of the lessons that use the orders topic.
func topicReady(ctx context.Context, env *Env) error {
	return EnsureTopic(ctx, env, env.OrdersTopic())
}
