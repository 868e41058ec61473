package class

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func folded(t *testing.T, events ...Event) State {
	t.Helper()
	s := State{Learner: "ada"}
	for i, e := range events {
		e.Time = t0.Add(time.Duration(i) * time.Minute)
		got := s.Apply(e)
		if got.Seq != int64(i+1) {
			t.Fatalf("event %d numbered %d", i+1, got.Seq)
		}
	}
	return s
}

// The fold: a lesson's first step starts it, the later ones move it, done
// stays done, the quiz keeps its last score, a check counts its tries and
// the fails since the last pass.
func TestApply(t *testing.T) {
	s := State{Learner: "ada"}
	if e := s.Apply(Event{Kind: StepReached, Lesson: 0, Step: 1}); e.Kind != LessonStarted || e.Seq != 1 {
		t.Errorf("a lesson's first event: %+v, want lesson-started, seq 1", e)
	}
	if e := s.Apply(Event{Kind: StepReached, Lesson: 0, Step: 2}); e.Kind != StepReached {
		t.Errorf("a later step: %+v", e)
	}
	s = folded(t,
		Event{Kind: StepReached, Lesson: 3, Step: 1},
		Event{Kind: StepReached, Lesson: 3, Step: 4},
		Event{Kind: LessonDone, Lesson: 3},
		Event{Kind: QuizAnswered, Lesson: 3, Right: 1, Total: 3},
		Event{Kind: QuizAnswered, Lesson: 3, Right: 2, Total: 3},
		Event{Kind: StepReached, Lesson: 3, Step: 2}, // played again: still done
		Event{Kind: ExerciseChecked, Exercise: "8"},
		Event{Kind: ExerciseChecked, Exercise: "8"},
		Event{Kind: ExerciseChecked, Exercise: "8", Passed: true},
		Event{Kind: ExerciseChecked, Exercise: "8"},
		Event{Kind: ExerciseChecked, Exercise: "p1"},
	)
	if l := s.Lessons[3]; *l != (Lesson{Step: 2, Done: true, Right: 2, Total: 3}) {
		t.Errorf("lesson 3: %+v", *l)
	}
	if x := s.Exercises["8"]; *x != (Exercise{Tries: 4, Passed: true, FailsInARow: 1}) {
		t.Errorf("exercise 8: %+v", *x)
	}
	if s.Seq != 11 || s.Last.Exercise != "p1" || !s.Last.Time.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("seq %d, last %+v", s.Seq, s.Last)
	}
	// A state survives its JSON: what the topic carries.
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if *back.Lessons[3] != *s.Lessons[3] || *back.Exercises["8"] != *s.Exercises["8"] || back.Seq != s.Seq {
		t.Errorf("round trip: %s", b)
	}
	for _, secret := range []string{"code", "answer", "choice"} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the value names %q: %s", secret, b)
		}
	}
}

