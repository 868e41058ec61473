// Package exercise is the "Now you" part of the walkthrough: small kafka-go
// programs in exercises/ with TODOs, and for each a check that runs the
// learner's program against the broker and then looks at the cluster, never
// at the source: the records, their keys and partitions, a topic's settings,
// how long the program took. As Learn Git Branching checks a level by the
// repository's state, an exercise is solved when Kafka shows its goal,
// whatever code got there.
//
// An exercise is one folder under exercises/ (the learner's main.go), one
// folder under solutions/ (the reference solution, shown after a pass) and
// one entry in All(): its goal, hints, what it prepares and what it checks.
package exercise

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise is one program to complete and its check.
type Exercise struct {
	ID     string // what the learner types: "8", "p1"
	Dir    string // its folder under exercises/ and solutions/: "08_keys"
	Lesson int    // the lesson it follows; -1 for the pitfalls track
	Title  string
	// Goal is the state the check looks for, as the program's doc comment
	// says it.
	Goal string
	// Hints come one at a time, each more concrete than the last.
	Hints    []string
	Requires lessons.Requirement
	// Limit is how long the program may run; 0 is DefaultLimit.
	Limit time.Duration
	// Open, when set, starts what one check needs beside the cluster (a
	// schema registry), records it in env (a copy of the caller's, with
	// its printer), and returns what stops it once the check is done.
	Open func(ctx context.Context, env *lessons.Env) (stop func(), err error)
	// Prepare makes fresh names and data for one check (a random suffix, a
	// random count) and what the program starts from, and returns the
	// variables the program reads.
	Prepare func(ctx context.Context, env *lessons.Env) (Vars, error)
	// Runs is how many times the program runs, one after the other (a
	// consumer that must resume where it stopped); 0 is once.
	Runs int
	// During, when set, runs beside each run of the program (run counts
	// from 0): it may produce orders while the program polls, watch what it
	// prints, and interrupt it as Ctrl-C would. It returns once it is done
	// with that run; the program then has its limit to end by itself.
	// During may record what it saw for Check in v, under names the
	// program does not read: the program's environment is made before
	// During starts, and Check runs after During has returned.
	During func(ctx context.Context, env *lessons.Env, v Vars, run int, p *Process) error
	// ChecksExit makes how the program ended after During's Ctrl-C a line
	// of the check instead of a problem: a program that then exits
	// non-zero, or that the Ctrl-C kills, is still checked, and Check reads
	// Run.Exit. A program that fails before the Ctrl-C, does not build,
	// panics or runs past its limit is still a problem, with its stderr.
	ChecksExit bool
	// Check compares the goal with what the cluster shows after the
	// program ran, line by line.
	Check func(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error)
}

// DefaultLimit bounds a program that sets no limit of its own.
const DefaultLimit = 30 * time.Second

// Vars are the environment variables a program reads (TOPIC, COUNT...).
type Vars map[string]string

// Int returns a variable set by Prepare as a number.
func (v Vars) Int(name string) int {
	var n int
	fmt.Sscan(v[name], &n)
	return n
}

// List returns a comma-separated variable as a list.
func (v Vars) List(name string) []string { return strings.Split(v[name], ",") }

// Run is what the learner's program did. A program run several times
// (Exercise.Runs) has each run in Each, and their outputs joined here.
type Run struct {
	Stdout, Stderr string
	Took           time.Duration
	// Interrupted says During interrupted the program, and Stopping how
	// long it took from the interrupt to its exit.
	Interrupted bool
	Stopping    time.Duration
	// Exit is how the program ended, as Go's os.ProcessState says it:
	// "exit status 0", "exit status 1", "signal: interrupt". Of several
	// runs, the first that did not exit 0.
	Exit string
	Each []Run
}

// Line is one fact of the goal: what was wanted and what the cluster shows.
type Line struct {
	What, Want, Got string
	OK              bool
	// Why names the mistake when a wrong answer is a known one ("you used
	// kafka.Hash: FNV-1a, as Sarama does").
	Why string
}

func (l Line) String() string {
	mark := "✔"
	if !l.OK {
		mark = "✘"
	}
	s := fmt.Sprintf("%s %s: want %s, got %s", mark, l.What, l.Want, l.Got)
	if l.Why != "" {
		s += " (" + l.Why + ")"
	}
	return s
}

// want makes a line from a wanted and a got value, equal or not.
func want(what string, wanted, got any) Line {
	w, g := fmt.Sprint(wanted), fmt.Sprint(got)
	return Line{What: what, Want: w, Got: g, OK: w == g}
}

// Passed says whether every line holds.
func Passed(lines []Line) bool {
	for _, l := range lines {
		if !l.OK {
			return false
		}
	}
	return len(lines) > 0
}

// All returns the exercises in order: the one registry.
func All() []Exercise {
	return []Exercise{
		topicExercise(),
		decodeExercise(),
		deliveryExercise(),
		offsetsExercise(),
		pollLoopExercise(),
		resumeExercise(),
		poisonPillsExercise(),
		keysExercise(),
		twoMembersExercise(),
		idempotentExercise(),
		minInsyncExercise(),
		compactedExercise(),
		headersExercise(),
		throughputExercise(),
		sinceExercise(),
		handoverExercise(),
		grantExercise(),
		connectorExercise(),
		registryExercise(),
		batchTimeoutPitfall(),
		commitBeforeWorkPitfall(),
		asyncErrorsPitfall(),
		closeWaitsPitfall(),
		missingTopicPitfall(),
		startOffsetPitfall(),
	}
}

// Find returns the exercise with id.
func Find(id string) (Exercise, bool) {
	i := slices.IndexFunc(All(), func(e Exercise) bool { return e.ID == id })
	if i < 0 {
		return Exercise{}, false
	}
	return All()[i], true
}

// ForLesson returns the exercises that follow lesson n.
func ForLesson(n int) []Exercise {
	var out []Exercise
	for _, e := range All() {
		if e.Lesson == n {
			out = append(out, e)
		}
	}
	return out
}

// IDs lists the exercise ids, for messages.
func IDs() string {
	var ids []string
	for _, e := range All() {
		ids = append(ids, e.ID)
	}
	return strings.Join(ids, ", ")
}

// suffix is a fresh random name part, so a check never meets a topic an
// earlier check (or a hard-coded answer) made.
func suffix() string { return fmt.Sprintf("%06x", rand.IntN(1<<24)) }

// between returns a random number in [lo, hi].
func between(lo, hi int) int { return lo + rand.IntN(hi-lo+1) }
