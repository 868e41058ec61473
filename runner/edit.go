package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// A step the learner edits, as a notebook's cell: between steps, the
// prompt opens the step's code (its function's body, as the screen showed
// it) in an editor; the lessons are built with that body in place of the
// original (go build -overlay: the tree is not touched), and a child runner
// runs that one step, with the steps it needs, on the same broker, prefix
// and settings. The edit is kept per step and per topic prefix beside the
// progress file, until "Restore the original" or `runner reset`.

// The actions of the prompt after a step that edit it.
const (
	actEditStep action = iota + 200
	actRestore
)

// editedRunTimeout bounds an edited run (its build apart): the child bounds
// each step by stepTimeout, and may run a few.
const editedRunTimeout = 5 * time.Minute

// stepEditor builds and runs edited steps; nil in a session that cannot.
type stepEditor struct {
	root    string   // the clone: where go.mod is
	goBin   string   // the go command
	dir     string   // where this learner's edits are kept
	editor  editor   // what opens them
	brokers []string // the parent's, so the child uses the same broker
	config  string   // the parent's client.properties, "" for none
	prefix  string
	lang    string // the language the learner chose, for the child: "" English
}

// newStepEditor says whether steps can be edited here, and when they cannot,
// why: on Windows, without a Go toolchain, without the source tree (a
// built runner away from its clone) or without an editor.
func newStepEditor(prefix string, brokers []string, config string) (*stepEditor, string) {
	e, why := newStepBuilder(prefix, brokers, config)
	if e == nil {
		return nil, why
	}
	ed, err := findEditor()
	if err != nil {
		return nil, "editing a step needs an editor: " + err.Error()
	}
	e.editor = ed
	return e, ""
}

// newStepBuilder is newStepEditor without an editor: the web page edits
// the code itself.
func newStepBuilder(prefix string, brokers []string, config string) (*stepEditor, string) {
	if runtime.GOOS == "windows" {
		return nil, "editing a step is not available on Windows yet"
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, "editing a step needs Go (no go command on the PATH)"
	}
	root, err := exerciseRoot()
	if err != nil {
		return nil, "editing a step needs a clone of the project: run the runner from it (go run ./runner)"
	}
	if _, err := os.Stat(filepath.Join(root, "lessons")); err != nil {
		return nil, "editing a step needs the lessons' source, in a clone of the project"
	}
	dir, err := editsDir(prefix)
	if err == nil {
		err = migrateEdits(dir)
	}
	if err != nil {
		return nil, "editing a step needs somewhere to keep the edit: " + err.Error()
	}
	return &stepEditor{root: root, goBin: goBin, dir: dir, brokers: brokers, config: config, prefix: prefix}, ""
}

// editsDir is where the learner of prefix keeps edited steps: beside the
// progress file, one folder per prefix (a prefix is letters, digits, '.',
// '_' and '-': "p-" in front keeps "." and ".." from being folders of their
// own).
func editsDir(prefix string) (string, error) {
	p, err := progressPath()
	if err != nil {
		return "", err
	}
	who := "default"
	if prefix != "" {
		who = "p-" + prefix
	}
	return filepath.Join(filepath.Dir(p), "edits", who), nil
}

// editsLayout is the file that says the edits in a folder are numbered as
// today's steps. Before it (as before progress file version 2), lesson 0
// had no first-order steps: its old step k is step k+3 now.
const editsLayout = "numbered-v2"

