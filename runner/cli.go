package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The command line: the walkthrough (no command) and one command per file
// (cmd_*.go), each with its own flags and --help, parsed by cobra, which
// also gives shell completion (go run ./runner completion bash). Parsing
// only records and checks what was asked; command.run does it.

// errHelp says the command line asked for help (or a completion script),
// which was printed: exit 0.
var errHelp = errors.New("help shown")

// configEnvVar names the environment variable that names a client.properties.
const configEnvVar = "KAFKA_CONFIG"

// topicChars is what Kafka accepts in a topic name.
var topicChars = regexp.MustCompile(`^[A-Za-z0-9._-]*$`)

// command is what the command line asked for.
type command struct {
	name   string        // "": the walkthrough; else the command (list, produce...)
	parsed bool          // a command was parsed (not help or a completion script)
	lang   string        // --lang: en or fr; "" the environment's
	tr     *i18n.Catalog // the language chosen; nil: English

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
	noAsides     bool
	notebook     string // --notebook: write the run as a Jupyter notebook
	transcript   string // --transcript: write the run as Markdown
	pace         time.Duration
	reset        bool // --reset: forget the learner's progress first
	saveProgress bool // keep progress in an unattended run too
	editedRun    bool // --edited-run (hidden): the child that runs an edited step

	topic     string
	count     int
	key       string // produce: key every order with this user
	balancer  string // produce: a name of lessons.BalancerNames; "": the default
	partition int
	offset    int64
	group     string
	hasOffset bool
	timeout   time.Duration // consume: stop after this long (0: until Ctrl-C)

	exercise  string // exercise, check, hint, solution: the exercise's id
	resetFile bool   // exercise --reset: its starting file back
	spoil     bool   // solution: show it before a pass
	onSave    bool   // check --watch: check again at each save

	helper string // source: the helper whose code to print

	class   string // --class: publish progress to this class (the class command: its view)
	learner string // --name: the learner's name in the class
	csv     string // class --csv: write the table here

	once      bool // watch: one snapshot, then exit
	allTopics bool // watch: every topic and group, not only the prefixed ones

	markdown bool // glossary: as Markdown, for docs/GLOSSARY.md

	port   int    // serve: the port on 127.0.0.1
	listen string // serve: an address beyond loopback instead
}

// lessonList is --lesson, repeatable and comma-separated.
type lessonList []int

func (l *lessonList) String() string {
	if len(*l) == 0 {
		return "" // no default to show in --help
	}
	return fmt.Sprint([]int(*l))
}

func (l *lessonList) Type() string { return "N" }

func (l *lessonList) Set(s string) error {
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%q is not a lesson number", f)
		}
		if _, ok := lessons.Find(n); !ok {
			all := lessons.All()
			return fmt.Errorf("there is no lesson %d (lessons are %d to %d; see: go run ./runner list)", n, all[0].Number, all[len(all)-1].Number)
		}
		*l = append(*l, n)
	}
	return nil
}

// brokerHelp is what every command that talks to Kafka says about finding it.
const brokerHelp = `Broker: --brokers, else $KAFKA_BOOTSTRAP_SERVERS, else localhost:9092 if a broker
answers there, else an embedded in-memory emulation (franz-go's kfake).
Start the real KRaft broker with: docker compose up -d
A secured cluster (TLS, SASL): --config client.properties (or $KAFKA_CONFIG), the
file a managed Kafka service hands out; --brokers still overrides its servers.`

// usageTemplate is cobra's, with the command as a learner types it.
const usageTemplate = `Usage:{{if .Runnable}}
  go run ./{{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  go run ./{{.CommandPath}} COMMAND [flags]{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsagesWrapped helpWidth | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

More about a command: go run ./{{.CommandPath}} COMMAND --help{{end}}
`

