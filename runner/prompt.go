package main

import (
	"errors"
	"fmt"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// surveyPrompter asks with survey's menus on the terminal.
type surveyPrompter struct{ opts []survey.AskOpt }

func newSurveyPrompter(io stdio) surveyPrompter {
	out, _ := io.out.(terminal.FileWriter)
	return surveyPrompter{opts: []survey.AskOpt{survey.WithStdio(io.in, out, io.err)}}
}

const (
	playAll  = "▶ Play every lesson"
	quitMenu = "✖ Quit"
)

func (s surveyPrompter) pick(all []lessons.Lesson) ([]int, error) {
	options := make([]string, 0, len(all)+2)
	for _, l := range all {
		options = append(options, fmt.Sprintf("%d · %s", l.Number, l.Title))
	}
	options = append(options, playAll, quitMenu)
	var idx int
	err := survey.AskOne(&survey.Select{
		Message:  "Which lesson? (arrows or type its number, Enter to start)",
		Options:  options,
		PageSize: len(options),
	}, &idx, s.opts...)
	if err != nil {
		return nil, promptErr(err)
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

func (s surveyPrompter) after(failed, last bool) (action, error) {
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
	if err := survey.AskOne(&survey.Select{Message: msg, Options: labels, Default: def}, &answer, s.opts...); err != nil {
		return actQuit, promptErr(err)
	}
	for _, o := range afterOptions {
		if o.label == answer {
			return o.act, nil
		}
	}
	return actNext, nil
}

// promptErr turns survey's Ctrl-C into errInterrupted.
func promptErr(err error) error {
	if errors.Is(err, terminal.InterruptErr) {
		return errInterrupted
	}
	return fmt.Errorf("prompt: %w", err)
}
