// Package progress remembers what a learner did and where they stopped: the
// lessons done, the step an interrupted lesson stopped at, and quiz scores.
// It keeps one record per topic prefix (the empty prefix is a learner too),
// so learners sharing a machine do not mix, in one small JSON file.
//
// Reading never fails hard: a missing file is a fresh start, and a corrupt,
// unreadable or newer file gives an empty store and a *Warning to print.
//
// Several runs may share the file (two learners in two terminals). Save
// therefore reloads the file and writes back only the lessons this Store
// changed, one learner's lesson at a time: another learner's progress, or
// another lesson of the same learner, saved meanwhile is kept. When two runs
// change the same lesson of the same learner, the last to save wins. There is
// no lock: the window between reload and rename is a few microseconds, and a
// lost update there costs one lesson's mark, not the file.
package progress

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Version is the version of the file format this package writes. Version 2:
// lesson 0 begins with three new steps (the first order), so its old step
// k is step k+3; a version 1 file is moved on when read (migrate).
const Version = 2

var (
	// ErrCorrupt: the file is not a progress file this package can read.
	ErrCorrupt = errors.New("not a valid progress file")
	// ErrNewerVersion: the file was written by a newer release; it is left
	// as it is rather than overwritten with less than it holds.
	ErrNewerVersion = errors.New("written by a newer version of the lessons")
)

// Warning is what Open reports when it could not use all of the file: the
// Store it returns holds what could be read (often nothing) and is usable.
// It prints as one line.
type Warning struct {
	Path string
	Err  error // wraps ErrCorrupt, ErrNewerVersion or the read error
}

func (w *Warning) Error() string {
	msg := fmt.Sprintf("progress file %s ignored: %v", w.Path, w.Err)
	// One line, whatever the path or the parser said.
	return strings.Join(strings.Fields(msg), " ")
}

func (w *Warning) Unwrap() error { return w.Err }

// DefaultPath is <user config dir>/kafka-go-lessons/progress.json.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("progress file location: %w", err)
	}
	return filepath.Join(dir, "kafka-go-lessons", "progress.json"), nil
}

// Option changes how Open sets up a Store.
type Option func(*Store)

// WithClock makes the Store take times from now instead of time.Now: tests.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Store is the progress of every learner in one file. It is safe for
// concurrent use.
type Store struct {
	path string
	now  func() time.Time

	mu    sync.Mutex
	data  file
	dirty map[string]*change // by prefix: what Save must write back
}

// change is what this Store changed for one learner since it last saved.
type change struct {
	reset     bool            // the learner was forgotten: drop what the file holds
	lessons   map[int]bool    // lessons whose record this Store replaced
	exercises map[string]bool // exercises whose record this Store replaced
}

// The file format. Lessons are keyed by number; a lesson's record holds all
// there is about it, so that Save can merge lesson by lesson.
type file struct {
	Version  int                 `json:"version"`
	Learners map[string]*learner `json:"learners"`
}

type learner struct {
	Lessons map[int]*lesson `json:"lessons"`
	// Exercises are keyed by the exercise's id ("8", "p1").
	Exercises map[string]*exercise `json:"exercises,omitempty"`
}

// exercise is what a learner did with one exercise.
type exercise struct {
	Passed *time.Time `json:"passed,omitempty"` // when its check first passed
	Hints  int        `json:"hints,omitempty"`  // how many of its hints were shown
}

func (l *learner) empty() bool { return len(l.Lessons) == 0 && len(l.Exercises) == 0 }

type lesson struct {
	Done    *time.Time `json:"done,omitempty"`    // when it was last played to the end
	Stopped *position  `json:"stopped,omitempty"` // where an unfinished run stopped
	Quiz    *QuizScore `json:"quiz,omitempty"`
}

type position struct {
	Step int       `json:"step"` // 1-based: the step to resume at
	At   time.Time `json:"at"`
}

// Result is one quiz score: Right answers out of Total questions.
type Result struct {
	Right int `json:"right"`
	Total int `json:"total"`
}

func (r Result) String() string { return fmt.Sprintf("%d/%d", r.Right, r.Total) }

// better reports whether r is a better score than o: a higher share of right
// answers, or the same share of more questions.
func (r Result) better(o Result) bool {
	a, b := r.Right*o.Total, o.Right*r.Total
	return a > b || (a == b && r.Total > o.Total)
}

// QuizScore is a lesson's quiz: the last score, the best one, and when the
// last was taken.
type QuizScore struct {
	Last Result    `json:"last"`
	Best Result    `json:"best"`
	At   time.Time `json:"at"`
}

