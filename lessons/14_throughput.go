package lessons

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
)

// throughputLesson is lesson 14: how fast, and which settings decide it.
func throughputLesson() Lesson {
	return Lesson{
		Number: 14,
		Title:  "Throughput and latency",
		Goal:   "Measure on your own broker what batching, asynchronous writes, compression and acks do to throughput, and what one order's round trip takes.",
		Summary: []string{
			"A synchronous WriteMessages waits until each partition's batch is full (BatchSize) or BatchTimeout has passed: one record per call waits out BatchTimeout, unless BatchSize is 1.",
			"Round-robin splits a slice over the partitions: size synchronous slices to partitions × BatchSize, or the batches never fill.",
			"An asynchronous Writer with Completion never waits between calls: the throughput setting; count the acknowledgements in Completion.",
			"Compression works per batch; the broker checks each batch and keeps the producer's codec unless the topic's compression.type names another; Writer.Stats().Bytes counts before compression, and again on each retry.",
			"acks=all costs little on one broker and a follower's round trip on a cluster; keep it, with min.insync.replicas=2.",
			"A fetch waits on the broker only until a record arrives: the shortest round trip is a Writer with BatchSize 1 and a waiting Reader.",
			"A Writer has one produce request in flight per partition: handlers sharing one with BatchSize 1 queue behind each other; give it a modest BatchSize and a BatchTimeout of 1 to 5 ms.",
		},
		Quiz: []Question{
			{
				Ask: "A synchronous WriteMessages sends 1000 orders with BatchSize 1000 to a topic of three partitions (round-robin). Why does each call wait for BatchTimeout?",
				Choices: []string{
					"acks=all makes the broker wait that long",
					"three batches of about 333, one per partition: none fills",
					"kafka-go always waits BatchTimeout before sending anything",
				},
				Answer: 1, Step: 2,
				Why: "Batches are per partition: round-robin gives each of the three partitions a third of the slice, so no batch reaches 1000 and each waits out BatchTimeout. Slices of 3000 fill them.",
			},
			{
				Ask: "What does Writer.Stats().Bytes count?",
				Choices: []string{
					"the bytes the broker stored, after compression",
					"the messages' sizes before compression, the same with every codec",
					"the bytes of the produce requests on the network",
				},
				Answer: 1, Step: 4,
				Why: "kafka-go adds up each message's size as it batches it, before the codec runs (and adds the batch again on each retry). The broker's log sizes (DescribeLogDirs) show what compression saved.",
			},
			{
				Ask: "On one broker acks=all is about as fast as acks=1. Why?",
				Choices: []string{
					"the leader is the whole ISR: there is no follower to wait for",
					"kafka-go ignores RequiredAcks on one broker",
					"acks=all is asynchronous",
				},
				Answer: 0, Step: 5,
				Why: "acks=all waits for every replica in the ISR; with one broker that is the leader alone. On three brokers it also waits for the followers to copy the batch.",
			},
		},
		Plan: func() Plan {
			t := &throughputState{}
			return Plan{Setup: t.setup, Steps: []Step{
				{Title: "One order per synchronous call", Run: t.onePerCall},
				{Title: "Slices whose batches never fill, then slices that fill them", Run: t.slices},
				{Title: "An asynchronous writer with Completion", Run: t.async, Needs: []int{1, 2}},
				{Title: "Compression: the bytes the broker stores", Run: t.compression},
				{Title: "acks=1 against acks=all", Run: t.acks},
				{Title: "The round trip of one order: p50 and p99", Run: t.roundTrip},
				{Title: "Fifty handlers share one writer: BatchSize 1 against batches", Run: t.handlers},
				{Title: "Read it all back", Run: t.readBack},
			}}
		},
	}
}

