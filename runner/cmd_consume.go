package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

// consume: print orders as they arrive, from every partition, from one
// partition and offset, or as a member of a group.
func consumeCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "consume",
		Short: "print new orders from every partition until Ctrl-C",
		Long:  "Print orders as they arrive: from every partition, from one partition and offset, or as a member of a consumer group.\n\n" + brokerHelp,
		Example: `  go run ./runner consume
  go run ./runner consume --partition 0 --offset 50
                          read one partition from one offset, as the original consumer
  go run ./runner consume --group order_tracker
                          read as a consumer group, committing after each order;
                          prints this member's partitions at every rebalance`,
		Args: noArgs,
	}
	fs := cmd.Flags()
	c.brokerFlags(fs, "use the embedded in-memory broker, even if a real one answers")
	fs.StringVar(&c.topic, "topic", "orders", "topic to read (orders is created when missing; others must exist)")
	fs.Func("partition", "read only partition `P` (with --offset)", func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a partition number (0, 1, 2...)", s)
		}
		c.partition = n
		return nil
	})
	fs.Func("offset", "start partition --partition at offset `O`", func(s string) error {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not an offset (0 or more)", s)
		}
		c.offset, c.hasOffset = n, true
		return nil
	})
	fs.StringVar(&c.group, "group", "", "read as consumer group `G`, committing each order after printing it")
	fs.DurationVar(&c.timeout, "for", 0, "stop after this long, e.g. 30s (default: until Ctrl-C)")
	cmd.RunE = func(*cobra.Command, []string) error {
		c.name, c.parsed = "consume", true
		if err := c.checkBrokerFlags(); err != nil {
			return err
		}
		if c.hasOffset != (c.partition >= 0) {
			return usagef("--partition and --offset go together: consume --partition 0 --offset 50")
		}
		if c.group != "" && c.partition >= 0 {
			return usagef("--group and --partition exclude each other: a group's partitions are assigned by the broker")
		}
		return nil
	}
	return cmd
}
