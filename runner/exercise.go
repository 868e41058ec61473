package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The "Now you" commands: exercise (list, show, reset), check, hint and
// solution, from the command line or from the menu. Only check needs a
// broker.

// coach runs the exercises for one learner.
type coach struct {
	prefix   string // the learner's --topic-prefix
	out      *output.Printer
	progress *tracker // nil: not kept
	// config is the client.properties the learner's program gets (an
	// absolute path), "" for none.
	config string
	// watching: check at each save, where h shows the next hint.
	watching bool
	// menu: the learner came from the menu, where a hint is a choice.
	menu bool
}

// newCoach is the coach of the command line's learner.
func (c *command) newCoach(out *output.Printer) *coach {
	return &coach{prefix: c.topicPrefix, out: out, progress: openProgress(c.topicPrefix, out), watching: c.onSave}
}

// findExercise returns the exercise the command line named.
func (c *command) findExercise() (exercise.Exercise, error) {
	ex, ok := exercise.Find(c.exercise)
	ex = exercise.Localize(ex, c.tr)
	if !ok {
		return ex, usagef("there is no exercise %q (exercises are %s; see: go run ./runner exercise)", c.exercise, exercise.IDs())
	}
	return ex, nil
}

// exerciseRoot is the clone the exercises are built in.
func exerciseRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return exercise.Root(wd)
}

// list prints every exercise with the learner's status.
func (k *coach) list() {
	out, t := k.out, k.progress
	out.Title("Now you: exercises for %s", learnerName(out.Catalog(), k.prefix))
	tr := out.Catalog()
	for _, ex := range exercise.LocalizeAll(exercise.All(), tr) {
		after := tr.F("lesson %d", ex.Lesson)
		if ex.Lesson < 0 {
			after = tr.T("kafka-go pitfall")
		}
		mark := " "
		if t != nil && t.who.Passed(ex.ID) {
			mark = "✔"
		}
		out.Plain("  %s %-3s %s (%s)", mark, ex.ID, ex.Title, after)
	}
	out.Plain("\n✔ passed. Edit exercises/<folder>/main.go, then: go run ./runner check N")
	out.Plain("Its goal and file: go run ./runner exercise N     A hint: go run ./runner hint N")
}

// show prints one exercise: its goal, its file and what to run.
func (k *coach) show(ex exercise.Exercise) error {
	out := k.out
	if _, err := exerciseRoot(); err != nil {
		return err
	}
	file := filepath.Join("exercises", ex.Dir, "main.go")
	out.Title("Exercise %s · %s", ex.ID, ex.Title)
	out.Plain("Goal: %s", ex.Goal)
	if note := goalVarsNote(out.Catalog(), ex.Goal); note != "" {
		out.Aside("%s", note)
	}
	if r := ex.Requires; r.Brokers > 1 || r.RealKafka {
		out.Aside("It needs %s.", describeRequirement(out.Catalog(), r))
	}
	out.Plain("Your file: %s", file)
	out.Plain("Check it:  go run ./runner check %s      a hint: go run ./runner hint %s", ex.ID, ex.ID)
	out.Plain("Start again from the original file: go run ./runner exercise %s --reset", ex.ID)
	return nil
}

// reset puts the starting file back from the clone's history, and
// keeps the learner's version beside it, where the build does not see it.
func (k *coach) reset(ex exercise.Exercise) error {
	out := k.out
	root, err := exerciseRoot()
	if err != nil {
		return err
	}
	file := filepath.Join("exercises", ex.Dir, "main.go")
	original, err := exec.Command("git", "-C", root, "show", "HEAD:"+filepath.ToSlash(file)).Output()
	if err != nil {
		return fmt.Errorf("read the original %s from the clone's history (git show HEAD:%s): %w", file, filepath.ToSlash(file), err)
	}
	path := filepath.Join(root, file)
	mine, err := os.ReadFile(path)
	if err == nil && bytes.Equal(mine, original) {
		out.Plain("%s is already the original.", file)
		return nil
	}
	if err == nil {
		kept := path + ".yours"
		if err := os.WriteFile(kept, mine, 0o644); err != nil {
			return fmt.Errorf("keep your version: %w", err)
		}
		out.Plain("Your version is kept as %s.", filepath.Join("exercises", ex.Dir, "main.go.yours"))
	}
	if err := os.WriteFile(path, original, 0o644); err != nil {
		return fmt.Errorf("put the original back: %w", err)
	}
	out.Plain("%s is the original again.", file)
	return nil
}

