package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A learner's first check of an untouched exercise: built, run against the
// test's broker, the goal's lines, exit 1 and the first hint. hint gives
// one more each time; solution refuses before a pass unless --spoil.
func TestExerciseCommands(t *testing.T) {
	progress := progressEnv + "=" + filepath.Join(t.TempDir(), "progress.json")
	env := []string{progress, "KAFKA_BOOTSTRAP_SERVERS=" + testBroker(t)}

	cmd, out, errb := runner(t, env, "check", "8", "--topic-prefix", "ex-")
	if code := exitCode(t, cmd, 2*time.Minute); code != 1 {
		t.Fatalf("check 8 of the starting file: exit %d, want 1\n%s%s", code, out, errb)
	}
	for _, want := range []string{"Exercise 8 · ", "✘ ada-", "(Java's murmur2)", "round-robin, ignores keys", "Hint 1 of 3: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check 8 says no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out.String(), "$TOPIC") || !strings.Contains(out.String(), "ex-ex8-orders-") {
		t.Errorf("the goal must name the check's own topic:\n%s", out)
	}

	// The check showed hint 1: each hint call shows one more.
	for i, want := range []string{"2. ", "3. "} {
		cmd, out, _ = runner(t, env, "hint", "8", "--topic-prefix", "ex-")
		if code := exitCode(t, cmd, 30*time.Second); code != 0 || !strings.Contains(out.String(), want) {
			t.Errorf("hint 8, call %d: exit %d, want up to hint %q:\n%s", i+1, code, want, out)
		}
		if i == 0 && strings.Contains(out.String(), "3. ") {
			t.Errorf("the first hint call shows hints 1 and 2 only:\n%s", out)
		}
	}

	cmd, _, errb = runner(t, env, "solution", "8", "--topic-prefix", "ex-")
	if code := exitCode(t, cmd, 30*time.Second); code != 1 || !strings.Contains(errb.String(), "--spoil") {
		t.Errorf("solution before a pass: exit %d, want 1 and how to spoil it:\n%s", code, errb)
	}
	cmd, out, _ = runner(t, env, "solution", "8", "--spoil")
	if code := exitCode(t, cmd, 30*time.Second); code != 0 || !strings.Contains(out.String(), "Murmur2Balancer") {
		t.Errorf("solution --spoil: exit %d, want the solution:\n%s", code, out)
	}

	cmd, out, _ = runner(t, env, "exercise", "--topic-prefix", "ex-")
	if code := exitCode(t, cmd, 30*time.Second); code != 0 || !strings.Contains(out.String(), "p1  Pitfall: one write per second") {
		t.Errorf("exercise: exit %d, want the list:\n%s", code, out)
	}
	for _, args := range [][]string{{"check", "99"}, {"check"}, {"hint", "x"}, {"exercise", "--reset"}} {
		cmd, _, errb = runner(t, env, args...)
		if code := exitCode(t, cmd, 30*time.Second); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", args, code, errb)
		}
	}
}

// An exercise's goal names the variables its check sets ($TOPIC...): the
// screen says what they are, once each, so that the goal does not read
// like a template left unfilled.
func TestGoalVars(t *testing.T) {
	got := goalVars("The topic $TOPIC exists with $PARTITIONS partitions, on $TOPIC.")
	if !slices.Equal(got, []string{"$TOPIC", "$PARTITIONS"}) {
		t.Errorf("goalVars = %v", got)
	}
	if got := goalVars("No variable here, 5 $ only."); len(got) != 0 {
		t.Errorf("goalVars of a goal without one = %v", got)
	}
}
