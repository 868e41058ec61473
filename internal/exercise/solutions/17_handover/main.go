// Exercise 17 · Hand over without cooking twice (after lesson 17)
//
// The kitchen's cook is a franz-go consumer in the group $GROUP, with
// franz-go's default balancer, cooperative-sticky: a second cook who joins
// takes some partitions over while the first goes on with the others. For
// each order the cook prints a ticket (a record on $OUT), then takes a
// while to cook it. It commits after each batch it polled. When the
// check's second cook joins in the middle of a batch, orders are cooked
// twice.
//
// Goal, as the check sees it on the cluster: each of the $COUNT orders of
// $TOPIC is cooked once: by your program (a ticket on $OUT), or by the
// second cook the check starts in the group $GROUP, who takes partitions
// from your program in a cooperative rebalance while it cooks; none twice,
// none never.
//
// Check it:      go run ./runner check 17
// A hint:        go run ./runner hint 17
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
		kgo.DisableAutoCommit(),
		// A rebalance's callbacks wait until AllowRebalance: between two
		// batches, when every order polled is cooked.
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
			fmt.Println("revoked", revoked[topic])
			if err := cl.CommitUncommittedOffsets(ctx); err != nil {
				fmt.Println("commit on revoke:", err)
			}
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
			fmt.Println("lost", lost[topic]) // no commit: they may be another's already
		}),
	)...)
	if err != nil {
		kit.Fail(err)
	}
	defer cl.CloseAllowingRebalance() // leaves the group, revoking (and committing) all it holds

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
		if err := cl.CommitUncommittedOffsets(ctx); err != nil && ctx.Err() == nil {
			fmt.Println("commit:", err)
		}
		cl.AllowRebalance() // the batch is cooked and committed: a rebalance may go on
	}
}