// hint shows the exercise's hints up to the next one not yet seen.
func (k *coach) hint(ex exercise.Exercise) {
	out, t := k.out, k.progress
	n := 1
	if t != nil {
		n = min(t.who.HintsSeen(ex.ID)+1, len(ex.Hints))
		t.who.SeeHint(ex.ID, n)
		t.save(nil)
	}
	out.Title("Exercise %s · hints", ex.ID)
	for i, h := range ex.Hints[:n] {
		out.Plain("%d. %s", i+1, h)
	}
	if n < len(ex.Hints) {
		out.Aside("(%d more: %s again)", len(ex.Hints)-n, k.moreHints(ex))
	}
}

// moreHints says how to get the next hint: a key while watching, a
// command otherwise.
func (k *coach) moreHints(ex exercise.Exercise) string {
	tr := k.out.Catalog()
	if k.watching {
		return tr.T("press h")
	}
	if k.menu {
		return tr.T("choose “A hint”")
	}
	return "go run ./runner hint " + ex.ID
}

// solution shows the reference solution beside the learner's file: after a
// pass, or when asked with --spoil.
func (k *coach) solution(ex exercise.Exercise, spoil bool) error {
	out, t := k.out, k.progress
	if !spoil && (t == nil || !t.who.Passed(ex.ID)) {
		return withHint(fmt.Errorf("exercise %s is not passed yet, and its solution would spoil it", ex.ID),
			"Check it first: go run ./runner check %s (a hint: go run ./runner hint %s). To see it anyway: go run ./runner solution %s --spoil", ex.ID, ex.ID, ex.ID)
	}
	root, err := exerciseRoot()
	if err != nil {
		return err
	}
	return showSolution(out, ex, root)
}

// showSolution prints the difference between the learner's file and the
// reference solution (git diff), or the solution itself without git.
func showSolution(out *output.Printer, ex exercise.Exercise, root string) error {
	mine := filepath.Join("exercises", ex.Dir, "main.go")
	ref := filepath.Join("internal", "exercise", "solutions", ex.Dir, "main.go")
	out.Plain("The reference solution (%s), beside yours (%s):", ref, mine)
	cmd := exec.Command("git", "-C", root, "diff", "--no-index", "--no-color", "--", mine, ref)
	diff, err := cmd.Output()
	var exit *exec.ExitError
	if err == nil || (errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: they differ
		if len(diff) == 0 {
			out.Plain("  (yours is the same)")
			return nil
		}
		out.Block(string(diff))
		return nil
	}
	src, rerr := os.ReadFile(filepath.Join(root, ref))
	if rerr != nil {
		return fmt.Errorf("read the solution: %w", rerr)
	}
	out.Block(string(src))
	return nil
}

// errNotYet is a check that did not pass: exit code 1, after the lines
// that say why.
var errNotYet = errors.New("not passed yet")

// check builds and runs the learner's program, then checks the cluster.
func (k *coach) check(ctx context.Context, env *lessons.Env, ex exercise.Exercise) error {
	out := k.out
	if why := ex.Requires.UnmetIn(out.Catalog(), env.Cluster); why != "" {
		return fmt.Errorf("exercise %s cannot be checked here: %s", ex.ID, why)
	}
	root, err := exerciseRoot()
	if err != nil {
		return err
	}
	file := filepath.Join("exercises", ex.Dir, "main.go")
	out.Title("Exercise %s · %s", ex.ID, ex.Title)
	out.Aside("building and running %s, then looking at the cluster…", file)
	res, err := exercise.Verify(ctx, env, ex, root, ex.Program(root), k.config)
	if err != nil {
		return err
	}
	expand := func(text string) string {
		return os.Expand(text, func(k string) string { return cmp.Or(res.Vars[k], "$"+k) })
	}
	out.Plain("Goal: %s", expand(ex.Goal))
	t := k.progress
	if res.Problem != "" {
		out.Fact(false, "your program %s", res.Problem)
	} else {
		out.Aside("your program ran for %v", res.Run.Took.Round(10*time.Millisecond))
		// A reason that explains every failing line is said once, after them.
		shared := ""
		for i, l := range res.Lines {
			if !l.OK && (shared == "" && i == slices.IndexFunc(res.Lines, func(l exercise.Line) bool { return !l.OK }) || shared == l.Why) {
				shared = l.Why
			} else if !l.OK {
				shared = "-"
			}
		}
		for _, l := range res.Lines {
			text := out.Catalog().F("%s: want %s, got %s", out.Text(l.What), out.Text(l.Want), out.Text(l.Got))
			if l.Why != "" && l.Why != shared {
				text += "\n      " + out.Text(l.Why)
			}
			out.Fact(l.OK, "%s", text)
		}
		if shared != "" && shared != "-" {
			out.Plain("    → %s", out.Text(shared))
		}
	}
	if res.Passed() {
		out.Plain("\n✔ Exercise %s passed: Kafka shows the goal.", ex.ID)
		if t != nil {
			t.who.MarkPassed(ex.ID)
			t.save(nil)
			t.publishCheck(ex.ID, true)
		}
		return showSolution(out, ex, root)
	}
	seen := 1
	if t != nil {
		seen = max(1, t.who.HintsSeen(ex.ID))
		t.who.SeeHint(ex.ID, seen)
		t.save(nil)
		t.publishCheck(ex.ID, false)
	}
	out.Plain("\n✘ Not yet. Hint %d of %d: %s", seen, len(ex.Hints), expand(ex.Hints[seen-1]))
	if seen < len(ex.Hints) {
		out.Aside("(the next hint: %s)", k.moreHints(ex))
	}
	return errNotYet
}

