package perf

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Franz is a franz-go (kgo) client's settings for a run: its options on
// top of the brokers and the topic, and how to describe them. Nil Opts
// are franz-go's defaults; FranzDefaultsProducer and FranzDefaultsConsumer
// say what those are.
type Franz struct {
	Name string // what differs from franz-go's defaults, for the table
	Opts []kgo.Opt
}

// What franz-go v1.22.3 does when told nothing (pkg/kgo/config.go,
// defaultCfg; sink.go allows 5 requests in flight per broker when
// idempotent): worth stating, since the comparison is about defaults.
const (
	FranzDefaultsProducer = "idempotent (5 requests in flight per broker), acks=all, ProducerLinger 10ms, ProducerBatchMaxBytes 1,000,012, " +
		"MaxBufferedRecords 50,000, snappy when it shrinks a batch, sticky partitions (64 KiB)"
	FranzDefaultsConsumer = "FetchMaxBytes 50 MiB, FetchMaxPartitionBytes 1 MiB, one fetch in flight per broker; " +
		"in a group, the cooperative-sticky balancer and a commit every 5 s"
)

// FranzTunedProducer is franz-go's producer set as the other producers of
// the comparison are: no compression (neither kafka-go's Writer nor Kafka's
// tools compress here, and snappy costs CPU even where it gains nothing:
// random letters), and batches that wait up to 5 ms, as kafka-go's
// BatchTimeout and ProducerPerformance's linger.ms. Idempotence stays on.
var FranzTunedProducer = Franz{
	Name: "no compression, ProducerLinger 5ms",
	Opts: []kgo.Opt{
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.ProducerLinger(5 * time.Millisecond),
	},
}

// FranzBigFetches reads up to 10 MiB per partition and fetch, as kafka-go's
// MaxBytes 10 MB row does.
var FranzBigFetches = Franz{
	Name: "FetchMaxPartitionBytes 10 MiB",
	Opts: []kgo.Opt{kgo.FetchMaxPartitionBytes(10 << 20)},
}

// String describes the settings.
func (f Franz) String() string {
	if f.Name == "" {
		return "defaults"
	}
	return f.Name
}

func (f Franz) client(c Conn, opts ...kgo.Opt) (*kgo.Client, error) {
	all := append([]kgo.Opt{kgo.SeedBrokers(c.Brokers...)}, opts...)
	cl, err := kgo.NewClient(append(all, f.Opts...)...)
	if err != nil {
		return nil, fmt.Errorf("franz-go client (%s): %w", f, err)
	}
	return cl, nil
}

// ProduceFranz writes n records to topic with a franz-go client, cycling
// through values: Produce queues each record and its callback counts the
// acknowledgement, as kafka-go's Completion does; Flush waits for the rest.
// It fails if any record is not acknowledged.
func ProduceFranz(ctx context.Context, c Conn, topic string, f Franz, values [][]byte, n int) (Result, error) {
	if len(values) == 0 || n <= 0 {
		return Result{}, errors.New("produce: nothing to write")
	}
	cl, err := f.client(c, kgo.DefaultProduceTopic(topic))
	if err != nil {
		return Result{}, err
	}
	defer cl.Close()
	var t tally
	done := func(r *kgo.Record, err error) {
		if err != nil {
			t.fail(err)
			return
		}
		t.add(1, int64(len(r.Value)))
	}
	start := time.Now()
	for i := 0; i < n && ctx.Err() == nil; i++ {
		cl.Produce(ctx, &kgo.Record{Value: values[i%len(values)]}, done)
	}
	err = cl.Flush(ctx)
	return t.result(topic, n, time.Since(start), err)
}

// ConsumeFranz reads total records of topic from the start with one
// franz-go client: in a new consumer group when group is set (committing
// every 5 s, franz-go's default), else every partition directly. Elapsed
// runs from the client's creation, so it includes joining the group.
func ConsumeFranz(ctx context.Context, c Conn, topic, group string, f Franz, total int64) (Result, error) {
	opts := []kgo.Opt{kgo.ConsumeTopics(topic)}
	how := "directly"
	if group != "" {
		opts = append(opts, kgo.ConsumerGroup(group))
		how = "in group " + group
	}
	start := time.Now()
	cl, err := f.client(c, opts...)
	if err != nil {
		return Result{}, err
	}
	defer cl.Close()
	var res Result
	for res.Records < total {
		fetches := cl.PollFetches(ctx)
		if errs := fetches.Errors(); len(errs) > 0 {
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, fmt.Sprintf("[%d]: %v", e.Partition, e.Err))
			}
			return res, fmt.Errorf("read %s %s after %d records: %s", topic, how, res.Records, strings.Join(msgs, "; "))
		}
		fetches.EachRecord(func(r *kgo.Record) {
			res.Records++
			res.Bytes += int64(len(r.Value))
		})
	}
	res.Elapsed = time.Since(start)
	if res.Records != total {
		return res, fmt.Errorf("read %d records of %s %s, its end offsets add up to %d", res.Records, topic, how, total)
	}
	return res, nil
}

// ClientVersions names the versions of kafka-go and franz-go this program
// was built with, from its build information.
func ClientVersions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "kafka-go and franz-go (versions unknown)"
	}
	var out []string
	for _, d := range info.Deps {
		switch d.Path {
		case "github.com/segmentio/kafka-go":
			out = append(out, "kafka-go "+d.Version)
		case "github.com/twmb/franz-go":
			out = append(out, "franz-go "+d.Version)
		}
	}
	return strings.Join(out, ", ")
}
