// A wrong answer to exercise 19: READ on every topic (the name *), the payments included.
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
			Operation:           kafka.ACLOperationTypeRead,
			ResourceType:        kafka.ResourceTypeTopic,
			ResourcePatternType: kafka.PatternTypeLiteral,
			ResourceName:        "*",
			Host:                "*",
			PermissionType:      kafka.ACLPermissionTypeAllow,
		},
		{
			Principal:           "User:" + cook,
			Operation:           kafka.ACLOperationTypeRead,
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
