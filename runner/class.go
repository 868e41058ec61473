package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/class"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
)

// A class: learners opt in with --class NAME and their runner publishes
// what it records in the progress file to NAME.progress; the class command
// is the teacher's view of that topic. See internal/class.

// classEnv names the class when --class does not.
const classEnv = "KAFKA_LESSONS_CLASS"

// classFlags adds --class and --name, for the commands that record
// progress: the walkthrough and check.
func (c *command) classFlags(fs *pflag.FlagSet) {
	fs.StringVar(&c.class, "class", "", "also publish your progress to the class `NAME` (topic NAME.progress) for the teacher's view (default $"+classEnv+")")
	fs.StringVar(&c.learner, "name", "", "your `NAME` in the class (default: --topic-prefix, else your user name; with SASL: your SASL user)")
}

// className is --class, else $KAFKA_LESSONS_CLASS, checked.
func (c *command) className() (string, error) {
	name, from := c.class, "--class"
	if name == "" {
		name, from = os.Getenv(classEnv), "$"+classEnv
	}
	if name == "" {
		return "", nil
	}
	// A topic name: at most 249 characters, of Kafka's alphabet.
	if !topicChars.MatchString(name) || len(class.Topic(name)) > 249 || name == "." || name == ".." {
		return "", usagef("%s %q: a class name takes only letters, digits, '.', '_' and '-' (it names the topic %s)", from, name, class.Topic(name))
	}
	return name, nil
}

// learnerName is who this learner is in the class: the SASL user on a
// cluster with SASL (what the broker authenticated, so what ACLs name),
// else --name, else the topic prefix without its trailing separator
// ("ada-" is ada), else the user's login name.
func (c *command) learnerName(cfg *clientconfig.Config, out *output.Printer) (string, error) {
	if cfg.UsesSASL() {
		if c.learner != "" && c.learner != cfg.Username {
			out.Warn("--name %s: on a cluster with SASL the class knows you by your SASL user, %s", c.learner, cfg.Username)
		}
		return cfg.Username, nil
	}
	if c.learner != "" {
		return c.learner, nil
	}
	if p := strings.TrimRight(c.topicPrefix, "-._"); p != "" {
		return p, nil
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username, nil
	}
	for _, v := range []string{"USER", "USERNAME"} {
		if s := os.Getenv(v); s != "" {
			return s, nil
		}
	}
	return "", usagef("--class: no name to publish under: add --name YOURNAME")
}

// openClass starts publishing to the class, if the command line joined
// one; nil otherwise. The learner's state is kept beside the progress file
// (class/NAME/LEARNER.json), so what a run could not send, the next sends.
func (c *command) openClass(addrs []string, cfg *clientconfig.Config, replicas int, out *output.Printer) (*classLink, error) {
	name, err := c.className()
	if name == "" || err != nil {
		return nil, err
	}
	learner, err := c.learnerName(cfg, out)
	if err != nil {
		return nil, err
	}
	statePath := ""
	if p, err := progressPath(); err == nil {
		statePath = filepath.Join(filepath.Dir(p), "class", name, url.PathEscape(learner)+".json")
	}
	var t *kafka.Transport
	if cfg != nil {
		t = cfg.Transport()
	}
	pub, err := class.Open(class.Options{Brokers: addrs, Transport: t, Class: name, Learner: learner, Replicas: replicas, StatePath: statePath})
	if err != nil {
		out.Warn("%v", err)
	}
	out.Aside("Class %s: your progress is published as %s to %s.", name, learner, class.Topic(name))
	return &classLink{pub: pub, out: out}, nil
}

// classLink is the tracker's hook to the class: one call per event.
type classLink struct {
	pub    *class.Publisher
	out    *output.Printer
	warned bool // a local failure is said once
}

// publish records e for the class. It never waits for Kafka.
func (t *tracker) publish(e class.Event) {
	if t == nil || t.class == nil {
		return
	}
	if err := t.class.pub.Record(e); err != nil && !t.class.warned {
		t.class.warned = true
		t.out.Warn("Class: %v", err)
	}
}

// The tracker's calls, one per event it records.
func (t *tracker) publishStep(lesson, step int) {
	t.publish(class.Event{Kind: class.StepReached, Lesson: lesson, Step: step})
}
func (t *tracker) publishDone(lesson int) {
	t.publish(class.Event{Kind: class.LessonDone, Lesson: lesson})
}
func (t *tracker) publishScore(lesson, right, total int) {
	t.publish(class.Event{Kind: class.QuizAnswered, Lesson: lesson, Right: right, Total: total})
}
func (t *tracker) publishCheck(id string, passed bool) {
	t.publish(class.Event{Kind: class.ExerciseChecked, Exercise: id, Passed: passed})
}