// migrateEdits renumbers the kept edits of lesson 0's steps, once, so an
// edit stays with its step, and marks the folder as numbered today's way.
func migrateEdits(dir string) error {
	marker := filepath.Join(dir, editsLayout)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	old, _ := filepath.Glob(filepath.Join(dir, "lesson00-step*.go"))
	steps := make([]int, 0, len(old))
	for _, f := range old {
		var k int
		if _, err := fmt.Sscanf(filepath.Base(f), "lesson00-step%d.go", &k); err == nil {
			steps = append(steps, k)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(steps))) // the highest first: no rename lands on an edit not yet moved
	for _, k := range steps {
		from := filepath.Join(dir, fmt.Sprintf("lesson00-step%d.go", k))
		to := filepath.Join(dir, fmt.Sprintf("lesson00-step%d.go", k+3))
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("renumber the edit of lesson 0 step %d: %w", k, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.WriteFile(marker, []byte("lesson 0's steps 1-3 are the first order; edits are numbered accordingly\n"), 0o644); err != nil {
		return fmt.Errorf("mark %s: %w", dir, err)
	}
	return nil
}

// forgetEdits removes the learner's edited steps (runner reset), and says
// how many there were.
func forgetEdits(prefix string) (int, error) {
	dir, err := editsDir(prefix)
	if err != nil {
		return 0, nil // no progress location: no edits either
	}
	files, _ := filepath.Glob(filepath.Join(dir, "lesson*-step*.go"))
	if err := os.RemoveAll(dir); err != nil {
		return 0, fmt.Errorf("forget the edited steps: %w", err)
	}
	os.RemoveAll(filepath.Join(buildCache(), filepath.Base(dir))) // their builds: only a cache
	return len(files), nil
}

// path is where the edit of lesson's step (from 1) is kept.
func (e *stepEditor) path(lesson, step int) string {
	return filepath.Join(e.dir, fmt.Sprintf("lesson%02d-step%d.go", lesson, step))
}

// saved returns the kept edit of a step, if there is one.
func (e *stepEditor) saved(lesson, step int) (string, bool) {
	b, err := os.ReadFile(e.path(lesson, step))
	if err != nil {
		return "", false
	}
	return string(b), true
}

// keep writes body as the learner's edit of lesson's step.
func (e *stepEditor) keep(lesson, step int, body string) error {
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(e.path(lesson, step), []byte(body), 0o644)
}

// restore forgets the edit of a step.
func (e *stepEditor) restore(lesson, step int) error {
	if err := os.Remove(e.path(lesson, step)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("restore the original step: %w", err)
	}
	return nil
}

// errCompile says the edit does not compile; its problems were listed.
var errCompile = errors.New("the edited step does not compile")

// problem is one compiler message, placed in the learner's text when it is
// there.
type problem struct {
	line, col int // in the edit; 0: elsewhere in the lesson file
	msg       string
}

func (p problem) String() string {
	if p.line == 0 {
		return p.msg
	}
	return fmt.Sprintf("line %d, column %d: %s", p.line, p.col, p.msg)
}

// build compiles the runner with body in place of src's function body, into
// a folder of its own, and returns the program. When the edit does not
// compile, it returns the compiler's problems and errCompile.
func (e *stepEditor) build(ctx context.Context, src lessons.Source, body, dir string) (string, []problem, error) {
	file, err := src.FileText()
	if err != nil {
		return "", nil, fmt.Errorf("read %s: %w", src.File, err)
	}
	spliced, err := src.Splice(file, body)
	if err != nil {
		return "", nil, err
	}
	overlay, err := writeOverlay(dir, filepath.Join(e.root, "lessons", src.File), spliced)
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "runner-edited")
	// No debug information (-s -w) and no version control stamp: the link,
	// most of the wait, is shorter, and a runner run once needs neither.
	cmd := exec.CommandContext(ctx, e.goBin, "build", "-buildvcs=false", "-ldflags=-s -w",
		"-overlay", overlay, "-o", bin, "./runner")
	cmd.Dir = e.root // from the clone's root: the runner may run in a folder below it
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil { // Ctrl-C, or a build longer than editedRunTimeout
		return "", nil, fmt.Errorf("go build: %w", ctx.Err())
	}
	if err != nil {
		problems := compileProblems(string(out), src, body)
		if len(problems) == 0 {
			return "", nil, fmt.Errorf("go build: %w\n%s", err, out)
		}
		return "", problems, errCompile
	}
	return bin, nil, nil
}

// writeOverlay writes the edited lesson file and the overlay that puts it
// in place of target (go help build: -overlay), and returns the overlay's
// path.
func writeOverlay(dir, target string, text []byte) (string, error) {
	edited := filepath.Join(dir, filepath.Base(target))
	if err := os.WriteFile(edited, text, 0o644); err != nil {
		return "", fmt.Errorf("write the edited lesson: %w", err)
	}
	b, err := json.Marshal(struct{ Replace map[string]string }{map[string]string{target: edited}})
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, b, 0o644); err != nil {
		return "", fmt.Errorf("write the overlay: %w", err)
	}
	return overlay, nil
}

