package perf

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// CompareOptions say what Compare runs.
type CompareOptions struct {
	Conn       Conn
	Tools      *native.Tools
	Records    int // records per throughput run
	RecordSize int // bytes of each random-letter record
	RoundTrips int // round trips per latency run
	Rounds     int // each measurement this many times, interleaved
	Replicas   int // replication factor of the topics
	Out        io.Writer
}

// Measurement names, in the order of the tables. The two
// ProducerPerformance runs at kafka-go's batch size are named by
// payload.ppBatch, since that size depends on the records.
const (
	ppDefaults  = "ProducerPerformance, defaults"
	ppTuned     = "ProducerPerformance, linger.ms=5 batch.size=65536"
	kgProducer  = "kafka-go Writer: Async + Completion, BatchSize 1000, BatchTimeout 5ms"
	kgSync      = "kafka-go Writer: synchronous slices of 3000, BatchSize 1000, BatchTimeout 5ms"
	fgDefaults  = "franz-go: Produce + Flush, defaults"
	cpGroup     = "ConsumerPerformance (a group; rate over its whole run, join included)"
	cpFetch     = "ConsumerPerformance, join excluded (its fetch.nMsg.sec)"
	kgPartition = "kafka-go: one Reader per partition, MaxBytes 1 MB (default)"
	kgPart10    = "kafka-go: one Reader per partition, MaxBytes 10 MB"
	kgGroup     = "kafka-go: a group Reader, MaxBytes 1 MB (default), join included"
	kgGroup10   = "kafka-go: a group Reader, MaxBytes 10 MB, join included"
	fgDirect    = "franz-go: one client, no group, defaults"
	fgGroup     = "franz-go: a group consumer, defaults, join included"
	e2e         = "EndToEndLatency (acks=all; whole ms, truncated)"
	kgRoundTrip = "kafka-go round trip: BatchSize 1, acks=all, partition Reader"
)

// The franz-go rows with settings of their own.
var (
	fgTuned    = "franz-go: Produce + Flush, " + FranzTunedProducer.Name
	fgDirect10 = "franz-go: one client, no group, " + FranzBigFetches.Name
	fgGroup10  = "franz-go: a group consumer, " + FranzBigFetches.Name + ", join included"
)

// producerDefaults are the Java producer's batching defaults: linger.ms
// became 5 in Kafka 4.0 (KIP-1030).
func producerDefaults(version string) string {
	linger := 0
	if major, _, _ := strings.Cut(version, "."); major >= "4" && len(major) == 1 {
		linger = 5
	}
	return fmt.Sprintf("Kafka %s: linger.ms=%d, batch.size=16384", version, linger)
}

// samples collects one figure per round for each measurement.
type samples map[string][]float64

func (s samples) add(name string, v float64) { s[name] = append(s[name], v) }

