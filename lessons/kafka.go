package lessons

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol/offsetcommit"
)

// ErrTopicDiffers says a topic that already exists is not the one asked for.
var ErrTopicDiffers = errors.New("the topic already exists, made otherwise")

// TopicSpec is a topic a lesson or command needs.
type TopicSpec struct {
	Name              string
	Partitions        int
	ReplicationFactor int16
	Configs           map[string]string // topic settings, e.g. cleanup.policy
}

// OrdersTopic is the topic of the order simulation: three partitions, so
// that three consumers can share it, and as many replicas as the cluster
// can keep (up to three).
func (e *Env) OrdersTopic() TopicSpec {
	return TopicSpec{Name: e.Topic, Partitions: 3, ReplicationFactor: e.Replicas()}
}

// EnsureTopic creates the topic unless it exists, waits until its
// partitions serve requests and says so in one quiet line. Lesson 1 shows
// the CreateTopics call itself.
func EnsureTopic(ctx context.Context, env *Env, spec TopicSpec) error {
	var configs []kafka.ConfigEntry
	for k, v := range spec.Configs {
		configs = append(configs, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
	}
	sort.Slice(configs, func(i, j int) bool { return configs[i].ConfigName < configs[j].ConfigName })
	req := &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: spec.Name, NumPartitions: spec.Partitions, ReplicationFactor: int(spec.ReplicationFactor), ConfigEntries: configs,
	}}}
	var resp *kafka.CreateTopicsResponse
	// A connection a broker's restart broke (lesson 11 restarts one) fails
	// the first request sent on it: asked again on a new one.
	err := retryWhile(ctx, 10*time.Second, func(ctx context.Context) (err error) {
		resp, err = env.Client().CreateTopics(ctx, req)
		return err
	}, connectionBroke)
	if err != nil {
		return fmt.Errorf("create topic %s: %w", spec.Name, err)
	}
	existed := false
	switch err := resp.Errors[spec.Name]; {
	case err == nil:
	case errors.Is(err, kafka.TopicAlreadyExists):
		existed = true
	default:
		return fmt.Errorf("create topic %s: %w", spec.Name, err)
	}
	t, err := WaitForTopic(ctx, env, spec.Name)
	if err != nil {
		return err
	}
	// A topic made elsewhere, by hand or by a broker that auto-creates
	// topics (with num.partitions), may not be the one asked for: say so
	// rather than run a lesson on other partitions than it tells.
	if n := len(t.Partitions); spec.Partitions > 0 && n != spec.Partitions {
		return fmt.Errorf("%w: %s has %d partition(s), and this needs %d. Delete it (kafka-topics.sh --bootstrap-server %s --delete --topic %s) or choose another --topic-prefix",
			ErrTopicDiffers, spec.Name, n, spec.Partitions, env.Brokers[0], spec.Name)
	}
	if existed {
		env.Out.Say("(topic %s is ready: %s, it already existed)", spec.Name, plural(len(t.Partitions), "partition"))
	} else {
		env.Out.Say("(topic %s is ready: %s, created now)", spec.Name, plural(len(t.Partitions), "partition"))
	}
	return nil
}

// FreshTopic creates a topic of one partition whose name is name with a
// suffix of this run's own, and returns that name: a lesson that finds
// records by time must not find an earlier run's.
func FreshTopic(ctx context.Context, env *Env, name string, configs map[string]string) (string, error) {
	topic := env.Name(name + "-" + uuid.NewString()[:6])
	return topic, EnsureTopic(ctx, env, TopicSpec{Name: topic, Partitions: 1, ReplicationFactor: env.Replicas(), Configs: configs})
}

// DeleteTopics deletes topics a run made, within adminTimeout, for a
// lesson's Cleanup; a failure leaves a topic behind, and says nothing.
func DeleteTopics(env *Env, topics ...string) {
	var named []string
	for _, t := range topics {
		if t != "" {
			named = append(named, t)
		}
	}
	if len(named) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	env.Client().DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: named})
}

// DeleteGroups deletes groups a run made, within adminTimeout, for a
// lesson's Cleanup; a group that still has members, or a failure, is left
// behind, and says nothing.
func DeleteGroups(env *Env, groups ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	env.Client().DeleteGroups(ctx, &kafka.DeleteGroupsRequest{GroupIDs: groups})
}

