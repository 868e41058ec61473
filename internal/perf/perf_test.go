package perf

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

// The benchmarks run on $KAFKA_BOOTSTRAP_SERVERS, else on an embedded broker:
//
//	go test -run '^$' -bench . ./internal/perf
//	go run ./cmd/kafka-native up && KAFKA_BOOTSTRAP_SERVERS=localhost:9092 go test -run '^$' -bench . -benchtime 200000x ./internal/perf
//
// An op is one record (one round trip for RoundTrip): ns/op is the measured
// time per record (the mean round trip), and each reports records/s and MB/s
// (of values) or p50/p99 in ms.
// Every run checks that the topic's end offsets count the records written
// or read, so a fast run that lost records fails instead of boasting.

// bench is a broker and a fresh topic per measurement.
type bench struct {
	conn     Conn
	replicas int
}

func newBench(b *testing.B) bench {
	addrs, cluster := testkit.Brokers(b)
	return bench{conn: NewConn(addrs), replicas: min(3, max(1, cluster.Brokers))}
}

func (s bench) topic(b *testing.B, partitions int) string {
	b.Helper()
	topic := "perf-" + uuid.NewString()[:8]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := CreateTopic(ctx, s.conn, topic, partitions, s.replicas); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = DeleteTopic(context.Background(), s.conn, topic) })
	return topic
}

// fill writes n records to a fresh topic of 3 partitions, outside the timer.
func (s bench) fill(b *testing.B, values [][]byte, n int) (string, map[int]int64) {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	topic := s.topic(b, 3)
	if _, err := Produce(context.Background(), s.conn, topic, Recommended, values, n); err != nil {
		b.Fatal(err)
	}
	ends, err := EndOffsets(context.Background(), s.conn, topic)
	if err != nil {
		b.Fatal(err)
	}
	return topic, ends
}

// reportRate reports what the workload measured; its time per record
// replaces the framework's ns/op, which would include opening and closing
// writers and readers (a Reader's Close waits for its fetch in flight).
func reportRate(b *testing.B, r Result) {
	b.ReportMetric(float64(r.Elapsed.Nanoseconds())/float64(b.N), "ns/op")
	b.ReportMetric(r.PerSecond(), "records/s")
	b.ReportMetric(r.MBPerSecond(), "MB/s")
}

// checkEnds fails unless the topic's end offsets add up to want.
func (s bench) checkEnds(b *testing.B, topic string, want int64) {
	b.Helper()
	ends, err := EndOffsets(context.Background(), s.conn, topic)
	if err != nil {
		b.Fatal(err)
	}
	if got := Total(ends); got != want {
		b.Fatalf("%s holds %d records, %d were acknowledged", topic, got, want)
	}
}

// BenchmarkProducer writes b.N records of 100 random letters to a topic of
// three partitions: with kafka-go synchronously in slices that leave batches
// unfilled and that fill them, and asynchronously with Completion; with
// franz-go at its defaults and tuned.
func BenchmarkProducer(b *testing.B) {
	s := newBench(b)
	values := RandomLetters(10000, 100, 1)
	kafkaGo := func(p Producer) func(string, int) (Result, error) {
		return func(topic string, n int) (Result, error) {
			return Produce(context.Background(), s.conn, topic, p, values, n)
		}
	}
	franz := func(f Franz) func(string, int) (Result, error) {
		return func(topic string, n int) (Result, error) {
			return ProduceFranz(context.Background(), s.conn, topic, f, values, n)
		}
	}
	for _, c := range []struct {
		name    string
		produce func(topic string, n int) (Result, error)
	}{
		{"sync/slice=1000", kafkaGo(Producer{Slice: 1000, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond, Acks: kafka.RequireAll})},
		{"sync/slice=3000", kafkaGo(Producer{Slice: 3000, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond, Acks: kafka.RequireAll})},
		{"async", kafkaGo(Recommended)},
		{"async/acks=1", kafkaGo(func() Producer { p := Recommended; p.Acks = kafka.RequireOne; return p }())},
		{"async/lz4", kafkaGo(func() Producer { p := Recommended; p.Compression = kafka.Lz4; return p }())},
		{"franz-go/defaults", franz(Franz{})},
		{"franz-go/tuned", franz(FranzTunedProducer)},
	} {
		b.Run(c.name, func(b *testing.B) {
			topic := s.topic(b, 3)
			b.ResetTimer()
			r, err := c.produce(topic, b.N)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			s.checkEnds(b, topic, int64(b.N))
			reportRate(b, r)
		})
	}
}

// BenchmarkConsumer reads b.N records (100 bytes each) back, with kafka-go's
// default MaxBytes (1 MB) and with 10 MB: one Reader per partition, then one
// Reader in a new consumer group; and with franz-go's defaults and with
// FetchMaxPartitionBytes 10 MiB: one client without a group, then in one.
func BenchmarkConsumer(b *testing.B) {
	s := newBench(b)
	values := RandomLetters(10000, 100, 2)
	type consume func(topic string, ends map[int]int64) (Result, error)
	partitions := func(cfg Consumer) consume {
		return func(topic string, ends map[int]int64) (Result, error) {
			return ConsumePartitions(context.Background(), s.conn, topic, cfg, ends)
		}
	}
	group := func(cfg Consumer) consume {
		return func(topic string, ends map[int]int64) (Result, error) {
			return ConsumeGroup(context.Background(), s.conn, topic, newGroup(), cfg, Total(ends))
		}
	}
	franz := func(inGroup bool, f Franz) consume {
		return func(topic string, ends map[int]int64) (Result, error) {
			g := ""
			if inGroup {
				g = newGroup()
			}
			return ConsumeFranz(context.Background(), s.conn, topic, g, f, Total(ends))
		}
	}
	for _, c := range []struct {
		name    string
		consume consume
	}{
		{"partitions/MaxBytes=default", partitions(Consumer{})},
		{"group/MaxBytes=default", group(Consumer{})},
		{"partitions/MaxBytes=10MB", partitions(Consumer{MaxBytes: 10e6})},
		{"group/MaxBytes=10MB", group(Consumer{MaxBytes: 10e6})},
		{"franz-go/direct/defaults", franz(false, Franz{})},
		{"franz-go/group/defaults", franz(true, Franz{})},
		{"franz-go/direct/FetchMaxPartitionBytes=10MiB", franz(false, FranzBigFetches)},
		{"franz-go/group/FetchMaxPartitionBytes=10MiB", franz(true, FranzBigFetches)},
	} {
		b.Run(c.name, func(b *testing.B) {
			topic, ends := s.fill(b, values, b.N)
			r, err := c.consume(topic, ends)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			reportRate(b, r)
		})
	}
}

// BenchmarkRoundTrip writes one 100-byte record at a time and reads it back
// before the next: p50 and p99 of b.N round trips, with acks=all and acks=1.
func BenchmarkRoundTrip(b *testing.B) {
	s := newBench(b)
	values := RandomLetters(100, 100, 3)
	for _, c := range []struct {
		name string
		acks kafka.RequiredAcks
	}{{"acks=all", kafka.RequireAll}, {"acks=1", kafka.RequireOne}} {
		b.Run(c.name, func(b *testing.B) {
			topic := s.topic(b, 1)
			b.ResetTimer()
			r, err := RoundTrip(context.Background(), s.conn, topic, c.acks, values, b.N)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			s.checkEnds(b, topic, int64(b.N))
			b.ReportMetric(float64(r.Mean().Nanoseconds()), "ns/op")
			b.ReportMetric(float64(r.Percentile(0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(r.Percentile(0.99).Microseconds())/1000, "p99-ms")
		})
	}
}