// parseArgs reads the command line into a command, or returns errHelp
// once help was printed on out, or a usageError.
func parseArgs(args []string, out, errOut io.Writer) (*command, error) {
	c := &command{partition: -1}
	root := rootCommand(c)
	root.AddCommand(listCommand(c), resetCommand(c), produceCommand(c), consumeCommand(c), docsCommand(c),
		sourceCommand(c), glossaryCommand(c), watchCommand(c), classCommand(c), exerciseCommand(c), checkCommand(c),
		hintCommand(c), solutionCommand(c), serveCommand(c))
	root.SetOut(out) // before the completion command, which keeps it
	root.SetErr(errOut)
	root.SetHelpCommand(helpCommand(root))
	root.InitDefaultCompletionCmd()
	for _, sub := range root.Commands() {
		if sub.Name() == "completion" {
			sub.Args = func(_ *cobra.Command, args []string) error { // a usage error, not its help
				if len(args) > 0 {
					return usagef("no completion for %q (shells: bash, zsh, fish, powershell)", args[0])
				}
				return nil
			}
			sub.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
		}
	}
	root.PersistentFlags().StringVar(&c.lang, "lang", "", "the language to speak: `en` or fr (default: $KAFKA_LESSONS_LANG, else the locale's, from LC_ALL, LC_MESSAGES or LANG)")
	root.SetArgs(args)
	root.SilenceErrors, root.SilenceUsage = true, true
	root.SuggestionsMinimumDistance = 2
	root.SetUsageTemplate(usageTemplate)
	// The help speaks the language asked for; an unknown one is refused
	// below, once cobra has parsed the flags.
	tr := langOf(args) // read once: the help, then the run, speak it
	helpIn(root, tr)
	fitHelp(root, out, terminalCols(out))
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{msg: err.Error(), command: cmd.CommandPath()}
	})
	cmd, err := root.ExecuteC()
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			if u.command == "" {
				u.command = cmd.CommandPath()
			}
			return nil, u
		}
		// cobra's own: an unknown command, a missing argument.
		return nil, usageError{msg: err.Error(), command: cmd.CommandPath()}
	}
	if !c.parsed {
		return nil, errHelp // help, or a completion script, was printed
	}
	tag, err := i18n.Choose(c.lang, os.Getenv)
	if err != nil {
		return nil, usageError{msg: err.Error(), command: cmd.CommandPath()}
	}
	if tag != tr.Tag() { // not the --lang langOf read: cobra parsed another
		if tr, err = i18n.Load(tag); err != nil {
			return nil, err
		}
	}
	c.tr = tr
	return c, nil
}

