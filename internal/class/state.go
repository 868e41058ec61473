// Package class is a class's progress through Kafka itself: each learner's
// runner publishes what it records in the progress file to the compacted
// topic NAME.progress, keyed by learner, and the teacher's view reads that
// topic from the beginning and then follows it.
//
// A record's value is the learner's whole current state (a small JSON
// summary, with the event that made it), not the event alone. So the last
// record of each key is all the view needs: compaction may drop every
// earlier one and the topic still is the class's state (lesson 12's point),
// and a send retried after a lost answer, or sent twice by two processes,
// cannot be counted twice: it is the same state again, not an increment.
// Each state carries the learner's sequence number (events folded so far):
// the view keeps, per learner, the state with the highest one, so an older
// state arriving late never replaces a newer one.
package class

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// SchemaVersion is the version of the record's value, in the header
// HeaderSchema. The view skips a record of another version (and counts it)
// rather than misread it.
const SchemaVersion = "1"

// HeaderSchema names the header that carries SchemaVersion.
const HeaderSchema = "kafka-lessons-class-schema"

// Topic is the class's topic: NAME.progress.
func Topic(name string) string { return name + ".progress" }

// Kind is what happened.
type Kind string

// The events the runner records.
const (
	LessonStarted   Kind = "lesson-started"   // the first step of a lesson reached
	StepReached     Kind = "step-reached"     // where the learner is, or resumes
	LessonDone      Kind = "lesson-done"      // the lesson played to its end
	QuizAnswered    Kind = "quiz-answered"    // the quiz's score (right of total), never the answers
	ExerciseChecked Kind = "exercise-checked" // a check's verdict, never the code
)

// Event is one thing a learner did. Lesson and Step go with the lesson
// events, Right and Total with a quiz, Exercise and Passed with a check.
type Event struct {
	Kind     Kind      `json:"kind"`
	Lesson   int       `json:"lesson"` // lessons start at 0: no omitempty
	Step     int       `json:"step,omitempty"`
	Right    int       `json:"right,omitempty"`
	Total    int       `json:"total,omitempty"`
	Exercise string    `json:"exercise,omitempty"`
	Passed   bool      `json:"passed,omitempty"`
	Time     time.Time `json:"time"`
	Seq      int64     `json:"seq"` // the learner's sequence number, from 1
}

// Lesson is a learner's state in one lesson.
type Lesson struct {
	Step  int  `json:"step,omitempty"` // where the learner is (from 1), or resumes
	Done  bool `json:"done,omitempty"` // played to its end, at least once
	Right int  `json:"right,omitempty"`
	Total int  `json:"total,omitempty"` // the last quiz's score; 0: no quiz answered
}

// Exercise is a learner's state in one exercise.
type Exercise struct {
	Tries       int  `json:"tries"`
	Passed      bool `json:"passed,omitempty"`
	FailsInARow int  `json:"fails_in_a_row,omitempty"` // checks failed since the last pass
}

// State is one learner's whole progress: the value of their record.
type State struct {
	Learner   string               `json:"learner"`
	Seq       int64                `json:"seq"`  // events folded in
	Last      Event                `json:"last"` // the event that made this state
	Lessons   map[int]*Lesson      `json:"lessons,omitempty"`
	Exercises map[string]*Exercise `json:"exercises,omitempty"`
}

// Apply folds e into the state and returns e as folded: numbered with the
// next sequence number, a first step of a lesson named LessonStarted.
func (s *State) Apply(e Event) Event {
	if s.Lessons == nil {
		s.Lessons = map[int]*Lesson{}
	}
	if s.Exercises == nil {
		s.Exercises = map[string]*Exercise{}
	}
	s.Seq++
	e.Seq = s.Seq
	switch e.Kind {
	case LessonStarted, StepReached:
		l, seen := s.Lessons[e.Lesson]
		if !seen {
			l = &Lesson{}
			s.Lessons[e.Lesson] = l
			e.Kind = LessonStarted
		}
		l.Step = e.Step
	case LessonDone:
		l := s.lesson(e.Lesson)
		l.Done = true
	case QuizAnswered:
		l := s.lesson(e.Lesson)
		l.Right, l.Total = e.Right, e.Total
	case ExerciseChecked:
		x, ok := s.Exercises[e.Exercise]
		if !ok {
			x = &Exercise{}
			s.Exercises[e.Exercise] = x
		}
		x.Tries++
		if e.Passed {
			x.Passed, x.FailsInARow = true, 0
		} else {
			x.FailsInARow++
		}
	}
	s.Last = e
	return e
}