// spread is min, median and max of a measurement's rounds.
func (s samples) spread(name string) (lo, mid, hi float64, ok bool) {
	v := append([]float64(nil), s[name]...)
	if len(v) == 0 {
		return 0, 0, 0, false
	}
	sort.Float64s(v)
	mid = v[len(v)/2]
	if len(v)%2 == 0 {
		mid = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[0], mid, v[len(v)-1], true
}

func (s samples) median(name string) float64 {
	_, m, _, _ := s.spread(name)
	return m
}

// payload is what the records carry in one part of the comparison.
type payload struct {
	name   string
	values [][]byte // the Go clients' records
	java   []string // ProducerPerformance's payload flags
	// batchBytes is the size of the record batch kafka-go's recommended
	// Writer sends (BatchSize records), for ProducerPerformance's
	// batch.size: like for like.
	batchBytes int
}

// ppBatch names the ProducerPerformance run with kafka-go's batch size,
// idempotent (Kafka 3.0 and later's default) or not.
func (p payload) ppBatch(idempotent bool) string {
	name := fmt.Sprintf("ProducerPerformance, linger.ms=5 batch.size=%d (kafka-go's batch)", p.batchBytes)
	if !idempotent {
		name += ", enable.idempotence=false"
	}
	return name
}

// batchProps are the ProducerPerformance settings of p.ppBatch.
func (p payload) batchProps(idempotent bool) []string {
	props := []string{"linger.ms=5", "batch.size=" + strconv.Itoa(p.batchBytes)}
	if !idempotent {
		props = append(props, "enable.idempotence=false")
	}
	return props
}

// kafkaGoBatchBytes is the size of a record batch of the first n values
// (no key, no headers) as kafka-go's own encoder writes it: the bytes
// Kafka's producer counts against batch.size (a 61-byte header and the
// records), so batch.size set to it fills Java's batches as kafka-go's.
func kafkaGoBatchBytes(values [][]byte, n int) (int, error) {
	now := time.Now()
	records := make([]protocol.Record, n)
	for i := range records {
		records[i] = protocol.Record{Time: now, Value: protocol.NewBytes(values[i%len(values)])}
	}
	rs := protocol.RecordSet{Version: 2, Records: protocol.NewRecordReader(records...)}
	written, err := rs.WriteTo(io.Discard)
	if err != nil {
		return 0, fmt.Errorf("encode a batch of %d records: %w", n, err)
	}
	return int(written) - 4, nil // WriteTo puts the batch's size (an int32) before it
}

// Compare runs Kafka's ProducerPerformance, ConsumerPerformance and
// EndToEndLatency and the kafka-go and franz-go equivalents on the same
// broker, topic settings, record size, acks and count, interleaved over the
// rounds, and prints each measurement's min, median and max and the ratios
// of the medians. Every Go run is checked against the topic's end offsets.
// ProducerPerformance runs also at kafka-go's batch size, idempotent and
// not, so that one ratio compares the clients rather than their settings.
// It runs twice: with random letters (what ProducerPerformance sends) and
// with the lessons' order JSON.
func Compare(ctx context.Context, o CompareOptions) error {
	tmp, err := os.MkdirTemp("", "kafka-perf-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	orders, err := OrderJSON(10000)
	if err != nil {
		return err
	}
	orderFile := filepath.Join(tmp, "orders.json")
	if err := os.WriteFile(orderFile, append(bytes.Join(orders, []byte("\n")), '\n'), 0o644); err != nil {
		return err
	}
	letters := payload{
		name:   fmt.Sprintf("%d-byte records of random letters", o.RecordSize),
		values: RandomLetters(10000, o.RecordSize, 1),
		java:   []string{"--record-size", strconv.Itoa(o.RecordSize)},
	}
	orderPayload := payload{
		name:   fmt.Sprintf("order JSON records (%d bytes on average)", avgLen(orders)),
		values: orders,
		java:   []string{"--payload-file", orderFile},
	}
	for _, p := range []*payload{&letters, &orderPayload} {
		if p.batchBytes, err = kafkaGoBatchBytes(p.values, Recommended.BatchSize); err != nil {
			return err
		}
	}
	if o.Records < 500_000 {
		fmt.Fprintf(o.Out, "Note: with %d records a run lasts well under a second, and Kafka's tools then mostly measure\n"+
			"their JVM warming up: the ratios mean something from about 1,000,000 records on.\n", o.Records)
	}
	fmt.Fprintf(o.Out, "franz-go's defaults: producer %s; consumer %s.\n", FranzDefaultsProducer, FranzDefaultsConsumer)
	fmt.Fprintf(o.Out, "kafka-go's batches: BatchSize %d of these records is a %d-byte batch (letters), %d bytes (order JSON): ProducerPerformance's batch.size in the like-for-like runs.\n",
		Recommended.BatchSize, letters.batchBytes, orderPayload.batchBytes)
	for _, p := range []payload{letters, orderPayload} {
		s := samples{}
		for round := 1; round <= o.Rounds; round++ {
			fmt.Fprintf(o.Out, "\n— %s, round %d of %d\n", p.name, round, o.Rounds)
			if err := o.round(ctx, p, round, s, p.name == letters.name); err != nil {
				return err
			}
		}
		o.table(p, s, p.name == letters.name)
	}
	return nil
}

func avgLen(values [][]byte) int {
	n := 0
	for _, v := range values {
		n += len(v)
	}
	return n / max(1, len(values))
}

// round runs every measurement once. The order rotates from round to round,
// so no tool always runs first on a cold broker or last on a warm one.
func (o CompareOptions) round(ctx context.Context, p payload, round int, s samples, latency bool) error {
	var kgTopic string // written by the kafka-go producer, read by every consumer
	kafkaGo := func(cfg Producer) produceFunc {
		return func(topic string) (Result, error) { return Produce(ctx, o.Conn, topic, cfg, p.values, o.Records) }
	}
	franz := func(f Franz) produceFunc {
		return func(topic string) (Result, error) { return ProduceFranz(ctx, o.Conn, topic, f, p.values, o.Records) }
	}
	producers := []func() error{
		func() error { return o.producerPerformance(ctx, p, ppDefaults, nil, s) },
		func() error {
			return o.producerPerformance(ctx, p, ppTuned, []string{"linger.ms=5", "batch.size=65536"}, s)
		},
		func() error { return o.producerPerformance(ctx, p, p.ppBatch(true), p.batchProps(true), s) },
		func() error { return o.producerPerformance(ctx, p, p.ppBatch(false), p.batchProps(false), s) },
		func() error {
			topic, err := o.goProducer(ctx, kgProducer, kafkaGo(Recommended), true, s)
			kgTopic = topic
			return err
		},
		func() error {
			sync := Producer{Slice: 3000, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond, Acks: kafka.RequireAll}
			_, err := o.goProducer(ctx, kgSync, kafkaGo(sync), false, s)
			return err
		},
		func() error { _, err := o.goProducer(ctx, fgDefaults, franz(Franz{}), false, s); return err },
		func() error { _, err := o.goProducer(ctx, fgTuned, franz(FranzTunedProducer), false, s); return err },
	}
	if err := rotated(producers, round); err != nil {
		return err
	}
	ends, err := EndOffsets(ctx, o.Conn, kgTopic)
	if err != nil {
		return err
	}
	total := Total(ends)
	partitions := func(cfg Consumer) consumeFunc {
		return func() (Result, error) { return ConsumePartitions(ctx, o.Conn, kgTopic, cfg, ends) }
	}
	group := func(cfg Consumer) consumeFunc {
		return func() (Result, error) { return ConsumeGroup(ctx, o.Conn, kgTopic, newGroup(), cfg, total) }
	}
	franzConsumer := func(inGroup bool, f Franz) consumeFunc {
		return func() (Result, error) {
			g := ""
			if inGroup {
				g = newGroup()
			}
			return ConsumeFranz(ctx, o.Conn, kgTopic, g, f, total)
		}
	}
	consumers := []func() error{
		func() error { return o.consumerPerformance(ctx, kgTopic, total, s) },
		func() error { return o.goConsumer(kgPartition, partitions(Consumer{}), total, s) },
		func() error { return o.goConsumer(kgPart10, partitions(Consumer{MaxBytes: 10e6}), total, s) },
		func() error { return o.goConsumer(kgGroup, group(Consumer{}), total, s) },
		func() error { return o.goConsumer(kgGroup10, group(Consumer{MaxBytes: 10e6}), total, s) },
		func() error { return o.goConsumer(fgDirect, franzConsumer(false, Franz{}), total, s) },
		func() error { return o.goConsumer(fgDirect10, franzConsumer(false, FranzBigFetches), total, s) },
		func() error { return o.goConsumer(fgGroup, franzConsumer(true, Franz{}), total, s) },
		func() error { return o.goConsumer(fgGroup10, franzConsumer(true, FranzBigFetches), total, s) },
	}
	if err := rotated(consumers, round); err != nil {
		return err
	}
	if err := DeleteTopic(ctx, o.Conn, kgTopic); err != nil {
		return err
	}
	if !latency {
		return nil
	}
	return rotated([]func() error{
		func() error { return o.endToEndLatency(ctx, s) },
		func() error { return o.kafkaGoRoundTrip(ctx, p, s) },
	}, round)
}

// rotated runs fs starting from the (round-1)th.
func rotated(fs []func() error, round int) error {
	for i := range fs {
		if err := fs[(i+round-1)%len(fs)](); err != nil {
			return err
		}
	}
	return nil
}

// freshTopic creates a topic of its own for one run.
func (o CompareOptions) freshTopic(ctx context.Context, partitions int) (string, error) {
	topic := "perf-" + uuid.NewString()[:8]
	return topic, CreateTopic(ctx, o.Conn, topic, partitions, o.Replicas)
}

// checkEnds fails unless the topic holds exactly n records.
func (o CompareOptions) checkEnds(ctx context.Context, who, topic string, n int64) error {
	ends, err := EndOffsets(ctx, o.Conn, topic)
	if err != nil {
		return err
	}
	if got := Total(ends); got != n {
		return fmt.Errorf("%s: the topic holds %d records, %d were written", who, got, n)
	}
	return nil
}

// produceFunc writes the run's records to topic with one Go client.
type produceFunc func(topic string) (Result, error)

// goProducer runs produce on a fresh topic of 3 partitions, checks that the
// topic holds every record, and keeps the rate. The topic is deleted unless
// keep: the consumers read the one kafka-go's recommended Writer filled.
func (o CompareOptions) goProducer(ctx context.Context, name string, produce produceFunc, keep bool, s samples) (string, error) {
	topic, err := o.freshTopic(ctx, 3)
	if err != nil {
		return "", err
	}
	r, err := produce(topic)
	if err == nil {
		err = o.checkEnds(ctx, name, topic, int64(o.Records))
	}
	if err != nil {
		return topic, fmt.Errorf("%s: %w", name, err)
	}
	o.keep(s, name, r.PerSecond(), r.MBPerSecond(), "")
	if !keep {
		return topic, DeleteTopic(ctx, o.Conn, topic)
	}
	return topic, nil
}

// consumeFunc reads the run's topic with one Go client.
type consumeFunc func() (Result, error)

// goConsumer runs consume, checks it read every record, and keeps the rate.
func (o CompareOptions) goConsumer(name string, consume consumeFunc, total int64, s samples) error {
	r, err := consume()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if r.Records != total {
		return fmt.Errorf("%s: read %d records, the end offsets add up to %d", name, r.Records, total)
	}
	o.keep(s, name, r.PerSecond(), r.MBPerSecond(), "")
	return nil
}

// keep prints one throughput run and keeps it for the table.
func (o CompareOptions) keep(s samples, name string, rate, mb float64, more string) {
	fmt.Fprintf(o.Out, "  %-100s %12s records/s  %7.2f MB/s%s\n", name, group(rate), mb, more)
	s.add(name, rate)
	s.add(name+" MB/s", mb)
}

// newGroup names a consumer group no run has used.
func newGroup() string { return "perf-" + uuid.NewString()[:8] }

func (o CompareOptions) kafkaGoRoundTrip(ctx context.Context, p payload, s samples) error {
	topic, err := o.freshTopic(ctx, 1)
	if err != nil {
		return err
	}
	defer DeleteTopic(ctx, o.Conn, topic)
	r, err := RoundTrip(ctx, o.Conn, topic, kafka.RequireAll, p.values, o.RoundTrips)
	if err != nil {
		return err
	}
	if err := o.checkEnds(ctx, kgRoundTrip, topic, int64(o.RoundTrips)); err != nil {
		return err
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	fmt.Fprintf(o.Out, "  %-100s p50 %.2f ms, p99 %.2f ms, mean %.2f ms\n", kgRoundTrip,
		ms(r.Percentile(0.5)), ms(r.Percentile(0.99)), ms(r.Mean()))
	s.add(kgRoundTrip+" p50", ms(r.Percentile(0.5)))
	s.add(kgRoundTrip+" p99", ms(r.Percentile(0.99)))
	s.add(kgRoundTrip+" mean", ms(r.Mean()))
	return nil
}

// runTool runs one of Kafka's tools and returns its standard output.
func (o CompareOptions) runTool(ctx context.Context, heap, class string, args ...string) (string, error) {
	cmd, err := o.Tools.Command(ctx, heap, class, args...)
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %w\n%s%s", class, err, lastLines(stdout.String(), 10), lastLines(stderr.String(), 20))
	}
	return stdout.String(), nil
}

// ppTotal is ProducerPerformance's final line; the lines it prints every
// 5 s look the same but end at the max latency, without percentiles.
var ppTotal = regexp.MustCompile(`(?m)^(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, \d+ ms 50th`)

// parseProducerPerformance reads the records sent, records/s and MB/s of
// ProducerPerformance's output.
func parseProducerPerformance(out string) (sent int64, rate, mb float64, err error) {
	all := ppTotal.FindAllStringSubmatch(out, -1)
	if len(all) != 1 {
		return 0, 0, 0, fmt.Errorf("ProducerPerformance printed %d totals:\n%s", len(all), lastLines(out, 10))
	}
	m := all[0]
	sent, _ = strconv.ParseInt(m[1], 10, 64)
	rate, _ = strconv.ParseFloat(m[2], 64)
	mb, _ = strconv.ParseFloat(m[3], 64)
	return sent, rate, mb, nil
}

func (o CompareOptions) producerPerformance(ctx context.Context, p payload, name string, props []string, s samples) error {
	topic, err := o.freshTopic(ctx, 3)
	if err != nil {
		return err
	}
	defer DeleteTopic(ctx, o.Conn, topic)
	args := producerPerformanceArgs(topic, o.Records, o.Conn.Brokers, p.java, props)
	out, err := o.runTool(ctx, "-Xmx512M", "org.apache.kafka.tools.ProducerPerformance", args...)
	if err != nil {
		return err
	}
	sent, rate, mb, err := parseProducerPerformance(out)
	if err != nil {
		return err
	}
	if sent != int64(o.Records) {
		return fmt.Errorf("ProducerPerformance sent %d records, not %d", sent, o.Records)
	}
	if err := o.checkEnds(ctx, name, topic, int64(o.Records)); err != nil {
		return err
	}
	o.keep(s, name, rate, mb, "")
	return nil
}

// producerPerformanceArgs are ProducerPerformance's arguments: n records to
// topic as fast as it can (--throughput -1), the payload's flags, and the
// producer's settings: the brokers, acks=all (the Go clients' too), props.
func producerPerformanceArgs(topic string, n int, brokers, payload, props []string) []string {
	args := append([]string{"--topic", topic, "--num-records", strconv.Itoa(n), "--throughput", "-1"}, payload...)
	args = append(args, "--producer-props", "bootstrap.servers="+strings.Join(brokers, ","), "acks=all")
	return append(args, props...)
}

func (o CompareOptions) consumerPerformance(ctx context.Context, topic string, total int64, s samples) error {
	out, err := o.runTool(ctx, "-Xmx512M", "org.apache.kafka.tools.ConsumerPerformance",
		"--bootstrap-server", strings.Join(o.Conn.Brokers, ","), "--topic", topic,
		"--messages", strconv.FormatInt(total, 10), "--group", newGroup())
	if err != nil {
		return err
	}
	c, err := parseConsumerPerformance(out)
	if err != nil {
		return err
	}
	if c.read < total {
		return fmt.Errorf("ConsumerPerformance read %d records of %d", c.read, total)
	}
	o.keep(s, cpGroup, c.rate, c.mb, fmt.Sprintf(" (join %d ms; without it %s records/s)", c.joinMs, group(c.fetchRate)))
	s.add(cpFetch, c.fetchRate)
	s.add(cpFetch+" MB/s", c.fetchMB)
	return nil
}

// cpResult is ConsumerPerformance's summary line.
type cpResult struct {
	read                         int64
	rate, mb, fetchRate, fetchMB float64
	joinMs                       int64
}

// parseConsumerPerformance reads the line under ConsumerPerformance's
// header: start.time, end.time, data.consumed.in.MB, MB.sec,
// data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms,
// fetch.MB.sec, fetch.nMsg.sec.
func parseConsumerPerformance(out string) (cpResult, error) {
	var f []string
	for _, line := range strings.Split(out, "\n") {
		if parts := strings.Split(strings.TrimSpace(line), ", "); len(parts) == 10 && parts[0] != "start.time" {
			f = parts
		}
	}
	if f == nil {
		return cpResult{}, fmt.Errorf("ConsumerPerformance printed no result:\n%s", lastLines(out, 10))
	}
	var c cpResult
	var errs [6]error
	c.read, errs[0] = strconv.ParseInt(f[4], 10, 64)
	c.rate, errs[1] = strconv.ParseFloat(f[5], 64)
	c.mb, errs[2] = strconv.ParseFloat(f[3], 64)
	c.joinMs, errs[3] = strconv.ParseInt(f[6], 10, 64)
	c.fetchMB, errs[4] = strconv.ParseFloat(f[8], 64)
	c.fetchRate, errs[5] = strconv.ParseFloat(f[9], 64)
	for _, err := range errs {
		if err != nil {
			return c, fmt.Errorf("ConsumerPerformance's result %q: %w", strings.Join(f, ", "), err)
		}
	}
	return c, nil
}

var (
	e2eAvg         = regexp.MustCompile(`Avg latency: ([\d.]+) ms`)
	e2ePercentiles = regexp.MustCompile(`Percentiles: 50th = (\d+), 99th = (\d+), 99.9th = (\d+)`)
)

// parseEndToEndLatency reads EndToEndLatency's p50 and p99 (whole
// milliseconds) and its mean.
func parseEndToEndLatency(out string) (p50, p99, mean float64, err error) {
	avg, pct := e2eAvg.FindStringSubmatch(out), e2ePercentiles.FindStringSubmatch(out)
	if avg == nil || pct == nil {
		return 0, 0, 0, fmt.Errorf("EndToEndLatency printed no result:\n%s", lastLines(out, 10))
	}
	mean, _ = strconv.ParseFloat(avg[1], 64)
	p50, _ = strconv.ParseFloat(pct[1], 64)
	p99, _ = strconv.ParseFloat(pct[2], 64)
	return p50, p99, mean, nil
}

func (o CompareOptions) endToEndLatency(ctx context.Context, s samples) error {
	topic, err := o.freshTopic(ctx, 1)
	if err != nil {
		return err
	}
	defer DeleteTopic(ctx, o.Conn, topic)
	out, err := o.runTool(ctx, "-Xmx256M", "org.apache.kafka.tools.EndToEndLatency",
		strings.Join(o.Conn.Brokers, ","), topic, strconv.Itoa(o.RoundTrips), "all", strconv.Itoa(o.RecordSize))
	if err != nil {
		return err
	}
	p50, p99, mean, err := parseEndToEndLatency(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "  %-100s p50 %.0f ms, p99 %.0f ms, mean %.2f ms\n", e2e, p50, p99, mean)
	s.add(e2e+" p50", p50)
	s.add(e2e+" p99", p99)
	s.add(e2e+" mean", mean)
	return nil
}

// table prints the summary of one payload as Markdown tables: the
// producers, each Go producer's median against each of Kafka's, the
// consumers, the round trips.
func (o CompareOptions) table(p payload, s samples, latency bool) {
	w := o.Out
	fmt.Fprintf(w, "\n### %s: %s records, acks=all, topics of 3 partitions (replication factor %d); %d round(s), min / median / max\n\n",
		p.name, group(float64(o.Records)), o.Replicas, o.Rounds)
	row := func(label, name, more string) {
		lo, mid, hi, ok := s.spread(name)
		if !ok {
			return
		}
		fmt.Fprintf(w, "| %s | %s | %s / **%s** / %s | %.1f |\n", label, more, group(lo), group(mid), group(hi), s.median(name+" MB/s"))
	}
	ratio := func(name, base string) string {
		if s.median(base) == 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f×", s.median(name)/s.median(base))
	}

	fmt.Fprintln(w, "| Producer | idempotent | records/s: min / median / max | MB/s (median) |")
	fmt.Fprintln(w, "|---|---|---|---|")
	idempotent := func(name string) string {
		switch {
		case name == p.ppBatch(false):
			return "no"
		case strings.HasPrefix(name, "kafka-go"):
			return "no (kafka-go has none)"
		}
		return "yes"
	}
	java := []string{ppDefaults, ppTuned, p.ppBatch(true), p.ppBatch(false)}
	gos := []string{kgProducer, kgSync, fgDefaults, fgTuned}
	row(ppDefaults+" ("+producerDefaults(o.Tools.Version)+")", ppDefaults, "yes")
	for _, name := range slices.Concat(java[1:], gos) {
		row(name, name, idempotent(name))
	}

	fmt.Fprintln(w, "\n| Median records/s against ProducerPerformance → | defaults | linger.ms=5 batch.size=65536 | "+
		fmt.Sprintf("linger.ms=5 batch.size=%d | the same, enable.idempotence=false |", p.batchBytes))
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, name := range gos {
		cells := []string{name}
		for _, base := range java {
			cells = append(cells, ratio(name, base))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}

	fmt.Fprintln(w, "\n| Consumer | median against ConsumerPerformance | records/s: min / median / max | MB/s (median) |")
	fmt.Fprintln(w, "|---|---|---|---|")
	row(cpGroup, cpGroup, "—")
	row(cpFetch, cpFetch, "—")
	for _, name := range []string{kgPartition, kgPart10, fgDirect, fgDirect10} {
		row(name, name, ratio(name, cpFetch)+" (join excluded on both sides)")
	}
	for _, name := range []string{kgGroup, kgGroup10, fgGroup, fgGroup10} {
		row(name, name, ratio(name, cpGroup)+" (join included on both sides)")
	}
	if latency {
		fmt.Fprintf(w, "\n| Round trip of one %d-byte record, %s per run | p50 ms: min / median / max | p99 ms: min / median / max | mean ms (median) |\n",
			o.RecordSize, group(float64(o.RoundTrips)))
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, name := range []string{e2e, kgRoundTrip} {
			a, b, c, ok := s.spread(name + " p50")
			if !ok {
				continue
			}
			d, e, f, _ := s.spread(name + " p99")
			fmt.Fprintf(w, "| %s | %.2f / **%.2f** / %.2f | %.2f / **%.2f** / %.2f | %.2f |\n", name, a, b, c, d, e, f, s.median(name+" mean"))
		}
	}
	fmt.Fprintln(w)
	o.goals(p, s, latency)
}

// goals says, for the targets, whether this run met them.
func (o CompareOptions) goals(p payload, s samples, latency bool) {
	w := o.Out
	verdict := func(got, want float64) string {
		if got >= want {
			return fmt.Sprintf("met (%.2f× ≥ %.1f×)", got, want)
		}
		return fmt.Sprintf("NOT met (%.2f× < %.1f×)", got, want)
	}
	r := func(a, b string) float64 {
		if s.median(b) == 0 {
			return 0
		}
		return s.median(a) / s.median(b)
	}
	fmt.Fprintf(w, "Goals, %s (medians):\n", p.name)
	fmt.Fprintf(w, "  producer ≥ 2× ProducerPerformance defaults:      %s\n", verdict(r(kgProducer, ppDefaults), 2))
	fmt.Fprintf(w, "  producer ≥ 1.2× ProducerPerformance tuned:       %s\n", verdict(r(kgProducer, ppTuned), 1.2))
	fmt.Fprintf(w, "  consumer by partition ≥ 1.2× ConsumerPerformance: %s (MaxBytes 10 MB: %s)\n",
		verdict(r(kgPartition, cpFetch), 1.2), verdict(r(kgPart10, cpFetch), 1.2))
	fmt.Fprintf(w, "  consumer by group ≥ 1.2× ConsumerPerformance:     %s (MaxBytes 10 MB: %s)\n",
		verdict(r(kgGroup, cpGroup), 1.2), verdict(r(kgGroup10, cpGroup), 1.2))
	if latency {
		// EndToEndLatency truncates to whole milliseconds: its "p99 = n"
		// means n ≤ p99 < n+1.
		ours, theirs := s.median(kgRoundTrip+" p99"), s.median(e2e+" p99")
		var v string
		switch {
		case ours < theirs:
			v = fmt.Sprintf("met (%.2f ms < %.0f ms)", ours, theirs)
		case ours < theirs+1:
			v = fmt.Sprintf("undecided: %.2f ms, and EndToEndLatency's %.0f ms means %.0f–%.0f ms", ours, theirs, theirs, theirs+1)
		default:
			v = fmt.Sprintf("NOT met (%.2f ms ≥ %.0f ms)", ours, theirs+1)
		}
		fmt.Fprintf(w, "  round-trip p99 no worse than EndToEndLatency's:   %s; means %.2f ms against %.2f ms\n",
			v, s.median(kgRoundTrip+" mean"), s.median(e2e+" mean"))
	}
}

// group formats a rate with thousands separators.
func group(v float64) string { return lessons.GroupDigits(int64(v + 0.5)) }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
