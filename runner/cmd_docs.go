package main

import "github.com/spf13/cobra"

// docs: the lessons as Markdown, for LESSONS.md.
func docsCommand(c *command) *cobra.Command {
	cmd := c.simple("docs", "write the lessons' narration and code as Markdown", nil)
	cmd.Example = "  go run ./runner docs > LESSONS.md"
	return cmd
}

// source: the code of a helper a step calls.
func sourceCommand(c *command) *cobra.Command {
	return &cobra.Command{
		Use:   "source [NAME]",
		Short: "print the code of a helper the lessons call (ReadWatermarks, Poller.Poll); no NAME: list them",
		Example: `  go run ./runner source ReadWatermarks
  go run ./runner source Poller.Poll`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("source takes one NAME: go run ./runner source ReadWatermarks")
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			c.name, c.parsed = "source", true
			if len(args) == 1 {
				c.helper = args[0]
			}
			return nil
		},
	}
}
