package main

import (
	"github.com/spf13/cobra"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
)

// watch: a live picture of the cluster beside the lessons.
func watchCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "a live picture of the cluster beside the lessons (q quits)",
		Long: `A live picture of the cluster: brokers, topics and their partitions with offsets,
leaders and ISR, groups and their lag, redrawn as they change. It never starts a
broker: watch --embedded attaches to the one a walkthrough hosts. Piped, or with
--once: one snapshot.

` + brokerHelp,
		Example: `  go run ./runner watch
  go run ./runner watch --once --all-topics`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			c.name, c.parsed = "watch", true
			return c.checkBrokerFlags()
		},
	}
	fs := cmd.Flags()
	c.brokerFlags(fs, "watch the embedded broker a running walkthrough hosts on "+broker.DefaultAddr+" (watch never starts one)")
	fs.BoolVar(&c.once, "once", false, "print one snapshot and exit (what a pipe gets)")
	fs.BoolVar(&c.allTopics, "all-topics", false, "show every topic and group but the internal ones, not only those named with --topic-prefix")
	return cmd
}
