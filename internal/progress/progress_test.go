package progress

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// ticker is a clock that moves one second per reading, so every mark has
// its own time.
type ticker struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ticker) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func newTicker() *ticker { return &ticker{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

// open opens path and fails the test on a warning.
func open(t *testing.T, path string, c *ticker) *Store {
	t.Helper()
	s, err := Open(path, WithClock(c.now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if s == nil {
		t.Fatal("Open returned no store")
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	path := filepath.Join(dir, "progress.json")
	c := newTicker()
	s := open(t, path, c)
	l := s.Learner("ada-")
	must(t, l.MarkDone(0))
	must(t, l.MarkDone(1))
	must(t, l.MarkStep(3, 2))
	must(t, l.SetScore(1, 2, 3))
	must(t, s.Save())

	st, err := os.Stat(path)
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", st.Mode().Perm())
	}
	dst, err := os.Stat(dir)
	must(t, err)
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", dst.Mode().Perm())
	}

	l = open(t, path, c).Learner("ada-")
	if !l.Done(0) || !l.Done(1) || l.Done(2) || l.Done(3) {
		t.Errorf("done: 0 %v, 1 %v, 2 %v, 3 %v; want true, true, false, false", l.Done(0), l.Done(1), l.Done(2), l.Done(3))
	}
	if at, _ := l.DoneAt(0); !at.Equal(time.Date(2026, 3, 1, 9, 0, 1, 0, time.UTC)) {
		t.Errorf("lesson 0 done at %v, want the first tick", at)
	}
	if n, step, ok := l.Resume(); !ok || n != 3 || step != 2 {
		t.Errorf("Resume = %d, %d, %v; want 3, 2, true", n, step, ok)
	}
	if q, ok := l.Score(1); !ok || q.Last != (Result{2, 3}) || q.Best != (Result{2, 3}) {
		t.Errorf("Score(1) = %+v, %v", q, ok)
	}
	if _, ok := l.Score(0); ok {
		t.Error("lesson 0 has a score it never got")
	}
	if got := l.Lessons(); len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 3 {
		t.Errorf("Lessons = %v, want [0 1 3]", got)
	}
}

func TestFileFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	s := open(t, path, newTicker())
	must(t, s.Learner("").MarkDone(0))
	must(t, s.Learner("ada-").MarkStep(3, 4))
	must(t, s.Learner("ada-").SetScore(3, 1, 3))
	must(t, s.Save())
	raw, err := os.ReadFile(path)
	must(t, err)
	var f struct {
		Version  int
		Learners map[string]struct {
			Lessons map[string]map[string]json.RawMessage
		}
	}
	must(t, json.Unmarshal(raw, &f))
	if f.Version != Version {
		t.Errorf("version %d, want %d", f.Version, Version)
	}
	if _, ok := f.Learners[""].Lessons["0"]["done"]; !ok {
		t.Errorf("no done time for the empty prefix's lesson 0:\n%s", raw)
	}
	if got := string(f.Learners["ada-"].Lessons["3"]["quiz"]); !strings.Contains(got, `"right": 1`) {
		t.Errorf("quiz %s\n%s", got, raw)
	}
}

func TestMissingFileIsAFreshStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none", "progress.json")
	s := open(t, path, newTicker())
	if _, _, ok := s.Learner("").Resume(); ok {
		t.Error("a fresh store offers to resume")
	}
	must(t, s.Save())
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Save with nothing changed created %s (%v)", filepath.Dir(path), err)
	}
}

// warned opens path and checks that it warns, wrapping target, in one line,
// and still gives a usable store.
func warned(t *testing.T, path string, target error) *Store {
	t.Helper()
	s, err := Open(path, WithClock(newTicker().now))
	if s == nil {
		t.Fatal("Open returned no store with its warning")
	}
	var w *Warning
	if !errors.As(err, &w) {
		t.Fatalf("Open error %v (%T), want a *Warning", err, err)
	}
	if !errors.Is(err, target) {
		t.Errorf("warning %q does not wrap %v", err, target)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
		t.Errorf("warning %q: want one line naming the file", msg)
	}
	must(t, s.Learner("").MarkDone(2)) // usable
	return s
}

