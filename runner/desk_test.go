package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// copyClone copies what an exercise's build needs (go.mod, go.sum and the
// Go packages) into a temporary folder, so that a test can edit a
// learner's file without touching the clone.
func copyClone(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", "exercises", "internal", "lessons"} {
		err := filepath.WalkDir(filepath.Join(root, name), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if d.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// From the menu: the list of exercises, exercise 1's desk, a check that
// fails with its first hint, a watch that shows the next hint on h and
// passes when the file is saved right, then the editor (here one that
// copies the reference solution over the file) and a check again: no key
// was lost to the watch. The menu counts the pass.
func TestExerciseFromTheMenu(t *testing.T) {
	addr := testBroker(t)
	clone := copyClone(t)
	solution := filepath.Join(clone, "internal", "exercise", "solutions", "01_topic", "main.go")
	file := filepath.Join(clone, "exercises", "01_topic", "main.go")
	env := []string{"EDITOR=cp " + solution, progressEnv + "=" + filepath.Join(t.TempDir(), "progress.json")}
	l := startLearnerIn(t, clone, 100, 40, env, "--brokers", addr, "--topic-prefix", prefix(), "--no-quiz")
	l.expect("Which lesson?", 1)
	l.expect("Now you: the exercises (0 of ", 1)
	l.press("exercises") // survey filters the menu as you type
	l.press(enter)
	l.expect("Which exercise?", 1)
	l.press(enter) // the first not passed: exercise 1
	l.expect("Exercise 1 · ", 1)
	l.expect("Exercise 1: what now?", 1)
	l.expect("(in cp ", 1)
	l.press(down + enter) // Check it
	l.expect("Not yet. Hint 1 of ", 1)
	l.expect("choose “A hint”", 1)
	l.expect("Exercise 1: what now?", 2)
	l.press(down + down + enter) // Check it at every save
	l.expect("Not yet. Hint 1 of ", 2)
	l.expect("save it to check again", 1)
	l.press("h")
	l.expect("Exercise 1 · hints", 1)
	src, err := os.ReadFile(solution)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	l.expect("Exercise 1 passed", 1)
	l.expect("(yours is the same)", 1)
	l.expect("Exercise 1: what now?", 3)
	l.press(enter) // Edit: the "editor" copies the solution again
	l.expect("Exercise 1: what now?", 4)
	l.press(down + enter) // Check it
	l.expect("Exercise 1 passed", 2)
	l.expect("Exercise 1: what now?", 5)
	l.press("Back to the menu" + enter)
	l.expect("Now you: the exercises (1 of ", 1)
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d after Quit", code)
	}
}