// describeRequirement says what a cluster must be, in words.
func describeRequirement(tr *i18n.Catalog, r lessons.Requirement) string {
	what := "Apache Kafka"
	if !r.RealKafka {
		what = "Kafka"
	}
	if r.Brokers > 1 {
		return tr.F("%s with %d brokers", what, r.Brokers)
	}
	return what
}

// checkOnSave checks the exercise, then again each time its file is saved,
// until it passes (exit 0), q or Ctrl-C. On a terminal, h shows one more
// hint without waiting for Enter.
func (k *coach) checkOnSave(ctx context.Context, env *lessons.Env, ex exercise.Exercise, in *os.File) error {
	out := k.out
	k.watching = true
	defer func() { k.watching = false }()
	root, err := exerciseRoot()
	if err != nil {
		return err
	}
	file := filepath.Join(ex.Program(root), "main.go")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	saves, err := exercise.Saves(ctx, file)
	if err != nil {
		return err
	}
	if isTerminal(in) {
		if restore, err := cbreak(in); err == nil {
			defer restore()
		}
	}
	for {
		err := k.check(ctx, env, ex)
		if !errors.Is(err, errNotYet) {
			return err // passed, or the check itself failed
		}
		out.Aside("Watching %s: save it to check again. h: a hint, q: stop watching.", filepath.Join("exercises", ex.Dir, "main.go"))
		for saved := false; !saved; {
			// Keys are read only while waiting, so that none is taken from
			// the pager or from the prompt that follows.
			keys, stop := watchKeys(in)
			key, saved2, err := waitForSave(ctx, saves, keys)
			stop()
			saved = saved2
			switch {
			case err != nil:
				return err
			case key == 'h' || key == 'H':
				k.hint(ex)
			case key == 'q' || key == 'Q' || key == 4: // 4: Ctrl-D
				return errNotYet
			}
		}
	}
}

// waitForSave returns at the next save (saved) or key press, or with
// errInterrupted at Ctrl-C.
func waitForSave(ctx context.Context, saves <-chan struct{}, keys <-chan byte) (key byte, saved bool, err error) {
	select {
	case <-saves:
		return 0, true, nil
	case k := <-keys:
		return k, false, nil
	case <-ctx.Done():
		return 0, false, errInterrupted
	}
}

// configPath is the absolute path of the client.properties a learner's
// program reads, "" without one: the program runs in another folder.
func configPath(cfg *clientconfig.Config) (string, error) {
	if cfg == nil {
		return "", nil
	}
	p, err := filepath.Abs(cfg.Path)
	if err != nil {
		return "", fmt.Errorf("the path of --config: %w", err)
	}
	return p, nil
}

// goalVarRE is a variable of an exercise's goal: $TOPIC, $COUNT.
var goalVarRE = regexp.MustCompile(`\$[A-Z][A-Z0-9_]*`)

// goalVarsNote says what the $NAMES of a goal are, "" when it has none.
func goalVarsNote(tr *i18n.Catalog, goal string) string {
	names := goalVars(goal)
	if len(names) == 0 {
		return ""
	}
	return tr.F("%s: environment variables the check sets when it runs your program (os.Getenv(%q) reads one).",
		strings.Join(names, ", "), strings.TrimPrefix(names[0], "$"))
}

// goalVars are the variables a goal names, once each, in order.
func goalVars(goal string) []string {
	var names []string
	for _, v := range goalVarRE.FindAllString(goal, -1) {
		if !slices.Contains(names, v) {
			names = append(names, v)
		}
	}
	return names
}
