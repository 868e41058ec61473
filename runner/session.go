package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/cluster"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// run dispatches the command.
func (c *command) run(ctx context.Context, io stdio) error {
	colored := output.ColorWanted() && isTerminal(io.out)
	out := output.New(io.out, colored)
	out.SetCatalog(c.tr)
	if f, ok := io.out.(*os.File); ok && isTerminal(f) {
		out.FitScreen(screenSize(f))
	}
	switch c.name {
	case "list":
		c.list(out)
		return nil
	case "reset":
		return c.forget(out)
	case "docs":
		// LESSONS.md is English whatever the locale: French is asked for.
		tr := c.tr
		if c.lang == "" {
			tr = nil
		}
		md, err := lessonsMarkdown(tr)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(io.out, md)
		return err
	case "source":
		return c.source(out, io.out)
	case "glossary":
		if c.markdown {
			_, err := fmt.Fprint(io.out, glossaryMarkdown())
			return err
		}
		printGlossary(out)
		return nil
	case "watch":
		return c.watch(ctx, io)
	case "class":
		return c.classView(ctx, io)
	case "exercise", "hint", "solution":
		k := c.newCoach(out)
		if c.exercise == "" {
			k.list()
			return nil
		}
		ex, err := c.findExercise()
		if err != nil {
			return err
		}
		switch {
		case c.name == "hint":
			k.hint(ex)
			return nil
		case c.name == "solution":
			return k.solution(ex, c.spoil)
		case c.resetFile:
			return k.reset(ex)
		}
		return k.show(ex)
	}
	var rec *records
	if c.name == "" {
		var err error
		if rec, err = openRecords(c.notebook, c.transcript, out); err != nil {
			return err
		}
	}
	if rec != nil {
		defer rec.close()
	}
	cfg, err := c.loadConfig(out)
	if err != nil {
		return err
	}
	b, err := c.chooseBroker(ctx, out, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	env := lessons.NewEnv(b.Addrs, lessons.Cluster{Brokers: b.Nodes, Embedded: b.Embedded, ConsumerProtocol: b.ConsumerProtocol}, c.topicPrefix, out)
	if cfg != nil {
		env.Transport, env.Dialer, env.Franz = cfg.Transport(), cfg.Dialer(), cfg.FranzOpts()
	}
	// Lesson 19 makes a SCRAM user and logs in as it.
	env.Cluster.ACLs = b.Authorizer && strings.HasPrefix(env.SASLName(), "SCRAM-")
	if c.name != "produce" && c.name != "consume" { // they run no lesson: no Java, no registry
		env.JVM = findJVM(ctx)
		// Streams and Connect connect to the brokers in plaintext; the
		// registry of lesson 22 needs no broker.
		env.Cluster.JVM = env.JVM != nil && !b.Embedded && env.Transport.TLS == nil && env.Transport.SASL == nil
		env.RegistryURL = findRegistry(ctx, cfg, registryProbes...)
		env.Cluster.Registry = env.RegistryURL != "" || (env.JVM != nil && env.JVM.CanStartRegistry())
	}
	defer env.Close()
	interactive := !c.yes && isTerminal(io.in) && isTerminal(io.out)
	env.Nodes = cluster.For(b, cluster.Watch{Brokers: b.Addrs, TLS: env.Transport.TLS, SASL: env.Transport.SASL},
		teller{out: out, interactive: interactive})
	c.target = target{brokers: b.Addrs, cfg: cfg}
	if c.name == "serve" {
		return c.serve(ctx, env, cfg, out)
	}
	var link *classLink // --class: progress is also published
	if (c.name == "" || c.name == "check") && !c.editedRun {
		if link, err = c.openClass(b.Addrs, cfg, int(env.Replicas()), out); err != nil {
			return err
		}
		defer link.close() // before the broker closes: the last state goes out
	}
	if c.topic != "" {
		env.Topic = env.Name(c.topic)
	}
	switch c.name {
	case "produce":
		return c.produce(ctx, env)
	case "consume":
		return c.consume(ctx, env, b)
	case "check":
		ex, err := c.findExercise()
		if err != nil {
			return err
		}
		k := c.newCoach(out)
		if k.progress != nil {
			k.progress.class = link
		}
		if k.config, err = configPath(cfg); err != nil {
			return err
		}
		if c.onSave {
			return k.checkOnSave(ctx, env, ex, io.in)
		}
		return k.check(ctx, env, ex)
	}
	if c.noAsides {
		out.HideAsides()
	}
	s := &session{env: env, out: out, prompt: unattended{out: out, wait: c.pace, in: io.in}, book: noJournal{}, quizzes: !c.noQuiz,
		target: c.target, only: c.editedRun}
	if interactive {
		s.prompt = newSurveyPrompter(ctx, io, out, colored)
	} else if !c.yes {
		out.Plain("No terminal on stdin or stdout: running unattended, without prompts.")
	}
	if c.reset || s.prompt.Interactive() || c.saveProgress || link != nil {
		s.progress = openProgress(c.topicPrefix, out)
		if s.progress != nil {
			s.progress.connect = c.connectionFlags()
		}
	}
	if c.reset && s.progress != nil {
		if err := s.progress.forget(); err != nil {
			return err
		}
		out.Aside("Progress of %s forgotten.", learnerName(out.Catalog(), c.topicPrefix))
		if n, err := forgetEdits(c.topicPrefix); err != nil {
			return err
		} else if n > 0 {
			out.Aside("Edited steps forgotten: %d.", n)
		}
	}
	if !s.prompt.Interactive() && !c.saveProgress && link == nil {
		s.progress = nil // unattended: nothing is written unless asked (--class asks)
	}
	if s.progress != nil {
		s.progress.class = link
	}
	if s.prompt.Interactive() {
		s.stdio = io
		s.coach = &coach{prefix: c.topicPrefix, out: out, progress: s.progress, menu: true}
		if s.coach.config, err = configPath(cfg); err != nil {
			return err
		}
		s.editor, s.editWhy = newStepEditor(c.topicPrefix, b.Addrs, s.coach.config)
		if s.editor != nil {
			s.editor.lang = c.tr.Tag().String()
		}
	}
	if rec != nil {
		s.book = rec.book
		if cfg != nil {
			rec.book.Redact = cfg.Redact // the password never reaches the file
		}
		rec.book.Note(brokerNote(out.Catalog(), b))
	}
	err = s.walk(ctx, c.queue(s.prompt.Interactive()), false)
	if rec != nil {
		if werr := rec.write(out); err == nil {
			err = werr
		}
	}
	return err
}

// queue is where the command line said to play: --lesson (from --step),
// --all, or every lesson when nobody is there to choose.
func (c *command) queue(interactive bool) []place {
	var q []place
	if len(c.lessons) > 0 {
		for _, n := range c.lessons {
			q = append(q, place{Lesson: n})
		}
		q[0].Step = c.step
		return q
	}
	if c.all || !interactive {
		for _, l := range lessons.All() {
			q = append(q, place{Lesson: l.Number})
		}
	}
	return q
}

// list prints the lessons, with the learner's progress when there is any.
func (c *command) list(out *output.Printer) {
	t := openProgress(c.topicPrefix, out)
	cols, _ := out.Size()
	for _, l := range localized(out.Catalog()) {
		// Continuation lines line up under the title, ✓ or not.
		head := fmt.Sprintf("%s%d  ", t.mark(l.Number), l.Number)
		out.Plain("%s", output.Hang(head, l.Title+" — "+l.Goal+t.quiz(l.Number)+t.exercises(out.Catalog(), l.Number), cols))
	}
	passed := 0
	for _, ex := range exercise.All() {
		if t.passed(ex.ID) {
			passed++
		}
	}
	out.Plain("\nExercises passed: %d of %d (go run ./runner exercise)", passed, len(exercise.All()))
	if t != nil && t.store != nil {
		out.Plain("Progress of %s, in %s.", learnerName(out.Catalog(), c.topicPrefix), t.store.Path())
	}
	if tr := out.Catalog(); tr != nil {
		missing, total := missingTexts(tr)
		out.Plain("Texts of the lessons without a translation (shown in English): %d of %d.", missing, total)
	}
	if at, ok := t.resume(); ok {
		flags := ""
		if c.topicPrefix != "" {
			flags = " --topic-prefix " + c.topicPrefix
		}
		out.Plain("\nStopped in lesson %d at step %d. Resume from the menu, or: go run ./runner --lesson %d --step %d%s",
			at.Lesson, at.Step, at.Lesson, at.Step, flags)
	}
}

// forget is the reset command: the learner's progress leaves the file.
func (c *command) forget(out *output.Printer) error {
	t := openProgress(c.topicPrefix, out)
	if t == nil {
		return nil
	}
	if err := t.forget(); err != nil {
		return err
	}
	out.Plain("Progress of %s forgotten (%s).", learnerName(out.Catalog(), c.topicPrefix), t.store.Path())
	n, err := forgetEdits(c.topicPrefix)
	if n > 0 {
		out.Plain("Edited steps forgotten: %d.", n)
	}
	return err
}

// screenSize reports the terminal's size, 80×24 when it cannot tell.
func screenSize(f *os.File) func() (int, int) {
	return func() (int, int) {
		cols, rows, err := term.GetSize(int(f.Fd()))
		if err != nil || cols <= 0 || rows <= 0 {
			return 80, 24
		}
		return cols, rows
	}
}

// brokerNote says, in the notebook, which broker the run used.
func brokerNote(tr *i18n.Catalog, b *broker.Broker) string {
	what := tr.T("a Kafka broker")
	if b.Embedded {
		what = tr.T("the embedded emulation of Kafka (franz-go's kfake), not Apache Kafka")
	}
	return tr.F("Broker: `%s`, %s.", strings.Join(b.Addrs, ","), what)
}

// loadConfig reads --config (or $KAFKA_CONFIG), if any: a file that does not
// exist or does not parse is a usage error (exit 2) that names the line.
func (c *command) loadConfig(out *output.Printer) (*clientconfig.Config, error) {
	path, from := c.config, "--config"
	if path == "" && !c.embedded {
		path, from = os.Getenv(configEnvVar), "$"+configEnvVar
	}
	if path == "" {
		return nil, nil
	}
	cfg, err := clientconfig.Load(path)
	if err != nil {
		return nil, usagef("%s: %v", from, err)
	}
	if w := cfg.Warning(); w != "" {
		out.Warn("%s", w)
	}
	return cfg, nil
}

// chooseBroker applies the broker rule and announces an emulation loudly. A
// client config names the brokers (unless --brokers does) and is checked
// first, so a wrong password or certificate is explained within seconds.
func (c *command) chooseBroker(ctx context.Context, out *output.Printer, cfg *clientconfig.Config) (*broker.Broker, error) {
	named, from := c.brokers, "--brokers"
	if named == "" && !c.embedded {
		named, from = os.Getenv(broker.EnvVar), "$"+broker.EnvVar
	}
	if named == "" && cfg != nil {
		named, from = strings.Join(cfg.Bootstrap, ","), cfg.Path
	}
	if named != "" {
		if _, err := broker.ParseAddrs(named); err != nil {
			return nil, usagef("%s: %v", from, err)
		}
	}
	// produce only writes and exits: an embedded broker of its own would
	// end with it, and the orders with it. It writes to a broker that stays.
	keeps := c.name == "produce"
	if keeps && c.embedded {
		return nil, usagef("produce --embedded would host a broker that ends when produce does, and the order with it.\n" +
			noBrokerForProduce)
	}
	opts := broker.Options{Brokers: named, Embedded: c.embedded, Nodes: c.nodes, Default: defaultBroker, NeverHost: keeps && named == ""}
	if cfg != nil {
		addrs, _ := broker.ParseAddrs(named)
		cfg.Bootstrap = addrs
		if err := cfg.Check(ctx); err != nil {
			var fileErr *clientconfig.FileError
			if errors.As(err, &fileErr) {
				return nil, usagef("%v", err)
			}
			return nil, clientconfig.Explain(err, cfg)
		}
		opts.Transport = cfg.Transport
	}
	b, err := broker.Choose(ctx, opts)
	if errors.Is(err, broker.ErrUnreachable) && opts.NeverHost {
		return nil, fmt.Errorf("%v\n\nproduce sends to a broker that keeps the order; it does not start one of its own.\n"+
			noBrokerForProduce, err)
	}
	if errors.Is(err, broker.ErrUnreachable) {
		return nil, fmt.Errorf("%v\n\nNothing answers there as a Kafka broker. Either:\n"+
			"  • start the real KRaft broker:  docker compose up -d   (it listens on localhost:9092), or\n"+
			"  • run without --brokers (and without $%s) to use the embedded broker", err, broker.EnvVar)
	}
	if err != nil {
		return nil, err
	}
	tr := out.Catalog()
	switch {
	case c.editedRun: // the parent said which broker
	case b.Embedded && b.Hosted && b.Nodes > 1:
		out.Banner(
			tr.F("EMBEDDED CLUSTER of %d brokers: an in-memory EMULATION of Kafka (franz-go's kfake).", b.Nodes),
			tr.F("It listens on %s while this program runs.", strings.Join(b.Addrs, ",")),
			"It keeps ONE copy of the data, whatever the replication factor, and gives a stopped",
			"broker's partitions to a random other broker: real replication, in-sync replicas and",
			"min.insync.replicas exist only on Apache Kafka. For a real three-broker cluster:",
			"  docker compose -f docker-compose.cluster.yml up -d   (or: go run ./cmd/kafka-native up --nodes 3)",
		)
	case b.Embedded && b.Hosted:
		why := tr.F("No Kafka broker answers at %s.", broker.DefaultAddr)
		if c.embedded {
			why = tr.T("--embedded asked for it.")
		}
		out.Banner(
			"EMBEDDED BROKER: an in-memory EMULATION of Kafka (franz-go's kfake), not Apache Kafka.",
			why+" "+tr.F("It listens on %s while this program runs.", strings.Join(b.Addrs, ",")),
			"For the real KRaft broker:  docker compose up -d   then run this again.",
		)
	case b.Embedded:
		out.Banner(
			tr.F("EMBEDDED BROKER at %s: the in-memory EMULATION of Kafka (franz-go's kfake)", strings.Join(b.Addrs, ",")),
			"that another run of this program hosts; it goes away when that program ends.",
			"For the real KRaft broker:  docker compose up -d",
		)
	case cfg != nil:
		out.Plain("Kafka: %s", cfg.Describe())
	default:
		out.Plain("Kafka broker: %s", strings.Join(b.Addrs, ","))
	}
	return b, nil
}

// defaultBroker is where to look for a broker when none is named
// (broker.DefaultAddr; tests point it at a closed port).
var defaultBroker = broker.DefaultAddr

// noBrokerForProduce says what to start before produce.
const noBrokerForProduce = "Start a broker first, then run produce again:\n" +
	"  • in another terminal:  go run ./runner consume   (it hosts the embedded broker and prints what arrives), or\n" +
	"  • the real KRaft broker:  docker compose up -d"

// target is the Kafka this run talks to: its addresses and, for a secured
// cluster, its client config.
type target struct {
	brokers []string
	cfg     *clientconfig.Config
}

// explain adds to a failure what to do about it. A secured cluster's own
// failures (a login refused, a topic not allowed) come first; the password
// never appears.
func (t target) explain(err error) error {
	if t.cfg != nil {
		var known *clientconfig.Error
		if err = clientconfig.Explain(err, t.cfg); errors.As(err, &known) {
			return err
		}
	}
	return explain(err, t.brokers)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// explain adds to a failure what to do about it.
func explain(err error, brokers []string) error {
	addr := strings.Join(brokers, ",")
	var opErr *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF),
		errors.Is(err, lessons.ErrBrokerGone), errors.As(err, &opErr):
		return withHint(err, "The broker at %s stopped answering. Start it again (docker compose up -d, or run\n"+
			"without --brokers for the embedded broker), then run this again.", addr)
	case errors.Is(err, context.DeadlineExceeded):
		return withHint(err, "Kafka did not answer in time: is the broker at %s still up?", addr)
	}
	return err
}