func (s *State) lesson(n int) *Lesson {
	l, ok := s.Lessons[n]
	if !ok {
		l = &Lesson{}
		s.Lessons[n] = l
	}
	return l
}

// Clone is a deep copy, to hand to another goroutine.
func (s *State) Clone() State {
	c := *s
	c.Lessons = map[int]*Lesson{}
	for n, l := range s.Lessons {
		v := *l
		c.Lessons[n] = &v
	}
	c.Exercises = map[string]*Exercise{}
	for id, x := range s.Exercises {
		v := *x
		c.Exercises[id] = &v
	}
	return c
}

// Encode is the record's value.
func (s *State) Encode() ([]byte, error) { return json.Marshal(s) }

// Stuck says why the learner seems stuck at now, or "": the same check
// failed three times in a row, or nothing done for ten minutes.
func (s *State) Stuck(now time.Time) string {
	format, args := s.stuck(now)
	if format == "" {
		return ""
	}
	return fmt.Sprintf(format, args...)
}

// stuck is Stuck as a format and its values, for a view in another
// language.
func (s *State) stuck(now time.Time) (string, []any) {
	ids := slices.Sorted(maps.Keys(s.Exercises))
	for _, id := range ids {
		if x := s.Exercises[id]; !x.Passed && x.FailsInARow >= StuckFails {
			return i18n.Mark("exercise %s failed %d×"), []any{id, x.FailsInARow}
		}
	}
	if idle := now.Sub(s.Last.Time); !s.Last.Time.IsZero() && idle >= StuckIdle {
		return i18n.Mark("idle %s"), []any{Ago(idle)}
	}
	return "", nil
}

// What makes a learner seem stuck.
const (
	StuckFails = 3
	StuckIdle  = 10 * time.Minute
)

// Class is the class's state as the view folds it from the topic: the
// latest state of each learner.
type Class struct {
	Learners map[string]*State
	// Skipped counts records the view could not use: another schema
	// version, a value that does not parse, a key that is not the
	// learner the value names.
	Skipped int
}

// NewClass is an empty class.
func NewClass() *Class { return &Class{Learners: map[string]*State{}} }

// Add folds one record of the topic in. A state older than the one kept
// (a lower sequence number: a retry that arrived late) changes nothing; an
// equal one replaces it (the same state, or the later of two processes).
// An empty value (a tombstone: the teacher removed the learner) drops the
// learner.
func (c *Class) Add(key, value []byte, schema string) {
	learner := string(key)
	if value == nil {
		delete(c.Learners, learner)
		return
	}
	var s State
	if schema != SchemaVersion || json.Unmarshal(value, &s) != nil || s.Learner != learner {
		c.Skipped++
		return
	}
	if old, ok := c.Learners[learner]; ok && old.Seq > s.Seq {
		return
	}
	c.Learners[learner] = &s
}

// Clone is a deep copy, to hand to another goroutine.
func (c *Class) Clone() *Class {
	d := &Class{Learners: map[string]*State{}, Skipped: c.Skipped}
	for name, s := range c.Learners {
		v := s.Clone()
		d.Learners[name] = &v
	}
	return d
}

// Names are the learners, sorted.
func (c *Class) Names() []string {
	names := slices.Collect(maps.Keys(c.Learners))
	sort.Strings(names)
	return names
}

// Ago is a duration as the table shows it: 45s, 12m, 3h, 2d.
func Ago(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
