package lessons

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func TestFindFunc(t *testing.T) {
	fsys := fstest.MapFS{
		"01_x.go": {Data: []byte(`package lessons

// Say hello.
// Twice.
func hello(ctx context.Context, env *Env) error {
	env.Out.Say("hello")
	if true {
		return nil
	}
	return nil
}

type l struct{}

// A method.
func (p *l) step(ctx context.Context, env *Env) error {
	return nil
}
`)},
		"01_x_test.go": {Data: []byte("package lessons\n\nfunc hello() {}\n")},
	}
	src, err := findFunc(fsys, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if src.File != "01_x.go" || src.Narration != "Say hello.\nTwice." {
		t.Errorf("got %+v", src)
	}
	if want := "env.Out.Say(\"hello\")\nif true {\n\treturn nil\n}\nreturn nil"; src.Code != want {
		t.Errorf("code:\n%s\nwant:\n%s", src.Code, want)
	}
	if src, err := findFunc(fsys, "(*l).step"); err != nil || src.Code != "return nil" || src.Narration != "A method." {
		t.Errorf("method: %+v, %v", src, err)
	}
	if _, err := findFunc(fsys, "(*other).step"); err == nil {
		t.Errorf("found a method on the wrong receiver")
	}
}

// Every step of every lesson has a narrated function in the sources, and
// the code shown is a verbatim slice of the file it names.
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

// Lesson 0 explains docker-compose.yml line by line: each setting it quotes
// must be in the file with that value.
func TestLesson0QuotesTheComposeFile(t *testing.T) {
	compose, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := findFunc(sources, "explainCompose")
	if err != nil {
		t.Fatal(err)
	}
	quoted := regexp.MustCompile(`\{"((?:KAFKA|CLUSTER)_[A-Z_]+): ([^".]+)"`).FindAllStringSubmatch(src.Code, -1)
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
