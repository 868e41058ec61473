package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// produceBrokerHelp is brokerHelp for produce, which never hosts a broker.
const produceBrokerHelp = `Broker: --brokers, else $KAFKA_BOOTSTRAP_SERVERS, else localhost:9092, where a
running "go run ./runner consume" hosts the embedded broker when nothing else
answers. produce never starts a broker of its own: with none running, it says
what to start (consume, or docker compose up -d) and exits 1.
A secured cluster (TLS, SASL): --config client.properties (or $KAFKA_CONFIG), the
file a managed Kafka service hands out; --brokers still overrides its servers.`

// produce: send orders, each with its delivery report.
func produceCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "produce",
		Short: "send an order, with its delivery report",
		Long: "Send orders to a topic, each with its delivery report: the partition and offset Kafka gave.\n\n" +
			produceBrokerHelp,
		Example: `  go run ./runner produce
  go run ./runner produce --key "Ada Lovelace" --count 3
                          orders keyed by user: one partition (--balancer hash|murmur2|crc32)`,
		Args: noArgs,
	}
	fs := cmd.Flags()
	c.brokerFlags(fs, "refused here: an embedded broker of produce's own would end with it, and the orders with it")
	fs.IntVar(&c.count, "count", 1, "how many orders to send")
	fs.StringVar(&c.topic, "topic", "orders", "topic to send to (orders is created when missing; others must exist)")
	fs.StringVar(&c.key, "key", "", "key every order with `USER` (its user too): one user's orders stay on one partition")
	fs.Func("balancer", "how a record picks its partition: `B` is "+strings.Join(lessons.BalancerNames, ", ")+
		" (default "+lessons.RecommendedBalancer+" with --key, as lesson 8 recommends; round-robin without)", func(s string) error {
		if _, err := lessons.NewBalancer(s); err != nil {
			return err
		}
		c.balancer = s
		return nil
	})
	cmd.RegisterFlagCompletionFunc("balancer", cobra.FixedCompletions(lessons.BalancerNames, cobra.ShellCompDirectiveNoFileComp))
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c.name, c.parsed = "produce", true
		if err := c.checkBrokerFlags(); err != nil {
			return err
		}
		if c.count < 1 {
			return usagef("--count must be at least 1")
		}
		if c.key == "" && cmd.Flags().Changed("key") {
			return usagef("--key needs a user, e.g. --key \"Ada Lovelace\"")
		}
		return nil
	}
	return cmd
}
