package lessons_test

import (
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Lesson 12: retention deletes the first five orders (the first offset
// moves to 5 and a reader asked for 0 gets 5); compaction keeps the last
// status of each order; a tombstone replaces an order's statuses, and an
// empty value is kept as a value, not taken for a tombstone.
func TestLesson12RetentionAndCompaction(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 12))

	if b, a := rec.Values("first offset before"), rec.Values("first offset after"); len(b) != 1 || len(a) != 1 ||
		b[0] != int64(0) || a[0] != int64(5) {
		t.Errorf("first offset before %v, after %v: want 0, then 5 (the five expired orders gone)", b, a)
	}
	// Retention goes on while the lesson runs: the record a reader asked for
	// 0 gets is the first one left then, 5 or later, never one deleted.
	if got := rec.Values("got the record at offset"); len(got) != 1 || got[0].(int64) < 5 {
		t.Errorf("a reader asked for offset 0 got %v, want the first offset left, 5 or later", got)
	}
	kept := rec.Values("kept")
	var compacted, tombstoned []Status
	for _, v := range kept {
		s := v.(Status)
		if len(compacted) > 0 && s.Offset <= compacted[len(compacted)-1].Offset {
			tombstoned = append(tombstoned, s)
			continue
		}
		if tombstoned != nil {
			tombstoned = append(tombstoned, s)
		} else {
			compacted = append(compacted, s)
		}
	}
	want := map[string]string{"order-A": "delivered", "order-B": "cooking", "order-C": "placed", "order-D": "placed"}
	if got := latest(compacted); !same(got, want) || len(compacted) != len(want) {
		t.Errorf("after compaction the topic holds %v, want one record per order: %v", compacted, want)
	}
	want["order-B"], want["order-C"], want["order-E"] = "", "(tombstone)", "placed"
	if got := latest(tombstoned); !same(got, want) || len(tombstoned) != len(want) {
		t.Errorf("after the tombstone the topic holds %v, want %v", tombstoned, want)
	}
}

func latest(ss []Status) map[string]string {
	m := map[string]string{}
	for _, s := range ss {
		m[s.Key] = s.Value
		if s.Tombstone {
			m[s.Key] = "(tombstone)"
		}
	}
	return m
}

func same(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