// What this lesson says of kafka-go is pinned by TestKafkaGo_WriterDefaultsInStats,
// …WriterBatchTimeoutDefaultIs1s, …WriterBatchSizeDefaultIs100,
// …WriterDefaultBalancerIsRoundRobin, …SyncSliceSplitOverPartitionsWaitsBatchTimeout,
// …WriterBatchSizeOneSendsAtOnce, …AsyncWriteMessagesDoesNotWait,
// …StatsBytesCountsBeforeCompression, …StatsCountARetriedBatchAgain,
// …WriterOneProduceRequestInFlightPerPartition, …WriterCloseFlushesThenRefusesWrites,
// …ReaderMaxWaitDefaultIs10s (MaxBytes 1e6, MinBytes 1) and
// …ReaderCloseWaitsForTheFetchUpToMaxWait.
type throughputState struct {
	topic   string
	orders  [][]byte     // realistic orders as JSON, each with its own id
	from    []Watermarks // where this run started: the read-back starts there
	written atomic.Int64 // records this run's writers had acknowledged
	bars    []Bar        // orders/s of every producer measured, for the charts
}

// setup creates the lesson's own topic (three partitions, like orders),
// encodes the orders once, and notes where the partitions end now.
func (t *throughputState) setup(ctx context.Context, env *Env) error {
	t.topic = env.Name("orders-throughput")
	if err := EnsureTopic(ctx, env, TopicSpec{Name: t.topic, Partitions: 3, ReplicationFactor: env.Replicas()}); err != nil {
		return err
	}
	t.orders = make([][]byte, 100000)
	for i := range t.orders {
		v, err := SampleOrder(i).MarshalValue()
		if err != nil {
			return err
		}
		t.orders[i] = v
	}
	var err error
	t.from, err = ReadWatermarks(ctx, env, t.topic)
	return err
}

// measured reports a producer's figures and returns its bar, kept for the
// chart of step 3 too.
func (t *throughputState) measured(env *Env, label string, r Throughput) Bar {
	env.Out.Value(label, r)
	bar := Bar{Label: label, Value: r.PerSecond()}
	for i := range t.bars {
		if t.bars[i].Label == label { // measured again: the new figure
			t.bars[i] = bar
			return bar
		}
	}
	t.bars = append(t.bars, bar)
	return bar
}

// A synchronous WriteMessages returns once its records are acknowledged.
// kafka-go gathers records in one batch per partition and sends a batch
// when it holds BatchSize records (100 by default) or BatchBytes (1 MiB),
// or when BatchTimeout has passed since its first record. One order per call never fills a batch:
// every call waits out BatchTimeout (1 ms here; 1 s by default, lesson 3),
// then a round trip to the broker. With BatchSize: 1 the batch is full as
// soon as the order is in it, and the call costs the round trip alone. Up
// to 500 orders, and at most a second, each. In production BatchSize 1
// suits one caller, at a low rate, that must know each record is stored
// before it goes on. Many request handlers at once are another matter
// (step 7): they should share one Writer with a modest BatchSize and a
// BatchTimeout of 1 to 5 ms. A producer that need not wait for each record
// writes asynchronously (step 3).
func (t *throughputState) onePerCall(ctx context.Context, env *Env) error {
	waits := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond}
	defer waits.Close()
	r, err := WriteAll(ctx, waits, t.orders[:500], 1, time.Second)
	if err != nil {
		return err
	}
	t.written.Add(r.Records)
	waited := t.measured(env, "one per call, BatchTimeout 1ms", r)

	sendsAtOnce := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
		RequiredAcks: kafka.RequireAll, BatchSize: 1}
	defer sendsAtOnce.Close()
	r, err = WriteAll(ctx, sendsAtOnce, t.orders[:500], 1, time.Second)
	if err != nil {
		return err
	}
	t.written.Add(r.Records)
	alone := t.measured(env, "one per call, BatchSize 1", r)
	env.Out.Block(Bars("One order per synchronous call, acks=all", "orders/s", waited, alone))
	return nil
}

