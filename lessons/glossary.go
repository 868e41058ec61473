package lessons

import (
	"regexp"
	"strings"
)

// Term is one word of the glossary: what it means, in one plain sentence,
// and the lesson step whose narration says that sentence, verbatim, before
// the term is used anywhere else (TestGlossaryDefinedBeforeUse).
type Term struct {
	Name       string // "consumer group"
	Definition string // one sentence, verbatim in the narration of Lesson's step Step
	Lesson     int
	Step       int // from 1, as the runner numbers steps
	// Forms are the words that count as a use of the term in narration,
	// matched whole and case-insensitively: plurals, possessives, the verb's
	// tenses. Every sense counts: "commit" an offset and "commit" a
	// transaction are both uses of commit, the "leader" of a leader epoch
	// or of a group is a use of leader, any "group" is a consumer group (the
	// only groups of this course), a "transaction coordinator" is a use of
	// coordinator. A learner meets the word before the lesson can tell the
	// senses apart, so the word is defined first, whatever its sense.
	Forms []string
}

// Glossary returns the terms a beginner meets, in the order the lessons
// define them.
func Glossary() []Term {
	return []Term{
		{Name: "record", Lesson: 0, Step: 1,
			Definition: "A record is one message in Kafka: here, one food order, as JSON.",
			Forms:      []string{"record", "records", "record's", "records'"}},
		{Name: "producer", Lesson: 0, Step: 1,
			Definition: "A producer is a program that writes records.",
			Forms:      []string{"producer", "producers", "producer's"}},
		{Name: "consumer", Lesson: 0, Step: 1,
			Definition: "A consumer is a program that reads records.",
			Forms:      []string{"consumer", "consumers", "consumer's"}},
		{Name: "broker", Lesson: 0, Step: 1,
			Definition: "A broker is a Kafka server: it stores the records of topics and answers the clients that write and read them.",
			Forms:      []string{"broker", "brokers", "broker's", "brokers'"}},
		{Name: "topic", Lesson: 0, Step: 1,
			Definition: "A topic is a named stream of records, such as orders: producers append records to it and consumers read them.",
			Forms:      []string{"topic", "topics", "topic's", "topics'"}},
		{Name: "partition", Lesson: 0, Step: 1,
			Definition: "A partition is one of the ordered logs a topic is split into; each record is stored in exactly one partition.",
			Forms:      []string{"partition", "partitions", "partition's", "partitions'", "partitioned", "partitioner", "partitioning"}},
		{Name: "offset", Lesson: 0, Step: 2,
			Definition: "An offset is a record's number in its partition: Kafka gives each record written to a partition the next number, starting at 0.",
			Forms:      []string{"offset", "offsets", "offset's"}},
		{Name: "replica", Lesson: 1, Step: 2,
			Definition: "A replica is one copy of a partition, kept by one broker: a partition with three replicas is stored on three brokers.",
			Forms:      []string{"replica", "replicas", "replica's", "replicate", "replicated", "replicates", "replication"}},
		{Name: "leader", Lesson: 1, Step: 2,
			Definition: "A partition's leader is the replica that takes every write to it; the other replicas, its followers, copy the leader's records.",
			Forms:      []string{"leader", "leaders", "leader's", "leadership"}},
		{Name: "ISR", Lesson: 1, Step: 2,
			Definition: "A partition's in-sync replicas, its ISR, are its leader and the followers that have caught up with the leader within the last replica.lag.time.max.ms (30 s by default).",
			Forms:      []string{"ISR", "ISRs", "in-sync"}},
		{Name: "high watermark", Lesson: 1, Step: 3,
			Definition: "A partition's high watermark is the offset just past the last record that all its in-sync replicas have copied: consumers read only the records below it.",
			Forms:      []string{"high watermark", "high watermarks", "high watermark's", "watermark", "watermarks"}},
		{Name: "consumer group", Lesson: 4, Step: 3,
			Definition: "A consumer group is a set of consumers that share one group id and split a topic's partitions between them, each partition read by one member at a time.",
			Forms:      []string{"consumer group", "consumer groups", "group", "groups", "group's", "groups'"}},
		{Name: "commit", Lesson: 6, Step: 3,
			Definition: "To commit an offset is to store it in Kafka as the place a consumer group resumes reading a partition from: the offset of the next record to handle.",
			Forms:      []string{"commit", "commits", "committed", "committing", "uncommitted", "commit's"}},
		{Name: "coordinator", Lesson: 6, Step: 4,
			Definition: "A consumer group's coordinator is the broker that manages the group: it keeps track of its members and stores the offsets they commit.",
			Forms:      []string{"coordinator", "coordinators", "coordinator's"}},
		{Name: "generation", Lesson: 9, Step: 2,
			Definition: "A group's generation is a number the coordinator raises by one each time it shares the group's partitions out again, as members join or leave.",
			Forms:      []string{"generation", "generations", "generation's"}},
		{Name: "lag", Lesson: 9, Step: 6,
			Definition: "A group's lag on a partition is the partition's high watermark minus the offset the group committed there: how many offsets it has yet to handle.",
			Forms:      []string{"lag", "lags", "lagged", "lagging", "lag's"}},
	}
}

// Uses returns the regular expression that finds a use of the term.
func (t Term) Uses() *regexp.Regexp {
	alt := make([]string, len(t.Forms))
	for i, f := range t.Forms {
		alt[i] = strings.ReplaceAll(regexp.QuoteMeta(f), " ", `\s+`)
	}
	return regexp.MustCompile(`(?i)\b(?:` + strings.Join(alt, "|") + `)\b`)
}

// names are what a use of a term is not: configuration names
// (replica.lag.time.max.ms), Go identifiers with a package or receiver
// (env.Replicas, kafka.FirstOffset), files (groups.go), flags
// (--reset-offsets), Kafka's tools (kafka-consumer-groups) and protocol
// constants (read_uncommitted). A learner reads them as names, and the term
// inside them is defined, or not, where the word itself is used.
var names = regexp.MustCompile(`[\w-]*\w\.[\w.()]+|\w*_\w+|--[\w-]+|\bkafka-[\w-]+`)

// Unnamed is text with the names (see names) blanked out, same length, so
// that a term's use found in it is a use of the word.
func Unnamed(text string) string {
	return names.ReplaceAllStringFunc(text, func(s string) string { return strings.Repeat(" ", len(s)) })
}
