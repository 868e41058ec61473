package main

import "github.com/spf13/cobra"

// reset: forget the learner's progress.
func resetCommand(c *command) *cobra.Command {
	cmd := c.simple("reset", "forget your progress (per --topic-prefix): lessons, quizzes, exercises, edited steps", c.checkPrefix)
	c.prefixFlag(cmd.Flags())
	return cmd
}
