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

// action is what the learner chose.
type action int

const (
	actNext      action = iota // go on
	actAgain                   // run this step again
	actSkip                    // skip the next step (or, asked about needs, this one)
	actMenu                    // back to the menu
	actQuit                    // leave the program
	actRunNeeded               // run the steps this one needs first
)

// prompter asks the learner. The unattended one never asks.
type prompter interface {
	// Interactive says whether a person answers the questions.
	Interactive() bool
	// pick shows the menu and returns the lessons to play; nil means quit.
	pick(ctx context.Context, menu []menuEntry) ([]int, error)
	// after asks what to do once a step ran (or failed).
	after(ctx context.Context, failed, last bool) (action, error)
	// needs asks what to do when step wants earlier steps that have not run.
	needs(ctx context.Context, step stepRef, missing []stepRef) (action, error)
}

// menuEntry is a lesson as the menu shows it.
type menuEntry struct {
	Number int
	Label  string
}

// stepRef names a step for a question: its number (from 1) and title.
type stepRef struct {
	Number int
	Title  string
}

// session is one run of the walkthrough: where it talks to Kafka, how it
// prints and how it asks.
type session struct {
	env    *lessons.Env
	out    *output.Printer
	prompt prompter
	target target
}

// walk plays queue, then, for a person, offers the menu until they quit.
// stay says whether to come back to the menu once queue is played (a
// lesson chosen on the command line ends the program when it is done).
func (s *session) walk(ctx context.Context, queue []int, stay bool) error {
	for {
		if len(queue) == 0 {
			if !s.prompt.Interactive() {
				return nil
			}
			var err error
			if queue, err = s.prompt.pick(ctx, s.menu()); err != nil || queue == nil {
				return err
			}
			stay = true
		}
		act, err := s.playAll(ctx, queue)
		queue = nil
		if err != nil || act == actQuit || (act != actMenu && !stay) {
			return err
		}
	}
}

// menu lists the lessons, marking those this cluster cannot run.
func (s *session) menu() []menuEntry {
	var entries []menuEntry
	for _, l := range lessons.All() {
		label := fmt.Sprintf("%d · %s", l.Number, l.Title)
		if why := l.Requires.Unmet(s.env.Cluster); why != "" {
			label += "  (not here: " + why + ")"
		}
		entries = append(entries, menuEntry{Number: l.Number, Label: label})
	}
	return entries
}

// playAll plays lessons in turn until one sends the learner to the menu or
// out of the program.
func (s *session) playAll(ctx context.Context, queue []int) (action, error) {
	for _, n := range queue {
		l, _ := lessons.Find(n)
		act, err := s.play(ctx, l)
		if err != nil {
			if !s.prompt.Interactive() || ctx.Err() != nil || errors.Is(err, errInterrupted) {
				return actQuit, err
			}
			s.out.Error("%v", err)
			return actMenu, nil
		}
		if act == actQuit || act == actMenu {
			return act, nil
		}
	}
	return actNext, nil
}

// play runs one lesson's steps, asking between them.
func (s *session) play(ctx context.Context, l lessons.Lesson) (action, error) {
	s.out.Heading(l.Number, l.Title, l.Goal)
	if why := l.Requires.Unmet(s.env.Cluster); why != "" {
		s.out.Warn("This lesson does not run here: %s.", why)
		s.out.Say("%s", howToMeet(l.Requires))
		return actNext, nil
	}
	r := &lessonRun{session: s, lesson: l, plan: l.Plan()}
	defer r.cleanup()
	r.ran = make([]bool, len(r.plan.Steps))
	r.tried = make([]bool, len(r.plan.Steps))
	if r.plan.Setup != nil {
		if err := r.guard(ctx, r.plan.Setup); err != nil {
			return actQuit, r.failure(ctx, "getting ready", err)
		}
	}
	for i := 0; i < len(r.plan.Steps); {
		err := r.step(ctx, i)
		var leave errLeave
		if errors.As(err, &leave) {
			return leave.act, nil
		}
		if errors.Is(err, errInterrupted) {
			return actQuit, err
		}
		if errors.Is(err, errStepSkipped) {
			i++
			continue
		}
		if err != nil {
			if !s.prompt.Interactive() {
				return actQuit, err
			}
			s.out.Error("%v", err)
		}
		act, perr := s.prompt.after(ctx, err != nil, i == len(r.plan.Steps)-1)
		if perr != nil {
			return actQuit, perr
		}
		switch act {
		case actNext:
			i++
		case actSkip:
			i += 2
		case actMenu, actQuit:
			return act, nil
		}
	}
	s.out.Summary(l.Number, l.Summary)
	return actNext, nil
}

// errStepSkipped says a step did not run, by the learner's choice or
// because the cluster cannot run it; the lesson goes on.
var errStepSkipped = errors.New("step skipped")