// compilerLine is one message of the Go compiler: file:line:col: message.
var compilerLine = regexp.MustCompile(`^(\S+\.go):(\d+):(\d+): (.*)$`)

// compileProblems reads go build's output: a message about the edited file
// is placed in the learner's text, others are kept as they are.
func compileProblems(out string, src lessons.Source, body string) []problem {
	var ps []problem
	for _, l := range strings.Split(out, "\n") {
		if l == "" || strings.HasPrefix(l, "# ") {
			continue
		}
		m := compilerLine.FindStringSubmatch(l)
		if m == nil || filepath.Base(m[1]) != src.File {
			ps = append(ps, problem{msg: strings.TrimSpace(l)})
			continue
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		if bl, bc, ok := src.EditPosition(body, line, col); ok {
			ps = append(ps, problem{line: bl, col: bc, msg: m[4]})
		} else {
			ps = append(ps, problem{msg: fmt.Sprintf("%s, outside your code (line %d of the lesson file): %s", src.File, line, m[4])})
		}
	}
	return ps
}

// command is how the child runs one step: the parent's broker (with the
// embedded broker, the one the parent hosts: the child finds it by address
// and does not start its own), prefix and client config; unattended, no
// quiz, no progress.
func (e *stepEditor) command(ctx context.Context, bin string, lesson, step int) *exec.Cmd {
	args := []string{"--lesson", strconv.Itoa(lesson), "--step", strconv.Itoa(step), "--yes", "--no-quiz",
		"--edited-run", "--brokers", strings.Join(e.brokers, ","), "--topic-prefix", e.prefix}
	if e.config != "" {
		args = append(args, "--config", e.config)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = e.root
	cmd.Env = withoutEnv(os.Environ(), configEnvVar) // --config says it, or there is none
	// The edited step speaks the learner's language, whatever the
	// environment says (--lang en over LANG=fr_FR.UTF-8).
	cmd.Env = append(withoutEnv(cmd.Env, "KAFKA_LESSONS_LANG"), "KAFKA_LESSONS_LANG="+cmp.Or(e.lang, "en"))
	// Ctrl-C: the child stops as any run does (its steps close what they
	// opened); one that does not is killed 2 s later.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// runEdited runs the edited program on one step and prints what it prints,
// line by line, as the step's output.
func runEdited(ctx context.Context, cmd *exec.Cmd, out *output.Printer) error {
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			out.Output(sc.Text())
		}
		io.Copy(io.Discard, pr) // a line too long: keep the child from blocking
	}()
	err := cmd.Run()
	pw.Close()
	<-done
	return err
}

func withoutEnv(environ []string, name string) []string {
	var out []string
	for _, e := range environ {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return out
}

// editChoices are what the prompt after step i offers to edit it.
func (r *lessonRun) editChoices(i int) []choice {
	if !r.prompt.Interactive() {
		return nil
	}
	if r.editor == nil {
		if !r.editNoted && r.editWhy != "" {
			r.editNoted = true
			r.out.Aside("You cannot edit steps here: %s.", r.editWhy)
		}
		return nil
	}
	if r.plan.Steps[i].Requires.Unmet(r.env.Cluster) != "" {
		return nil
	}
	if why := r.plan.Steps[i].NoEdit; why != "" {
		if !r.noEditSaid { // once a lesson
			r.out.Aside("This step cannot be edited: %s.", why)
			r.noEditSaid = true
		}
		return nil
	}
	tr := r.out.Catalog()
	choices := []choice{{tr.T("Edit this step and run it"), actEditStep}}
	if _, ok := r.editor.saved(r.lesson.Number, i+1); ok {
		choices[0].label = tr.T("Edit this step and run it (your edit is kept)")
		choices = append(choices, choice{tr.T("Restore the original"), actRestore})
	}
	return choices
}

// afterStep asks what to do once step i ran, and edits and runs it for as
// long as the learner asks to.
func (r *lessonRun) afterStep(ctx context.Context, i int, failed bool, prev stepRef) (action, error) {
	for {
		more := append(append(r.deeperChoice(i), r.editChoices(i)...), r.lookUpChoices(i)...)
		act, err := r.prompt.after(ctx, failed, i == len(r.plan.Steps)-1, prev, more)
		if err != nil {
			return actQuit, err
		}
		switch act {
		case actEditStep:
			if err := r.editStep(ctx, i); err != nil {
				return actQuit, err
			}
		case actShowCode:
			if err := r.lookUp(ctx, i); err != nil {
				return actQuit, err
			}
		case actRestore:
			if err := r.editor.restore(r.lesson.Number, i+1); err != nil {
				r.out.Error("%v", err)
				continue
			}
			r.out.Aside("Step %d is the lesson's code again: it runs now.", i+1)
			return actAgain, nil
		case actGlossary:
			printGlossary(r.out) // then the same question again
		default:
			return act, nil
		}
	}
}

// editStep opens step i's code in the editor, then builds and runs it. A
// build or run that fails is said and the lesson goes on; only Ctrl-C is
// returned (errInterrupted).
func (r *lessonRun) editStep(ctx context.Context, i int) error {
	e, step, n := r.editor, r.plan.Steps[i], len(r.plan.Steps)
	src, err := lessons.SourceOf(step)
	if err != nil {
		r.out.Error("%v", err)
		return nil
	}
	path := e.path(r.lesson.Number, i+1)
	if _, ok := e.saved(r.lesson.Number, i+1); !ok {
		if err := e.keep(r.lesson.Number, i+1, src.Code+"\n"); err != nil {
			r.out.Error("keep the edit of step %d: %v", i+1, err)
			return nil
		}
	}
	r.out.Aside("Opening step %d's code in %s (%s); it runs when the editor closes.", i+1, e.editor.name, path)
	if err := e.editor.open(ctx, r.stdio, path); err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		r.out.Error("%v", err)
		return nil
	}
	body, _ := e.saved(r.lesson.Number, i+1)
	if strings.TrimSpace(body) == strings.TrimSpace(src.Code) {
		e.restore(r.lesson.Number, i+1)
		r.out.Aside("No change to the lesson's code: nothing to run.")
		return nil
	}
	_, err = r.runEdit(ctx, i, src, body, n, step.Title)
	return err
}

// runEdit builds and runs the edit body of step i. ok says it built and
// ran without an error; err is errInterrupted when it was stopped.
func (r *lessonRun) runEdit(ctx context.Context, i int, src lessons.Source, body string, n int, title string) (ok bool, err error) {
	e := r.editor
	diff := lineDiff(src.Code, body, 12)
	r.out.Edited(i+1, n, title, diff)
	r.book.Step(r.lesson.Number, i+1, n, title+" (edited)",
		"*Edited: the learner's code, not the lesson's. What changed:*\n\n"+indentBlock(diff), body)
	// A folder of the step's own, kept: built again unchanged, the runner is
	// not linked again (go build finds it up to date).
	dir := filepath.Join(buildCache(), filepath.Base(e.dir), fmt.Sprintf("lesson%02d-step%d", r.lesson.Number, i+1))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.out.Error("a folder to build in: %v", err)
		return false, nil
	}
	start := time.Now()
	bctx, cancel := context.WithTimeout(ctx, editedRunTimeout)
	defer cancel()
	bin, problems, err := e.build(bctx, src, body, dir)
	switch {
	case ctx.Err() != nil:
		return false, errInterrupted
	case errors.Is(err, errCompile):
		lines := strings.Split(strings.Trim(body, "\n"), "\n")
		r.out.Error("Your code does not compile, so nothing ran:")
		for _, p := range problems {
			r.out.Warn("%s", p)
			if p.line > 0 && p.line <= len(lines) {
				r.out.Aside("  %d │ %s", p.line, strings.ReplaceAll(lines[p.line-1], "\t", "    "))
			}
		}
		if r.onPage {
			r.out.Aside("Fix it in the editor above and run it again, or restore the original.")
		} else {
			r.out.Aside("Choose \"Edit this step and run it\" to fix it (the editor opens on your text), or restore the original.")
		}
		return false, nil
	case err != nil:
		r.out.Error("build the edited step: %v", err)
		return false, nil
	}
	built, ran := time.Since(start), time.Now()
	err = runEdited(bctx, e.command(bctx, bin, r.lesson.Number, i+1), r.out)
	switch {
	case ctx.Err() != nil && r.onPage:
		r.out.Say("Stopped: the edited step ended.")
		return false, errInterrupted
	case ctx.Err() != nil:
		r.out.Say("Ctrl-C: the edited step stopped.")
		return false, errInterrupted
	case err != nil:
		r.out.Error("The edited step failed (%v); the lesson goes on.", err)
		return false, nil
	case r.onPage:
		r.out.Aside("Edited step done: built in %.1f s, ran in %.1f s. Your edit is kept: \"Restore the original\" brings the lesson's code back.",
			built.Seconds(), time.Since(ran).Seconds())
	default:
		r.out.Aside("Edited step done: built in %.1f s, ran in %.1f s. Your edit is kept: restore the original from the menu.",
			built.Seconds(), time.Since(ran).Seconds())
	}
	return true, nil
}

