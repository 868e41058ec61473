package lessons

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// StreamsApp is lesson 20's Kafka Streams application (OrderCounts.java)
// as a run uses it: its topics, and the instances the run started.
type StreamsApp struct {
	env       *Env
	ID        string // application.id: the group's name, and its own topics' prefix
	Orders    string // what it reads
	Counts    string // what it writes
	folder    string // each instance's properties file and state.dir
	instances map[string]*native.App
	admin     *kgo.Client // for DescribeGroups, made on first use
}

// NewStreamsApp returns the application of id, reading orders and writing
// counts, with Kafka Streams' jars at hand (fetched with Maven on the first
// run, which says so). Nothing runs until Start.
func NewStreamsApp(ctx context.Context, env *Env, id, orders, counts string) (*StreamsApp, error) {
	if env.JVM == nil {
		return nil, errors.New("no JVM to run Kafka Streams here")
	}
	if err := fetchJars(ctx, env, env.JVM.StreamsJars); err != nil {
		return nil, err
	}
	folder, err := os.MkdirTemp("", "order-counts-")
	if err != nil {
		return nil, fmt.Errorf("a folder for the application's state: %w", err)
	}
	return &StreamsApp{env: env, ID: id, Orders: orders, Counts: counts, folder: folder, instances: map[string]*native.App{}}, nil
}

// Repartition and Changelog are the topics Kafka Streams makes for the
// topology's groupBy ("by-item") and count ("counts").
func (a *StreamsApp) Repartition() string { return a.ID + "-by-item-repartition" }
func (a *StreamsApp) Changelog() string   { return a.ID + "-counts-changelog" }

// jarsTimeout bounds the first fetch of Kafka Streams' jars.
const jarsTimeout = 10 * time.Minute

// SessionTimeout is the instances' session.timeout.ms: 10 s where Kafka's
// default is 45 s, so that a stopped instance's tasks move within a step.
const SessionTimeout = 10 * time.Second

// Start starts an instance of the application, with a state.dir of its
// own, and returns once its JVM runs. An instance of that name that runs
// already is kept (a step run again starts no second JVM).
func (a *StreamsApp) Start(ctx context.Context, name string) error {
	if app, ok := a.instances[name]; ok && app.Failure() == nil {
		return nil
	}
	props := map[string]string{
		"application.id":    a.ID,
		"bootstrap.servers": strings.Join(a.env.Brokers, ","),
		// Each count goes out as it changes, not when Streams commits
		// (every 30 s) or its cache (10 MB) is full.
		"statestore.cache.max.bytes": "0",
		"session.timeout.ms":         fmt.Sprint(SessionTimeout.Milliseconds()),
		"client.id":                  a.ID + "-" + name,
	}
	app, err := a.env.JVM.StartStreams(ctx, name, filepath.Join(a.folder, name), props, a.Orders, a.Counts)
	if err != nil {
		return err
	}
	a.instances[name] = app
	return nil
}

// Stop stops an instance as Ctrl-C would, within 30 s, and returns once
// its JVM has ended.
func (a *StreamsApp) Stop(ctx context.Context, name string) error {
	app, ok := a.instances[name]
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	delete(a.instances, name)
	return app.Stop(ctx)
}

// StopAll stops every instance still running, all at once, and deletes
// their folder.
func (a *StreamsApp) StopAll() {
	for _, app := range a.instances {
		app.Close()
	}
	for name := range a.instances {
		_ = a.Stop(context.Background(), name)
	}
	if a.admin != nil {
		a.admin.Close()
		a.admin = nil
	}
	_ = os.RemoveAll(a.folder)
}

// failed says why an instance that should run has ended.
func (a *StreamsApp) failed() error {
	for _, app := range a.instances {
		if err := app.Failure(); err != nil {
			return err
		}
	}
	return nil
}

// StreamsMember is one member of the application's group: a stream thread
// of an instance, and the partitions it was assigned.
type StreamsMember struct {
	ClientID   string
	Partitions map[string][]int32 // topic: partitions
}

