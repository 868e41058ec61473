package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
)

// The exercises from the menu: the list, and for one exercise its desk,
// where the learner opens the file in an editor, checks it (once or at
// every save), reads a hint and, once passed, the solution.

// exercisesEntry is the menu entry of the list of exercises.
const exercisesEntry = "*"

// The actions of an exercise's desk.
const (
	actEdit action = iota + 100
	actCheck
	actWatch
	actHint
	actSolution
	actReset
)

// exercisesLabel is the menu's line for the exercises, with the learner's
// count.
func (s *session) exercisesLabel() string {
	passed := 0
	for _, ex := range exercise.All() {
		if s.progress.passed(ex.ID) {
			passed++
		}
	}
	return s.out.Catalog().F("✎ Now you: the exercises (%d of %d passed)", passed, len(exercise.All()))
}

// exercises lets the learner pick an exercise, then opens its desk.
func (s *session) exercises(ctx context.Context) (action, error) {
	tr := s.out.Catalog()
	all := exercise.LocalizeAll(exercise.All(), tr)
	labels := make([]string, 0, len(all)+1)
	next := ""
	for _, ex := range all {
		after := tr.F("lesson %d", ex.Lesson)
		if ex.Lesson < 0 {
			after = tr.T("kafka-go pitfall")
		}
		mark := "  "
		if s.progress.passed(ex.ID) {
			mark = "✔ "
		}
		label := fmt.Sprintf("%s%-3s %s (%s)", mark, ex.ID, ex.Title, after)
		if why := ex.Requires.Unmet(s.env.Cluster); why != "" {
			label += tr.T(" (not here)")
		}
		if next == "" && !s.progress.passed(ex.ID) {
			next = label
		}
		labels = append(labels, label)
	}
	labels = append(labels, tr.T("Back to the menu"))
	i, err := s.prompt.selectOne(ctx, tr.T("Which exercise?"), labels, next)
	if err != nil || i == len(all) {
		return actMenu, err
	}
	return s.desk(ctx, all[i])
}

// offerExercises asks, at the end of a lesson, whether to do its exercise
// now.
func (s *session) offerExercises(ctx context.Context, l int) (action, error) {
	for _, ex := range exercise.LocalizeAll(exercise.ForLesson(l), s.out.Catalog()) {
		if s.progress.passed(ex.ID) {
			continue
		}
		tr := s.out.Catalog()
		i, err := s.prompt.selectOne(ctx, tr.F("Now you: exercise %s?", ex.ID),
			[]string{tr.T("Open it now"), tr.T("Later: go on")}, "")
		if err != nil || i != 0 {
			return actNext, err
		}
		return s.desk(ctx, ex)
	}
	return actNext, nil
}

