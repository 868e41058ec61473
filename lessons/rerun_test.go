package lessons_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// runSteps runs plan's steps in the order given (numbered from 1), as the
// runner does when a step is run again or alone: a step that ran before is
// Reset first. The plan's Setup runs once, before the first.
func runSteps(t *testing.T, env *Env, plan Plan, tried map[int]bool, steps ...int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if plan.Setup != nil && len(tried) == 0 {
		if err := plan.Setup(ctx, env); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	for _, n := range steps {
		s := plan.Steps[n-1]
		if tried[n] && s.Reset != nil {
			s.Reset()
		}
		tried[n] = true
		if err := s.Run(ctx, env); err != nil {
			t.Fatalf("step %d (%s): %v", n, s.Title, err)
		}
	}
}

func saidWith(rec *testkit.Recorder, part string) int {
	n := 0
	for _, s := range rec.Texts(testkit.KindSay) {
		if strings.Contains(s, part) {
			n++
		}
	}
	return n
}

// Lesson 3's Close run again (after step 1 makes a new writer) and Close
// run alone (--step 3) report the writer they close: nothing queued,
// nothing delivered, and they say so; Send run twice queues six.
func TestLesson3RunAgainReportsItsOwnWriter(t *testing.T) {
	for _, tc := range []struct {
		name             string
		steps            []int
		queued, reports  []any
		delivered, empty int
	}{
		{"close run again", []int{1, 2, 3, 1, 3}, []any{3, 0}, []any{int64(3), int64(0)}, 3, 1},
		{"close alone (--step 3)", []int{1, 3}, []any{0}, []any{int64(0)}, 0, 1},
		{"send run again", []int{1, 2, 2, 3}, []any{6}, []any{int64(6)}, 6, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, rec := testkit.Env(t)
			logOnFailure(t, rec)
			plan := lesson(t, 3).Plan()
			defer plan.Cleanup()
			runSteps(t, env, plan, map[int]bool{}, tc.steps...)
			if q, r := rec.Values("orders queued"), rec.Values("delivery reports"); !equal(q, tc.queued) || !equal(r, tc.reports) {
				t.Errorf("queued %v, reports %v: want %v and %v", q, r, tc.queued, tc.reports)
			}
			if n := len(rec.Records(Delivered)); n != tc.delivered {
				t.Errorf("%d delivered, want %d", n, tc.delivered)
			}
			if n := saidWith(rec, "queued no order"); n != tc.empty {
				t.Errorf("said %d times that the writer queued nothing, want %d", n, tc.empty)
			}
		})
	}
}

func equal(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Lesson 9's step 5 in a fresh run of the lesson (a quiz's "Run step 5
// again"): its new groups read every order in the topic, this run's six
// and the earlier run's six, and it says how many came before. Run again
// in the same run, its groups have committed everything: it says so and
// reads nothing.
func TestLesson9FanOutAgain(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	first := lesson(t, 9).Plan()
	runSteps(t, env, first, map[int]bool{}, 1, 5)
	first.Cleanup()
	if got := rec.Values("orders in the topic"); len(got) != 0 {
		t.Fatalf("the first run said the topic holds orders from before: %v", got)
	}
	second := lesson(t, 9).Plan()
	defer second.Cleanup()
	tried := map[int]bool{}
	runSteps(t, env, second, tried, 1, 5)
	if held, before := rec.Values("orders in the topic"), rec.Values("sent before this run of the lesson"); !equal(held, []any{int64(12)}) || !equal(before, []any{int64(6)}) {
		t.Errorf("orders in the topic %v, sent before %v: want 12 and 6", held, before)
	}
	runSteps(t, env, second, tried, 5)
	var reads []int64
	for _, e := range rec.Entries() {
		if e.Kind == testkit.KindValue && strings.HasSuffix(e.Label, " read") {
			reads = append(reads, e.Value.(int64))
		}
	}
	// billing and delivery: 6 each in the first run, 12 each in the second
	// (a new group starts at the first offset), 0 each run again.
	if want := []int64{6, 6, 12, 12, 0, 0}; !slices.Equal(reads, want) {
		t.Errorf("reads %v, want %v", reads, want)
	}
	if n := saidWith(rec, "committed every order already"); n != 2 {
		t.Errorf("said %d times that a group had nothing new, want 2", n)
	}
}
