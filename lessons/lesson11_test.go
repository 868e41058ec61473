package lessons_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Lesson 11 on three brokers: the leader of partition 0 stops while a
// producer writes with acks=all; a new leader takes over, the stopped broker
// leaves every ISR, and no acknowledged order is missing. On Apache Kafka, a
// second broker down makes acks=all fail with NOT_ENOUGH_REPLICAS while
// acks=1 succeeds; restarted, every ISR has three brokers again.
func TestLesson11Replication(t *testing.T) {
	env, rec := testkit.ClusterEnv(t, 3)
	logOnFailure(t, rec)
	l := lesson(t, 11)
	if why := l.Requires.Unmet(env.Cluster); why != "" {
		t.Skipf("lesson 11 does not run here: %s", why)
	}
	skipped := play(t, env, l)

	parts := rec.Values("partition 0")
	if len(parts) < 3 {
		t.Fatalf("partition 0 described %d times, want before, after the failover and after the restart", len(parts))
	}
	first, failedOver, last := parts[0].(Replicas), parts[1].(Replicas), parts[len(parts)-1].(Replicas)
	if len(first.Replicas) != 3 || len(first.ISR) != 3 {
		t.Errorf("the new topic's partition 0: %v, want 3 replicas all in sync", first)
	}
	if failedOver.Leader == first.Leader || slices.Contains(failedOver.ISR, first.Leader) || len(failedOver.ISR) != 2 {
		t.Errorf("after stopping broker %d: %v, want another leader and an ISR of the 2 others", first.Leader, failedOver)
	}
	if got := rec.Values("new leader of partition 0"); len(got) != 1 || got[0] != failedOver.Leader {
		t.Errorf("new leader reported %v, metadata %d", got, failedOver.Leader)
	}
	acked := rec.Values("orders acknowledged")
	if len(acked) != 1 || acked[0].(int) < 20 {
		t.Errorf("orders acknowledged %v: want ten before the stop and ten after", acked)
	}
	if got := rec.Values("acknowledged orders missing"); len(got) != 1 || got[0] != 0 {
		t.Errorf("acknowledged orders missing: %v, want 0", got)
	}
	if len(last.ISR) != 3 {
		t.Errorf("after the restart partition 0 is %v, want 3 in sync", last)
	}
	if env.Cluster.Embedded {
		if len(skipped) != 1 {
			t.Errorf("on the emulation the two-brokers-down step must be skipped, skipped %v", skipped)
		}
		return
	}
	all, one := rec.Values("write with acks=all"), rec.Values("write with acks=1")
	if len(all) != 1 || len(one) != 1 {
		t.Fatalf("acks=all %v, acks=1 %v", all, one)
	}
	if err, ok := all[0].(error); !ok || !errors.Is(err, kafka.NotEnoughReplicas) {
		t.Errorf("acks=all with one in-sync replica: %v, want NOT_ENOUGH_REPLICAS", all[0])
	}
	if one[0] != "accepted" {
		t.Errorf("acks=1 with one in-sync replica: %v, want accepted", one[0])
	}
}
