package lessons

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Member is one member of a consumer group, built on kafka-go's
// ConsumerGroup. A Reader with a GroupID runs a ConsumerGroup inside and
// keeps the assignment to itself; a ConsumerGroup hands each new generation
// of the group to the program (Next), and Generation.Assignments is this
// member's share of the partitions. A Member takes every generation as it
// comes, so that its assignment can be shown.
type Member struct {
	Name  string
	topic string
	group *kafka.ConsumerGroup
	done  chan struct{}

	mu      sync.Mutex
	gen     *kafka.Generation
	lastErr error
}

// Join makes a member called name: a ConsumerGroup with cfg, connecting to
// env's brokers with the client id name (brokers start a member's id with
// its client id, so members are easy to tell apart). It returns at once; the
// member joins in the background, and Settle waits for the group.
func Join(env *Env, name string, cfg kafka.ConsumerGroupConfig) (*Member, error) {
	dialer := *env.Dialer
	dialer.ClientID = name
	cfg.Brokers, cfg.Dialer = env.Brokers, &dialer
	cg, err := kafka.NewConsumerGroup(cfg)
	if err != nil {
		return nil, fmt.Errorf("member %s of group %s: %w", name, cfg.ID, err)
	}
	m := &Member{Name: name, topic: cfg.Topics[0], group: cg, done: make(chan struct{})}
	go m.run()
	return m, nil
}

// run takes the generations the group hands out until the member closes.
func (m *Member) run() {
	defer close(m.done)
	for {
		gen, err := m.group.Next(context.Background())
		if errors.Is(err, kafka.ErrGroupClosed) {
			return
		}
		m.mu.Lock()
		if err != nil {
			m.lastErr = err // the group tries again by itself
		} else {
			m.gen, m.lastErr = gen, nil
		}
		m.mu.Unlock()
	}
}

// Assignment returns the member's latest generation (0: none yet) and its
// partitions of the topic in that generation, sorted; none is an empty list.
func (m *Member) Assignment() (generation int32, partitions []int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	partitions = []int{}
	if m.gen == nil {
		return 0, partitions
	}
	for _, a := range m.gen.Assignments[m.topic] {
		partitions = append(partitions, a.ID)
	}
	sort.Ints(partitions)
	return m.gen.ID, partitions
}

// Close leaves the group: kafka-go's ConsumerGroup.Close sends LeaveGroup,
// so the coordinator rebalances the others at once.
func (m *Member) Close() error {
	err := m.group.Close()
	<-m.done
	return err
}

func (m *Member) describe() string {
	gen, parts := m.Assignment()
	m.mu.Lock()
	defer m.mu.Unlock()
	s := fmt.Sprintf("%s: generation %d, partitions %v", m.Name, gen, parts)
	if m.lastErr != nil {
		s += fmt.Sprintf(" (last error: %v)", m.lastErr)
	}
	return s
}

// settleTimeout bounds a rebalance. Members heartbeat every 250 ms in
// lesson 9, so one takes well under a second; a member that died without
// leaving holds it up to the session timeout.
const settleTimeout = 20 * time.Second

// Settle waits until every member holds the same generation, newer than
// after, and returns its id: the group has finished rebalancing, and every
// member knows its share.
func Settle(ctx context.Context, members []*Member, after int32) (int32, error) {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for {
		gen, same := int32(-1), true
		for _, m := range members {
			g, _ := m.Assignment()
			if gen == -1 {
				gen = g
			}
			same = same && g == gen
		}
		if same && gen > after {
			return gen, nil
		}
		select {
		case <-ctx.Done():
			var states []string
			for _, m := range members {
				states = append(states, m.describe())
			}
			return 0, fmt.Errorf("the group did not settle within %v: %s", settleTimeout, strings.Join(states, "; "))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TakeMember removes the member called name from members, and returns it
// and the others.
func TakeMember(members []*Member, name string) (*Member, []*Member, error) {
	for i, m := range members {
		if m.Name == name {
			rest := append(append([]*Member(nil), members[:i]...), members[i+1:]...)
			return m, rest, nil
		}
	}
	return nil, members, fmt.Errorf("%s is not in the group any more: run the lesson's first group step again", name)
}

// CloseMembers closes the members all at once, waiting at most 5 s: a
// member closing in the middle of a rebalance first finishes its join.
func CloseMembers(members []*Member) {
	var wg sync.WaitGroup
	for _, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			CloseWithin(m, 5*time.Second)
		}()
	}
	wg.Wait()
}

// From returns a Printer that marks every record it reports as reported by
// who ("billing"), and passes everything else to out unchanged.
func From(out Printer, who string) Printer { return fromPrinter{out, who} }

type fromPrinter struct {
	Printer
	who string
}

func (p fromPrinter) Record(r Record) {
	r.From = p.who
	p.Printer.Record(r)
}

// ReadAndCommit fetches n records with r, a Reader with a GroupID, reports
// each through out, then commits them all: processed, then committed, at
// least once (lesson 6). It gives up after 20 s.
func ReadAndCommit(ctx context.Context, out Printer, r *kafka.Reader, n int64) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var read []kafka.Message
	for int64(len(read)) < n {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("group %s: fetch record %d of %d: %w", r.Config().GroupID, len(read)+1, n, err)
		}
		Receive(out, msg)
		read = append(read, msg)
	}
	if len(read) == 0 {
		return nil
	}
	if err := r.CommitMessages(ctx, read...); err != nil {
		return fmt.Errorf("group %s: commit: %w", r.Config().GroupID, err)
	}
	return nil
}

