package lessons_test

// Pins of what pitfall p4 (Close waits for the fetch) says about kafka-go
// v0.4.51. Same rules as kafkago_test.go. TestKafkaGo_ReaderCloseWaitsForTheFetchUpToMaxWait
// pins the wait of a Reader without a GroupID, and
// TestKafkaGo_ReaderCloseLeavesTheGroup that Close leaves the group.

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
)

// Pitfall p4 (kafka-go issue #428): with a GroupID too, Close waits for
// the fetch in flight at the end of the topic, up to MaxWait (about 10 s
// with the default, well under a second with 250 ms); and until Close
// returns the member is still in the group: LeaveGroup goes out only once
// the fetch has ended, so a program that exits earlier never sends it.
// Loose bounds only: the fetch starts as the record is handed over.
func TestKafkaGo_GroupReaderCloseWaitsForTheFetchThenLeaves(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 1)
	kgProduce(t, addrs, topic, 0, "a")
	describe := func(group string) (string, int) {
		t.Helper()
		client := &kafka.Client{Addr: kafka.TCP(addrs...)}
		resp, err := client.DescribeGroups(kgCtx(t, 10*time.Second), &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		if err != nil || len(resp.Groups) != 1 || resp.Groups[0].Error != nil {
			t.Fatalf("describe group %s: %v %+v", group, err, resp)
		}
		return resp.Groups[0].GroupState, len(resp.Groups[0].Members)
	}
	for _, c := range []struct {
		maxWait  time.Duration
		min, max time.Duration
	}{
		{0, 2 * time.Second, 20 * time.Second},
		{250 * time.Millisecond, 0, 2 * time.Second},
	} {
		group := "kafkago-" + uuid.NewString()[:8]
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group, MaxWait: c.maxWait})
		ctx, cancel := context.WithCancel(kgCtx(t, 30*time.Second))
		if _, err := r.ReadMessage(ctx); err != nil {
			t.Fatal(err)
		}
		cancel() // as Ctrl-C would: the loop ends, Close follows
		// The next fetch starts once the record is handed over, and a
		// moment later on a loaded machine (CI once saw Close return in
		// 10 ms, before it had): give it that moment, so that a fetch is
		// in flight when Close comes, as in a program that ran a while.
		time.Sleep(500 * time.Millisecond)
		start := time.Now()
		closed := make(chan time.Duration, 1)
		go func() {
			r.Close()
			closed <- time.Since(start)
		}()
		if c.maxWait == 0 {
			time.Sleep(time.Second)
			if state, n := describe(group); n != 1 {
				t.Errorf("MaxWait %v, 1 s into Close: state %s, %d members; want the member still there", r.Config().MaxWait, state, n)
			}
		}
		d := <-closed
		t.Logf("MaxWait %v: Close took %v", r.Config().MaxWait, d.Round(10*time.Millisecond))
		if d < c.min || d > c.max {
			t.Errorf("MaxWait %v: Close took %v, want between %v and %v", r.Config().MaxWait, d, c.min, c.max)
		}
		if state, n := describe(group); state != "Empty" || n != 0 {
			t.Errorf("MaxWait %v, after Close: state %s, %d members; want Empty, 0", r.Config().MaxWait, state, n)
		}
	}
}