// lessonRun is one play of a lesson: its plan and which steps have run.
type lessonRun struct {
	*session
	lesson lessons.Lesson
	plan   lessons.Plan
	ran    []bool // the step ran and succeeded
	tried  []bool // the step ran at least once
}

func (r *lessonRun) cleanup() {
	if r.plan.Cleanup != nil {
		r.plan.Cleanup()
		r.plan.Cleanup = nil
	}
}

// step runs step i after the earlier steps it needs, asking the learner
// first when some of those were skipped.
func (r *lessonRun) step(ctx context.Context, i int) error {
	if missing := r.missing(i); len(missing) > 0 {
		refs := make([]stepRef, len(missing))
		for k, m := range missing {
			refs[k] = r.ref(m)
		}
		act, err := r.prompt.needs(ctx, r.ref(i), refs)
		if err != nil {
			return err
		}
		switch act {
		case actSkip:
			return errStepSkipped
		case actMenu, actQuit:
			return errLeave{act}
		}
		for _, m := range missing {
			if err := r.cell(ctx, m); err != nil {
				if errors.Is(err, errInterrupted) {
					return err
				}
				if errors.Is(err, errStepSkipped) {
					r.out.Skip(i+1, len(r.plan.Steps), r.plan.Steps[i].Title,
						fmt.Sprintf("it needs step %d, which did not run", m+1))
					return errStepSkipped
				}
				return fmt.Errorf("step %d needs step %d, which failed: %w", i+1, m+1, err)
			}
		}
	}
	return r.cell(ctx, i)
}

// errLeave carries a choice to leave the lesson out of step.
type errLeave struct{ act action }

func (e errLeave) Error() string { return "left the lesson" }

// missing returns the steps i needs, directly or through other steps, that
// have not run successfully, in order.
func (r *lessonRun) missing(i int) []int {
	want := map[int]bool{}
	var visit func(int)
	visit = func(j int) {
		for _, n := range r.plan.Steps[j].Needs {
			if k := n - 1; k >= 0 && k < j && !want[k] {
				want[k] = true
				visit(k)
			}
		}
	}
	visit(i)
	var out []int
	for k := range r.plan.Steps {
		if want[k] && !r.ran[k] {
			out = append(out, k)
		}
	}
	return out
}

func (r *lessonRun) ref(i int) stepRef { return stepRef{Number: i + 1, Title: r.plan.Steps[i].Title} }

// cell shows step i (narration and code) and runs it.
func (r *lessonRun) cell(ctx context.Context, i int) error {
	step, n := r.plan.Steps[i], len(r.plan.Steps)
	if why := step.Requires.Unmet(r.env.Cluster); why != "" {
		r.out.Skip(i+1, n, step.Title, why+". "+howToMeet(step.Requires))
		return errStepSkipped
	}
	src, err := lessons.SourceOf(step)
	if err != nil {
		return fmt.Errorf("lesson %d step %d: %w", r.lesson.Number, i+1, err)
	}
	r.out.Cell(i+1, n, step.Title, src.Narration, src.Code)
	if r.tried[i] && step.Reset != nil {
		step.Reset()
	}
	r.tried[i] = true
	err = r.guard(ctx, step.Run)
	if errors.Is(err, lessons.ErrNotHere) && ctx.Err() == nil {
		r.out.Warn("skipped: %v", err)
		return errStepSkipped
	}
	r.ran[i] = err == nil && ctx.Err() == nil
	if !r.ran[i] {
		return r.failure(ctx, fmt.Sprintf("step %d (%s)", i+1, step.Title), err)
	}
	return nil
}

// guard runs f with a time limit. A panic in a step is a bug, but it must
// end as a step failure with a message, not a stack trace.
func (r *lessonRun) guard(ctx context.Context, f func(context.Context, *lessons.Env) error) (err error) {
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the step crashed (%v): please report it", p)
		}
	}()
	return f(sctx, r.env)
}

// failure words an error of the lesson; Ctrl-C becomes errInterrupted once
// what the steps left open is closed.
func (r *lessonRun) failure(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		r.cleanup()
		r.out.Say("Ctrl-C: step stopped, its readers and writers are closed.")
		return errInterrupted
	}
	return r.target.explain(fmt.Errorf("lesson %d, %s: %w", r.lesson.Number, what, err))
}

// howToMeet says how to get a cluster that meets req.
func howToMeet(req lessons.Requirement) string {
	if req.Brokers > 1 {
		return "Start a three-broker cluster (docker compose -f docker-compose.cluster.yml up -d, " +
			"or without Docker: go run ./cmd/kafka-native up --nodes 3), then run this again with " +
			"--brokers localhost:9092,localhost:9094,localhost:9096."
	}
	return "Start the real KRaft broker (docker compose up -d, or without Docker: go run ./cmd/kafka-native up), " +
		"then run this again."
}