func TestCorruptFile(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":    "\x00\x01 not json {",
		"truncated":  `{"version": 1, "learners": {"": {"lessons": {"0": {"done": "2026-`,
		"no version": `{"learners": {}}`,
		"bad key":    `{"version": 1, "learners": {"": {"lessons": {"zero": {}}}}}`,
		"empty":      ``,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "progress.json")
			must(t, os.WriteFile(path, []byte(content), 0o600))
			s := warned(t, path, ErrCorrupt)
			must(t, s.Save())
			// The new file is good, and the bad one is kept for a human.
			l := open(t, path, newTicker()).Learner("")
			if !l.Done(2) {
				t.Error("lesson 2 not saved over the corrupt file")
			}
			old, err := os.ReadFile(path + ".corrupt")
			if err != nil || string(old) != content {
				t.Errorf("corrupt file not kept aside: %q, %v", old, err)
			}
		})
	}
}

func TestInvalidEntriesAreDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	content := `{"version": 1, "learners": {
		"": {"lessons": {
			"0": {"done": "2026-03-01T09:00:00Z"},
			"1": {"stopped": {"step": 0, "at": "2026-03-01T09:00:00Z"}},
			"2": {"quiz": {"last": {"right": 4, "total": 3}, "best": {"right": 1, "total": 3}}},
			"-1": {"done": "2026-03-01T09:00:00Z"}
		}},
		"bob-": null
	}}`
	must(t, os.WriteFile(path, []byte(content), 0o600))
	s := warned(t, path, ErrCorrupt)
	l := s.Learner("")
	if !l.Done(0) {
		t.Error("the valid entry was lost with the invalid ones")
	}
	if got := l.Lessons(); len(got) != 2 || got[0] != 0 || got[1] != 2 {
		t.Errorf("Lessons = %v, want [0 2] (lesson 2 done by warned)", got)
	}
}

func TestNewerVersionIsNotOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	content := `{"version": 99, "learners": "a shape from the future"}`
	must(t, os.WriteFile(path, []byte(content), 0o600))
	s := warned(t, path, ErrNewerVersion)
	if err := s.Save(); !errors.Is(err, ErrNewerVersion) {
		t.Errorf("Save over a newer file: %v, want ErrNewerVersion", err)
	}
	if raw, _ := os.ReadFile(path); string(raw) != content {
		t.Errorf("the newer file was changed: %s", raw)
	}
}

func TestUnreadableFile(t *testing.T) {
	t.Run("a directory", func(t *testing.T) {
		// Unreadable even for root.
		path := filepath.Join(t.TempDir(), "progress.json")
		must(t, os.Mkdir(path, 0o700))
		s, err := Open(path)
		var w *Warning
		if s == nil || !errors.As(err, &w) {
			t.Fatalf("Open = %v, %v; want a store and a *Warning", s, err)
		}
		must(t, s.Learner("").MarkDone(0))
		if err := s.Save(); err == nil {
			t.Error("Save replaced what it could not read")
		}
	})
	t.Run("permissions", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads files whatever their mode")
		}
		path := filepath.Join(t.TempDir(), "progress.json")
		must(t, os.WriteFile(path, []byte(`{"version": 1, "learners": {}}`), 0o000))
		s := warned(t, path, fs.ErrPermission)
		if err := s.Save(); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("Save over an unreadable file: %v, want a permission error", err)
		}
	})
}

