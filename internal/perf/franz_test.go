package perf

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

// The franz-go runners write every record once (the topic's end offsets
// count them) and read back exactly what is there, directly and in a
// group, at franz-go's defaults and with the settings the comparison uses.
func TestFranzProducesAndConsumesEveryRecord(t *testing.T) {
	addrs, _ := testkit.Brokers(t)
	c := NewConn(addrs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	values := RandomLetters(100, 100, 4)
	const n = 3000
	for _, f := range []Franz{{}, FranzTunedProducer} {
		topic := "perf-franz-" + uuid.NewString()[:8]
		if err := CreateTopic(ctx, c, topic, 3, 1); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = DeleteTopic(context.Background(), c, topic) })
		r, err := ProduceFranz(ctx, c, topic, f, values, n)
		if err != nil {
			t.Fatalf("produce (%s): %v", f, err)
		}
		if r.Records != n || r.Bytes != n*100 || r.Elapsed <= 0 {
			t.Errorf("produce (%s): %+v, want %d records, %d bytes", f, r, n, n*100)
		}
		ends, err := EndOffsets(ctx, c, topic)
		if err != nil {
			t.Fatal(err)
		}
		if got := Total(ends); got != n {
			t.Fatalf("produce (%s): the topic holds %d records, want %d", f, got, n)
		}
		for _, inGroup := range []bool{false, true} {
			for _, cf := range []Franz{{}, FranzBigFetches} {
				group := "" // a new group each time: one that has committed would start at its commits
				if inGroup {
					group = newGroup()
				}
				r, err := ConsumeFranz(ctx, c, topic, group, cf, n)
				if err != nil {
					t.Fatalf("consume (group %q, %s): %v", group, cf, err)
				}
				if r.Records != n || r.Bytes != n*100 {
					t.Errorf("consume (group %q, %s): %d records, %d bytes; want %d, %d", group, cf, r.Records, r.Bytes, n, n*100)
				}
			}
		}
	}
}
