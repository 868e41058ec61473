package lessons

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/segmentio/kafka-go"
)

// topicLesson is lesson 1: the topic orders and its partitions.
func topicLesson() Lesson {
	return Lesson{
		Number: 1,
		Title:  "Topic: orders, in three partitions",
		Goal:   "Create the topic the orders go to, and see how it is split into partitions.",
		Summary: []string{
			"A topic is a named stream of records; producers write to it, consumers read from it.",
			"A topic is split into partitions: each is an append-only log, read and written independently.",
			"Each partition has a leader broker, replicas, and in-sync replicas (ISR); on a single broker they are all that broker.",
			"acks=all waits for the replicas now in the ISR; min.insync.replicas says how few of them a write may settle for.",
			"Creating a topic that exists is an error you can recognise (TopicAlreadyExists) and accept.",
		},
		Quiz: []Question{
			{
				Ask: "You run lesson 1 a second time. What happens when it creates the topic orders again?",
				Choices: []string{
					"The topic is deleted and created again, empty",
					"Three more partitions are added",
					"The broker answers TopicAlreadyExists, and the step accepts it",
				},
				Answer: 2,
				Why:    "Creating a topic that exists fails with TopicAlreadyExists and changes nothing; the step recognises that error, so running it twice is harmless.",
				Step:   1,
			},
			{
				Ask: "A producer writes with acks=all. When does the broker confirm the write?",
				Choices: []string{
					"When the leader has written it to disk with fsync",
					"When every replica now in the ISR has appended it",
					"When every replica of the partition, in sync or not, has it",
				},
				Answer: 1,
				Why:    "acks=all waits for the in-sync replicas, not for all replicas and not for an fsync. The ISR can shrink to the leader alone; min.insync.replicas (1 by default) says how few of them a write may settle for.",
				Step:   2,
			},
			{
				Ask: "What is one partition of the topic orders?",
				Choices: []string{
					"A copy of the whole topic, kept on another broker",
					"An append-only log whose records are numbered by offset",
					"The records the topic received in one time window, such as a day",
				},
				Answer: 1,
				Why:    "A topic is split into partitions; each is a log of its own, written at its end and numbered 0, 1, 2... Copies of a partition are its replicas.",
				Step:   3,
			},
		},
		Plan: func() Plan {
			return Plan{Steps: []Step{
				{Title: "Create the topic orders", Run: createTopic},
				{Title: "Describe its partitions", Run: describeTopic, Needs: []int{1}},
				{Title: "Draw the partitions", Run: drawTopic, Needs: []int{1}},
			}}
		},
	}
}

// Topics are created explicitly: the compose file turns off automatic topic
// creation (auto.create.topics.enable, on in Apache Kafka's defaults).
// kafka-go's Writer asks for it only with AllowAutoTopicCreation, but a
// Reader and Conn.ReadPartitions send a Metadata request that allows it:
// on a broker that auto-creates, merely reading a missing topic creates it,
// with num.partitions partitions (1 by default).
//
// Three partitions let three consumers read in parallel later. Each
// partition gets env.Replicas() copies: three on a cluster of three
// brokers, one on a single broker, which can hold only one copy of each
// partition. If the topic is already there (lesson 0 made it, or you ran
// this lesson before), the broker answers TopicAlreadyExists, which is
// fine. kafka-go sends CreateTopics to the broker the metadata names
// controller, which hands it to the KRaft quorum (lesson 0's deeper steps).
func createTopic(ctx context.Context, env *Env) error {
	resp, err := env.Client().CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: env.Topic, NumPartitions: 3, ReplicationFactor: int(env.Replicas())}},
	})
	if err != nil {
		return fmt.Errorf("create topic %s: %w", env.Topic, err)
	}
	switch err := resp.Errors[env.Topic]; {
	case err == nil:
		env.Out.Value("created topic", env.Topic)
	case errors.Is(err, kafka.TopicAlreadyExists):
		env.Out.Value("already there, nothing to do", env.Topic)
	default:
		return fmt.Errorf("create topic %s: %w", env.Topic, err)
	}
	// A new topic's partitions need a moment to get a leader.
	_, err = WaitForTopic(ctx, env, env.Topic)
	return err
}

// A replica is one copy of a partition, kept by one broker: a partition
// with three replicas is stored on three brokers. A partition's leader is
// the replica that takes every write to it; the other replicas, its
// followers, copy the leader's records. By default the leader serves the
// reads too (since Kafka 2.4 a consumer may fetch from a nearer follower,
// KIP-392).
//
// A partition's in-sync replicas, its ISR, are its leader and the
// followers that have caught up with the leader within the last
// replica.lag.time.max.ms (30 s by default). Metadata names each
// partition's leader, replicas and ISR.
//
// A write with acks=all is confirmed once every replica now in the ISR has
// appended it (to its log, not yet fsynced to disk). The ISR can shrink to
// the leader alone: then acks=all means one copy, unless
// min.insync.replicas (1 by default) is set higher, and the write is
// refused instead.
func describeTopic(ctx context.Context, env *Env) error {
	md, err := env.Client().Metadata(ctx, &kafka.MetadataRequest{Topics: []string{env.Topic}})
	if err != nil {
		return fmt.Errorf("describe %s: %w", env.Topic, err)
	}
	for _, t := range md.Topics {
		if t.Error != nil {
			return fmt.Errorf("describe %s: %w", env.Topic, t.Error)
		}
		env.Out.Value("topic", t.Name)
		env.Out.Value("partitions", len(t.Partitions))
		for _, p := range t.Partitions {
			env.Out.Value(fmt.Sprintf("partition %d", p.ID), fmt.Sprintf("leader: node %d  replicas: %v  isr: %v",
				p.Leader.ID, brokerIDs(p.Replicas), brokerIDs(p.Isr)))
		}
	}
	return nil
}

func brokerIDs(bs []kafka.Broker) []int {
	ids := make([]int, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	return ids
}

// Each partition is a log: records are appended at the end and numbered by
// their offset, 0, 1, 2... A new topic's partitions are empty; the orders
// lesson 0 sent, and any you sent since, are in this one. A partition's
// high watermark is the offset just past the last record that all its
// in-sync replicas have copied: consumers read only the records below it.
// ListOffsets tells each partition's first offset and its high watermark
// (lesson 4 says more).
func drawTopic(ctx context.Context, env *Env) error {
	marks, err := ReadWatermarks(ctx, env, env.Topic)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, w := range marks {
		b.WriteString(DrawPartition(w, -1) + "\n")
	}
	env.Out.Block(b.String())
	return nil
}