// A slice of orders in one call is batched: here BatchSize is 1000 and
// BatchTimeout 5 ms. But the default balancer is round-robin, and batches
// are per partition: a slice of 1000 orders becomes three batches of 333 or
// 334, none of them full, so every call waits the 5 ms. Slices of 3000 give
// each partition a full batch of 1000, sent at once. kafka-go's own
// documentation says the same of its Hash balancer: a flush takes on average
// partitions × BatchSize records. In production, size synchronous slices to
// partitions × BatchSize, or keep BatchTimeout small enough that a partial
// batch costs little. Up to 100,000 orders, and at most two seconds, each.
func (t *throughputState) slices(ctx context.Context, env *Env) error {
	w1000 := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
		RequiredAcks: kafka.RequireAll, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond}
	defer w1000.Close()
	r, err := WriteAll(ctx, w1000, t.orders, 1000, 2*time.Second)
	if err != nil {
		return err
	}
	t.written.Add(r.Records)
	unfilled := t.measured(env, "slices of 1000, BatchSize 1000", r)

	w3000 := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
		RequiredAcks: kafka.RequireAll, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond}
	defer w3000.Close()
	r, err = WriteAll(ctx, w3000, t.orders, 3000, 2*time.Second)
	if err != nil {
		return err
	}
	t.written.Add(r.Records)
	filled := t.measured(env, "slices of 3000, BatchSize 1000", r)
	env.Out.Block(Bars("Synchronous slices, BatchTimeout 5ms, acks=all", "orders/s", unfilled, filled))
	return nil
}

// An asynchronous Writer (Async: true) only queues: WriteMessages waits
// neither for a batch to fill nor for the broker's answer, successive calls
// fill the batches, and each batch goes out when it is full or its
// BatchTimeout has passed. So Completion is the only place to learn what
// became of a batch: count the acknowledged orders there. Close sends what
// is left and waits for it. BatchSize 1000, BatchTimeout 5 ms, acks=all,
// calls of 1000 orders: the writer the lessons recommend for throughput.
// No call waits for the one before it, and a partial batch waits 5 ms at
// most. In production, bound what you have queued (kafka-go's queue of
// batches has no limit: a producer faster than its broker grows it without
// end) and act on the errors Completion reports.
func (t *throughputState) async(ctx context.Context, env *Env) error {
	var acked, failed atomic.Int64
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
		RequiredAcks: kafka.RequireAll, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond,
		Async: true,
		Completion: func(messages []kafka.Message, err error) {
			if err != nil {
				failed.Add(int64(len(messages)))
				return
			}
			acked.Add(int64(len(messages)))
		},
	}
	defer w.Close()
	r, err := WriteAll(ctx, w, t.orders, 1000, 2*time.Second)
	if err != nil {
		return err
	}
	t.written.Add(acked.Load())
	t.measured(env, "asynchronous, Completion", r)
	env.Out.Value("orders queued", r.Records)
	env.Out.Value("acknowledged in Completion", acked.Load())
	env.Out.Value("failed in Completion", failed.Load())
	env.Out.Block(Bars("Every writer so far, acks=all", "orders/s", t.bars...))
	return nil
}

// Kafka compresses a whole batch, not each record: the producer compresses
// it and every consumer decompresses it. The broker checks every batch it
// receives (it decompresses a compressed one to check its records), then
// stores the producer's bytes as they came, filling in the offsets, when
// the topic's compression.type is "producer" (the default) or names the
// same codec; a topic set to another codec makes the broker rewrite every
// batch in that codec, with its own CPU. kafka-go offers gzip, snappy, lz4
// and zstd (Writer.Compression). The same 30,000 orders go out in full
// batches (slices of 3000, as in step 2) uncompressed, then with snappy,
// lz4 and zstd, and the broker says how many bytes each run added to the
// topic's logs (DescribeLogDirs: a request kafka-go lacks, which logdirs.go
// adds). Writer.Stats().Bytes cannot tell: it adds up the messages' sizes
// as they are batched, before the codec runs, the same for every codec (and
// adds a batch again each time it retries it). Orders are small JSON
// objects that repeat keys and names, so they shrink well. In production
// lz4 and zstd are common choices: fewer bytes on the network, on disk and
// in the page cache, for some producer CPU.
func (t *throughputState) compression(ctx context.Context, env *Env) error {
	var stored []Bar
	var speed []Bar
	for _, codec := range []kafka.Compression{0, kafka.Snappy, kafka.Lz4, kafka.Zstd} {
		name := "none"
		if codec != 0 {
			name = codec.String()
		}
		before, err := LogSize(ctx, env, t.topic)
		if err != nil {
			return err
		}
		w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
			RequiredAcks: kafka.RequireAll, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond,
			Compression: codec}
		defer w.Close()
		r, err := WriteAll(ctx, w, t.orders[:30000], 3000, 3*time.Second)
		if err != nil {
			return err
		}
		after, err := LogSize(ctx, env, t.topic)
		if err != nil {
			return err
		}
		t.written.Add(r.Records)
		env.Out.Value(name, r)
		env.Out.Value("Stats().Bytes, "+name, w.Stats().Bytes)
		env.Out.Value("bytes stored, "+name, after-before)
		stored = append(stored, Bar{Label: name, Value: float64(after - before)})
		speed = append(speed, Bar{Label: name, Value: r.PerSecond()})
	}
	var raw int64
	for _, v := range t.orders[:30000] {
		raw += int64(len(v))
	}
	env.Out.Value("JSON bytes of the orders", raw)
	env.Out.Block(Bars("Bytes the broker stored for the same 30,000 orders", "bytes", stored...))
	env.Out.Block(Bars("Synchronous slices of 3000, acks=all", "orders/s", speed...))
	return nil
}