func TestTwoPrefixesDoNotMix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	c := newTicker()
	s := open(t, path, c)
	ada, bob, none := s.Learner("ada-"), s.Learner("bob-"), s.Learner("")
	must(t, ada.MarkDone(0))
	must(t, ada.MarkStep(1, 3))
	must(t, bob.MarkStep(4, 2))
	must(t, bob.SetScore(0, 1, 2))
	must(t, none.MarkDone(7))
	must(t, s.Save())

	s = open(t, path, c)
	ada, bob, none = s.Learner("ada-"), s.Learner("bob-"), s.Learner("")
	if !ada.Done(0) || bob.Done(0) || none.Done(0) {
		t.Error("lesson 0 done leaked between learners")
	}
	if n, step, _ := ada.Resume(); n != 1 || step != 3 {
		t.Errorf("ada resumes at %d.%d, want 1.3", n, step)
	}
	if n, step, _ := bob.Resume(); n != 4 || step != 2 {
		t.Errorf("bob resumes at %d.%d, want 4.2", n, step)
	}
	if _, ok := ada.Score(0); ok {
		t.Error("bob's score shows for ada")
	}
	if _, _, ok := none.Resume(); ok {
		t.Error("the empty prefix has someone else's position")
	}
	if !none.Done(7) || ada.Done(7) || bob.Done(7) {
		t.Error("the empty prefix's lesson 7 is not its own")
	}
}

// Two runs on one machine, each with its learner, both saving: neither loses
// the other's progress.
func TestConcurrentRunsMerge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	c := newTicker()
	ada, bob := open(t, path, c), open(t, path, c)
	must(t, ada.Learner("ada-").MarkDone(0))
	must(t, bob.Learner("bob-").MarkDone(1))
	must(t, ada.Save())
	must(t, bob.Save())
	// Same learner, other lessons, in two runs.
	must(t, ada.Learner("ada-").MarkDone(2))
	must(t, bob.Learner("ada-").MarkStep(5, 2))
	must(t, bob.Save())
	must(t, ada.Save())

	s := open(t, path, c)
	if !s.Learner("ada-").Done(0) || !s.Learner("bob-").Done(1) || !s.Learner("ada-").Done(2) {
		t.Error("a run's save dropped another run's progress")
	}
	if n, step, ok := s.Learner("ada-").Resume(); !ok || n != 5 || step != 2 {
		t.Errorf("ada resumes at %d.%d (%v), want 5.2", n, step, ok)
	}
	// The saving store sees the other run's work too.
	if !ada.Learner("bob-").Done(1) {
		t.Error("Save did not bring in the file's other learners")
	}
}

func TestReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	c := newTicker()
	s := open(t, path, c)
	must(t, s.Learner("ada-").MarkDone(0))
	must(t, s.Learner("ada-").SetScore(0, 3, 3))
	must(t, s.Learner("bob-").MarkDone(0))
	must(t, s.Save())

	// Another run marks more for ada before this one resets her.
	other := open(t, path, c)
	must(t, other.Learner("ada-").MarkStep(2, 2))
	must(t, other.Save())

	s.Learner("ada-").Reset()
	if s.Learner("ada-").Done(0) {
		t.Error("Reset left lesson 0 done")
	}
	must(t, s.Learner("ada-").MarkStep(1, 1)) // after the reset: kept
	must(t, s.Save())

	s = open(t, path, c)
	ada := s.Learner("ada-")
	if ada.Done(0) {
		t.Error("reset learner still has lesson 0 done")
	}
	if _, ok := ada.Score(0); ok {
		t.Error("reset learner still has a score")
	}
	if n, step, ok := ada.Resume(); !ok || n != 1 || step != 1 {
		t.Errorf("after reset, resume %d.%d %v; want only the mark made after it, 1.1", n, step, ok)
	}
	if !s.Learner("bob-").Done(0) {
		t.Error("resetting ada forgot bob")
	}

	s.Learner("ada-").Reset()
	must(t, s.Save())
	raw, err := os.ReadFile(path)
	must(t, err)
	if strings.Contains(string(raw), "ada-") {
		t.Errorf("a reset learner still has a record:\n%s", raw)
	}
}

