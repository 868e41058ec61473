package lessons_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Lesson 14 measures speeds, which a test never checks: the machine decides
// them. It checks the facts around them: every variant was measured and
// drawn, the records each writer reports add up to what the topic's end
// offsets say (read here with ListOffsets, apart from the lesson), every one
// was read back, compression shrank what the broker stores while
// Stats().Bytes stayed the same, and the latencies are ordered.
func TestLesson14Throughput(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 14))
	topic := env.Name("orders-throughput")

	blocks := strings.Join(rec.Texts(testkit.KindBlock), "\n")
	measured := func(label string) Throughput {
		t.Helper()
		got := rec.Values(label)
		if len(got) != 1 {
			t.Errorf("%q reported %d times, want once", label, len(got))
			return Throughput{}
		}
		r, ok := got[0].(Throughput)
		if !ok || r.Records <= 0 || r.Elapsed <= 0 {
			t.Errorf("%q: %#v is not a measurement of some records", label, got[0])
		}
		if !strings.Contains(blocks, "  "+label+" ") {
			t.Errorf("%q is in no chart", label)
		}
		return r
	}
	var written int64
	for _, label := range []string{
		"one per call, BatchTimeout 1ms", "one per call, BatchSize 1",
		"slices of 1000, BatchSize 1000", "slices of 3000, BatchSize 1000",
		"asynchronous, Completion",
		"none", "snappy", "lz4", "zstd",
		"acks=1", "acks=all",
	} {
		written += measured(label).Records
	}

	// Fifty handlers on one writer: with BatchSize 1 every order was a
	// produce request of its own; batched, the requests carried several.
	requests := func(label string) int64 {
		t.Helper()
		got := rec.Values("produce requests, " + label)
		p50 := rec.Values("one call's p50, " + label)
		if len(got) != 1 || len(p50) != 1 || p50[0].(time.Duration) <= 0 {
			t.Fatalf("%s: produce requests %v, p50 %v", label, got, p50)
		}
		return got[0].(int64)
	}
	alone, batched := measured("50 handlers, BatchSize 1"), measured("50 handlers, BatchSize 100")
	written += alone.Records + batched.Records
	if got := requests("50 handlers, BatchSize 1"); got != alone.Records {
		t.Errorf("BatchSize 1: %d produce requests for %d orders, want one each", got, alone.Records)
	}
	if got := requests("50 handlers, BatchSize 100"); got <= 0 || got >= batched.Records {
		t.Errorf("BatchSize 100: %d produce requests for %d orders, want fewer requests than orders", got, batched.Records)
	}

	// The asynchronous writer: every order queued was acknowledged.
	queued, acked, failed := rec.Values("orders queued"), rec.Values("acknowledged in Completion"), rec.Values("failed in Completion")
	if len(queued) != 1 || len(acked) != 1 || len(failed) != 1 ||
		queued[0] != acked[0] || failed[0] != int64(0) {
		t.Errorf("queued %v, acknowledged %v, failed %v: want every queued order acknowledged", queued, acked, failed)
	}

	// The round trips: each wrote one order, and the percentiles are in order.
	trips := rec.Values("round trips")
	p50, p99 := rec.Values("round trip p50"), rec.Values("round trip p99")
	if len(trips) != 1 || trips[0].(int) <= 0 || len(p50) != 1 || len(p99) != 1 {
		t.Fatalf("round trips %v, p50 %v, p99 %v", trips, p50, p99)
	}
	if a, b := p50[0].(time.Duration), p99[0].(time.Duration); a <= 0 || a > b {
		t.Errorf("p50 %v, p99 %v: want 0 < p50 <= p99", a, b)
	}
	for _, bar := range []string{"p50", "p90", "p99", "max"} {
		if !strings.Contains(blocks, "  "+bar+" ") {
			t.Errorf("latency chart lacks %s", bar)
		}
	}
	written += int64(trips[0].(int))

	// What the broker holds, asked apart from the lesson: a fresh topic, so
	// its end offsets count exactly what this run wrote.
	var end int64
	for p := 0; p < 3; p++ {
		first, last := kgWatermarks(t, env.Brokers, topic, p)
		if first != 0 {
			t.Errorf("partition %d starts at %d", p, first)
		}
		end += last
	}
	if written != end {
		t.Errorf("the writers report %d records, the end offsets add up to %d", written, end)
	}
	if got := rec.Values("orders written by this run"); len(got) != 1 || got[0] != end {
		t.Errorf("orders written by this run %v, end offsets %d", got, end)
	}
	readBack := measured("read back, one Reader per partition")
	if got := rec.Values("orders read"); len(got) != 1 || got[0] != end || readBack.Records != end {
		t.Errorf("orders read %v (%d), end offsets %d", got, readBack.Records, end)
	}

	// Compression: Stats().Bytes is the same for every codec; the broker
	// stores less with each codec than without; uncompressed it stores at
	// least the JSON.
	raw := rec.Values("JSON bytes of the orders")
	if len(raw) != 1 {
		t.Fatalf("JSON bytes %v", raw)
	}
	statsBytes := rec.Values("Stats().Bytes, none")
	none := rec.Values("bytes stored, none")
	if len(statsBytes) != 1 || len(none) != 1 || none[0].(int64) < raw[0].(int64) {
		t.Fatalf("uncompressed: Stats().Bytes %v, stored %v, JSON %v", statsBytes, none, raw)
	}
	for _, codec := range []string{"snappy", "lz4", "zstd"} {
		if got := rec.Values("Stats().Bytes, " + codec); len(got) != 1 || got[0] != statsBytes[0] {
			t.Errorf("Stats().Bytes with %s = %v, without compression %v", codec, got, statsBytes[0])
		}
		stored := rec.Values("bytes stored, " + codec)
		if len(stored) != 1 || stored[0].(int64) <= 0 || stored[0].(int64) >= none[0].(int64) {
			t.Errorf("stored with %s: %v, uncompressed %v", codec, stored, none[0])
		}
		if !strings.Contains(blocks, "  "+codec+" ") {
			t.Errorf("%s is in no chart", codec)
		}
	}
	if got := rec.Values("brokers"); len(got) != 1 || got[0] != env.Cluster.Brokers {
		t.Errorf("brokers %v, cluster %d", got, env.Cluster.Brokers)
	}
}