// buildCache is where edited runners are built: the user's cache, else the
// temporary folder.
func buildCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "kafka-go-lessons", "edited")
}

func indentBlock(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// lineDiff is a short unified diff of two texts, line by line: the lines
// removed (-) and added (+), with one line of context around each change,
// at most max lines (then a count of the rest).
func lineDiff(a, b string, limit int) string {
	x := strings.Split(strings.Trim(a, "\n"), "\n")
	y := strings.Split(strings.Trim(b, "\n"), "\n")
	// The longest common subsequence, by dynamic programming: a step's body
	// is a few dozen lines.
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // ' ', '-', '+'
		text string
	}
	var ops []op
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			ops = append(ops, op{' ', x[i]})
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', x[i]}) // removed lines before added ones
			i++
		default:
			ops = append(ops, op{'+', y[j]})
			j++
		}
	}
	// Keep the changes and one line either side of each.
	keep := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind != ' ' {
			for d := -1; d <= 1; d++ {
				if k+d >= 0 && k+d < len(ops) {
					keep[k+d] = true
				}
			}
		}
	}
	var lines []string
	for k, o := range ops {
		if !keep[k] {
			if len(lines) > 0 && lines[len(lines)-1] != "  …" {
				lines = append(lines, "  …")
			}
			continue
		}
		lines = append(lines, string(o.kind)+" "+strings.ReplaceAll(o.text, "\t", "    "))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "  …" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) > limit {
		rest := len(lines) - limit
		lines = append(lines[:limit], fmt.Sprintf("  … and %d more lines", rest))
	}
	return strings.Join(lines, "\n")
}
