package exercise

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// rushBudget is how long exercise 14's program may take to store its
// orders, and its own deadline. Measured on this project's 2-core machine
// with other tests running, five runs each of correct programs storing
// 8,000 to 12,000 orders: one WriteMessages with every order (defaults;
// BatchTimeout 1 ms; BatchSize 1000 and BatchTimeout 1 ms, the reference),
// and an asynchronous Writer with Completion and Close, one call per
// order. On the embedded emulation they took 0.05–0.4 s (1.0–1.4 s with
// the default 1 s BatchTimeout, which a partition's last batch waits out).
// On the three-node Apache Kafka 3.8.1 cluster (acks=all) they took
// 0.2–2.7 s at a load average of 4 to 6, and 0.5–4.6 s at a load average
// of 18 (the reference 0.5–1.6 s). One synchronous call per order took
// 1.45 ms (BatchTimeout 1 ms, embedded) to 6 ms (three-node cluster) per
// order: BatchTimeout's timer alone waits 1 ms per call, so 8,000 orders
// or more need over 8 s anywhere, and a second each with the default
// BatchTimeout. With BatchSize 1 a call waits for no timer, only for
// Kafka's answer: on the emulation (0.13 ms) 12,000 calls one after the
// other pass in 1.6 s; on the cluster (6 ms) they do not. The starting
// file stops at this deadline, so its check takes about as long.
const rushBudget = 8 * time.Second

// Exercise 14 follows lesson 14: thousands of orders within a time budget,
// in order per user.
func throughputExercise() Exercise {
	return Exercise{
		ID: "14", Dir: "14_throughput", Lesson: 14,
		Title: "Ten thousand orders in a rush",
		Goal:  fmt.Sprintf("The $COUNT orders are on $TOPIC, each once, each user's orders on one partition in the order written, and the program took less than %v.", rushBudget),
		Hints: []string{
			"Count what one call costs: a synchronous WriteMessages of one order waits for its batch to leave (after BatchTimeout, 1 s by default, unless BatchSize orders fill it) and then for Kafka's answer, before the next order goes. Thousands of orders cannot each pay that, even with BatchTimeout 1 ms.",
			"A Writer batches what it is given together: pass many orders to one WriteMessages call (orders...), and it cuts them into batches of BatchSize per partition and sends each partition's batches one after the other, in order. Or set Async: true, so that calls only queue, and call Close at the end: it sends what is pending and waits for it.",
			"Replace the loop with one call, w.WriteMessages(ctx, orders...), and in the Writer set BatchSize: 1000 (fewer round trips) and BatchTimeout: time.Millisecond (a partition's last batch is not full: with the default it waits a second). Do not spread the orders over goroutines: their calls reach the Writer in any order, and a user's orders with them.",
		},
		Limit: rushBudget + 10*time.Second,
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex14-rush-" + suffix())
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: 3, ReplicationFactor: env.Replicas()})
			var users []string
			for _, name := range []string{"ada", "grace", "alan", "edsger", "barbara", "ken", "margaret"} {
				users = append(users, name+"-"+suffix()[:4])
			}
			return Vars{"TOPIC": topic, "COUNT": strconv.Itoa(between(8000, 12000)), "USERS": strings.Join(users, ","),
				"BUDGET_MS": strconv.Itoa(int(rushBudget / time.Millisecond))}, err
		},
		Check: checkRush,
	}
}

func checkRush(ctx context.Context, env *lessons.Env, v Vars, r Run) ([]Line, error) {
	topic, count := v["TOPIC"], v.Int("COUNT")
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	times := make([]int, count) // how often each dish is stored
	type place struct{ partition, last int }
	users := map[string]*place{}
	for _, u := range v.List("USERS") {
		users[u] = nil
	}
	orders, other, miskeyed := 0, 0, 0
	spread, unordered := map[string]bool{}, map[string]bool{}
	// readAll returns each partition's records in offset order.
	for _, m := range stored {
		o, err := lessons.DecodeOrder(m.Value)
		var dish int
		if err != nil {
			other++
			continue
		}
		if _, err := fmt.Sscanf(o.Item, "dish %d", &dish); err != nil || dish < 0 || dish >= count {
			other++
			continue
		}
		orders++
		times[dish]++
		if string(m.Key) != o.User {
			miskeyed++
		}
		p, known := users[o.User]
		switch {
		case !known:
		case p == nil:
			users[o.User] = &place{m.Partition, dish}
		case p.partition != m.Partition:
			spread[o.User] = true
		default:
			if dish <= p.last {
				unordered[o.User] = true
			}
			p.last = dish
		}
	}
	once, twice, missing := 0, 0, 0
	for _, n := range times {
		switch {
		case n == 1:
			once++
		case n > 1:
			twice++
		default:
			missing++
		}
	}

	on := want("orders on "+topic, count, orders)
	if other > 0 {
		on.Got += fmt.Sprintf(" (and %d records that are not one of them)", other)
		on.OK = false
	}
	if orders < count && missing > 0 {
		if r.Took >= rushBudget {
			on.Why = fmt.Sprintf("the program's deadline (%v) came before it had stored them all", rushBudget)
		} else {
			on.Why = "the program ended in time but before they were all stored: with Async: true WriteMessages only queues them; Close sends what is pending and waits for it"
		}
	}
	each := Line{What: "orders stored once each (dish 0 to dish " + strconv.Itoa(count-1) + ")", Want: strconv.Itoa(count),
		Got: fmt.Sprintf("%d (%d missing, %d stored more than once)", once, missing, twice), OK: once == count}

	inOrder := 0
	for u := range users {
		if users[u] != nil && !spread[u] && !unordered[u] {
			inOrder++
		}
	}
	order := want("users whose orders lie on one partition, in the order written", len(users), inOrder)
	switch {
	case order.OK:
	case len(spread) > 0:
		order.Why = fmt.Sprintf("%d user(s) on several partitions: a Writer places a key on one partition only with a key-hashing Balancer (kafka.Hash); the default, round-robin, ignores keys", len(spread))
	case len(unordered) > 0:
		order.Why = fmt.Sprintf("%d user(s) out of order on their partition: calls made from several goroutines at once reach the Writer in any order", len(unordered))
	}

	took := Line{What: "time the program took", Want: "under " + rushBudget.String(), Got: r.Took.Round(10 * time.Millisecond).String(),
		OK: r.Took < rushBudget}
	if perOrder := r.Took / time.Duration(max(orders, 1)); !took.OK && perOrder >= 500*time.Microsecond {
		unit := 10 * time.Microsecond
		if perOrder > 100*time.Millisecond {
			unit = 10 * time.Millisecond
		}
		took.Why = fmt.Sprintf("%v per order stored: a synchronous WriteMessages call waits for its batch to leave (BatchTimeout, 1 s by default, unless BatchSize orders fill it) and then for Kafka's answer, so calls of one order at a time cannot keep up", perOrder.Round(unit))
	}
	return []Line{on, each, want("orders whose key is not their user", 0, miskeyed), order, took}, nil
}