// WaitForTopic returns the topic's metadata once every broker of the
// cluster knows it and every partition has a leader that answers
// ListOffsets. CreateTopics returns once the controller has the topic; each
// broker learns it a moment later, and a leader names itself a moment
// before it serves the partition ("Not Leader For Partition"): a new topic
// is not usable before all that.
func WaitForTopic(ctx context.Context, env *Env, topic string) (kafka.Topic, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		t, err := DescribeTopic(ctx, env, topic)
		if err == nil && !ready(t) {
			err = errors.New("partitions still have no leader")
		}
		if err == nil {
			err = knownEverywhere(ctx, env, t)
		}
		if err == nil {
			if _, err = listWatermarks(ctx, env, t); err == nil {
				return t, nil
			}
		}
		select {
		case <-ctx.Done():
			return kafka.Topic{}, fmt.Errorf("topic %s is not ready: %w", topic, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// knownEverywhere says which broker does not yet know every partition of
// t, with a leader, or nil.
func knownEverywhere(ctx context.Context, env *Env, t kafka.Topic) error {
	views, err := ReadEveryBroker(ctx, env, t.Name)
	if err != nil {
		return err
	}
	for _, v := range views {
		if len(v.Partitions) != len(t.Partitions) {
			return fmt.Errorf("broker %d knows %d of its %d partitions", v.Broker, len(v.Partitions), len(t.Partitions))
		}
		for _, p := range v.Partitions {
			if p.Leader < 0 {
				return fmt.Errorf("broker %d knows no leader of partition %d", v.Broker, p.Partition)
			}
		}
	}
	return nil
}

func ready(t kafka.Topic) bool {
	if len(t.Partitions) == 0 {
		return false
	}
	for _, p := range t.Partitions {
		if p.Leader.Port == 0 || p.Error != nil {
			return false
		}
	}
	return true
}

// ErrNoTopic says a topic does not exist.
var ErrNoTopic = errors.New("topic does not exist")

// DescribeTopic returns a topic's partitions, sorted by id.
func DescribeTopic(ctx context.Context, env *Env, topic string) (kafka.Topic, error) {
	md, err := env.Client().Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return kafka.Topic{}, fmt.Errorf("read metadata of %s: %w", topic, err)
	}
	for _, t := range md.Topics {
		if t.Name != topic {
			continue
		}
		if errors.Is(t.Error, kafka.UnknownTopicOrPartition) {
			return kafka.Topic{}, fmt.Errorf("%s: %w", topic, ErrNoTopic)
		}
		if t.Error != nil {
			return kafka.Topic{}, fmt.Errorf("read metadata of %s: %w", topic, t.Error)
		}
		sort.Slice(t.Partitions, func(i, j int) bool { return t.Partitions[i].ID < t.Partitions[j].ID })
		return t, nil
	}
	return kafka.Topic{}, fmt.Errorf("%s: %w", topic, ErrNoTopic)
}

// ListTopics returns the names of the topics that are not internal, sorted.
func ListTopics(ctx context.Context, env *Env) ([]string, error) {
	md, err := env.Client().Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	var names []string
	for _, t := range md.Topics {
		if !t.Internal {
			names = append(names, t.Name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		names = []string{"(none)"}
	}
	return names, nil
}

// Watermarks is a partition's first offset and its high watermark (Last):
// the end of what consumers may read. On one broker it is also the offset
// the next record gets; on a cluster that log end offset can be ahead of it
// while followers catch up.
type Watermarks struct {
	Partition   int
	First, Last int64
}

// ReadWatermarks returns the first and last offsets of every partition.
func ReadWatermarks(ctx context.Context, env *Env, topic string) ([]Watermarks, error) {
	t, err := DescribeTopic(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	return listWatermarks(ctx, env, t)
}

func listWatermarks(ctx context.Context, env *Env, t kafka.Topic) ([]Watermarks, error) {
	topic := t.Name
	var reqs []kafka.OffsetRequest
	for _, p := range t.Partitions {
		reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
	}
	resp, err := env.Client().ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	var out []Watermarks
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("list offsets of %s [%d]: %w", topic, p.Partition, p.Error)
		}
		out = append(out, Watermarks{Partition: p.Partition, First: p.FirstOffset, Last: p.LastOffset})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out, nil
}

// DrawPartition draws a partition as a row of offsets, with a marker under
// the reader's position (pos < 0: no reader). Long partitions are elided in
// the middle.
func DrawPartition(w Watermarks, pos int64) string {
	const edge = 4
	var cells []string
	var offsets []int64
	add := func(o int64) { cells = append(cells, fmt.Sprintf("%d", o)); offsets = append(offsets, o) }
	for o := w.First; o < w.Last; o++ {
		if w.Last-w.First > 2*edge+1 && o == w.First+edge {
			cells = append(cells, "…")
			offsets = append(offsets, -1)
			o = w.Last - edge - 1
			continue
		}
		add(o)
	}
	var row, marks strings.Builder
	fmt.Fprintf(&row, "partition %d │", w.Partition)
	pad := strings.Repeat(" ", len([]rune(row.String())))
	marks.WriteString(pad)
	placed := false
	for i, c := range cells {
		cell := " " + c + " │"
		row.WriteString(cell)
		m := strings.Repeat(" ", len([]rune(cell)))
		if offsets[i] == pos {
			m = " ^" + strings.Repeat(" ", len([]rune(cell))-2)
			placed = true
		}
		marks.WriteString(m)
	}
	end := fmt.Sprintf(" high watermark: %d", w.Last)
	if len(cells) == 0 {
		end = fmt.Sprintf(" (empty) high watermark: %d", w.Last)
	}
	row.WriteString(end)
	if pos < 0 {
		return row.String()
	}
	switch {
	case placed:
		marks.WriteString(fmt.Sprintf("reader at offset %d", pos))
	case pos == w.Last:
		marks.WriteString(" ^ reader at the end (offset " + fmt.Sprint(pos) + "): waits for the next record")
	case pos > w.Last:
		marks.WriteString(fmt.Sprintf(" ✗ reader at offset %d: past the end", pos))
	default:
		marks.WriteString(fmt.Sprintf("✗ reader at offset %d: before the first offset %d", pos, w.First))
	}
	return row.String() + "\n" + marks.String()
}

// commitRetrying sends an OffsetCommit. A fresh broker creates its
// __consumer_offsets topic on the first group request and answers "not
// coordinator" until it is ready: a temporary error (kafka.Error.Temporary),
// so it tries again, for up to 10 s.
func commitRetrying(ctx context.Context, client *kafka.Client, req *kafka.OffsetCommitRequest) error {
	return RetryTemporary(ctx, 10*time.Second, func(ctx context.Context) error { return commitOnce(ctx, client, req) })
}

// RetryTemporary calls fn until it returns nil or an error that is not a
// temporary kafka.Error (such as "not coordinator" while a fresh broker
// sets up its offsets topic), every 200 ms, for at most limit.
func RetryTemporary(ctx context.Context, limit time.Duration, fn func(context.Context) error) error {
	return retryWhile(ctx, limit, fn, func(err error) bool {
		var kerr kafka.Error
		return errors.As(err, &kerr) && kerr.Temporary()
	})
}

// connectionBroke says err is a connection that closed under a request:
// a broker that stopped or restarted since the connection was made.
func connectionBroke(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// retryWhile calls fn every 200 ms, for at most limit, until it returns
// nil or an error again does not accept; it returns fn's last error.
func retryWhile(ctx context.Context, limit time.Duration, fn func(context.Context) error, again func(error) bool) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		err := fn(ctx)
		if err == nil || !again(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// pollUntil calls check every interval until it reports done, for at most
// limit. It returns nil once done, an error of check's at once, and
// errPollLimit when the time is up, for the caller to say what it last saw.
func pollUntil(ctx context.Context, limit, interval time.Duration, check func(context.Context) (done bool, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return errPollLimit
		case <-time.After(interval):
		}
	}
}

// errPollLimit says pollUntil ran out of time.
var errPollLimit = errors.New("not within the time allowed")

// commitOnce returns the first error, of the request or of a partition.
//
// It sends kafka-go's own OffsetCommit request, not Client.OffsetCommit:
// that one leaves CommittedLeaderEpoch at Go's zero value, so a broker
// stores "leader epoch 0" with every offset (pinned by
// TestKafkaGo_ClientOffsetCommitStoresLeaderEpochZero). A client that checks
// a committed offset against its epoch (franz-go, the Java consumer: KIP-320)
// then asks where epoch 0 ended, and once the partition's leader has
// changed, that is before the offset: it reports lost records that were
// never lost. -1 says "no epoch known", and nothing is checked.
func commitOnce(ctx context.Context, client *kafka.Client, req *kafka.OffsetCommitRequest) error {
	msg := &offsetcommit.Request{GroupID: req.GroupID, GenerationID: int32(req.GenerationID), MemberID: req.MemberID,
		GroupInstanceID: req.InstanceID, RetentionTimeMs: -1} // -1: the broker's offsets.retention.minutes (sent at v2–v4 only)
	for topic, commits := range req.Topics {
		t := offsetcommit.RequestTopic{Name: topic}
		for _, c := range commits {
			t.Partitions = append(t.Partitions, offsetcommit.RequestPartition{PartitionIndex: int32(c.Partition),
				CommittedOffset: c.Offset, CommittedMetadata: c.Metadata, CommittedLeaderEpoch: -1})
		}
		msg.Topics = append(msg.Topics, t)
	}
	if client.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, client.Timeout)
		defer cancel()
	}
	transport := client.Transport
	if transport == nil {
		transport = kafka.DefaultTransport
	}
	m, err := transport.RoundTrip(ctx, client.Addr, msg)
	if err != nil {
		return fmt.Errorf("offset commit: %w", err)
	}
	resp, ok := m.(*offsetcommit.Response)
	if !ok {
		return fmt.Errorf("offset commit: unexpected response %T", m)
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if p.ErrorCode != 0 {
				return fmt.Errorf("partition %d: %w", p.PartitionIndex, kafka.Error(p.ErrorCode))
			}
		}
	}
	return nil
}