// RequiredAcks decides when the broker answers a batch: RequireOne (acks=1)
// once the leader has appended it, RequireAll (acks=all) once every replica
// in the ISR has it. On one broker the leader is the whole ISR, so both wait
// for the same thing and differ by noise; on three brokers acks=all also
// waits for the followers to fetch the batch. Full batches (slices of 3000,
// as in step 2), up to 100,000 orders (two seconds at most) with each. In production keep
// acks=all, on topics with three replicas and min.insync.replicas=2: with
// acks=1 a record the leader acknowledged is lost if the leader dies before
// a follower copied it.
func (t *throughputState) acks(ctx context.Context, env *Env) error {
	var bars []Bar
	for _, acks := range []kafka.RequiredAcks{kafka.RequireOne, kafka.RequireAll} {
		w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
			RequiredAcks: acks, BatchSize: 1000, BatchTimeout: 5 * time.Millisecond}
		defer w.Close()
		r, err := WriteAll(ctx, w, t.orders, 3000, 2*time.Second)
		if err != nil {
			return err
		}
		t.written.Add(r.Records)
		label := "acks=1"
		if acks == kafka.RequireAll {
			label = "acks=all"
		}
		env.Out.Value(label, r)
		bars = append(bars, Bar{Label: label, Value: r.PerSecond()})
	}
	env.Out.Value("brokers", env.Cluster.Brokers)
	env.Out.Block(Bars(fmt.Sprintf("Synchronous slices of 3000, %d broker(s)", env.Cluster.Brokers), "orders/s", bars...))
	return nil
}

// Latency is what one order takes from WriteMessages to a consumer's
// ReadMessage. The Writer sends each order at once (BatchSize 1) with
// acks=all; a Balancer puts every order on partition 0, where a Reader waits
// from the partition's end. A fetch waits on the broker up to MaxWait, but
// the broker answers as soon as a record arrives (MinBytes is 1 by
// default), so MaxWait adds nothing. Up to 300 round trips, one at a time,
// two seconds at most. p50 is the median; p99 the time 99 round trips in
// 100 stay under. In production latency and throughput pull apart: every
// order that does not fill a batch waits up to BatchTimeout more.
func (t *throughputState) roundTrip(ctx context.Context, env *Env) error {
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
		RequiredAcks: kafka.RequireAll, BatchSize: 1,
		Balancer: kafka.BalancerFunc(func(kafka.Message, ...int) int { return 0 })}
	defer w.Close()
	marks, err := ReadWatermarks(ctx, env, t.topic)
	if err != nil {
		return err
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: t.topic,
		Partition: 0, MaxWait: FetchWait})
	defer r.Close()
	if err := r.SetOffset(marks[0].Last); err != nil {
		return err
	}
	var trips []time.Duration
	start := time.Now()
	for i := 0; i < 300 && time.Since(start) < 2*time.Second; i++ {
		begin := time.Now()
		if err := w.WriteMessages(ctx, kafka.Message{Value: t.orders[i]}); err != nil {
			return err
		}
		if _, err := r.ReadMessage(ctx); err != nil {
			return err
		}
		trips = append(trips, time.Since(begin))
		t.written.Add(1)
	}
	SortDurations(trips)
	env.Out.Value("round trips", len(trips))
	env.Out.Value("round trip p50", Percentile(trips, 0.50))
	env.Out.Value("round trip p99", Percentile(trips, 0.99))
	env.Out.Block(Bars(fmt.Sprintf("Round trip of one order, %d measured", len(trips)), "ms",
		Bar{"p50", Milliseconds(Percentile(trips, 0.50))},
		Bar{"p90", Milliseconds(Percentile(trips, 0.90))},
		Bar{"p99", Milliseconds(Percentile(trips, 0.99))},
		Bar{"max", Milliseconds(trips[len(trips)-1])}))
	return nil
}

