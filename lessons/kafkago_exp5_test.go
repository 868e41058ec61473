package lessons_test

// Pins of what pitfall p5 says about a kafka-go Reader whose topic does not
// exist yet (the brokers here, and the emulation, do not create topics on
// their own).

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
)

// kgCreate creates topic with partitions (one replica) and waits for it.
func kgCreate(t *testing.T, addrs []string, topic string, partitions int) {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	resp, err := client.CreateTopics(kgCtx(t, 30*time.Second), &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1}},
	})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
}

// kgGroupStable waits until group is Stable: its members have their
// assignments.
func kgGroupStable(t *testing.T, addrs []string, group string) {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := client.DescribeGroups(kgCtx(t, 10*time.Second), &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		if err == nil && len(resp.Groups) == 1 && resp.Groups[0].GroupState == "Stable" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("group %s not Stable after 20 s (%v)", group, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Pitfall p5: a Reader with a GroupID whose group is formed before its
// topic exists gets no partition (assignTopicPartitions takes
// UnknownTopicOrPartition as none), ReadMessage returns no error, and the
// topic created afterwards, and the record written to it, are not read:
// nothing makes the group look again.
func TestKafkaGo_GroupReaderBeforeItsTopicReadsNothing(t *testing.T) {
	addrs := kgBroker(t)
	topic, group := "kafkago-"+uuid.NewString()[:8], "kafkago-"+uuid.NewString()[:8]
	var mu sync.Mutex
	var errs []string
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, MaxWait: 250 * time.Millisecond,
		ErrorLogger: kafka.LoggerFunc(func(f string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, f)
		})})
	defer r.Close()
	kgGroupStable(t, addrs, group)
	kgCreate(t, addrs, topic, 1)
	kgProduce(t, addrs, topic, 0, "order")
	m, err := r.ReadMessage(kgCtx(t, 6*time.Second))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadMessage = %q, %v; want no message and the context's deadline", m.Value, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) > 0 {
		t.Errorf("the ErrorLogger was told %q; want nothing", errs)
	}
}

// Pitfall p5: a Reader without GroupID waits silently for a missing topic
// (Dialer.LookupPartition retries UnknownTopicOrPartition, a temporary
// error) and reads its partition once the topic exists.
func TestKafkaGo_ReaderWithoutGroupWaitsForItsTopic(t *testing.T) {
	addrs := kgBroker(t)
	topic := "kafkago-" + uuid.NewString()[:8]
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	defer r.Close()
	if m, err := r.ReadMessage(kgCtx(t, 2*time.Second)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadMessage before the topic exists = %q, %v; want the context's deadline", m.Value, err)
	}
	kgCreate(t, addrs, topic, 1)
	kgProduce(t, addrs, topic, 0, "order")
	m, err := r.ReadMessage(kgCtx(t, 30*time.Second))
	if err != nil || string(m.Value) != "order" {
		t.Fatalf("ReadMessage once the topic exists = %q, %v; want the order", m.Value, err)
	}
}

// Pitfall p5: kafka-go's metadata requests ask the broker to create a
// missing topic (Conn.ReadPartitions sends AllowAutoTopicCreation true). On
// a broker that allows it (Kafka's default, auto.create.topics.enable=true;
// an emulation started so here), a group Reader of a missing topic creates
// it.
func TestKafkaGo_ReaderAsksToAutoCreateItsTopic(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addrs := c.ListenAddrs()
	topic := "kafkago-" + uuid.NewString()[:8]
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: "kafkago-" + uuid.NewString()[:8], MaxWait: 250 * time.Millisecond})
	defer r.Close()
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	deadline := time.Now().Add(20 * time.Second)
	for {
		// MetadataRequest asks for no auto-creation: it only looks.
		meta, err := client.Metadata(kgCtx(t, 10*time.Second), &kafka.MetadataRequest{Topics: []string{topic}})
		if err == nil && len(meta.Topics) == 1 && meta.Topics[0].Error == nil && len(meta.Topics[0].Partitions) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no topic %s 20 s after a group Reader asked for it (%v)", topic, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