// teller is how the cluster handle asks the learner to stop or start a
// broker it cannot stop itself.
type teller struct {
	out         *output.Printer
	interactive bool
}

func (t teller) Interactive() bool { return t.interactive }

func (t teller) Tell(format string, args ...any) { t.out.Loud(format, args...) }

// connectionFlags are the flags that chose the broker, as the learner gave
// them ("" for the default: $KAFKA_BOOTSTRAP_SERVERS, else localhost:9092,
// else the embedded broker), for a command line printed to run again.
func (c *command) connectionFlags() string {
	var f string
	switch {
	case c.embedded:
		f = " --embedded"
		if c.nodes > 1 {
			f += fmt.Sprintf(" --nodes %d", c.nodes)
		}
	case c.brokers != "":
		f = " --brokers " + c.brokers
	}
	if c.config != "" {
		f += " --config " + shellWord(c.config)
	}
	if c.lang != "" { // the language the flag chose; the locale's carries over by itself
		f += " --lang " + shellWord(c.lang)
	}
	return f
}

// shellWord quotes s for a shell (POSIX, PowerShell and cmd all take
// double quotes) when it holds a space or a quote.
func shellWord(s string) string {
	if !strings.ContainsAny(s, " \t'\"") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// findJVM returns what runs the Java programs of lessons 20 to 22, or nil
// without a JDK or Maven. Their jars are kept in kafka-native's work
// folder, else the user's cache.
func findJVM(ctx context.Context) *native.JVM {
	dir, err := native.WorkDir()
	if err != nil {
		cache, cacheErr := os.UserCacheDir()
		if cacheErr != nil {
			return nil
		}
		dir = filepath.Join(cache, "kafka-go-lessons")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	jvm, err := native.FindJVM(ctx, dir)
	if err != nil {
		return nil
	}
	return jvm
}

// registryProbes are where a registry on this machine answers: the
// compose files' (Confluent's, port 8081 on 127.0.0.1), then kafka-native
// up --registry's (Apicurio, the same port, its path for Confluent's API).
var registryProbes = []string{"http://127.0.0.1:8081", native.RegistryURL}

// findRegistry returns the schema registry lesson 22 uses: the --config
// file's schema.registry.url, else the first of probes that answers as a
// registry does (GET /subjects: a JSON list), else "" (the lesson then
// starts one). The probes take a second at most.
func findRegistry(ctx context.Context, cfg *clientconfig.Config, probes ...string) string {
	if cfg != nil && cfg.Registry != nil {
		return cfg.Registry.String()
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for _, probe := range probes {
		if answersAsRegistry(ctx, probe) {
			return probe
		}
	}
	return ""
}

// answersAsRegistry says whether GET base/subjects answers a JSON list.
func answersAsRegistry(ctx context.Context, base string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/subjects", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var subjects []string
	return resp.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&subjects) == nil
}
