package lessons

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// The embed in source.go names the helper files one by one: a new file of
// the package that is not there would have no code to show.
func TestEveryHelperFileIsEmbedded(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			want = append(want, n)
		}
	}
	got, err := fs.Glob(sources, "*.go")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("embedded %v\nthe package's files are %v: add the new ones to the go:embed in source.go", got, want)
	}
}

// The helpers found in a few steps' bodies: the calls written there, to
// functions and methods of this package, in order (l.poller.Poll is
// Poller.Poll; kafka-go's and the standard library's calls are not ours).
func TestHelpersOfKnownSteps(t *testing.T) {
	for _, tc := range []struct {
		lesson, step int
		want         []string
	}{
		{5, 1, []string{"ReadWatermarks", "NewPoller"}},
		{5, 2, []string{"ProduceOrders", "SampleOrder", "Poller.Poll", "Receive"}},
		{5, 3, []string{"Poller.Close"}},
		{9, 2, []string{"Env.Name", "Join", "Settle", "Member.Assignment"}},
		{9, 7, []string{"Unread", "Env.Name", "ReadAndCommit", "From", "GroupLag"}},
	} {
		l, _ := Find(tc.lesson)
		step := l.Plan().Steps[tc.step-1]
		hs, err := HelpersOf(step)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hs {
			got = append(got, h.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("lesson %d step %d calls %v, want %v", tc.lesson, tc.step, got, tc.want)
		}
	}
}

// Every helper found for every step is called in the code the step shows,
// by its own name followed by "(".
func TestHelpersAreCalledInTheShownCode(t *testing.T) {
	for _, l := range All() {
		for i, step := range l.Plan().Steps {
			src, err := SourceOf(step)
			if err != nil {
				t.Fatal(err)
			}
			hs, err := HelpersOf(step)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				bare := h.Name[strings.LastIndex(h.Name, ".")+1:]
				if !regexp.MustCompile(`\b` + bare + `\(`).MatchString(src.Code) {
					t.Errorf("lesson %d step %d: %s is not called in its code", l.Number, i+1, h.Name)
				}
			}
		}
	}
}

// The source printed for a name is that function's declaration, at the
// line where the file has it.
func TestHelperSource(t *testing.T) {
	for _, tc := range []struct{ name, file, decl string }{
		{"ReadWatermarks", "kafka.go", "func ReadWatermarks("},
		{"Poller.Poll", "poll.go", "func (p *Poller) Poll("},
		{"Poll", "poll.go", "func (p *Poller) Poll("}, // a method one type has
		{"Join", "groups.go", "func Join("},
		{"GroupLag", "groups.go", "func GroupLag("},
	} {
		h, err := HelperSource(tc.name)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		file, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		line := 0
		for i, l := range strings.Split(string(file), "\n") {
			if strings.HasPrefix(l, tc.decl) {
				line = i + 1
			}
		}
		if h.File != tc.file || h.Line != line || line == 0 {
			t.Errorf("%s is at %s, want lessons/%s:%d", tc.name, h.Where(), tc.file, line)
		}
		if !strings.HasPrefix(h.Code, tc.decl) || !strings.HasSuffix(h.Code, "\n}") {
			t.Errorf("%s: the code is not its declaration:\n%s", tc.name, h.Code)
		}
		if !strings.Contains(string(file), h.Code) {
			t.Errorf("%s: the code is not the file's", tc.name)
		}
	}
	if _, err := HelperSource("NoSuchHelper"); err == nil || !strings.Contains(err.Error(), `"NoSuchHelper"`) {
		t.Errorf("an unknown name: %v", err)
	}
	if _, err := HelperSource("Close"); err == nil || !strings.Contains(err.Error(), "Poller.Close") {
		t.Errorf("a method of several types must say which: %v", err)
	}
	names, err := StepHelpers()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ReadWatermarks", "Join", "Settle", "Unread", "GroupLag", "Env.Replicas", "Poller.Poll"} {
		if !slices.Contains(names, want) {
			t.Errorf("the helpers the steps call lack %s: %v", want, names)
		}
	}
}

// A call is matched by type, not by name: two types with a method m, and
// a package with a function of a helper's name, are told apart.
func TestHelpersAreMatchedByType(t *testing.T) {
	fsys := fstest.MapFS{"01_x.go": {Data: []byte(`package lessons

import (
	"context"
	"strings"
)

type A struct{}
type B struct{}

func (A) m()  {}
func (*B) m() {}

func Split() {}

type st struct{ b *B }

func (s *st) step(ctx context.Context, env *Env) error {
	s.b.m()
	strings.Split("a", "b")
	Split()
	return nil
}
`)}}
	idx, err := indexHelpers(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := idx.calls["(*st).step"]; !slices.Equal(got, []string{"B.m", "Split"}) {
		t.Errorf("calls %v, want [B.m Split]", got)
	}
}

// pollUntil stops as soon as check is done or fails, and says when the
// time ran out, after asking more than once.
func TestPollUntil(t *testing.T) {
	ctx := context.Background()
	calls := 0
	err := pollUntil(ctx, time.Second, time.Millisecond, func(context.Context) (bool, error) {
		calls++
		return calls == 3, nil
	})
	if err != nil || calls != 3 {
		t.Errorf("done at the 3rd call: %v after %d calls", err, calls)
	}
	boom := errors.New("boom")
	calls = 0
	err = pollUntil(ctx, time.Second, time.Millisecond, func(context.Context) (bool, error) {
		calls++
		return false, boom
	})
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("a failing check: %v after %d calls, want boom after 1", err, calls)
	}
	calls = 0
	err = pollUntil(ctx, 50*time.Millisecond, 5*time.Millisecond, func(context.Context) (bool, error) {
		calls++
		return false, nil
	})
	if !errors.Is(err, errPollLimit) || calls < 2 {
		t.Errorf("never done: %v after %d calls, want errPollLimit after several", err, calls)
	}
}

// connectionBroke knows a connection cut under a request, however wrapped,
// and nothing else.
func TestConnectionBroke(t *testing.T) {
	for _, err := range []error{io.EOF, io.ErrUnexpectedEOF, fmt.Errorf("read: %w", syscall.ECONNRESET),
		&net.OpError{Op: "write", Err: syscall.EPIPE}, fmt.Errorf("kafka.(*Client).CreateTopics: %w", net.ErrClosed)} {
		if !connectionBroke(err) {
			t.Errorf("%v: not a broken connection", err)
		}
	}
	for _, err := range []error{errors.New("topic authorization failed"), context.DeadlineExceeded, syscall.ECONNREFUSED} {
		if connectionBroke(err) {
			t.Errorf("%v: taken for a broken connection", err)
		}
	}
}
