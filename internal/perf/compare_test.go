package perf

import (
	"testing"
	"time"
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
