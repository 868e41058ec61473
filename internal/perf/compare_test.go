package perf

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// The outputs of Kafka 3.8.1's tools, as they printed them here.

func TestParseProducerPerformanceTakesTheTotalNotTheProgress(t *testing.T) {
	out := "765355 records sent, 153071.0 records/sec (14.60 MB/sec), 150.2 ms avg latency, 1098.0 ms max latency.\n" +
		"1000000 records sent, 113096.584483 records/sec (10.79 MB/sec), 1193.84 ms avg latency, 2796.00 ms max latency, 767 ms 50th, 2687 ms 95th, 2730 ms 99th, 2765 ms 99.9th.\n"
	sent, rate, mb, err := parseProducerPerformance(out)
	if err != nil || sent != 1000000 || rate != 113096.584483 || mb != 10.79 {
		t.Errorf("got %d, %v, %v, %v", sent, rate, mb, err)
	}
	if _, _, _, err := parseProducerPerformance("765355 records sent, 153071.0 records/sec (14.60 MB/sec), 150.2 ms avg latency, 1098.0 ms max latency.\n"); err == nil {
		t.Error("a progress line alone is not a total")
	}
}

func TestParseConsumerPerformance(t *testing.T) {
	out := "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n" +
		"2026-11-27 16:26:14:518, 2026-11-27 16:26:15:801, 95.3884, 74.3479, 1000220, 779594.6999, 387, 896, 106.4603, 1116316.9643\n"
	c, err := parseConsumerPerformance(out)
	if err != nil {
		t.Fatal(err)
	}
	want := cpResult{read: 1000220, rate: 779594.6999, mb: 74.3479, fetchRate: 1116316.9643, fetchMB: 106.4603, joinMs: 387}
	if c != want {
		t.Errorf("got %+v, want %+v", c, want)
	}
	if _, err := parseConsumerPerformance("start.time, end.time\n"); err == nil {
		t.Error("no result line must be an error")
	}
}

func TestParseEndToEndLatency(t *testing.T) {
	out := "0\t45.2\n1000\t2.609024\nAvg latency: 2.3901 ms\nPercentiles: 50th = 1, 99th = 13, 99.9th = 62\n"
	p50, p99, mean, err := parseEndToEndLatency(out)
	if err != nil || p50 != 1 || p99 != 13 || mean != 2.3901 {
		t.Errorf("got %v, %v, %v, %v", p50, p99, mean, err)
	}
}

func TestSpreadIsMinMedianMax(t *testing.T) {
	s := samples{}
	for _, v := range []float64{3, 1, 2} {
		s.add("x", v)
	}
	if lo, mid, hi, ok := s.spread("x"); !ok || lo != 1 || mid != 2 || hi != 3 {
		t.Errorf("spread = %v %v %v %v", lo, mid, hi, ok)
	}
	s.add("x", 10)
	if mid := s.median("x"); mid != 2.5 {
		t.Errorf("median of 1 2 3 10 = %v", mid)
	}
	if _, _, _, ok := s.spread("none"); ok {
		t.Error("no samples, no spread")
	}
}

func TestPercentileAsEndToEndLatencyPicksIt(t *testing.T) {
	r := Result{}
	for i := 1; i <= 100; i++ {
		r.Latencies = append(r.Latencies, time.Duration(i)*time.Millisecond)
	}
	if p := r.Percentile(0.5); p != 51*time.Millisecond { // index 50
		t.Errorf("p50 = %v", p)
	}
	if p := r.Percentile(0.99); p != 100*time.Millisecond { // index 99
		t.Errorf("p99 = %v", p)
	}
}

func TestProducerDefaultsFollowTheVersion(t *testing.T) {
	for v, want := range map[string]string{
		"3.8.1": "Kafka 3.8.1: linger.ms=0, batch.size=16384",
		"4.1.1": "Kafka 4.1.1: linger.ms=5, batch.size=16384",
	} {
		if got := producerDefaults(v); got != want {
			t.Errorf("producerDefaults(%s) = %q, want %q", v, got, want)
		}
	}
}

