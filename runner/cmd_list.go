package main

import "github.com/spf13/cobra"

// list: the lessons and exercises, with the learner's progress.
func listCommand(c *command) *cobra.Command {
	cmd := c.simple("list", "list the lessons and exercises, with your progress", c.checkPrefix)
	cmd.Example = "  go run ./runner list --topic-prefix ada-"
	c.prefixFlag(cmd.Flags())
	return cmd
}
