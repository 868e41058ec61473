package lessons_test

import (
	"testing"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// defaultsOf is what a step of lesson 18 reported under label.
func defaultsOf(t *testing.T, rec *testkit.Recorder, label string) Defaults {
	t.Helper()
	vs := rec.Values(label)
	if len(vs) != 1 {
		t.Fatalf("%q reported %d times, want once", label, len(vs))
	}
	d, ok := vs[0].(Defaults)
	if !ok {
		t.Fatalf("%q: %v (%T) is not a Defaults", label, vs[0], vs[0])
	}
	return d
}

// Lesson 18 on the test broker: the defaults kafka-go and franz-go report
// are the ones its narration states (a library upgrade that changes one
// fails here), and step 3's new kafka-go group reads offsets 0 to 2 while
// the group set as Java's default reads nothing, then offset 3 only.
func TestLesson18Defaults(t *testing.T) {
	env, _ := testkit.Env(t)
	recs := playEach(t, env, numbered(t, 18))
	producer, consumer, newGroup := recs[0], recs[1], recs[2]
	for label, want := range map[string][2]string{
		"acks":                 {"none", "all"},
		"idempotent producer":  {"none", "true"},
		"wait to fill a batch": {"BatchTimeout=1s", "ProducerLinger=10ms"},
		"attempts":             {"MaxAttempts=10", "RecordRetries unbounded"},
		"compression":          {"uncompressed", "snappy, then none"},
	} {
		if d := defaultsOf(t, producer, label); d.KafkaGo != want[0] || d.Franz != want[1] {
			t.Errorf("%s: kafka-go %q, franz-go %q; the narration says %q and %q", label, d.KafkaGo, d.Franz, want[0], want[1])
		}
	}
	for label, want := range map[string][2]string{
		"a new group starts at": {"FirstOffset", "AtStart (earliest)"},
		"session timeout":       {"30s", "45s"},
		"heartbeat interval":    {"3s", "3s"},
		"rebalance timeout":     {"30s", "1m0s"},
		"commits":               {"ReadMessage: each record; FetchMessage: none", "AutoCommitInterval=5s"},
		"balancers":             {"[range roundrobin]", "cooperative-sticky"},
	} {
		if d := defaultsOf(t, consumer, label); d.KafkaGo != want[0] || d.Franz != want[1] {
			t.Errorf("%s: kafka-go %q, franz-go %q; the narration says %q and %q", label, d.KafkaGo, d.Franz, want[0], want[1])
		}
	}
	if got := newGroup.Values("kafka-go's new group reads offset"); len(got) != 3 || got[0] != int64(0) || got[1] != int64(1) || got[2] != int64(2) {
		t.Errorf("kafka-go's new group read offsets %v, want 0, 1, 2", got)
	}
	if got := newGroup.Values("the group set as Java's default reads, in 2 s"); len(got) != 1 || got[0] != 0 {
		t.Errorf("the group set as Java's default read %v records of those already there, want 0", got)
	}
	if got := newGroup.Values("then the group set as Java's default reads offset"); len(got) != 1 || got[0] != int64(3) {
		t.Errorf("then the group set as Java's default read offset %v, want 3, the order produced after it joined", got)
	}
}

// Lesson 18: "Java and franz-go hash a key with murmur2": franz-go's
// default partitioner puts a keyed record where kafka-go's
// Murmur2Balancer, which places keys as the Java client does, puts it.
func TestFranz_KeyedRecordsGoWhereJavaPutsThem(t *testing.T) {
	cl, err := kgo.NewClient(kgo.SeedBrokers("localhost:9"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	p, ok := cl.OptValue(kgo.RecordPartitioner).(kgo.Partitioner)
	if !ok {
		t.Fatalf("franz-go's default partitioner: %T", cl.OptValue(kgo.RecordPartitioner))
	}
	tp, ok := p.ForTopic("orders").(kgo.TopicBackupPartitioner)
	if !ok {
		t.Fatalf("franz-go's default partitioner for a topic: %T, want a TopicBackupPartitioner (its uniform-bytes one)", p.ForTopic("orders"))
	}
	partitions := []int{0, 1, 2, 3, 4, 5}
	for _, user := range []string{"Ada Lovelace", "Alan Turing", "Grace Hopper", "Linus Torvalds", "SKOURI Youssef", "a"} {
		want := (&kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: []byte(user)}, partitions...)
		// A keyed record is hashed before any backlog is looked at: no iterator needed.
		if got := tp.PartitionByBackup(&kgo.Record{Key: []byte(user)}, len(partitions), nil); got != want {
			t.Errorf("key %q: franz-go partition %d, Java's (murmur2) %d", user, got, want)
		}
	}
}
