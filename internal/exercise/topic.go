package exercise

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 1 follows lesson 1: a topic with a partition count and a
// setting, created by the learner's CreateTopics.
func topicExercise() Exercise {
	return Exercise{
		ID: "1", Dir: "01_topic", Lesson: 1,
		Title: "A topic with its partitions and a setting",
		Goal:  "The topic $TOPIC exists with $PARTITIONS partitions, $REPLICAS replica(s) each, and retention.ms = $RETENTION_MS.",
		Hints: []string{
			"kafka.Client has CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{...}}): one TopicConfig per topic to create.",
			"A kafka.TopicConfig has Topic, NumPartitions, ReplicationFactor and ConfigEntries; a setting is kafka.ConfigEntry{ConfigName: \"retention.ms\", ConfigValue: retention}.",
			"Check both errors, as lesson 1 step 1 does: the one CreateTopics returns, and resp.Errors[topic], the broker's answer for that topic.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			return Vars{
				"TOPIC":        env.Name("ex1-kitchen-" + suffix()),
				"PARTITIONS":   strconv.Itoa(between(2, 6)),
				"REPLICAS":     strconv.Itoa(int(env.Replicas())),
				"RETENTION_MS": strconv.Itoa(between(1, 48) * 3_600_000),
			}, nil
		},
		Check: checkTopic,
	}
}

func checkTopic(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic := v["TOPIC"]
	t, err := describeAfterRun(ctx, env, topic)
	if errors.Is(err, lessons.ErrNoTopic) {
		return []Line{{What: "topic " + topic, Want: "created", Got: "no such topic",
			Why: "the program did not create it, or Kafka refused it: CreateTopics returns Kafka's answer for each topic in resp.Errors[topic] (an unknown ConfigName, 0 partitions or 0 replicas are refused there), not as its own error"}}, nil
	}
	if err != nil {
		return nil, err
	}
	lines := []Line{
		{What: "topic " + topic, Want: "created", Got: "created", OK: true},
		want("partitions", v["PARTITIONS"], len(t.Partitions)),
		want("replicas of each partition", v["REPLICAS"], len(t.Partitions[0].Replicas)),
	}
	retention, err := topicSetting(ctx, env, topic, "retention.ms")
	if err != nil {
		return nil, err
	}
	l := want("retention.ms", v["RETENTION_MS"], retention)
	got, _ := strconv.ParseInt(retention, 10, 64)
	wanted, _ := strconv.ParseInt(v["RETENTION_MS"], 10, 64)
	switch {
	case retention == "604800000":
		l.Why = "7 days, Kafka's default: the topic was created without retention.ms (Apache Kafka refuses a ConfigName it does not know; the embedded emulation takes it and ignores it)"
	case got > 0 && got*1000 == wanted:
		l.Why = fmt.Sprintf("%d is %d ms in seconds: retention.ms counts milliseconds, so its value is %d", got, wanted, wanted)
	case got > 0 && got*3_600_000 == wanted:
		l.Why = fmt.Sprintf("%d is %d ms in hours: retention.ms counts milliseconds, so its value is %d", got, wanted, wanted)
	}
	return append(lines, l), nil
}

// describeAfterRun returns the topic as the cluster tells it once the
// program has ended: the controller has it, and a broker may learn it a
// few milliseconds later, so a missing topic is looked for again for 5 s,
// each time on a transport of its own: a kafka-go Transport answers
// Metadata from its cache (refreshed every 6 s), which may come from that
// broker.
func describeAfterRun(ctx context.Context, env *lessons.Env, topic string) (kafka.Topic, error) {
	// Each request has its own bound (the client's): the wait ends between
	// two of them, with the last answer, never in the middle of one.
	var t kafka.Topic
	var err error
	pollUntil(ctx, 5*time.Second, 100*time.Millisecond, nil, func() bool {
		fresh := *env
		fresh.Transport = env.NewTransport()
		t, err = lessons.DescribeTopic(ctx, &fresh, topic)
		fresh.Transport.CloseIdleConnections()
		return !errors.Is(err, lessons.ErrNoTopic)
	})
	if errors.Is(err, lessons.ErrNoTopic) && ctx.Err() != nil {
		return t, ctx.Err()
	}
	return t, err
}

// topicSetting returns one setting of a topic as the cluster reports it.
// The broker asked may not have learned a topic the program has just
// created (on a cluster, metadata reaches each broker in its own time), so
// an unknown topic is asked for again for 5 s.
func topicSetting(ctx context.Context, env *lessons.Env, topic, name string) (string, error) {
	var v string
	var err error
	pollUntil(ctx, 5*time.Second, 100*time.Millisecond, nil, func() bool {
		v, err = describeSetting(ctx, env, topic, name)
		return !errors.Is(err, kafka.UnknownTopicOrPartition)
	})
	if errors.Is(err, kafka.UnknownTopicOrPartition) && ctx.Err() != nil {
		return v, ctx.Err()
	}
	return v, err
}

func describeSetting(ctx context.Context, env *lessons.Env, topic, name string) (string, error) {
	resp, err := env.Client().DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{
		Resources: []kafka.DescribeConfigRequestResource{{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: []string{name},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("describe the settings of %s: %w", topic, err)
	}
	for _, r := range resp.Resources {
		if r.Error != nil {
			return "", fmt.Errorf("describe the settings of %s: %w", topic, r.Error)
		}
		for _, c := range r.ConfigEntries {
			if c.ConfigName == name {
				return c.ConfigValue, nil
			}
		}
	}
	return "(not reported)", nil
}
