package lessons

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/segmentio/kafka-go"
)

// KeyedByUser turns orders into records keyed by their user: the key is
// the user's name, the value the order as JSON.
func KeyedByUser(orders []Order) ([]kafka.Message, error) {
	msgs := make([]kafka.Message, len(orders))
	for i, o := range orders {
		v, err := o.MarshalValue()
		if err != nil {
			return nil, err
		}
		msgs[i] = kafka.Message{Key: []byte(o.User), Value: v}
	}
	return msgs, nil
}

// Keyless turns orders into records without a key (a nil Key).
func Keyless(orders []Order) ([]kafka.Message, error) {
	msgs, err := KeyedByUser(orders)
	for i := range msgs {
		msgs[i].Key = nil
	}
	return msgs, err
}

// Deliveries collects a Writer's delivery reports. Its Add is a Writer's
// Completion function: it runs on the writer's goroutines, several at once,
// so it locks. With a Printer it also reports each delivery.
type Deliveries struct {
	out     Printer // nil: quiet
	mu      sync.Mutex
	records []Record
}

// NewDeliveries returns a collector that reports each delivery to out (nil:
// to nobody).
func NewDeliveries(out Printer) *Deliveries { return &Deliveries{out: out} }

// Add is a kafka.Writer Completion: it keeps and reports the messages of one
// batch, in the order they were written.
func (d *Deliveries) Add(messages []kafka.Message, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range Reported(messages, err) {
		d.records = append(d.records, r)
		if d.out != nil {
			d.out.Record(r)
		}
	}
}

// Report keeps and reports one delivery record.
func (d *Deliveries) Report(r Record) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.records = append(d.records, r)
	if d.out != nil {
		d.out.Record(r)
	}
}

// Records returns what was reported, in the order it was reported.
func (d *Deliveries) Records() []Record {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]Record(nil), d.records...)
}

// Of returns where the records with this key went, in the order they were
// reported: within one partition, the order they were written in.
func (d *Deliveries) Of(key string) Placement {
	var p Placement
	for _, r := range d.Records() {
		if string(r.Key) == key && r.Kind == Delivered {
			p.Partitions = append(p.Partitions, r.Partition)
			p.Offsets = append(p.Offsets, r.Offset)
		}
	}
	return p
}

// Placement is where the records of one key were stored: record i at
// Partitions[i], Offsets[i].
type Placement struct {
	Partitions []int
	Offsets    []int64
}

// String says "partition 1, offsets 4, 5" when every record went to one
// partition, and "partition 0 @ 3, partition 2 @ 7" otherwise.
func (p Placement) String() string {
	if len(p.Partitions) == 0 {
		return "nothing delivered"
	}
	one := true
	for _, q := range p.Partitions {
		one = one && q == p.Partitions[0]
	}
	var parts []string
	if one {
		for _, o := range p.Offsets {
			parts = append(parts, fmt.Sprint(o))
		}
		return fmt.Sprintf("partition %d, offsets %s", p.Partitions[0], strings.Join(parts, ", "))
	}
	for i := range p.Partitions {
		parts = append(parts, fmt.Sprintf("partition %d @ %d", p.Partitions[i], p.Offsets[i]))
	}
	return strings.Join(parts, ", ")
}

// Choice is the partition one balancer chose for a key.
type Choice struct {
	Balancer  string
	Partition int
}

// Choices are the partitions several balancers chose for one key.
type Choices []Choice

// String says "Hash 1 · Murmur2 2 · CRC32 0".
func (c Choices) String() string {
	var parts []string
	for _, x := range c {
		parts = append(parts, fmt.Sprintf("%s → %d", x.Balancer, x.Partition))
	}
	return strings.Join(parts, " · ")
}

// PerPartition counts delivered records per partition, for partitions 0 to
// n-1.
func PerPartition(records []Record, n int) []int {
	counts := make([]int, n)
	for _, r := range records {
		if r.Kind == Delivered && r.Partition < n {
			counts[r.Partition]++
		}
	}
	return counts
}

// WriteWith writes msgs to topic through a Writer with the given balancer
// (nil: kafka-go's default, round-robin), acks=all, in one synchronous call,
// and returns the delivery reports, quietly.
func WriteWith(ctx context.Context, env *Env, topic string, balancer kafka.Balancer, msgs []kafka.Message) ([]Record, error) {
	sent := NewDeliveries(nil)
	if err := Send(ctx, env, topic, msgs, sent.Report, Sending{Balancer: balancer}); err != nil {
		return nil, err
	}
	return sent.Records(), nil
}

// BalancerNames are the balancers `runner produce --balancer` knows, in the
// order the help lists them.
var BalancerNames = []string{"round-robin", "hash", "murmur2", "crc32"}

// RecommendedBalancer is the one lesson 8 recommends for keyed records: the
// Java client's placement, which librdkafka offers too (murmur2_random).
const RecommendedBalancer = "murmur2"

// NewBalancer returns the balancer with that name: round-robin (kafka-go's
// default), hash (kafka.Hash, FNV-1a as Sarama), murmur2
// (kafka.Murmur2Balancer, as the Java client) or crc32 (kafka.CRC32Balancer,
// as librdkafka's default).
func NewBalancer(name string) (kafka.Balancer, error) {
	switch name {
	case "round-robin":
		return &kafka.RoundRobin{}, nil
	case "hash":
		return &kafka.Hash{}, nil
	case "murmur2":
		return kafka.Murmur2Balancer{}, nil
	case "crc32":
		return kafka.CRC32Balancer{}, nil
	}
	return nil, fmt.Errorf("unknown balancer %q (balancers: %s)", name, strings.Join(BalancerNames, ", "))
}
