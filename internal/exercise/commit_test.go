package exercise_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
)

// Pitfall 2's typical wrong answers fail, with the committed offset named
// as one past what was handled: the order in flight committed before it
// was handled.
func TestCommitWrongAnswersFail(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		line string // a failing line's What
		says string // what its Why says
	}{
		{"p2_commit_then_write", "committed offset of", "committed before it was handled"},
		{"p2_commit_interval", "committed offset of", "committed before it was handled"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			ex, ok := exercise.Find("p2")
			if !ok {
				t.Fatal("no exercise p2")
			}
			res := verify(t, ex, filepath.Join("internal", "exercise", "testdata", "wrong", tc.dir))
			if res.Passed() {
				t.Fatalf("%s passes exercise p2", tc.dir)
			}
			if res.Problem != "" {
				t.Fatalf("%s must run and fail by its result: %s", tc.dir, res.Problem)
			}
			for _, l := range res.Lines {
				if !l.OK && strings.HasPrefix(l.What, tc.line) && strings.Contains(l.Why, tc.says) {
					return
				}
			}
			t.Errorf("no failing line %q that says %q", tc.line, tc.says)
		})
	}
}