// classWait is how long a run waits at its end for its last state to be
// sent: long enough for a broker that answers, short enough not to hold a
// learner when it does not (the state file keeps what is not sent).
const classWait = 5 * time.Second

// close sends what is left, within classWait, and says so if it could not.
func (l *classLink) close() {
	if l == nil {
		return
	}
	if err := l.pub.Close(classWait); err != nil {
		l.out.Warn("%v", err)
	}
}

// classCommand: the teacher's view.
func classCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "class NAME",
		Short: "the teacher's view: every learner of the class NAME, live (q quits)",
		Long: `The teacher's view of a class: one row per learner who runs with --class NAME, a column
per lesson (· not started, s3 at step 3, ✓ done, ✓2/3 done with its quiz score) and per
exercise tried (✔2 passed in 2 tries, ✘3 failed 3 tries), when each was last seen, and
who seems stuck (the same check failed 3 times in a row, or nothing done for 10 minutes).
It reads the compacted topic NAME.progress from its beginning, then follows it. Piped,
or with --once: one snapshot. --csv FILE writes the table for grading.

` + brokerHelp,
		Example: `  go run ./runner class kafka101 --brokers HOST:9092
  go run ./runner class kafka101 --once --csv grades.csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("unexpected argument %q", args[1])
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			c.name, c.parsed = "class", true
			if len(args) == 1 {
				if c.class != "" && c.class != args[0] {
					return usagef("class %s --class %s: name the class once", args[0], c.class)
				}
				c.class = args[0]
			}
			name, err := c.className()
			if err != nil {
				return err
			}
			if name == "" {
				return usagef("class needs the class's name: go run ./runner class NAME (or $%s)", classEnv)
			}
			return c.checkBrokerFlags()
		},
	}
	fs := cmd.Flags()
	c.brokerFlags(fs, "read the embedded broker a running walkthrough hosts on "+broker.DefaultAddr+" (class never starts one)")
	fs.StringVar(&c.class, "class", "", "the class's `NAME`, as the argument (default $"+classEnv+")")
	fs.BoolVar(&c.once, "once", false, "print one snapshot and exit (what a pipe gets)")
	fs.StringVar(&c.csv, "csv", "", "write the table to `FILE` as CSV, for grading (live: when you quit)")
	return cmd
}

// snapshotWait bounds --once: the topic read to its end, the broker
// retried while it does not answer.
const snapshotWait = 30 * time.Second

// classView is the class command.
func (c *command) classView(ctx context.Context, io stdio) error {
	name, _ := c.className()
	addrs, _, cfg, err := c.watchSecured(ctx, io)
	if err == nil && cfg == nil {
		addrs, _, err = c.watchTarget(ctx, broker.DefaultAddr)
	}
	if err != nil {
		return err
	}
	var t *kafka.Transport
	if cfg != nil {
		t = cfg.Transport()
	}
	color := output.ColorWanted() && isTerminal(io.out)
	if c.once || !isTerminal(io.out) {
		cl, err := class.Snapshot(ctx, addrs, t, name, snapshotWait)
		if ctx.Err() != nil {
			return errInterrupted
		}
		if err != nil && !errors.Is(err, class.ErrNoTopic) {
			return fmt.Errorf("class %s: %w", name, err)
		}
		table := class.MakeTable(cl, time.Now())
		fmt.Fprintln(io.out, classHeading(c.tr, name, cl, err))
		if len(table.Rows) > 0 {
			fmt.Fprintln(io.out, table.Render(class.Screen{Width: pipeWidth, Color: color, Tr: c.tr}))
		}
		return c.writeCSV(table)
	}
	return c.classLive(ctx, io, addrs, t, name, color)
}

// classHeading is the line above the table.
func classHeading(tr *i18n.Catalog, name string, cl *class.Class, err error) string {
	if errors.Is(err, class.ErrNoTopic) || len(cl.Learners) == 0 {
		return tr.F("Class %s: no learner has published to %s yet (learners join with --class %s).", name, class.Topic(name), name)
	}
	s := tr.F("Class %s: %d learner(s), from %s.", name, len(cl.Learners), class.Topic(name))
	if cl.Skipped > 0 {
		s += tr.F(" %d record(s) skipped (another schema, or a key that is not the learner named).", cl.Skipped)
	}
	return s
}

func (c *command) writeCSV(t class.Table) error {
	if c.csv == "" {
		return nil
	}
	f, err := os.Create(c.csv)
	if err != nil {
		return fmt.Errorf("--csv: %w", err)
	}
	if err := t.WriteCSV(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// classLive redraws the table in place until q or Ctrl-C, following the
// topic; a broker that goes away is said and retried, never fatal.
func (c *command) classLive(ctx context.Context, io stdio, addrs []string, t *kafka.Transport, name string, color bool) error {
	out := io.out.(*os.File)
	quit := make(chan struct{})
	if isTerminal(io.in) {
		state, err := term.MakeRaw(int(io.in.Fd()))
		if err != nil {
			return fmt.Errorf("class: set the terminal to raw mode: %w", err)
		}
		defer term.Restore(int(io.in.Fd()), state)
		go readKeys(io.in, quit)
	}
	fmt.Fprint(out, altScreenOn)
	defer fmt.Fprint(out, altScreenOff)

	// The follower folds into a class of its own and hands a copy over
	// after each read, so a read that waits never holds the drawing up.
	var mu sync.Mutex
	cl, status, lag := class.NewClass(), "reading "+class.Topic(name)+"…", int64(0)
	own := class.NewClass()
	ctx, cancel := context.WithCancel(ctx)
	followed := make(chan struct{})
	changed := make(chan struct{}, 1)
	go func() {
		defer close(followed)
		f := class.NewFollower(addrs, t, name)
		pause, since := firstClassPause, time.Time{}
		for ctx.Err() == nil {
			n, _, err := f.Poll(ctx, own, time.Second)
			mu.Lock()
			if n > 0 {
				cl = own.Clone()
			}
			switch {
			case ctx.Err() != nil:
			case errors.Is(err, class.ErrNoTopic):
				status = "no learner has published to " + class.Topic(name) + " yet"
			case err != nil:
				if since.IsZero() {
					since = time.Now()
				}
				status = fmt.Sprintf("the broker does not answer since %s: retrying every %v (%v)", since.Format("15:04:05"), pause, err)
			default:
				since, pause, status = time.Time{}, firstClassPause, ""
				lag = f.Lag()
			}
			mu.Unlock()
			if n > 0 || err != nil {
				select {
				case changed <- struct{}{}:
				default:
				}
			}
			if err != nil {
				select {
				case <-time.After(pause):
					pause = min(2*pause, 10*time.Second)
				case <-ctx.Done():
				}
			}
		}
	}()
	defer func() { cancel(); <-followed }()

	width, height := terminalSize(out)
	draw := func() {
		mu.Lock()
		table := class.MakeTable(cl, time.Now())
		head := c.tr.F("Class %s · %d learner(s) · %s · lag %d · q quits", name, len(cl.Learners), class.Topic(name), lag)
		st := status
		mu.Unlock()
		lines := []string{head, c.tr.T("· not started  s3 at step 3  ✓ done  ✓2/3 done, quiz 2 of 3  ✔2 passed in 2 tries  ✘3 failed 3 tries")}
		if st != "" {
			lines = append(lines, "⚠ "+st)
		}
		lines = append(lines, "")
		rows := strings.Split(table.Render(class.Screen{Width: width, Color: color, Tr: c.tr}), "\n")
		if room := height - len(lines); len(rows) > room && room > 1 {
			more := len(rows) - room + 1
			rows = append(rows[:room-1], fmt.Sprintf("… %d more (make the window taller)", more))
		}
		if len(table.Rows) > 0 {
			lines = append(lines, rows...)
		}
		for i, l := range lines[:min(len(lines), 3)] {
			if len([]rune(l)) >= width {
				lines[i] = string([]rune(l)[:max(1, width-2)]) + "…"
			}
		}
		fmt.Fprint(out, home+strings.Join(lines, clearEOL+"\r\n")+clearEOL+clearEOS)
	}
	draw()
	tick := time.NewTicker(resizeEvery)
	defer tick.Stop()
	lastDraw := time.Now()
	for {
		select {
		case <-ctx.Done():
			return c.classCSV(&mu, &cl)
		case <-quit:
			return c.classCSV(&mu, &cl)
		case <-changed:
			draw()
			lastDraw = time.Now()
		case <-tick.C:
			if wd, ht := terminalSize(out); wd != width || ht != height {
				width, height = wd, ht
				fmt.Fprint(out, "\x1b[2J")
				draw()
			} else if time.Since(lastDraw) >= time.Second { // "seen" counts on
				draw()
				lastDraw = time.Now()
			}
		}
	}
}

// firstClassPause is the view's first pause after a failed read.
const firstClassPause = 500 * time.Millisecond

// classCSV writes the CSV of the live view's last table.
func (c *command) classCSV(mu *sync.Mutex, cl **class.Class) error {
	mu.Lock()
	defer mu.Unlock()
	return c.writeCSV(class.MakeTable(*cl, time.Now()))
}
