package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// stepTimeout bounds one step, so that nothing can hang a classroom demo.
const stepTimeout = 90 * time.Second

// action is what the learner chose.
type action int

const (
	actNext       action = iota // go on
	actAgain                    // run this step again
	actSkip                     // skip the next step (or, asked about needs, this one)
	actPrev                     // go back to the previous step
	actMenu                     // back to the menu
	actQuit                     // leave the program
	actRunNeeded                // run the steps this one needs first
	actSkipDeeper               // skip the deeper steps that come next
)

// prompter asks the learner. The unattended one never asks.
type prompter interface {
	// Interactive says whether a person answers the questions.
	Interactive() bool
	// pick shows the menu and returns where to play; nil means quit.
	pick(ctx context.Context, menu []menuEntry) ([]place, error)
	// show draws a step's cell before it runs: at once, or a screenful at
	// a time when the screen is too small for it.
	show(ctx context.Context, cell output.CellView) error
	// after asks what to do once a step ran (or failed); prev is the step
	// before it (Number 0: none); edits are the choices about the step
	// itself: edit it (none when it cannot be edited here), show the code
	// of a helper it calls.
	after(ctx context.Context, failed, last bool, prev stepRef, edits []choice) (action, error)
	// needs asks what to do when step wants earlier steps that have not run.
	needs(ctx context.Context, step stepRef, missing []stepRef) (action, error)
	// answer asks a quiz question and returns the index of the choice made.
	answer(ctx context.Context, q lessons.Question) (int, error)
	// review asks, after a wrong answer, whether to run step again (actAgain)
	// or go on (actNext).
	review(ctx context.Context, step stepRef, last bool) (action, error)
	// pause gives an audience time to read (--pace); a person needs none.
	pause(ctx context.Context) error
	// hush keeps keys typed while a step runs off the screen, and drops
	// them when it ends (the returned func); unattended: nothing to do.
	hush() func()
	// selectOne asks msg and returns the index of the label chosen (def
	// is selected first).
	selectOne(ctx context.Context, msg string, labels []string, def string) (int, error)
}

// place is where to play: a lesson, and the step (from 1) to start at; 0
// is the beginning.
type place struct {
	Lesson, Step int
	// Exercise, when set, is an exercise's desk instead of a lesson (its
	// id), or the list of exercises (exercisesEntry).
	Exercise string
}

// menuEntry is a choice of the menu: a lesson, or where to resume one.
type menuEntry struct {
	place
	Label string
	done  bool // the lesson was played to its end
}

// stepRef names a step for a question: its number (from 1) and title.
type stepRef struct {
	Number int
	Title  string
}

// journal keeps a record of what was played: the notebook of the run
// (*notebook.Book, which the printer also feeds with the output), or nothing.
type journal interface {
	Heading(lesson int, title, goal string)
	Step(lesson, index, total int, title, narration, code string)
	Summary(lesson int, points []string)
	Note(markdown string)
}

type noJournal struct{}

func (noJournal) Heading(int, string, string)                {}
func (noJournal) Step(int, int, int, string, string, string) {}
func (noJournal) Summary(int, []string)                      {}
func (noJournal) Note(string)                                {}

// session is one run of the walkthrough: where it talks to Kafka, how it
// prints and asks, what it remembers and records.
type session struct {
	env      *lessons.Env
	out      *output.Printer
	prompt   prompter
	progress *tracker // nil: progress is not kept
	book     journal
	quizzes  bool // ask each lesson's questions at its end
	target   target
	coach    *coach // the exercises, from the menu
	stdio    stdio  // the terminal, lent to an editor

	editor    *stepEditor // edits steps; nil: not here (editWhy says why)
	editWhy   string
	editNoted bool // editWhy was said: once is enough
	ruleSaid  bool // when a step runs was said: once is enough
	only      bool // --edited-run: the one step, no heading, then stop
	// onPage: the session is the web page's, where a step is stopped by a
	// button or a closed tab, not by Ctrl-C.
	onPage bool
}