// Open reads the progress file at path. It always returns a usable Store; a
// non-nil error is a *Warning (the file was ignored: print it and go on). A
// missing file is no warning: nobody has played yet.
func Open(path string, opts ...Option) (*Store, error) {
	s := &Store{path: path, now: time.Now, data: emptyFile()}
	for _, o := range opts {
		o(s)
	}
	f, dropped, err := load(path)
	if err != nil {
		return s, &Warning{Path: path, Err: err}
	}
	s.data = f
	if dropped > 0 {
		return s, &Warning{Path: path, Err: fmt.Errorf("%d invalid entries: %w", dropped, ErrCorrupt)}
	}
	return s, nil
}

// Path is the file the Store reads and writes.
func (s *Store) Path() string { return s.path }

func emptyFile() file { return file{Version: Version, Learners: map[string]*learner{}} }

// load reads and checks the file. It returns how many invalid entries it
// dropped: one hand-edited line should not cost every learner their progress.
func load(path string) (file, int, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return emptyFile(), 0, nil
	}
	if err != nil {
		return emptyFile(), 0, fmt.Errorf("read: %w", err)
	}
	// The version first: a newer format may not even decode into this one.
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return emptyFile(), 0, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	switch {
	case head.Version == nil || *head.Version < 1:
		return emptyFile(), 0, fmt.Errorf("%w: no version", ErrCorrupt)
	case *head.Version > Version:
		return emptyFile(), 0, fmt.Errorf("%w (format %d, this one reads %d)", ErrNewerVersion, *head.Version, Version)
	}
	var f file
	if err := json.Unmarshal(raw, &f); err != nil {
		return emptyFile(), 0, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	f.migrate(*head.Version)
	f.Version = Version
	return f, f.sanitize(), nil
}

// lesson0Shift is how far version 2 moved lesson 0's steps: three new
// steps (create the topic, send the first order, read it back) came first.
const lesson0Shift = 3

// migrate moves a file of an older version to this one: the step a learner
// stopped at in lesson 0 is the same step under its new number.
func (f *file) migrate(from int) {
	if from >= 2 {
		return
	}
	for _, l := range f.Learners {
		if l == nil {
			continue
		}
		if st := l.Lessons[0]; st != nil && st.Stopped != nil && st.Stopped.Step >= 1 {
			st.Stopped.Step += lesson0Shift
		}
	}
}

// sanitize drops entries no Store would write, and counts them.
func (f *file) sanitize() int {
	dropped := 0
	if f.Learners == nil {
		f.Learners = map[string]*learner{}
	}
	for prefix, l := range f.Learners {
		if l == nil {
			delete(f.Learners, prefix)
			continue
		}
		if l.Lessons == nil {
			l.Lessons = map[int]*lesson{}
		}
		for n, st := range l.Lessons {
			switch {
			case n < 0 || st == nil:
				delete(l.Lessons, n)
				dropped++
				continue
			case st.Stopped != nil && st.Stopped.Step < 1:
				st.Stopped = nil
				dropped++
			case st.Quiz != nil && (!st.Quiz.Last.valid() || !st.Quiz.Best.valid()):
				st.Quiz = nil
				dropped++
			}
			if st.empty() {
				delete(l.Lessons, n)
			}
		}
		for id, ex := range l.Exercises {
			switch {
			case ex == nil || ex.Hints < 0:
				delete(l.Exercises, id)
				dropped++
			case ex.Passed == nil && ex.Hints == 0:
				delete(l.Exercises, id)
			}
		}
		if l.empty() {
			delete(f.Learners, prefix)
		}
	}
	return dropped
}

func (r Result) valid() bool { return r.Total > 0 && r.Right >= 0 && r.Right <= r.Total }

func (st *lesson) empty() bool { return st.Done == nil && st.Stopped == nil && st.Quiz == nil }