// rootCommand is the walkthrough itself: the menu, or lessons played.
func rootCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runner",
		Short: "Learn Apache Kafka hands-on, in Go: numbered lessons that run real kafka-go code on a broker",
		Long: `The walkthrough: a menu of numbered Kafka lessons that run real kafka-go code, step by
step, against a broker (unattended without a terminal), then exercises to solve.

` + brokerHelp,
		Example: `  go run ./runner                    the menu of lessons
  go run ./runner --lesson 3 --yes   play lesson 3 without prompts (--lesson may repeat: 3,5)
  go run ./runner --all --yes        play every lesson, unattended
  go run ./runner --embedded --nodes 3
                                     the lessons on an emulated three-broker cluster
  go run ./runner --lesson 3 --step 2
                                     start lesson 3 at step 2 (step 1, which it needs, runs quietly)
  go run ./runner --all --yes --pace 5s --notebook run.ipynb
                                     a projector: 5 s between steps, and a notebook of what ran
  go run ./runner consume --partition 0 --offset 50
                                     read one partition from one offset, as lesson 4 does
  go run ./runner check 8            build and run exercises/08_keys, then check the cluster for its goal`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c.parsed = true
			if err := c.checkBrokerFlags(); err != nil {
				return err
			}
			if _, err := c.className(); err != nil {
				return err
			}
			return c.checkWalk()
		},
	}
	fs := cmd.Flags()
	c.brokerFlags(fs, "use the embedded in-memory broker, even if a real one answers")
	fs.Var((*lessonList)(&c.lessons), "lesson", "play lesson `N` (repeat or use commas for several)")
	fs.BoolVar(&c.all, "all", false, "play every lesson")
	fs.BoolVar(&c.yes, "yes", false, "no prompts: play the chosen lessons unattended")
	fs.IntVar(&c.step, "step", 0, "start the --lesson at step `S` (the steps it needs run first, quietly)")
	fs.BoolVar(&c.noQuiz, "no-quiz", false, "leave out the questions at the end of each lesson")
	fs.BoolVar(&c.noAsides, "no-asides", false, "leave out the asides for readers of the Python client (\"If you know the Python client: …\")")
	fs.StringVar(&c.notebook, "notebook", "", "write what is played as a Jupyter notebook, e.g. run.ipynb")
	fs.StringVar(&c.transcript, "transcript", "", "write what is played as Markdown, e.g. run.md")
	fs.DurationVar(&c.pace, "pace", 0, "with --yes: wait this long between steps, with a countdown (e.g. 3s)")
	fs.BoolVar(&c.reset, "reset", false, "forget your progress (lessons done, where you stopped) first")
	fs.BoolVar(&c.saveProgress, "save-progress", false, "keep progress in an unattended run too (a person's run always does)")
	c.classFlags(fs)
	// The runner built with a learner's edit runs with it: only the --step,
	// its output alone (no banner, heading or cell: the parent shows those).
	fs.BoolVar(&c.editedRun, "edited-run", false, "run the --step only, printing its output alone (an edited step's run)")
	fs.MarkHidden("edited-run")
	cmd.RegisterFlagCompletionFunc("lesson", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, l := range lessons.All() {
			out = append(out, fmt.Sprintf("%d\t%s", l.Number, l.Title))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// checkWalk checks the walkthrough's flags together.
func (c *command) checkWalk() error {
	if c.all && len(c.lessons) > 0 {
		return usagef("--all and --lesson exclude each other")
	}
	if c.step != 0 {
		if len(c.lessons) != 1 {
			return usagef("--step goes with one --lesson: --lesson 3 --step 2")
		}
		l, _ := lessons.Find(c.lessons[0])
		if n := len(l.Plan().Steps); c.step < 1 || c.step > n {
			return usagef("--step %d: lesson %d has steps 1 to %d", c.step, l.Number, n)
		}
	}
	if c.editedRun && (c.step == 0 || !c.yes) {
		return usagef("--edited-run runs one --step with --yes")
	}
	if c.pace < 0 {
		return usagef("--pace %v: a wait cannot be negative", c.pace)
	}
	if c.pace > 0 && !c.yes {
		return usagef("--pace paces an unattended run: add --yes")
	}
	if c.notebook != "" && c.notebook == c.transcript {
		return usagef("--notebook and --transcript name the same file")
	}
	return nil
}

// brokerFlags adds the flags that say where Kafka is and whose names to
// use.
func (c *command) brokerFlags(fs *pflag.FlagSet, embeddedHelp string) {
	fs.StringVar(&c.brokers, "brokers", "", "broker `ADDRESSES`, host:port[,host:port...] (default $"+broker.EnvVar+" or "+broker.DefaultAddr+")")
	fs.StringVar(&c.config, "config", "", "client.properties `FILE` with TLS and SASL settings (default $"+configEnvVar+")")
	fs.BoolVar(&c.embedded, "embedded", false, embeddedHelp)
	fs.IntVar(&c.nodes, "nodes", 1, "how many brokers the embedded emulation runs (1 or 3: on 9092, 9094, 9096)")
	c.prefixFlag(fs)
}

// prefixFlag adds --topic-prefix: whose topics, groups and progress.
func (c *command) prefixFlag(fs *pflag.FlagSet) {
	fs.StringVar(&c.topicPrefix, "topic-prefix", "", "`PREFIX` for topic and group names, so a class can share one broker (e.g. ada-); progress is kept per prefix")
}

// checkBrokerFlags checks the flags brokerFlags adds.
func (c *command) checkBrokerFlags() error {
	if c.brokers != "" {
		if _, err := broker.ParseAddrs(c.brokers); err != nil {
			return usagef("--brokers: %v", err)
		}
	}
	if c.embedded && c.brokers != "" {
		return usagef("--embedded and --brokers exclude each other")
	}
	if c.nodes != 1 && c.nodes != 3 {
		return usagef("--nodes %d: the embedded emulation runs 1 or 3 brokers", c.nodes)
	}
	if c.nodes != 1 && (c.brokers != "" || c.config != "") {
		return usagef("--nodes is for the embedded emulation: a named cluster has the brokers it has")
	}
	if c.embedded && c.config != "" {
		return usagef("--embedded and --config exclude each other")
	}
	return c.checkPrefix()
}

func (c *command) checkPrefix() error {
	if !topicChars.MatchString(c.topicPrefix) {
		return usagef("--topic-prefix %q: Kafka names take only letters, digits, '.', '_' and '-'", c.topicPrefix)
	}
	return nil
}

// noArgs refuses arguments, saying which.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if !cmd.HasParent() && cmd.HasSubCommands() {
		if near := cmd.SuggestionsFor(args[0]); len(near) > 0 {
			return usagef("unknown command %q: did you mean %s?", args[0], strings.Join(near, " or "))
		}
		return usagef("unknown command %q (commands: %s)", args[0], commandNames(cmd))
	}
	return usagef("unexpected argument %q", args[0])
}

// commandNames lists the commands a learner can type.
func commandNames(root *cobra.Command) string {
	var names []string
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return strings.Join(names, ", ")
}

// simple makes a command that takes no arguments and, once parsed, is
// named so for command.run.
func (c *command) simple(name, short string, check func() error) *cobra.Command {
	return &cobra.Command{
		Use: name, Short: short, Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			c.name, c.parsed = name, true
			if check != nil {
				return check()
			}
			return nil
		},
	}
}

// helpCommand is "help [command]": the command's help, and a usage error
// (exit 2) for a command that does not exist, where cobra's own would
// print the runner's help and exit 0.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "help about a command",
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usagef("no help for %q: it is not a command (commands: %s)", strings.Join(args, " "), commandNames(root))
			}
			return cmd.Help()
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, c := range root.Commands() {
				if c.IsAvailableCommand() {
					names = append(names, c.Name()+"\t"+c.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
}