// Tasks names the member's tasks from its partitions: task 0_p reads
// partition p of the orders (sub-topology 0), task 1_p partition p of the
// repartition topic (sub-topology 1).
func (a *StreamsApp) Tasks(m StreamsMember) []string {
	var tasks []string
	for i, topic := range []string{a.Orders, a.Repartition()} {
		for _, p := range m.Partitions[topic] {
			tasks = append(tasks, fmt.Sprintf("%d_%d", i, p))
		}
	}
	sort.Strings(tasks)
	return tasks
}

// StreamsGroup is the application's group as DescribeGroups tells it.
type StreamsGroup struct {
	State        string // Stable, PreparingRebalance, CompletingRebalance, Empty, Dead
	ProtocolType string // "consumer": the classic group protocol
	Protocol     string // the assignor the members chose: "stream"
	Members      []StreamsMember
}

// DescribeStreamsGroup asks the group's coordinator about the application's
// group with franz-go's kmsg, which reads the member metadata Java clients
// send (kafka-go's DescribeGroups does not: see step 4).
func (a *StreamsApp) DescribeStreamsGroup(ctx context.Context) (StreamsGroup, error) {
	if a.admin == nil {
		cl, err := a.env.FranzClient()
		if err != nil {
			return StreamsGroup{}, fmt.Errorf("franz-go client: %w", err)
		}
		a.admin = cl
	}
	cl := a.admin
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{a.ID}
	resp, err := req.RequestWith(ctx, cl)
	if err == nil && len(resp.Groups) != 1 {
		err = fmt.Errorf("%d groups in the answer", len(resp.Groups))
	}
	if err == nil {
		err = kerr.ErrorForCode(resp.Groups[0].ErrorCode)
	}
	if err != nil {
		return StreamsGroup{}, fmt.Errorf("describe group %s: %w", a.ID, err)
	}
	g := resp.Groups[0]
	out := StreamsGroup{State: g.State, ProtocolType: g.ProtocolType, Protocol: g.Protocol}
	for _, m := range g.Members {
		member := StreamsMember{ClientID: m.ClientID, Partitions: map[string][]int32{}}
		var assigned kmsg.ConsumerMemberAssignment
		if len(m.MemberAssignment) > 0 {
			if err := assigned.ReadFrom(m.MemberAssignment); err != nil {
				return StreamsGroup{}, fmt.Errorf("the assignment of %s: %w", m.ClientID, err)
			}
		}
		for _, t := range assigned.Topics {
			ps := slices.Clone(t.Partitions)
			slices.Sort(ps)
			member.Partitions[t.Topic] = ps
		}
		out.Members = append(out.Members, member)
	}
	sort.Slice(out.Members, func(i, j int) bool { return out.Members[i].ClientID < out.Members[j].ClientID })
	return out, nil
}

// WaitForTasks waits until the group is stable with one member per
// running instance, and each of the six tasks is some member's, once: the
// instances are running. It fails at once if an instance's JVM ends, with
// what it printed.
func (a *StreamsApp) WaitForTasks(ctx context.Context, within time.Duration) (StreamsGroup, error) {
	members := len(a.instances)
	var last StreamsGroup
	var lastErr error
	err := pollUntil(ctx, within, 300*time.Millisecond, func(ctx context.Context) (bool, error) {
		if ctx.Err() == nil { // else Ctrl-C, which stops the instances too
			if err := a.failed(); err != nil {
				return false, err
			}
		}
		g, err := a.DescribeStreamsGroup(ctx)
		if lastErr = err; err != nil {
			return false, nil // asked again
		}
		last = g
		return a.settled(g, members), nil
	})
	if errors.Is(err, errPollLimit) {
		return last, fmt.Errorf("the group %s did not settle on %d member(s) holding the 6 tasks within %v (last seen: %s, %v)",
			a.ID, members, within, a.describe(last), lastErr)
	}
	return last, err
}

// settled: stable, members members, every task held once, none without.
func (a *StreamsApp) settled(g StreamsGroup, members int) bool {
	if g.State != "Stable" || len(g.Members) != members {
		return false
	}
	var all []string
	for _, m := range g.Members {
		tasks := a.Tasks(m)
		if len(tasks) == 0 {
			return false
		}
		all = append(all, tasks...)
	}
	slices.Sort(all)
	return slices.Equal(all, []string{"0_0", "0_1", "0_2", "1_0", "1_1", "1_2"})
}