// Fifty request handlers each write one order per call and wait for it,
// sharing one Writer. A Writer sends one produce request per partition at a
// time: each partition's batches wait in a queue that one goroutine drains,
// request after request. With BatchSize 1 every order is a batch of its
// own, so the handlers queue behind each other: the writer stores about
// partitions ÷ round trip orders per second, however many handlers there
// are. With BatchSize 100 and BatchTimeout 2 ms, a partition's orders that
// arrive within 2 ms of its batch's first share one request. One second
// each; Stats() says how many produce requests each writer sent, p50 is the
// median call. Batching wins once the queue costs more than the wait: an
// order queues behind about handlers ÷ partitions round trips (50 ÷ 3 ×
// 0.4 ms ≈ 7 ms on a broker on the same machine), against at most the 2 ms
// BatchTimeout in a batch. The emulation answers far faster, so there the
// queue can be shorter than 2 ms and BatchSize 1 can come out ahead. In
// production share one Writer among the handlers, with a modest BatchSize
// and a BatchTimeout of 1 to 5 ms.
func (t *throughputState) handlers(ctx context.Context, env *Env) error {
	var bars []Bar
	for _, batchSize := range []int{1, 100} {
		w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: t.topic,
			RequiredAcks: kafka.RequireAll, BatchSize: batchSize, BatchTimeout: 2 * time.Millisecond}
		defer w.Close()
		r, calls, err := WriteConcurrently(ctx, w, t.orders, 50, time.Second)
		if err != nil {
			return err
		}
		t.written.Add(r.Records)
		label := fmt.Sprintf("50 handlers, BatchSize %d", batchSize)
		env.Out.Value(label, r)
		env.Out.Value("produce requests, "+label, w.Stats().Writes)
		env.Out.Value("one call's p50, "+label, Percentile(calls, 0.50))
		bars = append(bars, Bar{label, r.PerSecond()})
	}
	env.Out.Block(Bars("Fifty handlers, one order per call, one shared writer", "orders/s", bars...))
	return nil
}

// Reading is usually faster than writing: a fetch brings whole batches, up
// to MaxBytes per request (1 MB by default in kafka-go), which the Reader
// decodes and hands out one message at a time. One Reader per partition
// reads the three at once, from where this run of the lesson started to the
// end offsets ListOffsets gives now: every order the earlier steps wrote,
// each once. Closing a Reader waits for its fetch in flight, up to MaxWait:
// FetchWait (250 ms) here, 10 s with kafka-go's default. In production a
// consumer group spreads the partitions over its members the same way
// (lesson 9).
func (t *throughputState) readBack(ctx context.Context, env *Env) error {
	to, err := ReadWatermarks(ctx, env, t.topic)
	if err != nil {
		return err
	}
	cfg := kafka.ReaderConfig{Brokers: env.Brokers, Dialer: env.Dialer, Topic: t.topic, MaxWait: FetchWait}
	r, err := ReadAll(ctx, cfg, t.from, to)
	if err != nil {
		return err
	}
	env.Out.Value("read back, one Reader per partition", r)
	env.Out.Value("orders written by this run", t.written.Load())
	env.Out.Value("orders read", r.Records)
	env.Out.Block(Bars("Reading", "orders/s", Bar{"read back, one Reader per partition", r.PerSecond()}))
	return nil
}
