package lessons_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Issue 21's path: a beginner sends the first order and reads it back in at
// most three steps and 300 words of narration. Counted from the sources:
// the lessons in menu order, their steps in order, up to the first step
// whose code reads a record with kafka-go (after one that writes).
const (
	firstOrderMaxSteps = 3
	firstOrderMaxWords = 300
)

var (
	writesRecords = regexp.MustCompile(`\.WriteMessages\(`)
	readsRecords  = regexp.MustCompile(`\.(ReadMessage|FetchMessage)\(`)
)

// firstOrderPath returns the text a learner reads before the first order is
// back (each lesson's title and goal, each step's title and narration, in
// order), and how many steps that takes.
func firstOrderPath(t *testing.T) (texts []string, steps int) {
	t.Helper()
	wrote := false
	for _, l := range All() {
		texts = append(texts, l.Title, l.Goal)
		for _, s := range l.Plan().Steps {
			src, err := SourceOf(s)
			if err != nil {
				t.Fatal(err)
			}
			steps++
			texts = append(texts, s.Title, src.Narration)
			wrote = wrote || writesRecords.MatchString(src.Code)
			if wrote && readsRecords.MatchString(src.Code) {
				return texts, steps
			}
		}
	}
	t.Fatal("no step of any lesson reads a record back after one wrote it")
	return nil, 0
}

func TestFirstOrderInThreeStepsAndFewWords(t *testing.T) {
	texts, steps := firstOrderPath(t)
	words := 0
	for i, text := range texts {
		if i%2 == 1 { // goals and narrations; the titles are counted apart, below
			words += len(strings.Fields(text))
		}
	}
	titles := 0
	for i := 2; i < len(texts); i += 2 {
		titles += len(strings.Fields(texts[i]))
	}
	t.Logf("the first order is read back at step %d, after %d words of goal and narration (and %d of step titles)", steps, words, titles)
	if steps > firstOrderMaxSteps {
		t.Errorf("the first order is read back at step %d, want at most %d", steps, firstOrderMaxSteps)
	}
	if words > firstOrderMaxWords {
		t.Errorf("%d words of goal and narration before the first order is back, want at most %d", words, firstOrderMaxWords)
	}
}

// The four terms the first steps use are defined, each by its sentence,
// before the learner reads the term anywhere else (titles, goal,
// narration); and none of the terms the later lessons define is used yet.
func TestFirstOrderDefinesItsTermsFirst(t *testing.T) {
	texts, _ := firstOrderPath(t)
	all := strings.Join(texts, "\n")
	terms := []struct{ word, sentence string }{
		{"topic", "A topic is a named stream of records, such as orders: producers append records to it and consumers read them."},
		{"broker", "A broker is a Kafka server: it stores the records of topics and answers the clients that write and read them."},
		{"partition", "A partition is one of the ordered logs a topic is split into; each record is stored in exactly one partition."},
		{"offset", "An offset is a record's number in its partition: Kafka gives each record written to a partition the next number, starting at 0."},
	}
	flat := strings.Join(strings.Fields(all), " ") // narration wraps across lines
	for _, term := range terms {
		at := strings.Index(flat, term.sentence)
		if at < 0 {
			t.Errorf("%q is not defined by the sentence %q", term.word, term.sentence)
			continue
		}
		used := regexp.MustCompile(`(?i)\b` + term.word + `s?\b`).FindStringIndex(flat)
		if used != nil && used[0] < at {
			t.Errorf("%q is used before its definition: …%s…", term.word, flat[max(0, used[0]-60):used[1]])
		}
	}
	for _, later := range []string{"replica", "leader", "ISR", "high watermark", "consumer group", "generation", "coordinator", "commit", "lag"} {
		if loc := regexp.MustCompile(`(?i)\b` + later + `\w*`).FindStringIndex(flat); loc != nil {
			t.Errorf("%q is used before the lesson that defines it: …%s…", later, flat[max(0, loc[0]-60):loc[1]])
		}
	}
}

// Lesson 0's first three steps on a broker: the order step 2 delivered is
// the one step 3 reads back, at the partition and offset Kafka gave it, and
// franz-go, another client, finds it there too.
func TestLesson0FirstOrder(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	plan := lesson(t, 0).Plan()
	if plan.Setup != nil {
		t.Fatal("lesson 0 has a setup: its first step is what creates the topic")
	}
	for i, s := range plan.Steps[:3] {
		if s.Deeper {
			t.Errorf("step %d (%s) is marked deeper: the first order is the beginner's path", i+1, s.Title)
		}
		if err := s.Run(ctx, env); err != nil {
			t.Fatalf("step %d (%s): %v", i+1, s.Title, err)
		}
	}
	for i, s := range plan.Steps[3:] {
		if !s.Deeper {
			t.Errorf("step %d (%s) is not marked deeper", i+4, s.Title)
		}
	}

	t.Run("step 1 created the orders topic", func(t *testing.T) {
		if got := rec.Values("created topic"); len(got) != 1 || got[0] != env.Topic {
			t.Errorf("created topic %v, want %s (a fresh prefix)", got, env.Topic)
		}
		topic, err := DescribeTopic(ctx, env, env.Topic)
		if err != nil {
			t.Fatal(err)
		}
		if want := env.OrdersTopic().Partitions; len(topic.Partitions) != want {
			t.Errorf("%d partitions, want %d: the topic later lessons use", len(topic.Partitions), want)
		}
	})

	delivered := rec.Records(Delivered)
	received := rec.Records(Received)
	if len(delivered) != 1 || len(received) != 1 {
		t.Fatalf("%d delivery reports and %d orders received, want one each", len(delivered), len(received))
	}
	d, r := delivered[0], received[0]
	if d.Topic != env.Topic || r.Topic != env.Topic {
		t.Errorf("delivered to %s, read from %s, want %s", d.Topic, r.Topic, env.Topic)
	}
	if pos(d) != pos(r) || !bytes.Equal(d.Value, r.Value) {
		t.Errorf("delivered %s %s, read back %s %s", pos(d), d.Value, pos(r), r.Value)
	}
	if d.Offset != 0 {
		t.Errorf("the first record of a new partition is at offset %d, want 0", d.Offset)
	}
	if r.Order.Item == "" || r.Order.OrderID == "" {
		t.Errorf("read back %+v, want a whole order", r.Order)
	}
	for _, w := range watermarks(t, env) {
		want := int64(0)
		if w.Partition == d.Partition {
			want = d.Offset + 1
		}
		if w.Last != want {
			t.Errorf("partition %d ends at %d, want %d: one order, where the report said", w.Partition, w.Last, want)
		}
	}
	kg := kgFranzRead(t, env.Brokers, env.Topic, int32(d.Partition), false, int(d.Offset)+1)
	if last := kg[len(kg)-1]; last.Offset != d.Offset || !bytes.Equal(last.Value, d.Value) {
		t.Errorf("franz-go reads %s at partition %d offset %d, want %s at offset %d", last.Value, d.Partition, last.Offset, d.Value, d.Offset)
	}

	// Step 2 again: a new order, given the next offset of its partition.
	if err := plan.Steps[1].Run(ctx, env); err != nil {
		t.Fatalf("step 2 again: %v", err)
	}
	if again := rec.Records(Delivered); len(again) != 2 {
		t.Errorf("%d delivery reports after step 2 ran twice, want 2", len(again))
	} else if again[1].Partition == d.Partition && again[1].Offset != d.Offset+1 {
		t.Errorf("the second order in partition %d is at offset %d, want %d", d.Partition, again[1].Offset, d.Offset+1)
	}
}