// PartitionLag is how far a group is behind on one partition: the high
// watermark minus the offset the group committed. With nothing committed
// (Committed -1) it is unknown (-1).
type PartitionLag struct {
	Partition     int
	HighWatermark int64
	Committed     int64
	Behind        int64
}

// String says "high watermark 9 − committed 8 = 1 behind".
func (l PartitionLag) String() string {
	if l.Committed < 0 {
		return fmt.Sprintf("high watermark %d, nothing committed", l.HighWatermark)
	}
	return fmt.Sprintf("high watermark %d − committed %d = %d behind", l.HighWatermark, l.Committed, l.Behind)
}

// GroupLag reads a group's lag on every partition of topic: the high
// watermarks with ListOffsets, the committed offsets with OffsetFetch.
func GroupLag(ctx context.Context, env *Env, group, topic string) ([]PartitionLag, error) {
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	committed, err := CommittedOffsets(ctx, env, group, topic, len(marks))
	if err != nil {
		return nil, err
	}
	var out []PartitionLag
	for _, w := range marks {
		l := PartitionLag{Partition: w.Partition, HighWatermark: w.Last, Committed: committed[w.Partition], Behind: -1}
		if l.Committed >= 0 {
			l.Behind = l.HighWatermark - l.Committed
		}
		out = append(out, l)
	}
	return out, nil
}

// CommittedOffsets returns the offsets a group committed on partitions 0
// to n-1 of topic (OffsetFetch); -1 where it committed nothing.
func CommittedOffsets(ctx context.Context, env *Env, group, topic string, n int) (map[int]int64, error) {
	partitions := make([]int, n)
	for i := range partitions {
		partitions[i] = i
	}
	resp, err := env.Client().OffsetFetch(ctx, &kafka.OffsetFetchRequest{
		GroupID: group,
		Topics:  map[string][]int{topic: partitions},
	})
	committed := map[int]int64{}
	for _, p := range partitions {
		committed[p] = -1
	}
	if err == nil {
		err = resp.Error
	}
	if errors.Is(err, kafka.GroupIdNotFound) {
		return committed, nil // how kfake answers for a group it does not know: nothing committed
	}
	if err != nil {
		return nil, fmt.Errorf("fetch the offsets of group %s: %w", group, err)
	}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("fetch the offset of group %s on %s [%d]: %w", group, topic, p.Partition, p.Error)
		}
		committed[p.Partition] = p.CommittedOffset
	}
	return committed, nil
}

// Unread counts the records of topic that group has not read yet: on each
// partition, from its committed offset, or from the first offset where it
// committed nothing (a new group starts there, StartOffset being
// FirstOffset), to the high watermark.
func Unread(ctx context.Context, env *Env, group, topic string) (int64, error) {
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return 0, err
	}
	committed, err := CommittedOffsets(ctx, env, group, topic, len(marks))
	if err != nil {
		return 0, err
	}
	var n int64
	for _, w := range marks {
		from := committed[w.Partition]
		if from < w.First {
			from = w.First
		}
		n += max(w.Last-from, 0)
	}
	return n, nil
}