func record(t *testing.T, s State) []byte {
	t.Helper()
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The view keeps the newest state of each learner: a retried send (the
// same state again) or a late older one counts nothing twice; a tombstone
// removes the learner; a record it cannot trust is skipped and counted.
func TestClassAdd(t *testing.T) {
	s := folded(t, Event{Kind: ExerciseChecked, Exercise: "8"}, Event{Kind: ExerciseChecked, Exercise: "8"})
	older := folded(t, Event{Kind: ExerciseChecked, Exercise: "8"})
	c := NewClass()
	c.Add([]byte("ada"), record(t, s), SchemaVersion)
	c.Add([]byte("ada"), record(t, s), SchemaVersion)     // retried
	c.Add([]byte("ada"), record(t, older), SchemaVersion) // late
	if x := c.Learners["ada"].Exercises["8"]; x.Tries != 2 || c.Learners["ada"].Seq != 2 {
		t.Errorf("after a retry and a late record: %+v, seq %d; want 2 tries, seq 2", x, c.Learners["ada"].Seq)
	}
	c.Add([]byte("bob"), record(t, s), SchemaVersion) // the value names ada
	c.Add([]byte("ada"), record(t, s), "2")
	c.Add([]byte("ada"), []byte("{"), SchemaVersion)
	if c.Skipped != 3 || len(c.Learners) != 1 {
		t.Errorf("skipped %d, learners %v", c.Skipped, c.Names())
	}
	c.Add([]byte("ada"), nil, "")
	if len(c.Learners) != 0 {
		t.Errorf("a tombstone leaves %v", c.Names())
	}
}

func TestStuck(t *testing.T) {
	fail := Event{Kind: ExerciseChecked, Exercise: "8"}
	s := folded(t, fail, fail)
	now := s.Last.Time.Add(time.Minute)
	if why := s.Stuck(now); why != "" {
		t.Errorf("two fails: stuck %q", why)
	}
	s.Apply(Event{Kind: ExerciseChecked, Exercise: "8", Time: now})
	if why := s.Stuck(now); why != "exercise 8 failed 3×" {
		t.Errorf("three fails: %q", why)
	}
	s.Apply(Event{Kind: ExerciseChecked, Exercise: "8", Passed: true, Time: now})
	if why := s.Stuck(now); why != "" {
		t.Errorf("passed: stuck %q", why)
	}
	if why := s.Stuck(now.Add(StuckIdle - time.Second)); why != "" {
		t.Errorf("idle just under 10 min: %q", why)
	}
	if why := s.Stuck(now.Add(12 * time.Minute)); why != "idle 12m" {
		t.Errorf("idle 12 min: %q", why)
	}
}

// The table: columns for what anyone started or tried, in order (lesson 2
// before 10, exercise 8 before 10 before p1), cells short on screen and in
// words in the CSV, lines cut to the screen.
func TestTable(t *testing.T) {
	c := NewClass()
	ada := folded(t,
		Event{Kind: StepReached, Lesson: 10, Step: 1},
		Event{Kind: LessonDone, Lesson: 10},
		Event{Kind: QuizAnswered, Lesson: 10, Right: 2, Total: 3},
		Event{Kind: ExerciseChecked, Exercise: "10", Passed: true},
	)
	bob := folded(t,
		Event{Kind: StepReached, Lesson: 2, Step: 3},
		Event{Kind: ExerciseChecked, Exercise: "p1"},
		Event{Kind: ExerciseChecked, Exercise: "8"},
	)
	bob.Learner = "bob"
	c.Add([]byte("ada"), record(t, ada), SchemaVersion)
	c.Add([]byte("bob"), record(t, bob), SchemaVersion)
	table := MakeTable(c, t0.Add(5*time.Minute))
	got := table.Render(Screen{Width: 100})
	want := strings.Join([]string{
		"learner  L2  L10   ex8  ex10  exp1  seen  stuck",
		"ada      ·   ✓2/3  ·    ✔1    ·     2m",
		"bob      s3  ·     ✘1   ·     ✘1    3m",
	}, "\n")
	if got != want {
		t.Errorf("table:\n%s\nwant:\n%s", got, want)
	}
	if cut := table.Render(Screen{Width: 20}); !strings.HasPrefix(cut, "learner  L2  L10  …\n") {
		t.Errorf("cut to 20 columns:\n%s", cut)
	}
	if colored := table.Render(Screen{Width: 100, Color: true}); !strings.Contains(colored, green+"✓2/3"+reset) || !strings.Contains(colored, yellow+"✘1"+reset) {
		t.Errorf("colours:\n%q", colored)
	}
	var b bytes.Buffer
	if err := table.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	wantCSV := "learner,lesson 2,lesson 10,exercise 8,exercise 10,exercise p1,last event (UTC),stuck\n" +
		"ada,not started,\"done, quiz 2/3\",not tried,passed (1 try),not tried,2026-12-06T09:03:00Z,\n" +
		"bob,at step 3,not started,failed (1 try),not tried,failed (1 try),2026-12-06T09:02:00Z,\n"
	if b.String() != wantCSV {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), wantCSV)
	}
}
