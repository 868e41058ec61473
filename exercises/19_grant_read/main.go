// Exercise 19 · A cook who may read the orders, and no more (after lesson 19)
//
// The kitchen hires a cook, $COOK, who reads the orders in the kitchen's
// group. This program runs as you: a user who may manage ACLs. The cook
// has no right at all yet, and the brokers check ACLs: give the cook what
// a consumer in a group needs, and nothing that lets it write orders or
// read the payments.
//
// Goal, as the check sees it on the cluster: the user $COOK, a member of
// the group $GROUP, reads each of the $COUNT orders of $TOPIC; it may not
// write to $TOPIC, nor read $OTHER, the payments.
//
// It runs on brokers that check ACLs, logged in as a user who may manage
// them: after go run ./cmd/kafka-native up --secure, add
// --config .kafka-native/secure/client.properties to the check
// (docs/secured-cluster.md).
//
// Check it:      go run ./runner check 19
// A hint:        go run ./runner hint 19
package main

import (
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/exercises/kit"
)

func main() {
	ctx, stop := kit.Context()
	defer stop()
	cook, topic, group := kit.Env("COOK"), kit.Env("TOPIC"), kit.Env("GROUP")

	client := &kafka.Client{Addr: kafka.TCP(kit.Brokers()...), Transport: kit.Transport(), Timeout: 10 * time.Second}

	// TODO: grant the cook (User:+cook) what a consumer in the group needs
	// to read topic, with client.CreateACLs(ctx, ...), and no more.
	_, _ = ctx, client
	fmt.Printf("the cook %s may read %s in the group %s?\n", cook, topic, group)
}
