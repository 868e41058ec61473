package lessons_test

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
)

// Exercise 9's hint: "A Reader without a GroupID is no member of any
// group: it reads one partition, ReaderConfig.Partition, 0 unless you set
// it." Records on partitions 0 and 1; such a Reader returns partition 0's
// and then waits.
func TestKafkaGo_ReaderWithoutGroupIDReadsPartition0(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 2)
	kgProduce(t, addrs, topic, 0, "on 0")
	kgProduce(t, addrs, topic, 1, "on 1")
	r := kgPartitionReader(t, kafka.ReaderConfig{Brokers: addrs, Topic: topic, MaxWait: 250 * time.Millisecond})
	if m := kgRead(t, r, 20*time.Second); m.Partition != 0 || string(m.Value) != "on 0" {
		t.Errorf("a Reader without GroupID or Partition read %s first, want partition 0's record", kgDescribe(m))
	}
	kgBlocks(t, r, 1500*time.Millisecond)
}

// Exercise 9: two Readers with one GroupID are two members of the group,
// and the group deals each a share of the partitions: the coordinator
// (DescribeGroups) shows the group Stable with two members whose shares
// are disjoint and cover the topic. One Reader is one member (pinned by
// TestKafkaGo_ReaderCloseLeavesTheGroup: Stable, 1 member).
func TestKafkaGo_TwoReadersOneGroupIDSplitThePartitions(t *testing.T) {
	addrs := kgBroker(t)
	topic := kgTopic(t, addrs, 3)
	group := "kafkago-" + uuid.NewString()[:8]
	for range 2 {
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: addrs, Topic: topic, GroupID: group,
			MaxWait: 250 * time.Millisecond, HeartbeatInterval: 250 * time.Millisecond})
		t.Cleanup(func() { r.Close() })
	}
	client := &kafka.Client{Addr: kafka.TCP(addrs...)}
	ctx := kgCtx(t, 30*time.Second)
	var last kafka.DescribeGroupsResponseGroup
	for ctx.Err() == nil {
		resp, err := client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		if err == nil && len(resp.Groups) == 1 && resp.Groups[0].Error == nil {
			last = resp.Groups[0]
			var shares [][]int
			for _, m := range last.Members {
				for _, a := range m.MemberAssignments.Topics {
					if a.Topic == topic && len(a.Partitions) > 0 {
						shares = append(shares, a.Partitions)
					}
				}
			}
			if last.GroupState == "Stable" && len(last.Members) == 2 && len(shares) == 2 {
				all := append(slices.Clone(shares[0]), shares[1]...)
				sort.Ints(all)
				if !slices.Equal(all, []int{0, 1, 2}) {
					t.Errorf("shares %v and %v: want each partition of 0, 1, 2 in exactly one", shares[0], shares[1])
				}
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("the group never was Stable with two members holding partitions; last seen: state %q, %d members",
		last.GroupState, len(last.Members))
}