func (a *StreamsApp) describe(g StreamsGroup) string {
	parts := []string{g.State}
	for _, m := range g.Members {
		parts = append(parts, fmt.Sprintf("%s %v", m.ClientID, a.Tasks(m)))
	}
	return strings.Join(parts, "; ")
}

// Counts reads a topic of counts (keys are items, values 8-byte big-endian
// numbers, as Kafka Streams' Long serde writes them) and returns each
// item's last count and how many records it read.
func Counts(ctx context.Context, env *Env, topic string, partitions int) (map[string]int64, int, error) {
	last := map[string]int64{}
	n := 0
	for p := range partitions {
		msgs, err := ReadPartition(ctx, env, topic, p)
		if err != nil {
			return nil, n, err
		}
		for _, m := range msgs {
			if len(m.Value) != 8 {
				return nil, n, fmt.Errorf("%s [%d] @ %d: a value of %d bytes, not a count", topic, p, m.Offset, len(m.Value))
			}
			last[string(m.Key)] = int64(binary.BigEndian.Uint64(m.Value))
			n++
		}
	}
	return last, n, nil
}

// WaitForCounts waits until the last count of each item in topic is want's.
func WaitForCounts(ctx context.Context, env *Env, topic string, want map[string]int64) (map[string]int64, int, error) {
	var got map[string]int64
	var n int
	var lastErr error
	err := pollUntil(ctx, 30*time.Second, 500*time.Millisecond, func(ctx context.Context) (bool, error) {
		got, n, lastErr = Counts(ctx, env, topic, 3)
		return lastErr == nil && maps.Equal(got, want), nil
	})
	if err != nil {
		return got, n, fmt.Errorf("the counts in %s are %v, and %v were expected within 30 s (%v)", topic, got, want, lastErr)
	}
	return got, n, nil
}

// OrderCountsSource is the Java source of the application.
func OrderCountsSource() string { return native.OrderCountsSource }

// Topology is the part of OrderCounts.java that builds the topology,
// without its indentation.
func Topology() string {
	src := OrderCountsSource()
	start := strings.Index(src, "StreamsBuilder builder")
	end := strings.Index(src, "KafkaStreams streams")
	if start < 0 || end < start {
		return src
	}
	lines := strings.Split(strings.TrimRight(src[start:end], "\n "), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "        ") // the body's two levels
	}
	return strings.Join(lines, "\n")
}

// DescribeMadeTopic returns the partition count and settings of a topic
// another client made, once every broker knows it (within 15 s). Each look
// goes through a transport of its own: a pooled one answers metadata from
// what it read up to 6 s ago, maybe before the topic, and in a cluster the
// broker asked may learn of a new topic a moment after another.
func DescribeMadeTopic(ctx context.Context, env *Env, topic string, settings ...string) (int, map[string]string, error) {
	var partitions int
	var values map[string]string
	var lastErr error
	err := pollUntil(ctx, 15*time.Second, 200*time.Millisecond, func(ctx context.Context) (bool, error) {
		fresh := freshEnv(env)
		defer fresh.Close()
		t, err := DescribeTopic(ctx, fresh, topic)
		if err == nil {
			err = knownEverywhere(ctx, fresh, t)
		}
		if err == nil {
			partitions = len(t.Partitions)
			values, err = TopicSettings(ctx, fresh, topic, settings...)
		}
		lastErr = err
		return err == nil, nil // an error: looked at again
	})
	if err != nil {
		return 0, nil, fmt.Errorf("topic %s: %w", topic, lastErr)
	}
	return partitions, values, nil
}

// TopicSettings returns the live values of a topic's settings, as
// DescribeConfigs reports them.
func TopicSettings(ctx context.Context, env *Env, topic string, names ...string) (map[string]string, error) {
	resp, err := env.Client().DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{
		Resources: []kafka.DescribeConfigRequestResource{{ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: names}},
	})
	if err != nil {
		return nil, fmt.Errorf("describe the settings of %s: %w", topic, err)
	}
	out := map[string]string{}
	for _, r := range resp.Resources {
		if r.Error != nil {
			return nil, fmt.Errorf("describe the settings of %s: %w", topic, r.Error)
		}
		for _, c := range r.ConfigEntries {
			out[c.ConfigName] = c.ConfigValue
		}
	}
	return out, nil
}
