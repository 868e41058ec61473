package main

import "github.com/spf13/cobra"

// docs: the lessons as Markdown, for LESSONS.md.
func docsCommand(c *command) *cobra.Command {
	cmd := c.simple("docs", "write the lessons' narration and code as Markdown", nil)
	cmd.Example = "  go run ./runner docs > LESSONS.md"
	return cmd
}
