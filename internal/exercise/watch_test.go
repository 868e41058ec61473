package exercise_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

// copyProgram copies exercise ex's program into a folder of its own inside
// the module (so that it builds), and returns its main.go.
func copyProgram(t testing.TB, root string, ex exercise.Exercise) string {
	t.Helper()
	dir, err := os.MkdirTemp(filepath.Join(root, "internal", "exercise", "testdata"), "tmp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	src, err := os.ReadFile(filepath.Join(ex.Program(root), "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "main.go")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// Saves reports a save once, however many writes an editor makes of it,
// and a rename over the file (how many editors save) as a save too.
func TestSaves(t *testing.T) {
	root, err := exercise.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := exercise.Find("8")
	file := copyProgram(t, root, ex)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	saves, err := exercise.Saves(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(file)
	for range 3 { // one save, three writes
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wait := func(what string) {
		t.Helper()
		select {
		case <-saves:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no save reported", what)
		}
	}
	wait("three writes")
	select {
	case <-saves:
		t.Error("three quick writes reported as two saves")
	case <-time.After(300 * time.Millisecond):
	}
	tmp := file + ".swp"
	if err := os.WriteFile(tmp, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	wait("a rename over the file")
}

// BenchmarkSaveToVerdict is the time from a save of the learner's file to
// the check's verdict, as check --watch gives it: the save noticed and
// settled, the program built and run, the cluster read.
func BenchmarkSaveToVerdict(b *testing.B) {
	root, err := exercise.Root(".")
	if err != nil {
		b.Fatal(err)
	}
	ex, _ := exercise.Find("8")
	file := copyProgram(b, root, ex)
	env, _ := testkit.ClusterEnv(b, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	saves, err := exercise.Saves(ctx, file)
	if err != nil {
		b.Fatal(err)
	}
	src, _ := os.ReadFile(file)
	b.ResetTimer()
	for i := range b.N {
		// Each save changes the program, as a learner's does, so the build
		// cache cannot answer it.
		changed := append(append([]byte{}, src...), []byte("\n// save "+time.Now().String()+"\n")...)
		if err := os.WriteFile(file, changed, 0o644); err != nil {
			b.Fatal(err)
		}
		<-saves
		res, err := exercise.Verify(ctx, env, ex, root, filepath.Dir(file), "")
		if err != nil || res.Problem != "" || len(res.Lines) == 0 {
			b.Fatalf("save %d: %v %s", i, err, res.Problem)
		}
	}
}