func TestKafkaGoBatchBytesAsKafkaEncodesIt(t *testing.T) {
	// A record of a 100-byte value, no key, no headers (record format v2):
	// attributes 1, timestamp delta 1, offset delta 1 (below 64) or 2,
	// key length -1 1, value length 2, the value 100, header count 1, and
	// its own length first, 2 bytes: 109, or 110 from offset delta 64 on.
	// The batch header is 61 bytes.
	letters := RandomLetters(10, 100, 1)
	for _, c := range []struct{ n, want int }{
		{1, 61 + 109},
		{64, 61 + 64*109},
		{1000, 61 + 64*109 + 936*110}, // 109,997: the "≈ 110000"
	} {
		got, err := kafkaGoBatchBytes(letters, c.n)
		if err != nil || got != c.want {
			t.Errorf("batch of %d: %d, %v; want %d", c.n, got, err, c.want)
		}
	}
}

func TestProducerPerformanceArgsAtKafkaGosBatchSize(t *testing.T) {
	p := payload{java: []string{"--record-size", "100"}, batchBytes: 109997}
	got := producerPerformanceArgs("perf-x", 20000, []string{"h1:9092", "h2:9094"}, p.java, p.batchProps(false))
	want := []string{"--topic", "perf-x", "--num-records", "20000", "--throughput", "-1", "--record-size", "100",
		"--producer-props", "bootstrap.servers=h1:9092,h2:9094", "acks=all", "linger.ms=5", "batch.size=109997", "enable.idempotence=false"}
	if !slices.Equal(got, want) {
		t.Errorf("args\n got %q\nwant %q", got, want)
	}
	if props := p.batchProps(true); !slices.Equal(props, []string{"linger.ms=5", "batch.size=109997"}) {
		t.Errorf("idempotent props %q", props)
	}
	if a, b := p.ppBatch(true), p.ppBatch(false); a == b || !strings.Contains(b, "enable.idempotence=false") || !strings.Contains(a, "batch.size=109997") {
		t.Errorf("names %q and %q", a, b)
	}
}

// The table sets every Go producer against each ProducerPerformance run,
// and each consumer against its ConsumerPerformance figure.
func TestTableRatios(t *testing.T) {
	p := payload{name: "test", batchBytes: 109997}
	s := samples{}
	for name, v := range map[string]float64{
		ppDefaults: 100, ppTuned: 200, p.ppBatch(true): 400, p.ppBatch(false): 500,
		kgProducer: 1000, kgSync: 800, fgDefaults: 600, fgTuned: 750,
		cpGroup: 100, cpFetch: 200, kgPartition: 300, kgPart10: 300, fgDirect: 500, fgDirect10: 500,
		kgGroup: 150, kgGroup10: 150, fgGroup: 250, fgGroup10: 250,
	} {
		s.add(name, v)
		s.add(name+" MB/s", v/100)
	}
	var out bytes.Buffer
	o := CompareOptions{Out: &out, Records: 1000, Rounds: 1, Replicas: 1, Tools: &native.Tools{Version: "3.8.1"}}
	o.table(p, s, false)
	for _, want := range []string{
		"| " + kgProducer + " | 10.00× | 5.00× | 2.50× | 2.00× |",
		"| " + fgTuned + " | 7.50× | 3.75× | 1.88× | 1.50× |",
		"| " + p.ppBatch(false) + " | no | 500 / **500** / 500 | 5.0 |",
		"| " + kgSync + " | no (kafka-go has none) |",
		"| " + fgDefaults + " | yes |",
		"| " + fgDirect + " | 2.50× (join excluded on both sides) |",
		"| " + fgGroup10 + " | 2.50× (join included on both sides) |",
		"linger.ms=5 batch.size=109997 | the same, enable.idempotence=false |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, out.String())
		}
	}
}
