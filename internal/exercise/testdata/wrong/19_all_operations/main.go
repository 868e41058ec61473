// A wrong answer to exercise 19: ALL on the topic and the group, which lets the cook write orders too.
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

	resp, err := client.CreateACLs(ctx, &kafka.CreateACLsRequest{ACLs: []kafka.ACLEntry{
		{
			Principal:           "User:" + cook,
			Operation:           kafka.ACLOperationTypeAll,
			ResourceType:        kafka.ResourceTypeTopic,
			ResourcePatternType: kafka.PatternTypeLiteral,
			ResourceName:        topic,
			Host:                "*",
			PermissionType:      kafka.ACLPermissionTypeAllow,
		},
		{
			Principal:           "User:" + cook,
			Operation:           kafka.ACLOperationTypeAll,
			ResourceType:        kafka.ResourceTypeGroup,
			ResourcePatternType: kafka.PatternTypeLiteral,
			ResourceName:        group,
			Host:                "*",
			PermissionType:      kafka.ACLPermissionTypeAllow,
		},
	}})
	if err != nil {
		kit.Fail(err)
	}
	for _, err := range resp.Errors { // one per ACL
		if err != nil {
			kit.Fail(err)
		}
	}
	fmt.Printf("granted %s READ on the topic %s and the group %s\n", cook, topic, group)
}