// walk plays queue, then, for a person, offers the menu until they quit.
// stay says whether to come back to the menu once queue is played (a
// lesson chosen on the command line ends the program when it is done).
func (s *session) walk(ctx context.Context, queue []place, stay bool) error {
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
		if err == nil && act == actQuit && s.prompt.Interactive() {
			if line := s.progress.farewell(s.out.Catalog()); line != "" {
				s.out.Plain("%s", line)
			}
		}
		if err != nil || act == actQuit || (act != actMenu && !stay) {
			return err
		}
	}
}

// menu lists the lessons, marking those done and those this cluster cannot
// run; where the learner stopped comes first.
func (s *session) menu() []menuEntry {
	tr := s.out.Catalog()
	var entries []menuEntry
	if at, ok := s.progress.resume(); ok {
		l, _ := findLocal(tr, at.Lesson)
		entries = append(entries, menuEntry{place: at, Label: tr.F("▶ Resume lesson %d at step %d · %s", at.Lesson, at.Step, l.Title)})
	}
	for _, l := range localized(tr) {
		label := s.progress.mark(l.Number) + fmt.Sprintf("%d · %s", l.Number, l.Title) + s.progress.quiz(l.Number) +
			s.progress.exercises(tr, l.Number)
		if why := l.Requires.UnmetIn(tr, s.env.Cluster); why != "" {
			label += tr.F("  (not here: %s)", why)
		}
		entries = append(entries, menuEntry{place: place{Lesson: l.Number}, Label: label, done: s.progress.isDone(l.Number)})
	}
	if s.coach != nil {
		entries = append(entries, menuEntry{place: place{Lesson: -1, Exercise: exercisesEntry}, Label: s.exercisesLabel(), done: true})
	}
	return entries
}

