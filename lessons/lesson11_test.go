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
	testkit.StopsBrokers(t, env.Cluster)
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
	marks := rec.Values("orders-strict high watermark")
	if env.Cluster.Embedded {
		if len(marks) != 1 || marks[0] != int64(0) {
			t.Errorf("orders-strict's high watermark on the emulation (nothing written): %v, want 0 once", marks)
		}
		if len(skipped) != 1 {
			t.Errorf("on the emulation the one-broker-down writes must be skipped, skipped %v", skipped)
		}
		return
	}
	strict := rec.Values("orders-strict")
	if len(strict) != 2 {
		t.Fatalf("orders-strict described %d times, want at its creation and with one broker down", len(strict))
	}
	if created, down := strict[0].(Replicas), strict[1].(Replicas); len(created.ISR) != 3 ||
		len(down.ISR) != 2 || slices.Contains(down.ISR, first.Leader) {
		t.Errorf("orders-strict: %v at creation, %v with broker %d down; want 3 in sync, then the 2 others", created, down, first.Leader)
	}
	outcome := func(label string) any {
		got := rec.Values("write with " + label)
		if len(got) != 1 {
			t.Fatalf("write with %s reported %v, want once", label, got)
		}
		return got[0]
	}
	if got := outcome("acks=all, min.insync.replicas=2"); got != "accepted" {
		t.Errorf("acks=all with 2 in sync of min.insync.replicas=2: %v, want accepted", got)
	}
	if got := outcome("acks=all, min.insync.replicas=3"); !isErr(got, kafka.NotEnoughReplicas) {
		t.Errorf("acks=all with 2 in sync of min.insync.replicas=3: %v, want NOT_ENOUGH_REPLICAS", got)
	}
	if got := outcome("acks=1, min.insync.replicas=3"); got != "accepted" {
		t.Errorf("acks=1 with 2 in sync of min.insync.replicas=3: %v, want accepted", got)
	}
	// Under min.insync.replicas the leader keeps the acks=1 order from
	// consumers (Kafka 3.7+); the refused acks=all order was never appended.
	if len(marks) != 2 || marks[0] != int64(0) || marks[1] != int64(1) {
		t.Errorf("orders-strict's high watermark with one broker down, then all back: %v, want 0 then 1", marks)
	}
}

// isErr says whether a reported value is an error that is target.
func isErr(v any, target error) bool {
	err, ok := v.(error)
	return ok && errors.Is(err, target)
}
