// A wrong answer to exercise 17: franz-go's auto-commit left on, and an OnPartitionsRevoked that only logs, which replaces the default one that commits.
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	topic, out, group := kit.Env("TOPIC"), kit.Env("OUT"), kit.Env("GROUP")
	cook := time.Duration(kit.Int("COOK_MS")) * time.Millisecond

	cl, err := kgo.NewClient(append(kit.Franz(),
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(topic),
		kgo.HeartbeatInterval(250*time.Millisecond), // hears of a rebalance within a quarter of a second
		kgo.AutoCommitInterval(time.Second),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
			fmt.Println("revoked", revoked[topic])
		}),
	)...)
	if err != nil {
		kit.Fail(err)
	}
	defer cl.Close()

	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return // Ctrl-C
		}
		fetches.EachError(func(t string, p int32, err error) {
			kit.Fail(fmt.Errorf("fetch %s [%d]: %w", t, p, err))
		})
		// A batch polled is cooked to its end, Ctrl-C or not: a commit
		// then covers only orders that were cooked.
		fetches.EachRecord(func(r *kgo.Record) {
			ticket := &kgo.Record{Topic: out, Value: r.Value}
			if err := cl.ProduceSync(context.WithoutCancel(ctx), ticket).FirstErr(); err != nil {
				kit.Fail(fmt.Errorf("ticket for %s [%d] @ %d: %w", r.Topic, r.Partition, r.Offset, err))
			}
			fmt.Printf("cooking %s [%d] @ %d\n", r.Topic, r.Partition, r.Offset)
			time.Sleep(cook) // cooking takes a while
		})
	}
}
