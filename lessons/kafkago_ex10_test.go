package lessons_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 10: "RequiredAcks: kafka.RequireAll: when WriteMessages returns,
// a restart can read the order back". On a topic with as many replicas as
// the cluster allows (up to 3), a record the Writer wrote with RequireAll
// is below the high watermark, so readable, when WriteMessages returns.
func TestKafkaGo_RequireAllWriteIsReadableOnReturn(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	ctx := kgCtx(t, 30*time.Second)
	topic := "kafkago-" + uuid.NewString()[:8]
	replicas := min(3, max(1, cluster.Brokers))
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: 1, ReplicationFactor: replicas}},
	})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	env := lessons.NewEnv(addrs, lessons.Cluster{Brokers: cluster.Brokers}, "", testkit.NewRecorder())
	defer env.Close()
	if _, err := lessons.WaitForTopic(ctx, env, topic); err != nil {
		t.Fatalf("topic %s: %v", topic, err)
	}
	for i := range 5 {
		offsets := kgProduce(t, addrs, topic, 0, "order")
		if _, hw := kgWatermarks(t, addrs, topic, 0); len(offsets) != 1 || hw <= offsets[0] {
			t.Fatalf("write %d (%d replicas): offsets %v, high watermark %d right after WriteMessages; want it past the record", i, replicas, offsets, hw)
		}
	}
}
