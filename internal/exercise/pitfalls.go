package exercise

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The pitfalls track: programs that work, but carry one of the traps
// kafka-go's users report most, and a check that fails until it is gone.

// budget is how long p1's program may take: its writes take milliseconds
// each once batches leave at once, seconds with kafka-go's default.
const budget = 2 * time.Second

// Pitfall 1: one write per second (kafka-go issues #326, #1180).
func batchTimeoutPitfall() Exercise {
	return Exercise{
		ID: "p1", Dir: "p1_one_write_per_second", Lesson: -1,
		Title: "Pitfall: one write per second",
		Goal:  fmt.Sprintf("The $COUNT orders are on $TOPIC in the order written, and the program took less than %v.", budget),
		Hints: []string{
			"Time one WriteMessages call: it takes about a second, whatever the broker. The Writer is waiting for something before it sends.",
			"A Writer collects messages into a batch and sends it when BatchSize messages are there or BatchTimeout has passed: 1 s by default. One message per call waits the whole second.",
			"Set BatchTimeout: time.Millisecond in the Writer (lesson 3 does): a lone message leaves at once.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex-p1-orders-" + suffix())
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: 1, ReplicationFactor: env.Replicas()})
			return Vars{"TOPIC": topic, "COUNT": strconv.Itoa(between(6, 9))}, err
		},
		Check: checkOneWritePerSecond,
	}
}

func checkOneWritePerSecond(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error) {
	topic, count := v["TOPIC"], v.Int("COUNT")
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	inOrder := 0
	for i, m := range stored {
		if o, err := lessons.DecodeOrder(m.Value); err == nil && o.Item == fmt.Sprintf("dish %d", i) {
			inOrder++
		}
	}
	took := Line{What: "time the program took", Want: "under " + budget.String(), Got: r.Took.Round(10 * time.Millisecond).String(),
		OK: r.Took < budget}
	// Named only when the time per write is the Writer's wait (a second by
	// default), not a slow machine.
	if perWrite := r.Took / time.Duration(max(count, 1)); !took.OK && perWrite > 400*time.Millisecond {
		took.Why = fmt.Sprintf("%v per write: each WriteMessages waits for the batch to fill or for BatchTimeout", perWrite.Round(10*time.Millisecond))
	}
	return []Line{
		want("orders on "+topic, count, len(stored)),
		want("orders in the order written", count, inOrder),
		took,
	}, nil
}
