package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
)

// The "Now you" commands: exercise, check, hint and solution. Each takes
// an exercise's id, which the shell completes.

// exerciseCommand: the exercises with their status, or one exercise.
func exerciseCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exercise [ID]",
		Short: "Now you: the exercises, with your progress (with an ID: its goal and file)",
		Long: `Now you: small kafka-go programs in exercises/ to complete, each checked by what
it does to the cluster. Without an ID: the list, with your progress. With one: its
goal and its file; --reset puts the starting file back and keeps yours beside it.`,
		Example: `  go run ./runner exercise
  go run ./runner exercise 8
  go run ./runner exercise 8 --reset`,
		Args:              exerciseArgs(0, 1),
		ValidArgsFunction: completeExercise,
	}
	c.prefixFlag(cmd.Flags())
	cmd.Flags().BoolVar(&c.resetFile, "reset", false, "put the exercise's starting file back (yours is kept beside it as main.go.yours)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		c.name, c.parsed = "exercise", true
		if len(args) == 1 {
			c.exercise = args[0]
		} else if c.resetFile {
			return usagef("--reset needs an exercise: go run ./runner exercise 8 --reset")
		}
		return c.checkPrefix()
	}
	return cmd
}

// checkCommand: build and run the learner's program, then check the
// cluster.
func checkCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check ID",
		Short: "build and run an exercise, then check the cluster for its goal",
		Long: `Build and run exercises/<folder>/main.go against the broker, bounded in time, then
look at the cluster for the exercise's goal: expected against actual, line by line.
Exit 0 when it passes, 1 when not yet (with a hint). --watch checks again at each
save of the file until it passes (h: a hint, q: quit).

` + brokerHelp,
		Example: `  go run ./runner check 8
  go run ./runner check 8 --watch`,
		Args:              exerciseArgs(1, 1),
		ValidArgsFunction: completeExercise,
	}
	fs := cmd.Flags()
	c.brokerFlags(fs, "use the embedded in-memory broker, even if a real one answers")
	c.classFlags(fs)
	fs.BoolVar(&c.onSave, "watch", false, "check again each time the file is saved, until it passes (h: a hint, q: quit)")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		c.name, c.parsed, c.exercise = "check", true, args[0]
		if _, err := c.className(); err != nil {
			return err
		}
		return c.checkBrokerFlags()
	}
	return cmd
}

// hintCommand: the next hint.
func hintCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:               "hint ID",
		Short:             "the exercise's hints, one more each time",
		Example:           "  go run ./runner hint 8",
		Args:              exerciseArgs(1, 1),
		ValidArgsFunction: completeExercise,
	}
	c.prefixFlag(cmd.Flags())
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		c.name, c.parsed, c.exercise = "hint", true, args[0]
		return c.checkPrefix()
	}
	return cmd
}

// solutionCommand: the reference solution beside the learner's file.
func solutionCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:               "solution ID",
		Short:             "the reference solution beside yours, once you have passed (--spoil: before)",
		Example:           "  go run ./runner solution 8",
		Args:              exerciseArgs(1, 1),
		ValidArgsFunction: completeExercise,
	}
	c.prefixFlag(cmd.Flags())
	cmd.Flags().BoolVar(&c.spoil, "spoil", false, "show the solution before you have passed the check")
	cmd.RunE = func(_ *cobra.Command, args []string) error {
		c.name, c.parsed, c.exercise = "solution", true, args[0]
		return c.checkPrefix()
	}
	return cmd
}

// exerciseArgs takes between lo and hi exercise ids, each one that exists.
func exerciseArgs(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < lo:
			return usagef("%s needs an exercise, e.g. go run ./runner %s 8 (exercises are %s)", cmd.Name(), cmd.Name(), exercise.IDs())
		case len(args) > hi:
			return usagef("unexpected argument %q", args[hi])
		}
		for _, id := range args {
			if _, ok := exercise.Find(id); !ok {
				return usagef("there is no exercise %q (exercises are %s; see: go run ./runner exercise)", id, exercise.IDs())
			}
		}
		return nil
	}
}

// completeExercise offers the exercises' ids, with their titles.
func completeExercise(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var ids []string
	for _, ex := range exercise.All() {
		ids = append(ids, fmt.Sprintf("%s\t%s", ex.ID, ex.Title))
	}
	return ids, cobra.ShellCompDirectiveNoFileComp
}