// LogSize sends DescribeLogDirs through kafka-go's transport with request
// types the lessons add; franz-go has that request built in. Both must give
// the same size for the partitions' leaders.
func TestLogSizeAgreesWithFranzGo(t *testing.T) {
	env, _ := testkit.Env(t)
	ctx := context.Background()
	if err := EnsureTopic(ctx, env, TopicSpec{Name: env.Name("logsize"), Partitions: 3, ReplicationFactor: env.Replicas()}); err != nil {
		t.Fatal(err)
	}
	topic := env.Name("logsize")
	values := make([][]byte, 3000)
	for i := range values {
		values[i], _ = SampleOrder(i).MarshalValue()
	}
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchSize: 1000, Compression: kafka.Zstd}
	if _, err := WriteAll(ctx, w, values, 3000, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err := LogSize(ctx, env, topic)
	if err != nil {
		t.Fatal(err)
	}

	leaders := map[int32]int32{} // partition → leader
	md, err := DescribeTopic(ctx, env, topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range md.Partitions {
		leaders[int32(p.ID)] = int32(p.Leader.ID)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(env.Brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDescribeLogDirsRequest()
	rt := kmsg.NewDescribeLogDirsRequestTopic()
	rt.Topic, rt.Partitions = topic, []int32{0, 1, 2}
	req.Topics = append(req.Topics, rt)
	var want int64
	for _, shard := range cl.RequestSharded(kgCtx(t, 30*time.Second), req) {
		if shard.Err != nil {
			t.Fatal(shard.Err)
		}
		for _, dir := range shard.Resp.(*kmsg.DescribeLogDirsResponse).Dirs {
			for _, dt := range dir.Topics {
				for _, dp := range dt.Partitions {
					if dt.Topic == topic && leaders[dp.Partition] == shard.Meta.NodeID {
						want += dp.Size
					}
				}
			}
		}
	}
	if got != want || got <= 0 {
		t.Errorf("LogSize = %d, franz-go's DescribeLogDirs says %d", got, want)
	}
}
