package main

import (
	"fmt"
	"os"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/progress"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// progressEnv names the progress file instead of the default one under the
// user's config directory: tests, or a class that keeps it elsewhere.
const progressEnv = "KAFKA_LESSONS_PROGRESS"

func progressPath() (string, error) {
	if p := os.Getenv(progressEnv); p != "" {
		return p, nil
	}
	return progress.DefaultPath()
}

// tracker is the progress of the learner of this run (one per topic prefix):
// what the menu marks and offers, saved as each step starts and ends. A nil
// tracker keeps nothing: unattended runs, unless --save-progress.
type tracker struct {
	store  *progress.Store
	who    *progress.Learner
	out    *output.Printer
	prefix string // --topic-prefix: whose progress
	// connect is the connection flags the learner gave (" --brokers HOST"),
	// so that the resume command said on quitting reaches the same broker.
	connect string
	failed  bool // a save failed: said once, not retried

	// class: with --class, what is recorded is also published (class.go).
	class *classLink
}

// openProgress reads the progress file. A file that cannot be used is one
// line of warning, and a fresh start; no location at all means no progress.
func openProgress(prefix string, out *output.Printer) *tracker {
	path, err := progressPath()
	if err != nil {
		out.Warn("Progress is not kept: %v", err)
		return nil
	}
	store, err := progress.Open(path)
	if err != nil {
		out.Warn("%v", err)
	}
	return &tracker{store: store, who: store.Learner(prefix), out: out, prefix: prefix}
}

// save writes what changed. A failure is said once; the lesson goes on.
func (t *tracker) save(err error) {
	if err == nil {
		err = t.store.Save()
	}
	if err != nil && !t.failed {
		t.failed = true
		t.out.Warn("Progress not saved: %v", err)
	}
}

// at records that lesson's step (from 1) is where to resume.
func (t *tracker) at(lesson, step int) {
	if t != nil {
		t.save(t.who.MarkStep(lesson, step))
		t.publishStep(lesson, step)
	}
}

// done records that lesson was played to its end.
func (t *tracker) done(lesson int) {
	if t != nil {
		t.save(t.who.MarkDone(lesson))
		t.publishDone(lesson)
	}
}

// score records a quiz result.
func (t *tracker) score(lesson, right, total int) {
	if t != nil {
		t.save(t.who.SetScore(lesson, right, total))
		t.publishScore(lesson, right, total)
	}
}

// resume is where the learner's last interrupted lesson stopped, if that
// step still exists.
func (t *tracker) resume() (place, bool) {
	if t == nil {
		return place{}, false
	}
	n, step, ok := t.who.Resume()
	if !ok {
		return place{}, false
	}
	l, found := lessons.Find(n)
	if !found || step > len(l.Plan().Steps) {
		return place{}, false
	}
	return place{Lesson: n, Step: step}, true
}

// farewell is the line said on quitting: that progress was saved and the
// command that resumes it. "" when nothing was saved.
func (t *tracker) farewell(tr *i18n.Catalog) string {
	if t == nil || t.failed {
		return ""
	}
	flags := t.connect
	if t.prefix != "" {
		flags += " --topic-prefix " + t.prefix
	}
	if at, ok := t.resume(); ok {
		return tr.F("Progress saved. To resume at lesson %d, step %d: go run ./runner --lesson %d --step %d%s",
			at.Lesson, at.Step, at.Lesson, at.Step, flags)
	}
	return tr.F("Progress saved. To come back: go run ./runner%s", flags)
}

// isDone says whether lesson was played to its end.
func (t *tracker) isDone(lesson int) bool { return t != nil && t.who.Done(lesson) }

// mark is the menu's mark for a lesson: "✓ " when done, else two spaces.
func (t *tracker) mark(lesson int) string {
	if t.isDone(lesson) {
		return "✓ "
	}
	return "  "
}

// quiz is the menu's note of a lesson's quiz score: "  quiz 2/3", and the
// best score when the last one is lower.
func (t *tracker) quiz(lesson int) string {
	if t == nil {
		return ""
	}
	q, ok := t.who.Score(lesson)
	if !ok {
		return ""
	}
	s := "  quiz " + q.Last.String()
	if q.Best != q.Last {
		s += fmt.Sprintf(" (best %s)", q.Best)
	}
	return s
}

// forget drops the learner's progress from the file.
func (t *tracker) forget() error {
	t.who.Reset()
	return t.store.Save()
}

// learnerName says whose progress this is, for messages.
func learnerName(tr *i18n.Catalog, prefix string) string {
	if prefix == "" {
		return tr.T("the learner without --topic-prefix")
	}
	return tr.F("learner %q (--topic-prefix)", prefix)
}

// passed says whether the learner passed exercise id's check.
func (t *tracker) passed(id string) bool { return t != nil && t.who.Passed(id) }

// exercises is what the menu adds to lesson n: its exercises passed.
func (t *tracker) exercises(tr *i18n.Catalog, lesson int) string {
	s := ""
	for _, ex := range exercise.ForLesson(lesson) {
		if t.passed(ex.ID) {
			s += tr.F("  · exercise %s ✔", ex.ID)
		}
	}
	return s
}
