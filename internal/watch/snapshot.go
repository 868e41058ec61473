package watch

import (
	"slices"
	"strings"
	"time"
)

// Snapshot is the cluster as one poll saw it.
type Snapshot struct {
	At        time.Time
	Bootstrap []string
	ClusterID string
	Embedded  bool   // the walkthrough's embedded emulation (kfake), not Apache Kafka
	Prefix    string // the learner's prefix: topics and groups shown carry it
	AllTopics bool   // every topic and group that is not internal, whatever its name

	// Reachable says a broker answered the Metadata request of this poll.
	// When none did, Err says why, and Topics and Groups are those of the
	// last poll that reached the cluster, marked Stale.
	Reachable bool
	Err       string
	// Controller is the broker Metadata names as controller, -1 when
	// unknown. In KRaft mode that is any live broker, which takes admin
	// requests for the quorum (lesson 0): it stays the same while that
	// broker is up.
	Controller int32

	Brokers []Broker // by id
	Topics  []Topic  // by name
	Groups  []Group  // by id
	// Problems are the admin calls of this poll that failed: what they
	// would have refreshed is shown as the last poll saw it, marked Stale.
	Problems []string
}

// Broker is one broker of the cluster.
type Broker struct {
	ID   int32
	Addr string // host:port, as the broker advertises it
	Rack string
	// Up says the broker is in the cluster's metadata and answered this
	// poll. A broker seen before that is missing from the metadata, or does
	// not answer, is gone.
	Up bool
	// InMetadata says the cluster's metadata lists it.
	InMetadata bool
	// LastUp is when it last answered (zero: never, as far as this watch
	// knows).
	LastUp time.Time
}

// Topic is one topic and its partitions.
type Topic struct {
	Name       string
	Partitions []Partition // by id
	Err        string      // the topic's error in Metadata, if any
}

// Records is how many records the topic's partitions hold now.
func (t Topic) Records() int64 {
	var n int64
	for _, p := range t.Partitions {
		if p.End > p.First {
			n += p.End - p.First
		}
	}
	return n
}

// Partition is one partition: its offsets and its replicas.
type Partition struct {
	ID int32
	// First is the first offset kept, End the high watermark: the offset
	// the next record gets, and the end of what consumers may read. Both
	// are -1 while unknown.
	First, End int64
	// Stale says First and End are from an earlier poll: this one could not
	// list the partition's offsets (see Snapshot.Problems).
	Stale bool

	Leader   int32 // -1: no leader
	Replicas []int32
	ISR      []int32 // the in-sync replicas
	Offline  []int32 // replicas on brokers that are down
	Err      string  // the partition's error in Metadata or ListOffsets
}

// ShrunkISR says some replicas are not in sync: a broker is down or behind.
func (p Partition) ShrunkISR() bool { return len(p.ISR) < len(p.Replicas) }

// Missing returns the replicas that are not in the ISR.
func (p Partition) Missing() []int32 {
	var out []int32
	for _, r := range p.Replicas {
		if !slices.Contains(p.ISR, r) {
			out = append(out, r)
		}
	}
	return out
}

// Group is one consumer group.
type Group struct {
	ID          string
	State       string // Stable, PreparingRebalance, CompletingRebalance, Empty, Dead
	Coordinator int32  // the broker that coordinates it, -1 when unknown
	Members     []Member
	Offsets     []GroupOffset // by topic, then partition
	Err         string
	Stale       bool // from an earlier poll: this one could not describe it
}

// Lag is the group's total lag: the records it has not committed yet, over
// the partitions where that is known.
func (g Group) Lag() int64 {
	var n int64
	for _, o := range g.Offsets {
		if o.Lag > 0 {
			n += o.Lag
		}
	}
	return n
}

// Member is a member of a group and the partitions it holds.
type Member struct {
	ID       string // the member id the coordinator gave it
	ClientID string
	Host     string
	Assigned []Assignment // by topic
}

// Name is a short name for the member: its client id (without what
// kafka-go appends to its default one, " (github.com/segmentio/kafka-go)")
// and the end of its member id, which tells two members of one program
// apart.
func (m Member) Name() string {
	id := m.ID
	if len(id) > 4 {
		id = id[len(id)-4:]
	}
	client, _, _ := strings.Cut(m.ClientID, " ")
	return client + "…" + id
}

// Assignment is the partitions of one topic a member holds.
type Assignment struct {
	Topic      string
	Partitions []int
}

// GroupOffset is a group's position in one partition.
type GroupOffset struct {
	Topic     string
	Partition int
	Committed int64  // the next offset the group will read; -1: nothing committed
	End       int64  // the partition's high watermark; -1: unknown
	Lag       int64  // End - Committed; -1: unknown
	Holder    string // the member that holds the partition now (Member.Name), or ""
}

// Broker returns the broker with that id.
func (s *Snapshot) Broker(id int32) (Broker, bool) {
	for _, b := range s.Brokers {
		if b.ID == id {
			return b, true
		}
	}
	return Broker{}, false
}

// Topic returns the topic with that name.
func (s *Snapshot) Topic(name string) (Topic, bool) {
	for _, t := range s.Topics {
		if t.Name == name {
			return t, true
		}
	}
	return Topic{}, false
}

// Group returns the group with that id.
func (s *Snapshot) Group(id string) (Group, bool) {
	for _, g := range s.Groups {
		if g.ID == id {
			return g, true
		}
	}
	return Group{}, false
}

// Offset returns the group's offset in one partition.
func (g Group) Offset(topic string, partition int) (GroupOffset, bool) {
	for _, o := range g.Offsets {
		if o.Topic == topic && o.Partition == partition {
			return o, true
		}
	}
	return GroupOffset{}, false
}
