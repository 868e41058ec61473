package lessons

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Defaults is one setting's default in each client: the Java client's (as
// Apache Kafka documents it), kafka-go's and franz-go's (as the libraries
// give them when asked).
type Defaults struct {
	Java, KafkaGo, Franz string
}

func (d Defaults) String() string {
	return fmt.Sprintf("Java %s · kafka-go %s · franz-go %s", d.Java, d.KafkaGo, d.Franz)
}

// javaDefaults are the defaults of the Java client's settings the lessons
// compare, in Apache Kafka 3.x and 4.x, as ProducerConfig and
// ConsumerConfig document them. TestJavaClientDefaults reads them from the
// clients' own jars (3.8.1 and 4.1.1).
var javaDefaults = map[string][2]string{
	"acks":                          {"all", "all"},
	"enable.idempotence":            {"true", "true"},
	"linger.ms":                     {"0", "5"},
	"batch.size":                    {"16384", "16384"},
	"retries":                       {"2147483647", "2147483647"},
	"delivery.timeout.ms":           {"120000", "120000"},
	"compression.type":              {"none", "none"},
	"partitioner.ignore.keys":       {"false", "false"},
	"auto.offset.reset":             {"latest", "latest"},
	"session.timeout.ms":            {"45000", "45000"},
	"heartbeat.interval.ms":         {"3000", "3000"},
	"max.poll.interval.ms":          {"300000", "300000"},
	"enable.auto.commit":            {"true", "true"},
	"auto.commit.interval.ms":       {"5000", "5000"},
	"partition.assignment.strategy": {"range,cooperative-sticky", "range,cooperative-sticky"},
	"isolation.level":               {"read_uncommitted", "read_uncommitted"},
	"group.protocol":                {"classic", "classic"},
}

// JavaDefaults returns the Java client's defaults the lessons state, by
// setting: [0] in Apache Kafka 3.x, [1] in 4.x.
func JavaDefaults() map[string][2]string {
	out := make(map[string][2]string, len(javaDefaults))
	for k, v := range javaDefaults {
		out[k] = v
	}
	return out
}

// Java is a Java client setting with its default, "key=value", and the
// 3.x value when 4.0 changed it.
func Java(key string) string {
	v, ok := javaDefaults[key]
	if !ok {
		return key + "=?"
	}
	if v[0] != v[1] {
		return fmt.Sprintf("%s=%s (%s in 3.x)", key, v[1], v[0])
	}
	return key + "=" + v[1]
}

// FranzAcks names a franz-go Acks value as Java does.
func FranzAcks(v any) string {
	switch v {
	case kgo.AllISRAcks():
		return "all"
	case kgo.LeaderAck():
		return "1"
	case kgo.NoAck():
		return "0"
	}
	return fmt.Sprint(v)
}

// FranzOffset names a franz-go start offset as Java's auto.offset.reset
// would.
func FranzOffset(v any) string {
	switch v {
	case kgo.NewOffset().AtStart():
		return "AtStart (earliest)"
	case kgo.NewOffset().AtEnd():
		return "AtEnd (latest)"
	}
	return fmt.Sprint(v)
}

// FranzCompression names franz-go's compression preference.
func FranzCompression(v any) string {
	codecs, _ := v.([]kgo.CompressionCodec)
	names := map[kgo.CompressionCodec]string{
		kgo.NoCompression(): "none", kgo.GzipCompression(): "gzip", kgo.SnappyCompression(): "snappy",
		kgo.Lz4Compression(): "lz4", kgo.ZstdCompression(): "zstd",
	}
	var out []string
	for _, c := range codecs {
		if n, ok := names[c]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprint(c))
		}
	}
	return strings.Join(out, ", then ")
}

// FranzBalancers names franz-go's group balancers, in order of preference.
func FranzBalancers(v any) string {
	balancers, _ := v.([]kgo.GroupBalancer)
	var out []string
	for _, b := range balancers {
		out = append(out, b.ProtocolName())
	}
	return strings.Join(out, ", ")
}

// FetchStarted returns an option that hooks a franz-go client, and a
// channel closed when the client first sends a Fetch request: by then it
// knows where it starts reading (a group member has fetched its committed
// offsets, or looked up the partition's start or end).
func FetchStarted() (kgo.Opt, <-chan struct{}) {
	h := &fetchHook{started: make(chan struct{})}
	return kgo.WithHooks(h), h.started
}

type fetchHook struct {
	once    sync.Once
	started chan struct{}
}

func (h *fetchHook) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key == int16(kmsg.Fetch) && err == nil {
		h.once.Do(func() { close(h.started) })
	}
}
