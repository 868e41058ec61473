package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/core"
	"github.com/AlecAivazis/survey/v2/terminal"
	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

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
		fmt.Println()
		return errInterrupted
	}
}

const (
	playAll  = "▶ Play every lesson"
	quitMenu = "✖ Quit"
)

func (s surveyPrompter) pick(ctx context.Context, all []lessons.Lesson) ([]int, error) {
	options := make([]string, 0, len(all)+2)
	for _, l := range all {
		options = append(options, fmt.Sprintf("%d · %s", l.Number, l.Title))
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
	case idx < len(all):
		return []int{all[idx].Number}, nil
	case options[idx] == playAll:
		var ns []int
		for _, l := range all {
			ns = append(ns, l.Number)
		}
		return ns, nil
	}
	return nil, nil
}

var afterOptions = []struct {
	label string
	act   action
}{
	{"Continue", actNext},
	{"Run this step again", actAgain},
	{"Skip the next step", actSkip},
	{"Back to the menu", actMenu},
	{"Quit", actQuit},
}

func (s surveyPrompter) after(ctx context.Context, failed, last bool) (action, error) {
	var labels []string
	for _, o := range afterOptions {
		if last && o.act == actSkip {
			continue
		}
		labels = append(labels, o.label)
	}
	msg := "Next?"
	def := labels[0]
	if failed {
		msg, def = "The step failed. What now?", "Back to the menu"
	}
	var answer string
	if err := s.ask(ctx, &survey.Select{Message: msg, Options: labels, Default: def}, &answer); err != nil {
		return actQuit, err
	}
	for _, o := range afterOptions {
		if o.label == answer {
			return o.act, nil
		}
	}
	return actNext, nil
}
