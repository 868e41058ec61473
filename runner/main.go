// Command runner is the walkthrough: a menu of numbered Kafka lessons that
// run real kafka-go code, step by step. See README.md, and docs/runner.md
// for every command and flag.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report Ctrl-C
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first Ctrl-C, a second one kills the program as usual.
	go func() { <-ctx.Done(); stop() }()
	os.Exit(run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
}

// stdio are the streams the runner uses; tests pass their own.
type stdio struct {
	in       *os.File
	out, err io.Writer
}

// errInterrupted says the user pressed Ctrl-C.
var errInterrupted = errors.New("interrupted")

// usageError is a bad command line: exit code 2. command is the command
// whose --help to suggest ("" : the runner's).
type usageError struct{ msg, command string }

func (e usageError) Error() string { return e.msg }

// help says where to read how to use the command.
func (e usageError) help(tr *i18n.Catalog) string {
	path := "runner"
	if e.command != "" {
		path = e.command
	}
	return tr.F("Run 'go run ./%s --help' for usage.", path)
}

func usagef(format string, args ...any) error { return usageError{msg: fmt.Sprintf(format, args...)} }

// hinted is a failure and what to do about it, printed on the lines after it.
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() + "\n" + h.hint }
func (h hinted) Unwrap() error { return h.err }

// withHint adds to err what the user can do about it.
func withHint(err error, format string, args ...any) error {
	return hinted{err: err, hint: fmt.Sprintf(format, args...)}
}

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, io stdio) int {
	cmd, err := parseArgs(args, io.out, io.err)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	var tr *i18n.Catalog
	if cmd != nil {
		tr = cmd.tr
	} else {
		tr = langOf(args) // the language asked for, even when the rest of the line is wrong
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(io.err, "runner: %s\n%s\n", tr.Translate(err.Error()), u.help(tr))
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(io.err, "runner: %s\n", tr.Translate(err.Error()))
		return exitUsage
	}
	err = cmd.run(ctx, io)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errNotYet):
		return exitFailure // the check said why, line by line
	case errors.Is(err, errInterrupted) || ctx.Err() != nil:
		fmt.Fprintln(io.err, tr.T("Interrupted: what was open is closed."))
		return exitInterrupted
	default:
		if errors.As(err, &u) {
			fmt.Fprintf(io.err, "runner: %s\n%s\n", tr.Translate(err.Error()), u.help(tr))
			return exitUsage
		}
		fmt.Fprintf(io.err, "runner: %s\n", tr.Translate(err.Error()))
		return exitFailure
	}
}
