package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

var errHelp = errors.New("help shown")

// configEnvVar names the environment variable that names a client.properties.
const configEnvVar = "KAFKA_CONFIG"

// topicChars is what Kafka accepts in a topic name.
var topicChars = regexp.MustCompile(`^[A-Za-z0-9._-]*$`)

const usageText = `Usage:
  go run ./runner [flags]            the menu of lessons (unattended without a terminal)
  go run ./runner --lesson 3 --yes   play lesson 3 without prompts (--lesson may repeat: 3,5)
  go run ./runner --all --yes        play every lesson, unattended
  go run ./runner --embedded --nodes 3
                                     the lessons on an emulated three-broker cluster
  go run ./runner --lesson 3 --step 2
                                     start lesson 3 at step 2 (step 1, which it needs, runs quietly)
  go run ./runner --all --yes --pace 5s --notebook run.ipynb
                                     a projector: 5 s between steps, and a notebook of what ran
  go run ./runner list               list the lessons, with your progress
  go run ./runner reset              forget your progress (per --topic-prefix)
  go run ./runner produce            send an order, with its delivery report
  go run ./runner produce --key "Ada Lovelace" --count 3
                                     orders keyed by user: one partition (--balancer hash|murmur2|crc32)
  go run ./runner consume            print new orders from every partition until Ctrl-C
  go run ./runner consume --partition 0 --offset 50
                                     read one partition from one offset, as the original consumer
  go run ./runner consume --group order_tracker
                                     read as a consumer group, committing after each order;
                                     prints this member's partitions at every rebalance
  go run ./runner exercise           Now you: the exercises, with your progress (exercise 8: its goal;
                                     exercise 8 --reset: its starting file back)
  go run ./runner check 8            build and run exercises/08_keys, then check the cluster for its goal
                                     (--watch: again at each save of the file, until it passes)
  go run ./runner hint 8             the next hint (solution 8: the reference solution, once passed)
  go run ./runner docs > LESSONS.md  write the lessons' narration and code as Markdown
  go run ./runner watch              a live picture of the cluster beside the lessons (q quits);
                                     --once, or piped: one snapshot. It never starts a broker:
                                     watch --embedded attaches to the one a walkthrough hosts

Broker: --brokers, else $KAFKA_BOOTSTRAP_SERVERS, else localhost:9092 if a broker
answers there, else an embedded in-memory emulation (franz-go's kfake).
Start the real KRaft broker with: docker compose up -d
A secured cluster (TLS, SASL): --config client.properties (or $KAFKA_CONFIG), the
file a managed Kafka service hands out; --brokers still overrides its servers.

Flags:
`

// command is what the command line asked for.
type command struct {
	name string // "", list, produce, consume, docs, watch

	brokers     string
	config      string // a client.properties file: TLS and SASL settings
	embedded    bool
	nodes       int // brokers of the embedded emulation
	topicPrefix string
	target      target // set once the broker is chosen

	lessons []int
	all     bool
	yes     bool
	step    int // --step: where to start the one --lesson

	noQuiz       bool
	notebook     string // --notebook: write the run as a Jupyter notebook
	transcript   string // --transcript: write the run as Markdown
	pace         time.Duration
	reset        bool // --reset: forget the learner's progress first
	saveProgress bool // keep progress in an unattended run too

	topic     string
	count     int
	key       string // produce: key every order with this user
	balancer  string // produce: a name of lessons.BalancerNames; "": the default
	partition int
	offset    int64
	group     string
	hasOffset bool
	timeout   time.Duration // consume: stop after this long (0: until Ctrl-C)

	exercise string // exercise, check, hint, solution: the exercise's id
	spoil    bool   // solution: show it before a pass
	onSave   bool   // check --watch: check again at each save

	once      bool // watch: one snapshot, then exit
	allTopics bool // watch: every topic and group, not only the prefixed ones
}

// lessonList is --lesson, repeatable and comma-separated.
type lessonList []int

func (l *lessonList) String() string { return fmt.Sprint([]int(*l)) }

