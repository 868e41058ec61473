package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/core"
	"github.com/AlecAivazis/survey/v2/terminal"
	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
)

// unattended answers "go on" to everything: no terminal, or --yes. Steps a
// step needs are run first.
type unattended struct{}

func (unattended) Interactive() bool                                 { return false }
func (unattended) pick(context.Context, []menuEntry) ([]int, error)  { return nil, nil }
func (unattended) after(context.Context, bool, bool) (action, error) { return actNext, nil }
func (unattended) needs(context.Context, stepRef, []stepRef) (action, error) {
	return actRunNeeded, nil
}

// surveyPrompter asks with survey's menus on the terminal.
type surveyPrompter struct {
	opts []survey.AskOpt
	in   *os.File
	out  *output.Printer
}

func newSurveyPrompter(io stdio, out *output.Printer, colored bool) surveyPrompter {
	// survey colours its prompts on its own; follow our rule (NO_COLOR,
	// TERM=dumb). It is survey's one switch, set once before any prompt.
	core.DisableColor = !colored
	w, _ := io.out.(terminal.FileWriter)
	return surveyPrompter{opts: []survey.AskOpt{survey.WithStdio(io.in, w, io.err)}, in: io.in, out: out}
}

func (s surveyPrompter) Interactive() bool { return true }

// ask runs one survey prompt. Output from other goroutines is held back
// while it is on screen. A signal (kill -INT, -TERM) cancels ctx but cannot
// wake survey's blocking read: then the terminal is restored and ask returns
// at once.
func (s surveyPrompter) ask(ctx context.Context, p survey.Prompt, answer any) error {
	s.out.Hold()
	defer s.out.Release()
	fd := int(s.in.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return fmt.Errorf("prompt: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- survey.AskOne(p, answer, s.opts...) }()
	select {
	case err := <-done:
		if errors.Is(err, terminal.InterruptErr) {
			return errInterrupted
		}
		if err != nil {
			return fmt.Errorf("prompt: %w", err)
		}
		return nil
	case <-ctx.Done():
		term.Restore(fd, state)
		s.out.Release()
		s.out.Plain("")
		return errInterrupted
	}
}

// choice is one answer of a question and what it means.
type choice struct {
	label string
	act   action
}

// choose asks msg with the given choices and returns the action chosen.
func (s surveyPrompter) choose(ctx context.Context, msg string, choices []choice, def string) (action, error) {
	labels := make([]string, len(choices))
	for i, c := range choices {
		labels[i] = c.label
	}
	if def == "" {
		def = labels[0]
	}
	var idx int
	if err := s.ask(ctx, &survey.Select{Message: msg, Options: labels, Default: def}, &idx); err != nil {
		return actQuit, err
	}
	return choices[idx].act, nil
}

const (
	playAll  = "▶ Play every lesson"
	quitMenu = "✖ Quit"
)

func (s surveyPrompter) pick(ctx context.Context, menu []menuEntry) ([]int, error) {
	options := make([]string, 0, len(menu)+2)
	for _, e := range menu {
		options = append(options, e.Label)
	}
	options = append(options, playAll, quitMenu)
	var idx int
	err := s.ask(ctx, &survey.Select{
		Message:  "Which lesson? (arrows or type its number, Enter to start)",
		Options:  options,
		PageSize: len(options),
	}, &idx)
	if err != nil {
		return nil, err
	}
	switch {
	case idx < len(menu):
		return []int{menu[idx].Number}, nil
	case options[idx] == playAll:
		var ns []int
		for _, e := range menu {
			ns = append(ns, e.Number)
		}
		return ns, nil
	}
	return nil, nil
}

func (s surveyPrompter) after(ctx context.Context, failed, last bool) (action, error) {
	choices := []choice{{"Continue", actNext}, {"Run this step again", actAgain}}
	if !last {
		choices = append(choices, choice{"Skip the next step", actSkip})
	}
	choices = append(choices, choice{"Back to the menu", actMenu}, choice{"Quit", actQuit})
	if failed {
		return s.choose(ctx, "The step failed. What now?", choices, "Back to the menu")
	}
	return s.choose(ctx, "Next?", choices, "")
}

func (s surveyPrompter) needs(ctx context.Context, step stepRef, missing []stepRef) (action, error) {
	var names, numbers []string
	for _, m := range missing {
		names = append(names, fmt.Sprintf("step %d (%s)", m.Number, m.Title))
		numbers = append(numbers, fmt.Sprint(m.Number))
	}
	s.out.Warn("Step %d uses what %s makes, and that has not run.", step.Number, strings.Join(names, " and "))
	first := fmt.Sprintf("Run step %s first, then step %d", numbers[0], step.Number)
	if len(missing) > 1 {
		first = fmt.Sprintf("Run steps %s first, then step %d", strings.Join(numbers, ", "), step.Number)
	}
	return s.choose(ctx, "What now?", []choice{
		{first, actRunNeeded},
		{fmt.Sprintf("Skip step %d too", step.Number), actSkip},
		{"Back to the menu", actMenu},
		{"Quit", actQuit},
	}, "")
}
