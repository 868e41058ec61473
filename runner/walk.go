package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// stepTimeout bounds one step, so that nothing can hang a classroom demo.
const stepTimeout = 90 * time.Second

// action is what the learner chose after a step.
type action int

const (
	actNext action = iota
	actAgain
	actSkip
	actMenu
	actQuit
)

// prompter asks the learner; the unattended one never asks.
type prompter interface {
	// pick returns the lesson numbers to play; nil means quit.
	pick(ctx context.Context, all []lessons.Lesson) ([]int, error)
	// after asks what to do once a step ran (or failed).
	after(ctx context.Context, failed, last bool) (action, error)
}

// walk plays the lessons: from the menu, or unattended.
func (c *command) walk(ctx context.Context, env *lessons.Env, out *output.Printer, colored bool, io stdio) error {
	unattended := c.yes || !isTerminal(io.in) || !isTerminal(io.out)
	var p prompter
	if unattended {
		if !c.yes {
			out.Plain("No terminal on stdin or stdout: running unattended, without prompts.")
		}
		p = noPrompt{}
	} else {
		p = newSurveyPrompter(io, out, colored)
	}
	chosen := c.lessons
	if c.all || (unattended && len(chosen) == 0) {
		for _, l := range lessons.All() {
			chosen = append(chosen, l.Number)
		}
	}
	for {
		if len(chosen) == 0 {
			var err error
			if chosen, err = p.pick(ctx, lessons.All()); err != nil {
				return err
			}
			if chosen == nil {
				return nil
			}
		}
		toMenu := false
		for _, n := range chosen {
			l, _ := lessons.Find(n)
			act, err := playLesson(ctx, env, out, p, l)
			if err != nil {
				if unattended || ctx.Err() != nil || errors.Is(err, errInterrupted) {
					return err
				}
				out.Error("%v", err)
				act = actMenu
			}
			if act == actQuit {
				return nil
			}
			if act == actMenu {
				toMenu = true
				break
			}
		}
		if unattended || (!toMenu && (len(c.lessons) > 0 || c.all)) {
			return nil
		}
		chosen = nil
	}
}

// playLesson runs one lesson's steps, asking between them.
func playLesson(ctx context.Context, env *lessons.Env, out *output.Printer, p prompter, l lessons.Lesson) (action, error) {
	plan := l.Plan()
	cleanup := func() {
		if plan.Cleanup != nil {
			plan.Cleanup()
			plan.Cleanup = nil
		}
	}
	defer cleanup()
	out.Heading(l.Number, l.Title, l.Goal)
	for i := 0; i < len(plan.Steps); {
		step := plan.Steps[i]
		src, err := lessons.SourceOf(step)
		if err != nil {
			return actQuit, fmt.Errorf("lesson %d step %d: %w", l.Number, i+1, err)
		}
		out.Cell(i+1, len(plan.Steps), step.Title, src.Narration, src.Code)
		err = runStep(ctx, step, env)
		if ctx.Err() != nil {
			// The step's deferred Close calls have run; the plan's cleanup
			// closes what earlier steps left open.
			cleanup()
			out.Say("Ctrl-C: step stopped, its readers and writers are closed.")
			return actQuit, errInterrupted
		}
		if err != nil {
			err = explain(fmt.Errorf("lesson %d, step %d (%s): %w", l.Number, i+1, step.Title, err), env.Brokers)
			if _, unattended := p.(noPrompt); unattended {
				return actQuit, err
			}
			out.Error("%v", err)
		}
		act, perr := p.after(ctx, err != nil, i == len(plan.Steps)-1)
		if perr != nil {
			return actQuit, perr
		}
		switch act {
		case actNext:
			i++
		case actSkip:
			i += 2
		case actAgain:
		case actMenu, actQuit:
			return act, nil
		}
	}
	out.Summary(l.Number, l.Summary)
	return actNext, nil
}

// noPrompt answers "next" to everything: the unattended mode.
type noPrompt struct{}

func (noPrompt) pick(context.Context, []lessons.Lesson) ([]int, error) { return nil, nil }
func (noPrompt) after(context.Context, bool, bool) (action, error)     { return actNext, nil }

// runStep runs one step with a time limit. A panic in a step is a bug, but
// it must end as a step failure with a message, not a stack trace.
func runStep(ctx context.Context, step lessons.Step, env *lessons.Env) (err error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the step crashed (%v): please report it", r)
		}
	}()
	return step.Run(ctx, env)
}