// desk shows one exercise and what the learner can do with it, until they
// go back to the menu or quit.
func (s *session) desk(ctx context.Context, ex exercise.Exercise) (action, error) {
	k := s.coach
	if err := k.show(ex); err != nil {
		s.out.Error("%v", withHint(err, "Exercises are built from the project's source: run the runner from a clone, with Go installed."))
		return actMenu, nil
	}
	editor, editorErr := findEditor()
	tr := s.out.Catalog()
	for {
		var choices []choice
		if editorErr == nil {
			choices = append(choices, choice{tr.F("Edit %s (in %s)", deskFile(ex), editor.name), actEdit})
		}
		choices = append(choices,
			choice{tr.T("Check it"), actCheck},
			choice{tr.T("Check it at every save (h: a hint, q: stop)"), actWatch},
			choice{s.hintLabel(ex), actHint})
		if s.progress.passed(ex.ID) {
			choices = append(choices, choice{tr.T("The reference solution, beside yours"), actSolution})
		} else {
			choices = append(choices, choice{tr.T("The reference solution (this spoils it)"), actSolution})
		}
		choices = append(choices, choice{tr.T("Start again from the original file"), actReset},
			choice{tr.T("Back to the menu"), actMenu}, choice{tr.T("Quit"), actQuit})
		labels := make([]string, len(choices))
		for i, c := range choices {
			labels[i] = c.label
		}
		i, err := s.prompt.selectOne(ctx, tr.F("Exercise %s: what now?", ex.ID), labels, "")
		if err != nil {
			return actQuit, err
		}
		switch act := choices[i].act; act {
		case actEdit:
			s.out.Aside("Opening %s in %s; the menu comes back when the editor closes.", deskFile(ex), editor.name)
			root, err := exerciseRoot()
			if err == nil {
				// From the clone's root: the runner may run in a folder below it.
				err = editor.open(ctx, s.stdio, filepath.Join(root, deskFile(ex)))
			}
			if err != nil {
				s.out.Error("%v", err)
			}
		case actCheck, actWatch:
			if why := ex.Requires.UnmetIn(tr, s.env.Cluster); why != "" {
				s.out.Warn("Exercise %s cannot be checked here: %s.", ex.ID, why)
				continue
			}
			if act == actCheck {
				err = k.check(ctx, s.env, ex)
			} else {
				err = k.checkOnSave(ctx, s.env, ex, s.stdio.in)
			}
			switch {
			case errors.Is(err, errInterrupted) || ctx.Err() != nil:
				return actQuit, errInterrupted
			case err != nil && !errors.Is(err, errNotYet):
				s.out.Error("%v", err)
			}
		case actHint:
			k.hint(ex)
		case actSolution:
			if err := k.solution(ex, true); err != nil {
				s.out.Error("%v", err)
			}
		case actReset:
			if err := k.reset(ex); err != nil {
				s.out.Error("%v", err)
			}
		default:
			return act, nil
		}
	}
}

// hintLabel says how many hints the learner has read.
func (s *session) hintLabel(ex exercise.Exercise) string {
	seen := 0
	if s.progress != nil {
		seen = s.progress.who.HintsSeen(ex.ID)
	}
	tr := s.out.Catalog()
	if seen >= len(ex.Hints) {
		return tr.F("The hints (all %d)", len(ex.Hints))
	}
	return tr.F("A hint (%d of %d read)", seen, len(ex.Hints))
}

// deskFile is the learner's file, relative to the clone (where the runner
// runs).
func deskFile(ex exercise.Exercise) string { return filepath.Join("exercises", ex.Dir, "main.go") }

// editor is the program that opens a file for the learner.
type editor struct {
	name string   // what the menu says: nano, "code --wait"
	argv []string // the command, without the file
}

// errNoEditor says there is no editor to open a file in.
var errNoEditor = errors.New("no editor: set $VISUAL or $EDITOR (e.g. export EDITOR=nano), or install nano or vi")

// findEditor returns $VISUAL, else $EDITOR, else nano, else vi, as git
// and crontab do. Like git, it runs a variable's value through sh, so that
// "code --wait" or a quoted path work as they do in a shell.
func findEditor() (editor, error) {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		value := strings.TrimSpace(os.Getenv(v))
		if value == "" {
			continue
		}
		if sh, err := exec.LookPath("sh"); err == nil {
			return editor{name: value, argv: []string{sh, "-c", value + ` "$@"`, value}}, nil
		}
		return editor{name: value, argv: strings.Fields(value)}, nil
	}
	fallbacks := []string{"nano", "vi"}
	if runtime.GOOS == "windows" {
		fallbacks = []string{"notepad"} // in every Windows; it blocks until closed
	}
	for _, name := range fallbacks {
		if _, err := exec.LookPath(name); err == nil {
			return editor{name: name, argv: []string{name}}, nil
		}
	}
	return editor{}, errNoEditor
}

// open runs the editor on file, on the learner's terminal, and waits for
// it to close. The terminal is put back as it was afterwards, even when a
// signal ended the editor before it could do so itself.
func (e editor) open(ctx context.Context, io stdio, file string) error {
	if state, err := term.GetState(int(io.in.Fd())); err == nil {
		defer term.Restore(int(io.in.Fd()), state)
	}
	cmd := exec.CommandContext(ctx, e.argv[0], append(e.argv[1:], file)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = io.in, io.out, io.err
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the editor %s: %w", e.name, err)
	}
	return nil
}
