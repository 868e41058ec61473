package lessons

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
)

// Throughput is what a measured run did: Records written (or read) in
// Elapsed.
type Throughput struct {
	Records int64
	Elapsed time.Duration
}

// PerSecond is the rate in records per second.
func (t Throughput) PerSecond() float64 {
	if t.Elapsed <= 0 {
		return 0
	}
	return float64(t.Records) / t.Elapsed.Seconds()
}

// String is how a step reports it.
func (t Throughput) String() string {
	return fmt.Sprintf("%s orders in %v: %s orders/s", Grouped(float64(t.Records)),
		t.Elapsed.Round(time.Millisecond), Grouped(t.PerSecond()))
}

// WriteAll writes values with w, perCall messages per WriteMessages call,
// until all are written or budget has passed (it stops after the call in
// flight), then closes w, which sends what it still holds. It returns how
// many records WriteMessages took and the time until Close returned. For a
// synchronous writer those records are acknowledged; an asynchronous one
// only queued them, and its Completion says what became of them. A step
// that also defers w.Close() loses nothing: a second Close returns nil.
func WriteAll(ctx context.Context, w *kafka.Writer, values [][]byte, perCall int, budget time.Duration) (Throughput, error) {
	msgs := make([]kafka.Message, 0, perCall)
	var n int64
	start := time.Now()
	for i := 0; i < len(values) && time.Since(start) < budget; i += perCall {
		msgs = msgs[:0]
		for _, v := range values[i:min(i+perCall, len(values))] {
			msgs = append(msgs, kafka.Message{Value: v})
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			w.Close()
			return Throughput{}, fmt.Errorf("write orders: %w", err)
		}
		n += int64(len(msgs))
	}
	if err := w.Close(); err != nil {
		return Throughput{}, fmt.Errorf("close the writer: %w", err)
	}
	return Throughput{Records: n, Elapsed: time.Since(start)}, nil
}

// WriteConcurrently writes values with w from callers goroutines at once,
// one value per WriteMessages call, as request handlers sharing one Writer
// do, until all are written or budget has passed (each caller stops after
// its call in flight), then closes w. It returns how many records
// WriteMessages took, the time until Close returned, and the duration of
// every call, sorted.
func WriteConcurrently(ctx context.Context, w *kafka.Writer, values [][]byte, callers int, budget time.Duration) (Throughput, []time.Duration, error) {
	var next atomic.Int64
	var mu sync.Mutex
	var calls []time.Duration
	var errs []error
	var wg sync.WaitGroup
	start := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var err error
			for i := next.Add(1) - 1; i < int64(len(values)) && time.Since(start) < budget; i = next.Add(1) - 1 {
				begin := time.Now()
				if err = w.WriteMessages(ctx, kafka.Message{Value: values[i]}); err != nil {
					err = fmt.Errorf("write order: %w", err)
					break
				}
				mine = append(mine, time.Since(begin))
			}
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, mine...)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close the writer: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return Throughput{}, nil, err
	}
	SortDurations(calls)
	return Throughput{Records: int64(len(calls)), Elapsed: time.Since(start)}, calls, nil
}

// ReadAll reads every partition of topic from the offsets in from (their
// Last) up to the high watermarks in to, both sorted by partition as
// ReadWatermarks returns them, one Reader per partition made from cfg (its
// Partition set), all at once. It returns the records read and the time
// until the last one arrived; closing the readers comes after.
func ReadAll(ctx context.Context, cfg kafka.ReaderConfig, from, to []Watermarks) (Throughput, error) {
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int64
	var errs []error
	readers := make([]*kafka.Reader, 0, len(to))
	for i, end := range to {
		c := cfg
		c.Partition = end.Partition
		r := kafka.NewReader(c)
		readers = append(readers, r)
		begin := from[i].Last
		if err := r.SetOffset(begin); err != nil {
			errs = append(errs, err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int64
			var err error
			for next := begin; next < end.Last && err == nil; {
				var m kafka.Message
				if m, err = r.ReadMessage(ctx); err == nil {
					n++
					next = m.Offset + 1
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil {
				errs = append(errs, fmt.Errorf("read %s [%d]: %w", cfg.Topic, end.Partition, err))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, r := range readers {
		r.Close()
	}
	return Throughput{Records: total, Elapsed: elapsed}, errors.Join(errs...)
}

// Percentile returns the value below which the fraction q of the sorted
// durations fall: the one at index ⌊n·q⌋, as Kafka's EndToEndLatency
// tool picks it.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(int(float64(len(sorted))*q), len(sorted)-1)]
}

// SortDurations sorts durations in place, shortest first.
func SortDurations(d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
}

// Milliseconds is a duration as a chart value.
func Milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
