package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
// fails with its first hint, the file changed in the editor (here an
// "editor" that copies the reference solution over it), a check that
// passes and shows the solution beside it; the menu counts the pass.
func TestExerciseFromTheMenu(t *testing.T) {
	addr := testBroker(t)
	clone := copyClone(t)
	solution := filepath.Join(clone, "internal", "exercise", "solutions", "01_topic", "main.go")
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
	l.expect("Exercise 1: what now?", 2)
	l.press(enter) // Edit: the "editor" puts the solution in place
	l.expect("Exercise 1: what now?", 3)
	l.press(down + enter) // Check it
	l.expect("Exercise 1 passed", 1)
	l.expect("(yours is the same)", 1)
	l.expect("Exercise 1: what now?", 4)
	l.press("Back to the menu" + enter)
	l.expect("Now you: the exercises (1 of ", 1)
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d after Quit", code)
	}
	if b, _ := os.ReadFile(filepath.Join(clone, "exercises", "01_topic", "main.go")); !strings.Contains(string(b), "client.CreateTopics(ctx") {
		t.Errorf("the editor's change is not in the learner's file")
	}
}