// Save writes what this Store changed, merged into the file as it is now (see
// the package comment), atomically: a temporary file in the same directory,
// renamed over the old one. With nothing changed it writes nothing. It does
// not overwrite a file it cannot read or that a newer release wrote; a
// corrupt file is kept beside the new one as <path>.corrupt.
func (s *Store) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.dirty) == 0 {
		return nil
	}
	disk, _, err := load(s.path)
	switch {
	case err == nil:
	case errors.Is(err, ErrCorrupt):
		if err := os.Rename(s.path, s.path+".corrupt"); err != nil {
			return fmt.Errorf("progress not saved: keep corrupt %s aside: %w", s.path, err)
		}
	default:
		return fmt.Errorf("progress not saved, so as not to overwrite %s: %w", s.path, err)
	}
	for prefix, ch := range s.dirty {
		theirs := disk.Learners[prefix]
		if ch.reset || theirs == nil {
			theirs = &learner{Lessons: map[int]*lesson{}}
		}
		if mine := s.data.Learners[prefix]; mine != nil {
			for n := range ch.lessons {
				if st := mine.Lessons[n]; st != nil {
					theirs.Lessons[n] = st
				} else {
					delete(theirs.Lessons, n)
				}
			}
			for id := range ch.exercises {
				if theirs.Exercises == nil {
					theirs.Exercises = map[string]*exercise{}
				}
				if ex := mine.Exercises[id]; ex != nil {
					theirs.Exercises[id] = ex
				} else {
					delete(theirs.Exercises, id)
				}
			}
		}
		if theirs.empty() {
			delete(disk.Learners, prefix)
		} else {
			disk.Learners[prefix] = theirs
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(disk); err != nil {
		return fmt.Errorf("encode progress: %w", err)
	}
	if err := writeAtomic(s.path, buf.Bytes()); err != nil {
		return fmt.Errorf("save progress: %w", err)
	}
	s.data, s.dirty = disk, nil
	return nil
}

// writeAtomic replaces path with data so that a reader sees the old file or
// the new one, never half of one, and a crash leaves no partial file behind.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	// 0700, 0600: the file says who studied what and when; it is nobody
	// else's business on a shared machine.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	// Without Sync, a power cut after the rename can leave an empty file.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}

// Learner is the progress of the learner with one topic prefix. It is a view
// of its Store: changes are kept when the Store saves.
type Learner struct {
	s      *Store
	prefix string
}

// Learner returns the learner with topic prefix ("" is a learner too).
// Looking creates nothing: a learner exists in the file once marked.
func (s *Store) Learner(prefix string) *Learner { return &Learner{s: s, prefix: prefix} }

// Prefix is the learner's topic prefix.
func (l *Learner) Prefix() string { return l.prefix }

// get returns lesson n's record, or nil; the caller holds the lock.
func (l *Learner) get(n int) *lesson {
	if r := l.s.data.Learners[l.prefix]; r != nil {
		return r.Lessons[n]
	}
	return nil
}

// update applies fn to a copy of lesson n's record and notes the lesson for
// Save. A copy, because Save may have shared the old record with the file.
func (l *Learner) update(n int, fn func(*lesson)) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	r := l.s.data.Learners[l.prefix]
	if r == nil {
		r = &learner{Lessons: map[int]*lesson{}}
		l.s.data.Learners[l.prefix] = r
	}
	st := &lesson{}
	if old := r.Lessons[n]; old != nil {
		*st = *old
	}
	fn(st)
	if st.empty() {
		delete(r.Lessons, n)
	} else {
		r.Lessons[n] = st
	}
	l.s.change(l.prefix).lessons[n] = true
}

func (s *Store) change(prefix string) *change {
	if s.dirty == nil {
		s.dirty = map[string]*change{}
	}
	c := s.dirty[prefix]
	if c == nil {
		c = &change{lessons: map[int]bool{}, exercises: map[string]bool{}}
		s.dirty[prefix] = c
	}
	return c
}

func (l *Learner) now() time.Time { return l.s.now().UTC() }

// Done reports whether lesson n was ever played to its end.
func (l *Learner) Done(n int) bool {
	_, ok := l.DoneAt(n)
	return ok
}

// DoneAt is when lesson n was last played to its end.
func (l *Learner) DoneAt(n int) (time.Time, bool) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if st := l.get(n); st != nil && st.Done != nil {
		return *st.Done, true
	}
	return time.Time{}, false
}

// MarkStep records that the learner is at step (1-based) of lesson n: the
// step to resume at if the run stops here. Call it as each step starts.
func (l *Learner) MarkStep(n, step int) error {
	if n < 0 || step < 1 {
		return fmt.Errorf("progress: lesson %d step %d: lessons count from 0, steps from 1", n, step)
	}
	at := l.now()
	l.update(n, func(st *lesson) { st.Stopped = &position{Step: step, At: at} })
	return nil
}

// MarkDone records that lesson n was played to its end, now, and forgets
// where it had stopped.
func (l *Learner) MarkDone(n int) error {
	if n < 0 {
		return fmt.Errorf("progress: lesson %d: lessons count from 0", n)
	}
	at := l.now()
	l.update(n, func(st *lesson) { st.Done, st.Stopped = &at, nil })
	return nil
}