func (l *lessonList) Set(s string) error {
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%q is not a lesson number", f)
		}
		if _, ok := lessons.Find(n); !ok {
			return fmt.Errorf("there is no lesson %d (lessons are %s)", n, lessonRange())
		}
		*l = append(*l, n)
	}
	return nil
}

func lessonRange() string {
	all := lessons.All()
	return fmt.Sprintf("%d to %d; see: go run ./runner list", all[0].Number, all[len(all)-1].Number)
}

// fsSet says whether the flag was given on the command line.
func fsSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func parseArgs(args []string, stderr io.Writer) (*command, error) {
	c := &command{partition: -1}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		c.name, args = args[0], args[1:]
	}
	switch c.name {
	case "exercise", "check", "hint", "solution":
		c.exercise, args = exerciseID(args)
	}
	fs := flag.NewFlagSet("runner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.brokers, "brokers", "", "broker addresses, host:port[,host:port...] (default $"+broker.EnvVar+" or "+broker.DefaultAddr+")")
	fs.StringVar(&c.config, "config", "", "client.properties `FILE` with TLS and SASL settings (default $"+configEnvVar+")")
	embeddedHelp := "use the embedded in-memory broker, even if a real one answers"
	if c.name == "watch" {
		embeddedHelp = "watch the embedded broker a running walkthrough hosts on " + broker.DefaultAddr + " (watch never starts one)"
	}
	fs.BoolVar(&c.embedded, "embedded", false, embeddedHelp)
	fs.IntVar(&c.nodes, "nodes", 1, "how many brokers the embedded emulation runs (1 or 3: on 9092, 9094, 9096)")
	fs.StringVar(&c.topicPrefix, "topic-prefix", "", "prefix for topic and group names, so a class can share one broker (e.g. ada-); progress is kept per prefix")
	switch c.name {
	case "":
		fs.Var((*lessonList)(&c.lessons), "lesson", "play lesson `N` (repeat or use commas for several)")
		fs.BoolVar(&c.all, "all", false, "play every lesson")
		fs.BoolVar(&c.yes, "yes", false, "no prompts: play the chosen lessons unattended")
		fs.IntVar(&c.step, "step", 0, "start the --lesson at step `S` (the steps it needs run first, quietly)")
		fs.BoolVar(&c.noQuiz, "no-quiz", false, "leave out the questions at the end of each lesson")
		fs.StringVar(&c.notebook, "notebook", "", "write what is played as a Jupyter notebook, e.g. run.ipynb")
		fs.StringVar(&c.transcript, "transcript", "", "write what is played as Markdown, e.g. run.md")
		fs.DurationVar(&c.pace, "pace", 0, "with --yes: wait this long between steps, with a countdown (e.g. 3s)")
		fs.BoolVar(&c.reset, "reset", false, "forget your progress (lessons done, where you stopped) first")
		fs.BoolVar(&c.saveProgress, "save-progress", false, "keep progress in an unattended run too (a person's run always does)")
	case "produce":
		fs.IntVar(&c.count, "count", 1, "how many orders to send")
		fs.StringVar(&c.topic, "topic", "orders", "topic to send to (orders is created when missing; others must exist)")
		fs.StringVar(&c.key, "key", "", "key every order with `USER` (its user too): one user's orders stay on one partition")
		fs.Func("balancer", "how a record picks its partition: `B` is "+strings.Join(lessons.BalancerNames, ", ")+
			" (default "+lessons.RecommendedBalancer+" with --key, as lesson 8 recommends; round-robin without)", func(s string) error {
			if _, err := lessons.NewBalancer(s); err != nil {
				return err
			}
			c.balancer = s
			return nil
		})
	case "consume":
		fs.StringVar(&c.topic, "topic", "orders", "topic to read (orders is created when missing; others must exist)")
		fs.Func("partition", "read only partition `P` (with --offset)", func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return fmt.Errorf("%q is not a partition number (0, 1, 2...)", s)
			}
			c.partition = n
			return nil
		})
		fs.Func("offset", "start partition --partition at offset `O`", func(s string) error {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("%q is not an offset (0 or more)", s)
			}
			c.offset, c.hasOffset = n, true
			return nil
		})
		fs.StringVar(&c.group, "group", "", "read as consumer group `G`, committing each order after printing it")
		fs.DurationVar(&c.timeout, "for", 0, "stop after this long, e.g. 30s (default: until Ctrl-C)")
	case "watch":
		fs.BoolVar(&c.once, "once", false, "print one snapshot and exit (what a pipe gets)")
		fs.BoolVar(&c.allTopics, "all-topics", false, "show every topic and group but the internal ones, not only those named with --topic-prefix")
	case "exercise":
		fs.BoolVar(&c.reset, "reset", false, "put the exercise's starting file back (yours is kept beside it as main.go.yours)")
	case "solution":
		fs.BoolVar(&c.spoil, "spoil", false, "show the solution before you have passed the check")
	case "check":
		fs.BoolVar(&c.onSave, "watch", false, "check again each time the file is saved, until it passes (h: a hint, q: quit)")
	case "hint":
	case "list", "docs", "reset":
	case "help":
		fs.Usage()
		return nil, errHelp
	default:
		return nil, usagef("unknown command %q (commands: list, reset, produce, consume, docs, watch, exercise, check, hint, solution)", c.name)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case c.name == "check" || c.name == "hint" || c.name == "solution":
		if c.exercise == "" {
			return nil, usagef("%s needs an exercise, e.g. go run ./runner %s 8 (exercises are %s)", c.name, c.name, exercise.IDs())
		}
		fallthrough
	case c.name == "exercise" && c.exercise != "":
		if _, ok := exercise.Find(c.exercise); !ok {
			return nil, usagef("there is no exercise %q (exercises are %s; see: go run ./runner exercise)", c.exercise, exercise.IDs())
		}
	case c.name == "exercise" && c.reset:
		return nil, usagef("--reset needs an exercise: go run ./runner exercise 8 --reset")
	}
	if c.brokers != "" {
		if _, err := broker.ParseAddrs(c.brokers); err != nil {
			return nil, usagef("--brokers: %v", err)
		}
	}
	if c.embedded && c.brokers != "" {
		return nil, usagef("--embedded and --brokers exclude each other")
	}
	if c.nodes != 1 && c.nodes != 3 {
		return nil, usagef("--nodes %d: the embedded emulation runs 1 or 3 brokers", c.nodes)
	}
	if c.nodes != 1 && (c.brokers != "" || c.config != "") {
		return nil, usagef("--nodes is for the embedded emulation: a named cluster has the brokers it has")
	}
	if c.embedded && c.config != "" {
		return nil, usagef("--embedded and --config exclude each other")
	}
	if c.all && len(c.lessons) > 0 {
		return nil, usagef("--all and --lesson exclude each other")
	}
	if c.step != 0 {
		if len(c.lessons) != 1 {
			return nil, usagef("--step goes with one --lesson: --lesson 3 --step 2")
		}
		l, _ := lessons.Find(c.lessons[0])
		if n := len(l.Plan().Steps); c.step < 1 || c.step > n {
			return nil, usagef("--step %d: lesson %d has steps 1 to %d", c.step, l.Number, n)
		}
	}
	if c.pace < 0 {
		return nil, usagef("--pace %v: a wait cannot be negative", c.pace)
	}
	if c.pace > 0 && !c.yes {
		return nil, usagef("--pace paces an unattended run: add --yes")
	}
	if c.notebook != "" && c.notebook == c.transcript {
		return nil, usagef("--notebook and --transcript name the same file")
	}
	if c.name == "produce" && c.count < 1 {
		return nil, usagef("--count must be at least 1")
	}
	if c.name == "produce" && c.key == "" && fsSet(fs, "key") {
		return nil, usagef("--key needs a user, e.g. --key \"Ada Lovelace\"")
	}
	if c.hasOffset != (c.partition >= 0) {
		return nil, usagef("--partition and --offset go together: consume --partition 0 --offset 50")
	}
	if c.group != "" && c.partition >= 0 {
		return nil, usagef("--group and --partition exclude each other: a group's partitions are assigned by the broker")
	}
	if !topicChars.MatchString(c.topicPrefix) {
		return nil, usagef("--topic-prefix %q: Kafka names take only letters, digits, '.', '_' and '-'", c.topicPrefix)
	}
	return c, nil
}