func TestResume(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "progress.json"), newTicker())
	l := s.Learner("")
	must(t, l.MarkStep(3, 1))
	must(t, l.MarkStep(3, 2))
	must(t, l.MarkStep(5, 4))
	if n, step, _ := l.Resume(); n != 5 || step != 4 {
		t.Errorf("Resume %d.%d, want the latest: 5.4", n, step)
	}
	must(t, l.MarkDone(5))
	if n, step, _ := l.Resume(); n != 3 || step != 2 {
		t.Errorf("Resume %d.%d, want the older interrupted lesson 3.2", n, step)
	}
	if _, ok := l.Stopped(5); ok {
		t.Error("MarkDone kept the stopped step")
	}
	must(t, l.MarkDone(3))
	if _, _, ok := l.Resume(); ok {
		t.Error("Resume offers a lesson played to the end")
	}
	// A done lesson played again and stopped is offered, and stays done.
	must(t, l.MarkStep(3, 3))
	if n, step, ok := l.Resume(); !ok || n != 3 || step != 3 || !l.Done(3) {
		t.Errorf("Resume %d.%d %v, done %v; want 3.3, still done", n, step, ok, l.Done(3))
	}
}

func TestScores(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "progress.json"), newTicker())
	l := s.Learner("")
	for _, r := range []Result{{1, 3}, {3, 3}, {0, 3}} {
		must(t, l.SetScore(2, r.Right, r.Total))
	}
	q, ok := l.Score(2)
	if !ok || q.Last != (Result{0, 3}) || q.Best != (Result{3, 3}) {
		t.Errorf("Score = %+v, want last 0/3, best 3/3", q)
	}
	if q.Last.String() != "0/3" {
		t.Errorf("Result.String = %q", q.Last.String())
	}
	// The same share of more questions is better: the quiz grew.
	must(t, l.SetScore(2, 4, 4))
	if q, _ := l.Score(2); q.Best != (Result{4, 4}) {
		t.Errorf("best %v, want 4/4", q.Best)
	}
	must(t, l.SetScore(2, 2, 4))
	if q, _ := l.Score(2); q.Best != (Result{4, 4}) || q.Last != (Result{2, 4}) {
		t.Errorf("Score = %+v, want last 2/4, best 4/4", q)
	}
}

func TestInvalidMarks(t *testing.T) {
	l := open(t, filepath.Join(t.TempDir(), "progress.json"), newTicker()).Learner("")
	for name, err := range map[string]error{
		"step 0":          l.MarkStep(1, 0),
		"lesson -1":       l.MarkStep(-1, 1),
		"done -1":         l.MarkDone(-1),
		"right > total":   l.SetScore(1, 4, 3),
		"no questions":    l.SetScore(1, 0, 0),
		"negative right":  l.SetScore(1, -1, 3),
		"negative lesson": l.SetScore(-1, 1, 3),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got := l.Lessons(); len(got) != 0 {
		t.Errorf("invalid marks recorded lessons %v", got)
	}
}

func TestSaveLeavesNoTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "progress.json")
	s := open(t, path, newTicker())
	for i := range 3 {
		must(t, s.Learner("").MarkDone(i))
		must(t, s.Save())
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	if len(entries) != 1 || entries[0].Name() != "progress.json" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only progress.json", names)
	}
}

func TestFailedWriteLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	// The rename fails: the target is a directory that is not empty.
	target := filepath.Join(dir, "progress.json")
	must(t, os.MkdirAll(filepath.Join(target, "x"), 0o700))
	if err := writeAtomic(target, []byte("{}")); err == nil {
		t.Fatal("writeAtomic replaced a directory")
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	if len(entries) != 1 {
		t.Errorf("a failed write left %d entries, want only the directory", len(entries))
	}
}

func TestConcurrentUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	s := open(t, path, newTicker())
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			l := s.Learner(string(rune('a' + g)))
			for i := range 20 {
				_ = l.MarkStep(i%5, i+1)
				_ = l.SetScore(i%5, 1, 2)
				l.Resume()
				if i%7 == 0 {
					_ = s.Save()
				}
			}
			_ = l.MarkDone(0)
		})
	}
	wg.Wait()
	must(t, s.Save())
	s = open(t, path, newTicker())
	for g := range 4 {
		if !s.Learner(string(rune('a' + g))).Done(0) {
			t.Errorf("learner %c lost a mark", 'a'+g)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/cfg")
	t.Setenv("HOME", "/tmp/home")
	t.Setenv("AppData", `C:\cfg`)
	p, err := DefaultPath()
	must(t, err)
	if filepath.Base(p) != "progress.json" || filepath.Base(filepath.Dir(p)) != "kafka-go-lessons" {
		t.Errorf("DefaultPath = %q", p)
	}
}

// Exercises: a pass and the hints seen are kept per learner, merged with
// another run's saves exercise by exercise, and forgotten by Reset.
func TestExercises(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	c := newTicker()
	a, b := open(t, path, c), open(t, path, c)
	a.Learner("ada-").SeeHint("8", 1)
	a.Learner("ada-").SeeHint("8", 2)
	a.Learner("ada-").SeeHint("8", 1) // never goes back
	b.Learner("ada-").MarkPassed("p1")
	b.Learner("bob-").MarkPassed("8")
	must(t, a.Save())
	must(t, b.Save())

	s := open(t, path, c)
	ada, bob := s.Learner("ada-"), s.Learner("bob-")
	if ada.HintsSeen("8") != 2 || ada.Passed("8") || !ada.Passed("p1") {
		t.Errorf("ada: hints of 8 %d, passed 8 %v, p1 %v; want 2, false, true", ada.HintsSeen("8"), ada.Passed("8"), ada.Passed("p1"))
	}
	if !bob.Passed("8") || bob.HintsSeen("8") != 0 {
		t.Errorf("bob: passed 8 %v, hints %d; want true, 0", bob.Passed("8"), bob.HintsSeen("8"))
	}
	ada.Reset()
	must(t, s.Save())
	s = open(t, path, c)
	if s.Learner("ada-").Passed("p1") || s.Learner("ada-").HintsSeen("8") != 0 || !s.Learner("bob-").Passed("8") {
		t.Error("Reset must forget ada's exercises and only hers")
	}
}

// A version 1 file was written when lesson 0 had no first-order steps: the
// step a learner stopped at in lesson 0 is three further on now, once, and
// no other lesson moves.
func TestVersion1MovesLesson0StepsByThree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	content := `{"version": 1, "learners": {
		"": {"lessons": {
			"0": {"stopped": {"step": 2, "at": "2026-03-01T09:00:00Z"}},
			"1": {"stopped": {"step": 2, "at": "2026-03-01T09:00:00Z"}}
		}},
		"bob-": {"lessons": {"0": {"stopped": {"step": 6, "at": "2026-03-01T09:00:00Z"}, "done": "2026-03-01T08:00:00Z"}}}
	}}`
	must(t, os.WriteFile(path, []byte(content), 0o600))
	check := func(when string) {
		t.Helper()
		s, err := Open(path)
		if err != nil {
			t.Fatalf("%s: Open: %v", when, err)
		}
		if step, ok := s.Learner("").Stopped(0); !ok || step != 5 {
			t.Errorf("%s: lesson 0 stopped at %d (%v), want 5 (the old step 2)", when, step, ok)
		}
		if step, ok := s.Learner("").Stopped(1); !ok || step != 2 {
			t.Errorf("%s: lesson 1 stopped at %d (%v), want 2: only lesson 0 moved", when, step, ok)
		}
		if step, ok := s.Learner("bob-").Stopped(0); !ok || step != 9 {
			t.Errorf("%s: bob's lesson 0 stopped at %d (%v), want 9 (the old step 6)", when, step, ok)
		}
		if !s.Learner("bob-").Done(0) {
			t.Errorf("%s: bob's lesson 0 is no longer done", when)
		}
	}
	check("read from version 1")

	// Saving writes version 2 (the other learner's lesson too, merged from
	// the file as read): read again, nothing moves twice.
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.Learner("").MarkDone(3))
	must(t, s.Save())
	raw, err := os.ReadFile(path)
	must(t, err)
	var f struct{ Version int }
	must(t, json.Unmarshal(raw, &f))
	if f.Version != 2 {
		t.Errorf("saved version %d, want 2", f.Version)
	}
	check("saved as version 2 and read again")
}