// Stopped returns the step lesson n stopped at, if a run of it did not end.
func (l *Learner) Stopped(n int) (step int, ok bool) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if st := l.get(n); st != nil && st.Stopped != nil {
		return st.Stopped.Step, true
	}
	return 0, false
}

// Resume returns where the most recently interrupted lesson stopped: the
// lesson, and the step to play next. A lesson played to its end since then
// is not offered; an older interrupted one still is.
func (l *Learner) Resume() (lesson, step int, ok bool) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	r := l.s.data.Learners[l.prefix]
	if r == nil {
		return 0, 0, false
	}
	var best *position
	for n, st := range r.Lessons {
		p := st.Stopped
		if p == nil {
			continue
		}
		// Same time (a coarse clock): the higher lesson, so the answer does
		// not depend on map order.
		if best == nil || p.At.After(best.At) || (p.At.Equal(best.At) && n > lesson) {
			best, lesson = p, n
		}
	}
	if best == nil {
		return 0, 0, false
	}
	return lesson, best.Step, true
}

// SetScore records a quiz result for lesson n: the last score, and the best
// if it is better (a higher share right, or as high a share of more questions).
func (l *Learner) SetScore(n, right, total int) error {
	r := Result{Right: right, Total: total}
	if n < 0 || !r.valid() {
		return fmt.Errorf("progress: lesson %d score %d/%d: need 0 <= right <= total, total > 0", n, right, total)
	}
	at := l.now()
	l.update(n, func(st *lesson) {
		q := QuizScore{Last: r, Best: r, At: at}
		if st.Quiz != nil && st.Quiz.Best.better(r) {
			q.Best = st.Quiz.Best
		}
		st.Quiz = &q
	})
	return nil
}

// Score returns lesson n's quiz scores, if its quiz was taken.
func (l *Learner) Score(n int) (QuizScore, bool) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if st := l.get(n); st != nil && st.Quiz != nil {
		return *st.Quiz, true
	}
	return QuizScore{}, false
}

// Lessons returns the numbers of the lessons the learner has any record of
// (done, stopped or quizzed), in order: what a list of progress walks.
func (l *Learner) Lessons() []int {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	var ns []int
	if r := l.s.data.Learners[l.prefix]; r != nil {
		for n := range r.Lessons {
			ns = append(ns, n)
		}
	}
	sort.Ints(ns)
	return ns
}

// Reset forgets the learner: on Save, their record leaves the file, even
// parts another run saved meanwhile. Other learners are untouched.
func (l *Learner) Reset() {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	delete(l.s.data.Learners, l.prefix)
	c := l.s.change(l.prefix)
	c.reset, c.lessons, c.exercises = true, map[int]bool{}, map[string]bool{}
}

// updateExercise applies fn to a copy of exercise id's record and notes it
// for Save, as update does for a lesson.
func (l *Learner) updateExercise(id string, fn func(*exercise)) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	r := l.s.data.Learners[l.prefix]
	if r == nil {
		r = &learner{Lessons: map[int]*lesson{}}
		l.s.data.Learners[l.prefix] = r
	}
	if r.Exercises == nil {
		r.Exercises = map[string]*exercise{}
	}
	ex := &exercise{}
	if old := r.Exercises[id]; old != nil {
		*ex = *old
	}
	fn(ex)
	r.Exercises[id] = ex
	l.s.change(l.prefix).exercises[id] = true
}

// getExercise returns exercise id's record, or an empty one.
func (l *Learner) getExercise(id string) exercise {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	if r := l.s.data.Learners[l.prefix]; r != nil && r.Exercises[id] != nil {
		return *r.Exercises[id]
	}
	return exercise{}
}

// MarkPassed records that exercise id's check passed, the first time only.
func (l *Learner) MarkPassed(id string) {
	at := l.now()
	l.updateExercise(id, func(ex *exercise) {
		if ex.Passed == nil {
			ex.Passed = &at
		}
	})
}

// Passed reports whether exercise id's check ever passed.
func (l *Learner) Passed(id string) bool { return l.getExercise(id).Passed != nil }

// HintsSeen is how many of exercise id's hints were shown.
func (l *Learner) HintsSeen(id string) int { return l.getExercise(id).Hints }

// SeeHint records that hints 1 to n of exercise id were shown (it never
// goes back).
func (l *Learner) SeeHint(id string, n int) {
	l.updateExercise(id, func(ex *exercise) { ex.Hints = max(ex.Hints, n) })
}
