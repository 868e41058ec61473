package lessons_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// Exercise 14's hint: "pass many orders to one WriteMessages call, and it
// cuts them into batches of BatchSize per partition and sends each
// partition's batches one after the other, in order". 600 keyed messages in
// one synchronous call, BatchSize 20, kafka.Hash over three partitions: at
// least 30 produce requests, and on each partition every key's messages in
// the order of the slice.
func TestKafkaGo_SyncSliceKeepsEachKeysOrder(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	keys := []string{"ada", "grace", "alan", "edsger", "barbara", "ken", "margaret"}
	msgs := make([]kafka.Message, 600)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte(keys[i%len(keys)]), Value: []byte(strconv.Itoa(i))}
	}
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: topic, RequiredAcks: kafka.RequireAll,
		Balancer: &kafka.Hash{}, BatchSize: 20, BatchTimeout: time.Millisecond}
	if err := w.WriteMessages(kgCtx(t, 60*time.Second), msgs...); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if s := w.Stats(); s.Writes < int64(len(msgs)/20) || s.Messages != int64(len(msgs)) {
		t.Errorf("%d produce requests carrying %d messages, want at least %d (batches of BatchSize 20) carrying %d",
			s.Writes, s.Messages, len(msgs)/20, len(msgs))
	}
	seen := 0
	onPartition := map[string]int32{}
	for p := int32(0); p < 3; p++ {
		_, last := kgWatermarks(t, addrs, topic, int(p))
		if last == 0 {
			continue
		}
		lastOf := map[string]int{}
		for _, r := range kgFranzRead(t, addrs, topic, p, false, int(last)) {
			k := string(r.Key)
			i, _ := strconv.Atoi(string(r.Value))
			if q, ok := onPartition[k]; ok && q != p {
				t.Errorf("key %s on partitions %d and %d", k, q, p)
			}
			onPartition[k] = p
			if before, ok := lastOf[k]; ok && i <= before {
				t.Errorf("partition %d: key %s has message %d after %d", p, k, i, before)
			}
			lastOf[k] = i
			seen++
		}
	}
	if seen != len(msgs) {
		t.Errorf("read %d messages, want %d", seen, len(msgs))
	}
}
