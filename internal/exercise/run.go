package exercise

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Module is the module path of the project: how Root knows the clone.
const Module = "github.com/kafka-order-lessons/kafka-go-lessons"

// ErrNoSource says the runner cannot build exercises here.
var ErrNoSource = errors.New("exercises need the project's source (a clone) and a Go toolchain")

// Root returns the folder of the project's go.mod, found from dir upwards,
// and checks that a Go toolchain is on the PATH.
func Root(dir string) (string, error) {
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("%w: no go command on the PATH", ErrNoSource)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoSource, err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.HasPrefix(string(b), "module "+Module+"\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%w: no go.mod of %s in %s or above it (run the runner from the clone)", ErrNoSource, Module, dir)
		}
	}
}

// Program is the folder of ex's program in root: the learner's.
func (ex Exercise) Program(root string) string { return filepath.Join(root, "exercises", ex.Dir) }

// Solution is the folder of ex's reference solution in root.
func (ex Exercise) Solution(root string) string {
	return filepath.Join(root, "internal", "exercise", "solutions", ex.Dir)
}

// Result is one check: what the cluster showed, or why there was nothing
// to check (Problem: the program did not build, failed, or ran too long).
type Result struct {
	Vars    Vars
	Run     Run
	Lines   []Line
	Problem string
}

// Passed says whether the program ran and every line of the goal holds.
func (r Result) Passed() bool { return r.Problem == "" && Passed(r.Lines) }

// Verify checks the program in folder dir of root against ex's goal on
// env's cluster: fresh names and data, a build, a run bounded by the
// exercise's limit, a look at the cluster. config is the client.properties
// the program should use ("" for none). An error says the check itself
// could not be made (the broker went away); a program that fails is a
// Result with a Problem.
func Verify(ctx context.Context, env *lessons.Env, ex Exercise, root, dir, config string) (Result, error) {
	bin, problem, err := build(ctx, root, dir)
	if err != nil || problem != "" {
		return Result{Problem: problem}, err
	}
	defer os.RemoveAll(filepath.Dir(bin))
	// What the check needs beside the cluster, on a copy of env: with the
	// caller's printer, so that a first build (a registry's) says so.
	opened := *env
	if ex.Open != nil {
		stop, err := ex.Open(ctx, &opened)
		if err != nil {
			return Result{}, fmt.Errorf("exercise %s: %w", ex.ID, err)
		}
		defer stop()
	}
	// Quietly, and on a transport of its own: the check must see what the
	// program did, not metadata cached before it ran.
	quiet := opened
	quiet.Out, quiet.Transport = discard{}, env.NewTransport()
	defer quiet.Close()
	env = &quiet
	vars, err := ex.Prepare(ctx, env)
	if err != nil {
		return Result{}, fmt.Errorf("prepare exercise %s: %w", ex.ID, err)
	}
	res := Result{Vars: vars}
	limit := ex.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	res.Run, res.Problem, err = execute(ctx, env, ex, bin, config, vars, limit)
	if err != nil {
		return res, fmt.Errorf("exercise %s: %w", ex.ID, err)
	}
	if res.Problem != "" {
		return res, nil
	}
	res.Lines, err = ex.Check(ctx, env, vars, res.Run)
	if err != nil {
		return res, fmt.Errorf("check exercise %s: %w", ex.ID, err)
	}
	return res, nil
}

// build compiles the program in dir into a temporary folder. A program
// that does not compile is a problem: the compiler's messages, with paths
// as the learner sees them from root.
func build(ctx context.Context, root, dir string) (bin, problem string, err error) {
	tmp, err := os.MkdirTemp("", "exercise-")
	if err != nil {
		return "", "", fmt.Errorf("build: %w", err)
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return "", "", fmt.Errorf("build %s: %w", dir, err)
	}
	bin = filepath.Join(tmp, "program")
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./"+filepath.ToSlash(rel))
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.RemoveAll(tmp)
		if ctx.Err() != nil {
			return "", "", fmt.Errorf("build %s: %w", rel, ctx.Err())
		}
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if !strings.HasPrefix(l, "# ") { // the package path go build prints first
				lines = append(lines, l)
			}
		}
		return "", "does not build:\n" + strings.Join(lines, "\n"), nil
	}
	return bin, "", nil
}

// exitedOK is Run.Exit of a program that exited 0.
const exitedOK = "exit status 0"

// maxOutput is what is kept of a program's output: a program that prints
// without end must not fill the memory.
const maxOutput = 1 << 20

