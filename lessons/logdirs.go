package lessons

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
)

// kafka-go has no DescribeLogDirs (API key 35), the request that asks a
// broker how many bytes each partition's log takes. Its protocol package
// lets a program add a request: these types are version 1 of it (v0 is gone
// from Kafka 4), and they travel over env.Transport like any other, with its
// TLS and SASL settings.
func init() { protocol.Register(&logDirsRequest{}, &logDirsResponse{}) }

type logDirsRequest struct {
	Topics []logDirsRequestTopic `kafka:"min=v1,max=v1"`
	broker int32                 // the broker asked: each answers for its own disks
}

type logDirsRequestTopic struct {
	Topic      string  `kafka:"min=v1,max=v1"`
	Partitions []int32 `kafka:"min=v1,max=v1"`
}

func (r *logDirsRequest) ApiKey() protocol.ApiKey { return protocol.DescribeLogDirs }

func (r *logDirsRequest) Broker(c protocol.Cluster) (protocol.Broker, error) {
	b, ok := c.Brokers[r.broker]
	if !ok {
		return b, fmt.Errorf("broker %d is not in the cluster's metadata", r.broker)
	}
	return b, nil
}

type logDirsResponse struct {
	ThrottleTimeMs int32           `kafka:"min=v1,max=v1"`
	Results        []logDirsResult `kafka:"min=v1,max=v1"`
}

type logDirsResult struct {
	ErrorCode int16          `kafka:"min=v1,max=v1"`
	LogDir    string         `kafka:"min=v1,max=v1"`
	Topics    []logDirsTopic `kafka:"min=v1,max=v1"`
}

type logDirsTopic struct {
	Name       string             `kafka:"min=v1,max=v1"`
	Partitions []logDirsPartition `kafka:"min=v1,max=v1"`
}

type logDirsPartition struct {
	PartitionIndex int32 `kafka:"min=v1,max=v1"`
	PartitionSize  int64 `kafka:"min=v1,max=v1"`
	OffsetLag      int64 `kafka:"min=v1,max=v1"`
	IsFutureKey    bool  `kafka:"min=v1,max=v1"`
}

func (r *logDirsResponse) ApiKey() protocol.ApiKey { return protocol.DescribeLogDirs }

// LogSize returns how many bytes the logs of topic's partitions take on
// their leaders: the record batches as the broker stores them (and as it
// sends them to consumers), after the producer's compression. Followers
// keep copies of the same size, not counted here.
func LogSize(ctx context.Context, env *Env, topic string) (int64, error) {
	t, err := DescribeTopic(ctx, env, topic)
	if err != nil {
		return 0, err
	}
	led := map[int32][]int32{} // leader → the partitions it leads
	for _, p := range t.Partitions {
		led[int32(p.Leader.ID)] = append(led[int32(p.Leader.ID)], int32(p.ID))
	}
	transport := env.Transport
	if transport == nil {
		transport = kafka.DefaultTransport.(*kafka.Transport)
	}
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	var total int64
	for leader, partitions := range led {
		req := &logDirsRequest{Topics: []logDirsRequestTopic{{Topic: topic, Partitions: partitions}}, broker: leader}
		resp, err := transport.RoundTrip(ctx, kafka.TCP(env.Brokers...), req)
		if err != nil {
			return 0, fmt.Errorf("describe the log dirs of broker %d: %w", leader, err)
		}
		for _, dir := range resp.(*logDirsResponse).Results {
			if dir.ErrorCode != 0 {
				return 0, fmt.Errorf("describe the log dir %s of broker %d: %w", dir.LogDir, leader, kafka.Error(dir.ErrorCode))
			}
			for _, rt := range dir.Topics {
				for _, rp := range rt.Partitions {
					if rt.Name == topic && !rp.IsFutureKey && slices.Contains(partitions, rp.PartitionIndex) {
						total += rp.PartitionSize
					}
				}
			}
		}
	}
	if len(led) == 0 {
		return 0, errors.New("the topic has no partitions")
	}
	return total, nil
}
