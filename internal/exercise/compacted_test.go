package exercise_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
)

// Typical wrong answers to exercise 12 fail, with the line that names the
// mistake: the topic left with Kafka's default cleanup.policy, and a
// tombstone written as an empty value, which kafka-go sends as 0 bytes, not
// as no value.
func TestCompactedWrongAnswersFail(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		line string // a failing line's What
		says string // what its Why or Got says
	}{
		{"12_no_cleanup_policy", "cleanup.policy", "Kafka's default"},
		{"12_empty_tombstone", "last record of", "an empty value is a value, not a tombstone"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			ex, ok := exercise.Find("12")
			if !ok {
				t.Fatal("no exercise 12")
			}
			res := verify(t, ex, filepath.Join("internal", "exercise", "testdata", "wrong", tc.dir))
			if res.Problem != "" {
				t.Fatalf("%s must run and fail by its result: %s", tc.dir, res.Problem)
			}
			if res.Passed() {
				t.Fatalf("%s passes exercise 12", tc.dir)
			}
			for _, l := range res.Lines {
				if !l.OK && strings.HasPrefix(l.What, tc.line) && strings.Contains(l.Why+" "+l.Got, tc.says) {
					return
				}
			}
			t.Errorf("no failing line %q that says %q", tc.line, tc.says)
		})
	}
}