// playAll plays lessons in turn until one sends the learner to the menu or
// out of the program.
func (s *session) playAll(ctx context.Context, queue []place) (action, error) {
	for _, p := range queue {
		var act action
		var err error
		if p.Exercise != "" {
			act, err = s.exercises(ctx)
		} else {
			l, _ := findLocal(s.out.Catalog(), p.Lesson)
			act, err = s.play(ctx, l, p.Step)
		}
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

// play runs one lesson's steps from step from (1-based; 0 is the start),
// asking between them, then its quiz.
func (s *session) play(ctx context.Context, l lessons.Lesson, from int) (action, error) {
	if !s.only { // an edited run prints its step's output, under the parent's heading
		s.out.Heading(l.Number, l.Title, l.Goal)
	}
	s.book.Heading(l.Number, l.Title, l.Goal)
	if why := l.Requires.UnmetIn(s.out.Catalog(), s.env.Cluster); why != "" {
		s.out.Warn("This lesson does not run here: %s.", why)
		s.out.Say("%s", howToMeet(s.out.Catalog(), l.Requires))
		return actNext, nil
	}
	if s.prompt.Interactive() && !s.only && !s.ruleSaid {
		s.ruleSaid = true
		s.out.Aside(stepRule)
	}
	r := s.newRun(l)
	defer r.cleanup()
	if err := r.setup(ctx); err != nil {
		return actQuit, err
	}
	i := max(0, from-1)
	if err := r.prepare(ctx, i); err != nil {
		return actQuit, err
	}
	for n := len(r.plan.Steps); i < n; {
		s.progress.at(l.Number, i+1)
		err := r.step(ctx, i)
		var leave errLeave
		if errors.As(err, &leave) {
			return leave.act, nil
		}
		if errors.Is(err, errInterrupted) {
			return actQuit, err
		}
		if err == nil || errors.Is(err, errStepSkipped) {
			s.progress.at(l.Number, min(i+2, n)) // the next step is where to resume
		}
		if s.only { // an edited run: this step, and nothing after it
			if errors.Is(err, errStepSkipped) {
				err = nil // the step said why it does not run here
			}
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
		prev := r.previous(i)
		act, perr := r.afterStep(ctx, i, err != nil, prev)
		if perr != nil {
			return actQuit, perr
		}
		switch act {
		case actNext:
			i++
		case actSkip:
			i += 2
		case actSkipDeeper:
			i = r.pastDeeper(i + 1)
		case actPrev:
			i = prev.Number - 1
		case actMenu, actQuit:
			return act, nil
		}
	}
	r.cleanup()
	points := l.Summary
	if r.ranDeeper() {
		points = append(slices.Clone(points), l.DeeperSummary...)
	}
	s.out.Summary(l.Number, points)
	s.book.Summary(l.Number, points)
	s.progress.done(l.Number)
	if err := s.quiz(ctx, r.quizFor()); err != nil {
		return actNext, err
	}
	s.nowYou(l)
	if s.prompt.Interactive() && s.coach != nil {
		return s.offerExercises(ctx, l.Number)
	}
	return actNext, nil
}

// nowYou offers the exercises that follow lesson l: what to do, and how to
// check it.
func (s *session) nowYou(l lessons.Lesson) {
	for _, ex := range exercise.LocalizeAll(exercise.ForLesson(l.Number), s.out.Catalog()) {
		mark := ""
		if s.progress.passed(ex.ID) {
			mark = " (✔ passed)"
		}
		s.out.Plain("\nNow you: exercise %s · %s%s", ex.ID, ex.Title, mark)
		s.out.Plain("  Complete exercises/%s/main.go, then: go run ./runner check %s", ex.Dir, ex.ID)
		s.book.Note(fmt.Sprintf("**Now you: exercise %s · %s%s.** Complete `exercises/%s/main.go`, then run `go run ./runner check %s`.",
			ex.ID, ex.Title, mark, ex.Dir, ex.ID))
	}
}

// stepRule says, once, when a step runs: the one rule, where the learner
// starts (show in prompt.go applies it).
const stepRule = "A step runs once shown; one too long for the screen is paged and waits for Enter (q: quit, progress saved)."

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

	noEditSaid bool // why a step cannot be edited was said
}

func (s *session) newRun(l lessons.Lesson) *lessonRun {
	r := &lessonRun{session: s, lesson: l, plan: l.Plan()}
	r.ran = make([]bool, len(r.plan.Steps))
	r.tried = make([]bool, len(r.plan.Steps))
	return r
}

func (r *lessonRun) cleanup() {
	if r.plan.Cleanup != nil {
		r.plan.Cleanup()
		r.plan.Cleanup = nil
	}
}

// setup prepares what the lesson assumes (its topic).
func (r *lessonRun) setup(ctx context.Context) error {
	if r.plan.Setup == nil {
		return nil
	}
	if err := r.guard(ctx, r.plan.Setup); err != nil {
		return r.failure(ctx, "getting ready", err)
	}
	return nil
}

// prepare runs, quietly, the steps that step i needs and that have not run:
// a lesson started at step i (--step, a resume, a quiz's "run it again")
// needs what they make. One line says so; their cells and output are not
// shown.
func (r *lessonRun) prepare(ctx context.Context, i int) error {
	missing := r.missing(i)
	if len(missing) == 0 {
		return nil
	}
	numbers := make([]string, len(missing))
	for k, m := range missing {
		numbers[k] = fmt.Sprint(m + 1)
	}
	tr := r.out.Catalog()
	line := tr.F("Step %d needs what step %s makes: running it first, quietly.", i+1, numbers[0])
	if n := len(numbers); n > 1 {
		line = tr.F("Step %d needs what steps %s and %s make: running them first, quietly.",
			i+1, strings.Join(numbers[:n-1], ", "), numbers[n-1])
	}
	r.out.Aside("%s", line)
	r.book.Note("*" + line + "*")
	r.out.Mute()
	defer r.out.Unmute()
	for _, m := range missing {
		if err := r.run(ctx, m); err != nil {
			if errors.Is(err, errInterrupted) {
				return err
			}
			if errors.Is(err, errStepSkipped) {
				err = fmt.Errorf("step %d cannot run here", m+1)
			}
			return fmt.Errorf("step %d needs step %d, which failed: %w", i+1, m+1, err)
		}
	}
	return nil
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
					r.out.Skip(i+1, len(r.plan.Steps), r.plan.Steps[i].Heading(),
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

func (r *lessonRun) ref(i int) stepRef {
	return stepRef{Number: i + 1, Title: r.plan.Steps[i].Heading()}
}

// pastDeeper is the first step from i on that is not deeper (the number
// of steps: none, the lesson ends).
func (r *lessonRun) pastDeeper(i int) int {
	for i < len(r.plan.Steps) && r.plan.Steps[i].Deeper {
		i++
	}
	return i
}

// deeperChoice is the choice, after step i, to skip the deeper steps that
// follow it, when the next step is one: a beginner leaves them for later.
func (r *lessonRun) deeperChoice(i int) []choice {
	next := i + 1
	if !r.prompt.Interactive() || next >= len(r.plan.Steps) || !r.plan.Steps[next].Deeper {
		return nil
	}
	tr := r.out.Catalog()
	end := r.pastDeeper(next)
	steps := tr.F("the deeper step %d", next+1)
	if end-next > 1 {
		steps = tr.F("the deeper steps %d–%d", next+1, end)
	}
	to := tr.T("the end of the lesson")
	if end < len(r.plan.Steps) {
		to = tr.F("step %d", end+1)
	}
	return []choice{{tr.F("Skip %s: on to %s", steps, to), actSkipDeeper}}
}

// ranDeeper says whether a deeper step of the lesson ran in this run.
func (r *lessonRun) ranDeeper() bool {
	for i, st := range r.plan.Steps {
		if st.Deeper && r.tried[i] {
			return true
		}
	}
	return false
}

// quizFor is the lesson with the questions about the deeper steps this run
// passed by left out: a learner who skipped them is not asked about them.
func (r *lessonRun) quizFor() lessons.Lesson {
	l := r.lesson
	l.Quiz = slices.DeleteFunc(slices.Clone(l.Quiz), func(q lessons.Question) bool {
		return q.Step >= 1 && q.Step <= len(r.plan.Steps) && r.plan.Steps[q.Step-1].Deeper && !r.tried[q.Step-1]
	})
	if left := len(r.lesson.Quiz) - len(l.Quiz); left > 0 {
		what := r.out.Catalog().T("One question")
		if left > 1 {
			what = r.out.Catalog().F("%d questions", left)
		}
		r.out.Aside("%s about the deeper steps you skipped left out.", what)
	}
	return l
}

// previous is the step before i that can run here, to go back to (Number 0:
// none).
func (r *lessonRun) previous(i int) stepRef {
	for j := i - 1; j >= 0; j-- {
		if r.plan.Steps[j].Requires.Unmet(r.env.Cluster) == "" {
			return r.ref(j)
		}
	}
	return stepRef{}
}

// cell shows step i (narration and code) and runs it.
func (r *lessonRun) cell(ctx context.Context, i int) error {
	step, n := r.plan.Steps[i], len(r.plan.Steps)
	tr := r.out.Catalog()
	if why := step.Requires.UnmetIn(tr, r.env.Cluster); why != "" {
		why += ". " + howToMeet(tr, step.Requires)
		r.out.Skip(i+1, n, step.Heading(), why)
		r.book.Note(fmt.Sprintf("### Step %d/%d · %s\n\n*Skipped: %s*", i+1, n, step.Heading(), why))
		return errStepSkipped
	}
	src, err := lessons.SourceOf(step)
	if err != nil {
		return fmt.Errorf("lesson %d step %d: %w", r.lesson.Number, i+1, err)
	}
	if r.only { // an edited run: the parent showed the edit
		return r.run(ctx, i)
	}
	narration := lessons.Narration(tr, r.lesson.Number, i+1, src.Narration)
	r.book.Step(r.lesson.Number, i+1, n, step.Heading(), lessons.NarrationMarkdown(narration), src.Code)
	if err := r.prompt.show(ctx, r.out.RenderCell(i+1, n, step.Heading(), narration, src.Code)); err != nil {
		return err
	}
	return r.run(ctx, i)
}

// run runs step i, without showing it.
func (r *lessonRun) run(ctx context.Context, i int) error {
	step := r.plan.Steps[i]
	if step.Requires.Unmet(r.env.Cluster) != "" {
		return errStepSkipped
	}
	if r.tried[i] && step.Reset != nil {
		step.Reset()
	}
	r.tried[i] = true
	unhush := r.prompt.hush()
	err := r.guard(ctx, step.Run)
	unhush()
	if errors.Is(err, lessons.ErrNotHere) && ctx.Err() == nil {
		r.out.Warn("skipped: %v", err)
		return errStepSkipped
	}
	r.ran[i] = err == nil && ctx.Err() == nil
	if !r.ran[i] {
		return r.failure(ctx, fmt.Sprintf("step %d (%s)", i+1, step.Title), err)
	}
	for _, n := range step.Ends { // what they made is used up (a writer closed)
		if k := n - 1; k >= 0 && k < len(r.ran) {
			r.ran[k] = false
		}
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
			if r.only { // the learner's own code, not a bug of the lessons
				err = fmt.Errorf("your edited step panicked: %v", p)
			}
		}
	}()
	return f(sctx, r.env)
}

// failure words an error of the lesson; Ctrl-C becomes errInterrupted once
// what the steps left open is closed.
func (r *lessonRun) failure(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		r.cleanup()
		r.out.Unmute() // a step running quietly says this too
		if r.onPage {
			r.out.Say("Stopped: the step's readers and writers are closed.")
		} else {
			r.out.Say("Ctrl-C: step stopped, its readers and writers are closed.")
		}
		return errInterrupted
	}
	return r.target.explain(fmt.Errorf("lesson %d, %s: %w", r.lesson.Number, what, err))
}

// howToMeet says how to get a cluster that meets req.
func howToMeet(tr *i18n.Catalog, req lessons.Requirement) string {
	if req.Brokers > 1 {
		return tr.T("Start a three-broker cluster (docker compose -f docker-compose.cluster.yml up -d, " +
			"or without Docker: go run ./cmd/kafka-native up --nodes 3), then run this again with " +
			"--brokers localhost:9092,localhost:9094,localhost:9096; or try the emulation of one: " +
			"go run ./runner --embedded --nodes 3.")
	}
	if req.ACLs {
		return tr.T("Start a broker that checks ACLs (without Docker: go run ./cmd/kafka-native up --secure), " +
			"then run this again with --config .kafka-native/secure/client.properties.")
	}
	if req.JVM {
		return tr.T("Run this against Apache Kafka reached without TLS or SASL (docker compose up -d, " +
			"or without Docker: go run ./cmd/kafka-native up), on a machine with a JDK and Maven " +
			"(apt-get install openjdk-17-jdk-headless maven, or brew install openjdk@17 maven).")
	}
	if req.Registry {
		return tr.T("Start a schema registry (docker compose up -d runs Confluent's on localhost:8081, " +
			"go run ./cmd/kafka-native up --registry runs Apicurio there without Docker, " +
			"or name yours with schema.registry.url in a --config file), or install a JDK and Maven " +
			"(apt-get install openjdk-17-jdk-headless maven, or brew install openjdk@17 maven) " +
			"and the lesson starts Apicurio Registry itself.")
	}
	if req.ConsumerProtocol {
		return tr.T("Start Apache Kafka 4.0 or later (without Docker: go run ./cmd/kafka-native up --version 4.1.1), " +
			"then run this again; or try the embedded emulation, which speaks it: " +
			"go run ./runner --embedded.")
	}
	return tr.T("Start the real KRaft broker (docker compose up -d, or without Docker: go run ./cmd/kafka-native up), " +
		"then run this again.")
}