// BrokerSetting returns a broker setting's live value, as DescribeConfigs
// reports it for the first broker the metadata lists.
func BrokerSetting(ctx context.Context, env *Env, name string) (string, error) {
	client := env.Client()
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{}})
	if err != nil {
		return "", fmt.Errorf("metadata: %w", err)
	}
	if len(md.Brokers) == 0 {
		return "", errors.New("metadata lists no broker")
	}
	node := md.Brokers[0].ID
	resp, err := client.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{
		Resources: []kafka.DescribeConfigRequestResource{{
			ResourceType: kafka.ResourceTypeBroker, ResourceName: fmt.Sprint(node), ConfigNames: []string{name},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("describe %s of broker %d: %w", name, node, err)
	}
	for _, r := range resp.Resources {
		if r.Error != nil {
			return "", fmt.Errorf("describe %s of broker %d: %w", name, node, r.Error)
		}
		for _, c := range r.ConfigEntries {
			if c.ConfigName == name {
				return c.ConfigValue, nil
			}
		}
	}
	return "", fmt.Errorf("broker %d does not report %s", node, name)
}

// DescribeGroup asks the group's coordinator for its state and members
// (DescribeGroups, the classic protocol's view).
func DescribeGroup(ctx context.Context, env *Env, group string) (kafka.DescribeGroupsResponseGroup, error) {
	resp, err := env.Client().DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err == nil && len(resp.Groups) != 1 {
		err = fmt.Errorf("%d groups in the answer", len(resp.Groups))
	}
	if err == nil {
		err = resp.Groups[0].Error
	}
	if err != nil {
		return kafka.DescribeGroupsResponseGroup{}, fmt.Errorf("describe group %s: %w", group, err)
	}
	return resp.Groups[0], nil
}

// Cook stands for an order handler that waits on something slow (a
// minute), and gives up when its context is done.
func Cook(ctx context.Context, msg kafka.Message) error {
	select {
	case <-time.After(time.Minute):
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cook the order at offset %d: %w", msg.Offset, ctx.Err())
	}
}

// GroupTypes lists every group the brokers know (ListGroups, from every
// broker) with its type: "classic", or "consumer" for KIP-848's protocol.
func GroupTypes(ctx context.Context, env *Env) (map[string]string, error) {
	cl, err := env.FranzClient()
	if err != nil {
		return nil, fmt.Errorf("franz-go client: %w", err)
	}
	defer cl.Close()
	resp, err := kmsg.NewPtrListGroupsRequest().RequestWith(ctx, cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	types := map[string]string{}
	for _, g := range resp.Groups {
		types[g.Group] = g.GroupType
	}
	return types, nil
}

// ConsumerGroup is a KIP-848 group as its coordinator describes it.
type ConsumerGroup struct {
	State    string
	Epoch    int32  // the group's epoch: it grows with every change of members
	Assignor string // the server-side assignor the coordinator ran
	Members  []ConsumerGroupMember
}

// ConsumerGroupMember is one member of a KIP-848 group.
type ConsumerGroupMember struct {
	ID         string
	Epoch      int32 // the group epoch this member has caught up with
	Partitions []int // its partitions, sorted
}

// DescribeConsumerGroup asks the coordinator of a KIP-848 group about it
// (ConsumerGroupDescribe; DescribeGroups only describes classic groups).
func DescribeConsumerGroup(ctx context.Context, env *Env, group string) (ConsumerGroup, error) {
	cl, err := env.FranzClient()
	if err != nil {
		return ConsumerGroup{}, fmt.Errorf("franz-go client: %w", err)
	}
	defer cl.Close()
	req := kmsg.NewPtrConsumerGroupDescribeRequest()
	req.Groups = []string{group}
	resp, err := req.RequestWith(ctx, cl)
	if err == nil && len(resp.Groups) != 1 {
		err = fmt.Errorf("%d groups in the answer", len(resp.Groups))
	}
	if err == nil {
		err = kerr.ErrorForCode(resp.Groups[0].ErrorCode)
	}
	if err != nil {
		return ConsumerGroup{}, fmt.Errorf("describe consumer group %s: %w", group, err)
	}
	g := resp.Groups[0]
	out := ConsumerGroup{State: g.State, Epoch: g.Epoch, Assignor: g.AssignorName}
	for _, m := range g.Members {
		member := ConsumerGroupMember{ID: m.MemberID, Epoch: m.MemberEpoch, Partitions: []int{}}
		for _, t := range m.Assignment.TopicPartitions {
			for _, p := range t.Partitions {
				member.Partitions = append(member.Partitions, int(p))
			}
		}
		sort.Ints(member.Partitions)
		out.Members = append(out.Members, member)
	}
	return out, nil
}

// Feature returns the level of a cluster feature (KIP-584) that is
// switched on (finalized; 0 when off) and the highest level the broker
// supports (0 when it does not know the feature), from ApiVersions.
func Feature(ctx context.Context, env *Env, name string) (finalized, supported int16, err error) {
	cl, err := env.FranzClient()
	if err != nil {
		return 0, 0, fmt.Errorf("franz-go client: %w", err)
	}
	defer cl.Close()
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName, req.ClientSoftwareVersion = "kafka-go-lessons", "1"
	resp, err := req.RequestWith(ctx, cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("api versions: %w", err)
	}
	for _, f := range resp.FinalizedFeatures {
		if f.Name == name {
			finalized = f.MaxVersionLevel
		}
	}
	for _, f := range resp.SupportedFeatures {
		if f.Name == name {
			supported = f.MaxVersion
		}
	}
	return finalized, supported, nil
}
