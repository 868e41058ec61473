package lessons_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The registry cannot disagree with the files: lesson N is All()[N], is
// defined in NN_name.go, and its steps live in that file.
func TestOneRegistry(t *testing.T) {
	for i, l := range All() {
		if l.Number != i {
			t.Errorf("All()[%d] is lesson %d", i, l.Number)
		}
		file, _ := runtime.FuncForPC(reflect.ValueOf(l.Plan).Pointer()).FileLine(reflect.ValueOf(l.Plan).Pointer())
		file = filepath.Base(file)
		if want := fmt.Sprintf("%02d_", l.Number); !strings.HasPrefix(file, want) {
			t.Errorf("lesson %d is defined in %s, want %s*.go", l.Number, file, want)
		}
		if l.Title == "" || l.Goal == "" || len(l.Summary) == 0 {
			t.Errorf("lesson %d lacks a title, goal or summary", l.Number)
		}
		for j, s := range l.Plan().Steps {
			src, err := SourceOf(s)
			if err != nil {
				t.Errorf("lesson %d step %d: %v", l.Number, j+1, err)
				continue
			}
			if src.File != file {
				t.Errorf("lesson %d step %d (%s) lives in %s, not in the lesson's file %s", l.Number, j+1, s.FuncName(), src.File, file)
			}
			for _, n := range append(append([]int(nil), s.Needs...), s.Ends...) {
				if n < 1 || n > j {
					t.Errorf("lesson %d step %d needs or ends step %d, which is not an earlier step", l.Number, j+1, n)
				}
			}
		}
	}
	files, _ := filepath.Glob("[0-9][0-9]_*.go")
	if len(files) != len(All()) {
		t.Errorf("%d lesson files, %d lessons in All()", len(files), len(All()))
	}
}

// Every step has a narration, and the code shown is a verbatim slice of the
// file it names.
func TestEveryStepHasItsSource(t *testing.T) {
	for _, l := range All() {
		for i, s := range l.Plan().Steps {
			src, err := SourceOf(s)
			if err != nil {
				t.Errorf("lesson %d step %d: %v", l.Number, i+1, err)
				continue
			}
			if src.Narration == "" {
				t.Errorf("lesson %d step %d (%s): no doc comment to narrate", l.Number, i+1, s.FuncName())
			}
			file, err := os.ReadFile(src.File)
			if err != nil {
				t.Fatal(err)
			}
			indented := "\t" + strings.ReplaceAll(src.Code, "\n", "\n\t")
			indented = regexp.MustCompile(`\n\t\n`).ReplaceAllString(indented, "\n\n")
			if !strings.Contains(string(file), indented) {
				t.Errorf("lesson %d step %d: shown code is not in %s:\n%s", l.Number, i+1, src.File, src.Code)
			}
		}
	}
}

// Step bodies are teaching code: no guard about a skipped step, no check of
// which broker this is (requirements are declared instead).
func TestStepBodiesArePure(t *testing.T) {
	// Preparing the orders topic belongs in Plan.Setup; a step may create a
	// topic whose settings are its lesson (a TopicSpec with Configs).
	plumbing := regexp.MustCompile(`run the (previous )?step|first: run|env\.Cluster\.Embedded|env\.Embedded|EnsureTopic\(ctx, env, env\.OrdersTopic\(\)\)`)
	for _, l := range All() {
		for i, s := range l.Plan().Steps {
			src, err := SourceOf(s)
			if err != nil {
				continue
			}
			if m := plumbing.FindString(src.Code); m != "" {
				t.Errorf("lesson %d step %d (%s) contains plumbing %q", l.Number, i+1, s.FuncName(), m)
			}
		}
	}
}

// Lesson 0 explains docker-compose.yml line by line: each setting it quotes
// must be in the file with that value.
func TestLesson0QuotesTheComposeFile(t *testing.T) {
	compose, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := Find(0)
	var code string
	for _, s := range l.Plan().Steps {
		if s.FuncName() == "explainCompose" {
			src, err := SourceOf(s)
			if err != nil {
				t.Fatal(err)
			}
			code = src.Code
		}
	}
	quoted := regexp.MustCompile(`\{"((?:KAFKA|CLUSTER)_[A-Z_]+): ([^".]+)"`).FindAllStringSubmatch(code, -1)
	if len(quoted) < 8 {
		t.Fatalf("found only %d quoted settings in explainCompose", len(quoted))
	}
	for _, q := range quoted {
		key, value := q[1], strings.TrimSuffix(strings.TrimSpace(q[2]), ",")
		line := regexp.MustCompile(`(?m)^\s+` + key + `: "?([^"\n]*)"?`).FindStringSubmatch(string(compose))
		if line == nil {
			t.Errorf("lesson 0 explains %s, which docker-compose.yml does not set", key)
			continue
		}
		if !strings.HasPrefix(line[1], value) {
			t.Errorf("lesson 0 says %s: %s, docker-compose.yml says %s", key, value, line[1])
		}
	}
	if strings.Contains(string(compose), "KAFKA_KRAFT_MODE") {
		t.Errorf("docker-compose.yml sets KAFKA_KRAFT_MODE, which cp-kafka does not know")
	}
}

// On a cluster, lesson 0 explains what docker-compose.cluster.yml changes:
// each setting it quotes is in that file with that value.
func TestLesson0QuotesTheClusterComposeFile(t *testing.T) {
	compose, err := os.ReadFile("../docker-compose.cluster.yml")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := Find(0)
	var code string
	for _, s := range l.Plan().Steps {
		if s.FuncName() == "explainClusterCompose" {
			src, err := SourceOf(s)
			if err != nil {
				t.Fatal(err)
			}
			code = src.Code
		}
	}
	quoted := regexp.MustCompile(`\{"(KAFKA_[A-Z_]+): ([^"]+)"`).FindAllStringSubmatch(code, -1)
	if len(quoted) < 6 {
		t.Fatalf("found only %d quoted settings in explainClusterCompose", len(quoted))
	}
	for _, q := range quoted {
		key, value := q[1], q[2]
		if key == "KAFKA_NODE_ID" {
			for _, id := range []string{"1", "2", "3"} {
				if !strings.Contains(string(compose), "KAFKA_NODE_ID: "+id) {
					t.Errorf("docker-compose.cluster.yml has no node %s", id)
				}
			}
			continue
		}
		line := regexp.MustCompile(`(?m)^\s+` + key + `: "?([^"\n]*)"?`).FindStringSubmatch(string(compose))
		if line == nil || line[1] != value {
			t.Errorf("lesson 0 says %s: %s, docker-compose.cluster.yml says %v", key, value, line)
		}
	}
}
