package exercise

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 11 follows lesson 11: a min.insync.replicas that one broker
// down does not turn into refused writes, changed on a topic that exists.
//
// Prepare sets min.insync.replicas one above the replication factor. Kafka
// accepts that at creation and caps it: Partition.effectiveMinIsr is
// min(min.insync.replicas, replicas), used both to refuse acks=all appends
// and to hold back the high watermark (the 4.x source; on 3.8.1 an acks=all
// write to RF 3, min.insync.replicas 4 with every replica in sync is
// accepted, as lessons' TestKafkaGo_MinInsyncAboveReplicasCountsAsReplicas
// pins on real Kafka). The emulation (kfake) stores the setting and
// enforces nothing, which this check does not need: it reads settings.
// AlterConfigs replaces a topic's whole set of settings, on Apache Kafka
// and kfake alike (TestKafkaGo_AlterConfigsResetsTheOtherSettings):
// retention.ms shows it.
func minInsyncExercise() Exercise {
	return Exercise{
		ID: "11", Dir: "11_min_insync", Lesson: 11,
		Title: "A min.insync.replicas a broker failure can live with",
		Goal:  "$TOPIC's min.insync.replicas is one less than its replication factor (1 if it has a single replica), and its retention.ms is as it was.",
		Hints: []string{
			"Two steps: find how many replicas each partition of $TOPIC has, then change one setting of the topic. Lesson 11 created its topics with min.insync.replicas 2 for 3 replicas: one replica may be out of sync (its broker down) and acks=all writes still go on.",
			"client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}}) returns Topics[0].Partitions, each with its Replicas. To change a setting, kafka.Client has AlterConfigs, which replaces every setting of the topic with those you send (retention.ms would fall back to Kafka's default), and IncrementalAlterConfigs, which changes only those you name.",
			"Call client.IncrementalAlterConfigs with one IncrementalAlterConfigsRequestResource{ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, Configs: ...} holding IncrementalAlterConfigsRequestConfig{Name: \"min.insync.replicas\", Value: strconv.Itoa(max(1, replicas-1)), ConfigOperation: kafka.ConfigOperationSet}. Check err and each resp.Resources[i].Error.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex11-orders-" + suffix())
			rf := env.Replicas()
			retention := strconv.Itoa(between(1, 48) * 3_600_000)
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: between(1, 3), ReplicationFactor: rf,
				Configs: map[string]string{"min.insync.replicas": strconv.Itoa(int(rf) + 1), "retention.ms": retention}})
			return Vars{"TOPIC": topic, "RETENTION_MS": retention}, err
		},
		Check: checkMinInsync,
	}
}

func checkMinInsync(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic := v["TOPIC"]
	t, err := lessons.DescribeTopic(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	rf := len(t.Partitions[0].Replicas)
	wanted := max(1, rf-1)
	// The controller answers a config change once it has it; each broker
	// applies it a moment later, and DescribeConfigs may ask any of them:
	// a setting not yet as wanted is read again for up to 5 s.
	var minISR, retention string
	pollUntil(ctx, 5*time.Second, 100*time.Millisecond, nil, func() bool {
		if minISR, err = topicSetting(ctx, env, topic, "min.insync.replicas"); err == nil {
			retention, err = topicSetting(ctx, env, topic, "retention.ms")
		}
		return err != nil || minISR == strconv.Itoa(wanted) && retention == v["RETENTION_MS"]
	})
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	m := Line{What: "min.insync.replicas of " + topic, Want: fmt.Sprintf("%d (%d replicas)", wanted, rf), Got: minISR,
		OK: minISR == strconv.Itoa(wanted)}
	if n, err := strconv.Atoi(minISR); err == nil && !m.OK {
		switch {
		case n > rf:
			m.Why = fmt.Sprintf("unchanged: above the %d replicas, Kafka counts it as %d, every replica in sync", rf, rf)
		case n == rf:
			m.Why = "every replica: with one broker down, each acks=all write is refused with NOT_ENOUGH_REPLICAS"
		case n < wanted:
			m.Why = fmt.Sprintf("%d of %d: an acks=all write can be acknowledged while only %d broker(s) hold it", n, rf, n)
		}
	}
	r := want("retention.ms of "+topic, v["RETENTION_MS"], retention)
	if !r.OK && retention == "604800000" {
		r.Why = "7 days, Kafka's default: AlterConfigs replaces every setting of the topic with those it sends; IncrementalAlterConfigs changes only those it names"
	}
	return []Line{m, r}, nil
}
