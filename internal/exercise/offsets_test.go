package exercise_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
)

// Typical wrong answers to exercise 4 fail, and the line about where the
// copies came from names the mistake.
func TestOffsetsWrongAnswersFail(t *testing.T) {
	ex, ok := exercise.Find("4")
	if !ok {
		t.Fatal("no exercise 4")
	}
	for _, tc := range []struct {
		dir  string
		says string // what the failing line's Why says
	}{
		{"04_to_included", "is excluded, the last record to copy is"},
		{"04_from_first_offset", "the partition's first offset, where a Reader starts until SetOffset"},
		{"04_partition_unset", "ReaderConfig.Partition is 0 unless you set it"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			res := verify(t, ex, filepath.Join("internal", "exercise", "testdata", "wrong", tc.dir))
			if res.Problem != "" {
				t.Fatalf("%s must run and fail by its result: %s", tc.dir, res.Problem)
			}
			if res.Passed() {
				t.Fatalf("%s passes exercise 4", tc.dir)
			}
			for _, l := range res.Lines {
				if !l.OK && strings.HasPrefix(l.What, "copied from ") && strings.Contains(l.Why, tc.says) {
					return
				}
			}
			t.Errorf("no failing line \"copied from …\" that says %q", tc.says)
		})
	}
}