// execute runs the program ex.Runs times (at least once), each with the
// broker, the config and vars in its environment and with ex.During beside
// it. Past limit a run is stopped (SIGINT, then a kill 2 s later). The
// problem is empty when every run exited 0 (with ex.ChecksExit, when every
// run ended in time, however it exited).
func execute(ctx context.Context, env *lessons.Env, ex Exercise, bin, config string, vars Vars, limit time.Duration) (Run, string, error) {
	var all Run
	for i := range max(ex.Runs, 1) {
		run, problem, err := executeOnce(ctx, env, ex, i, bin, config, vars, limit)
		all.Each = append(all.Each, run)
		all.Stdout += run.Stdout
		all.Stderr += run.Stderr
		all.Took += run.Took
		all.Interrupted = all.Interrupted || run.Interrupted
		all.Stopping = max(all.Stopping, run.Stopping)
		if all.Exit == "" || all.Exit == exitedOK {
			all.Exit = run.Exit
		}
		if problem != "" || err != nil {
			if ex.Runs > 1 && problem != "" {
				problem = fmt.Sprintf("run %d of %d: %s", i+1, ex.Runs, problem)
			}
			return all, problem, err
		}
	}
	return all, "", nil
}

func executeOnce(parent context.Context, env *lessons.Env, ex Exercise, i int, bin, config string, vars Vars, limit time.Duration) (Run, string, error) {
	ctx, cancel := context.WithTimeout(parent, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "KAFKA_BOOTSTRAP_SERVERS="+strings.Join(env.Brokers, ","), "KAFKA_CONFIG="+config)
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	ctrlCable(cmd)
	cmd.Cancel = func() error { return sendCtrlC(cmd.Process) }
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Run{}, "", fmt.Errorf("start the program: %w", err)
	}
	p := &Process{stdout: &stdout, done: make(chan struct{}), ctrlC: func() error { return sendCtrlC(cmd.Process) }}
	var during error
	duringDone := make(chan struct{})
	go func() {
		defer close(duringDone)
		if ex.During != nil {
			// Not bounded by the program's limit: During may still read
			// the cluster once the program has ended. Everything it waits
			// for is bounded, or ends with the program (p.Done).
			during = ex.During(parent, env, vars, i, p)
		}
	}()
	err := cmd.Wait()
	end := time.Now()
	limited := ctx.Err() // the limit (or the check) stopped the program
	close(p.done)
	<-duringDone
	run := Run{Stdout: stdout.String(), Stderr: stderr.String(), Took: end.Sub(start)}
	if at := p.interruptedAt(); !at.IsZero() {
		run.Interrupted, run.Stopping = true, end.Sub(at)
	}
	if cmd.ProcessState != nil {
		run.Exit = cmd.ProcessState.String()
	}
	switch {
	case parent.Err() != nil:
		return run, "stopped: the check was interrupted", parent.Err()
	case errors.Is(limited, context.DeadlineExceeded):
		return run, fmt.Sprintf("stopped after %v: the program did not end in time", limit), nil
	case during != nil:
		// The check could not do its part (the broker went away).
		return run, "", fmt.Errorf("while the program ran: %w", during)
	case err == nil:
		return run, "", nil
	}
	if p := panicOf(run.Stderr); p != "" {
		return run, "panicked: " + p, nil
	}
	if ex.ChecksExit && run.Interrupted && cmd.ProcessState != nil {
		return run, "", nil // how it ended on Ctrl-C is the check's: run.Exit
	}
	if run.Interrupted && strings.Contains(err.Error(), "signal: interrupt") {
		return run, "killed by Ctrl-C (SIGINT): the program does not stop cleanly on a signal", nil
	}
	return run, fmt.Sprintf("exited with %v:\n%s", err, tail(run.Stderr, 10)), nil
}

// panicOf returns a panic's message and the line of the learner's code it
// came from, not the whole stack.
func panicOf(stderr string) string {
	i := strings.Index(stderr, "panic: ")
	if i < 0 {
		return ""
	}
	sc := bufio.NewScanner(strings.NewReader(stderr[i:]))
	sc.Scan()
	msg := strings.TrimPrefix(sc.Text(), "panic: ")
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.Contains(l, "/exercises/") && strings.Contains(l, ".go:") {
			return msg + "\n  at " + l[strings.Index(l, "exercises/"):]
		}
	}
	return msg
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// capped keeps the first maxOutput bytes written to it.
// It may be read while the program writes (Process.Output).
type capped struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := maxOutput - c.b.Len(); room > 0 {
		c.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

// discard is a lessons.Printer that prints nothing: a check's own setup
// (creating the topic the program writes to) is not the learner's output.
type discard struct{}

func (discard) Say(string, ...any)    {}
func (discard) Value(string, any)     {}
func (discard) Event(string, ...any)  {}
func (discard) Record(lessons.Record) {}
func (discard) Warn(string, ...any)   {}
func (discard) Block(string)          {}
