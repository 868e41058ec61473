package lessons

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

func TestIndexFuncs(t *testing.T) {
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

// By value.
func (p l) value(ctx context.Context, env *Env) error {
	return nil
}
`)},
		"01_x_test.go": {Data: []byte("package lessons\n\nfunc hello() {}\n")},
	}
	idx, err := indexFuncs(fsys)
	if err != nil {
		t.Fatal(err)
	}
	src := idx["hello"]
	if src.File != "01_x.go" || src.Narration != "Say hello.\nTwice." {
		t.Errorf("got %+v", src)
	}
	if want := "env.Out.Say(\"hello\")\nif true {\n\treturn nil\n}\nreturn nil"; src.Code != want {
		t.Errorf("code:\n%s\nwant:\n%s", src.Code, want)
	}
	if src := idx["(*l).step"]; src.Code != "return nil" || src.Narration != "A method." {
		t.Errorf("method: %+v", src)
	}
	if src := idx["l.value"]; src.Narration != "By value." {
		t.Errorf("value method: %+v", src)
	}
	if len(idx) != 3 {
		t.Errorf("indexed %d functions, want 3 (test files are not lessons)", len(idx))
	}
}

// The runtime names a step's function the way the index does.
func TestFuncNameMatchesTheIndex(t *testing.T) {
	s := &produceState{}
	for _, f := range []any{listBrokers, s.send} {
		if _, err := SourceOf(Step{Run: f.(func(ctx context.Context, env *Env) error)}); err != nil {
			t.Errorf("%s: %v", funcName(f), err)
		}
	}
}

// Splicing a step's own code back into its file gives the file as it was:
// Splice undoes dedent, for every step of every lesson, so an edit that
// changes one line changes that line only.
func TestSpliceOfTheShownCodeGivesTheFileBack(t *testing.T) {
	for _, l := range All() {
		for i, step := range l.Plan().Steps {
			src, err := SourceOf(step)
			if err != nil {
				t.Fatal(err)
			}
			file, err := src.FileText()
			if err != nil {
				t.Fatal(err)
			}
			got, err := src.Splice(file, src.Code)
			if err != nil {
				t.Fatalf("lesson %d step %d: %v", l.Number, i+1, err)
			}
			if string(got) != string(file) {
				t.Errorf("lesson %d step %d (%s): the spliced file differs from %s", l.Number, i+1, step.FuncName(), src.File)
			}
		}
	}
}

// A position in the spliced file (a compiler's line:col) maps back to the
// learner's text; positions outside the body do not.
func TestEditPositionMapsBackToTheEdit(t *testing.T) {
	l, _ := Find(8)
	src, err := SourceOf(l.Plan().Steps[0])
	if err != nil {
		t.Fatal(err)
	}
	file, _ := src.FileText()
	lines := strings.Split(src.Code, "\n")
	lines[2] = "\tzzz := undefinedThing // the learner's third line, indented by a tab"
	body := strings.Join(append(lines, "", "// a line added at the end"), "\n")
	spliced, err := src.Splice(file, body)
	if err != nil {
		t.Fatal(err)
	}
	off := strings.Index(string(spliced), "undefinedThing")
	line := strings.Count(string(spliced[:off]), "\n") + 1
	col := off - strings.LastIndex(string(spliced[:off]), "\n") // 1-based, in bytes as go reports
	bl, bc, ok := src.EditPosition(body, line, col)
	if !ok || bl != 3 || bc != 9 {
		t.Errorf("line %d:%d of the file maps to %d:%d (ok %v), want 3:9 of the edit", line, col, bl, bc, ok)
	}
	// The file's first line (package) and the line after the body are not the learner's.
	if _, _, ok := src.EditPosition(body, 1, 1); ok {
		t.Errorf("the package clause maps into the edit")
	}
	n := strings.Count(body, "\n") + 1
	closing := strings.Count(string(spliced[:strings.Index(string(spliced), "// a line added at the end")]), "\n") + 2
	if _, _, ok := src.EditPosition(body, closing, 1); ok {
		t.Errorf("line %d, the closing brace after the %d lines of the edit, maps into it", closing, n)
	}
	if bl, _, ok := src.EditPosition(body, closing-1, 2); !ok || bl != n {
		t.Errorf("the edit's last line maps to %d (ok %v), want %d", bl, ok, n)
	}
	// Only the body changed: the text before and after it is the file's.
	if !strings.HasPrefix(string(spliced), string(file[:src.start])) || !strings.HasSuffix(string(spliced), string(file[src.end:])) {
		t.Errorf("Splice changed the file outside the body")
	}
}

// A step that needs a step that cannot be edited cannot be either: its
// edited run would run that one again (lesson 11 would stop a second broker).
func TestNoEditCoversTheStepsThatNeedIt(t *testing.T) {
	for _, l := range All() {
		steps := l.Plan().Steps
		for i, s := range steps {
			for _, n := range s.Needs {
				if steps[n-1].NoEdit != "" && s.NoEdit == "" {
					t.Errorf("lesson %d step %d needs step %d, which cannot be edited, but can be", l.Number, i+1, n)
				}
			}
		}
	}
	l, _ := Find(11)
	if s := l.Plan().Steps; s[0].NoEdit != "" || s[1].NoEdit == "" {
		t.Errorf("lesson 11: step 1 (topics) can be edited, step 2 (stops a broker) cannot")
	}
}
