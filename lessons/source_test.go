package lessons

import (
	"context"
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
