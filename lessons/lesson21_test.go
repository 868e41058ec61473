package lessons_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Lesson 21: a Connect worker lists the file connectors and made three
// compacted topics; the source turned six lines into six records without
// keys and saved the file's size as its position; the sink wrote the six
// records as lines and its group committed offset 6; InsertField added
// source=connect to every line; a strict sink failed on the first poison
// pill while a tolerant one wrote the three orders and sent both pills to
// the dead-letter topic, with headers naming where each came from.
func TestLesson21Connect(t *testing.T) {
	env, _ := jvmEnv(t)
	recs := playEach(t, env, numbered(t, 21))
	one := func(step int, label string) any { t.Helper(); return oneValue(t, recs, step, label) }
	var plugins []string
	compacted := 0
	for _, e := range recs[0].Entries() {
		if e.Kind != testkit.KindValue {
			continue
		}
		if strings.HasSuffix(e.Label, " connector") {
			plugins = append(plugins, e.Value.(string))
		}
		if v, ok := e.Value.(string); ok && strings.HasSuffix(v, "cleanup.policy=compact") {
			compacted++
		}
	}
	for _, want := range []string{"org.apache.kafka.connect.file.FileStreamSourceConnector", "org.apache.kafka.connect.file.FileStreamSinkConnector"} {
		if !contains(plugins, want) {
			t.Errorf("step 1: the plugins %v lack %s", plugins, want)
		}
	}
	if compacted != 3 {
		t.Errorf("step 1: %d compacted internal topics, want 3 (configs, offsets, status)", compacted)
	}

	received := recs[1].Records(Received)
	if len(received) != 6 {
		t.Errorf("step 2: %d orders read from the source's topic, want 6", len(received))
	}
	if got := one(2, "records with a key"); got != 0 {
		t.Errorf("step 2: %v records with a key, want 0 (FileStreamSource sends none)", got)
	}
	if got := one(2, "records equal to the file's lines"); got != 6 {
		t.Errorf("step 2: %v records equal to the lines, want 6", got)
	}
	size := one(2, "characters in the file").(int64)
	var position any
	for _, e := range recs[1].Entries() {
		if e.Kind == testkit.KindValue && strings.HasPrefix(e.Label, "position saved in ") {
			position = e.Value
		}
	}
	if position != size {
		t.Errorf("step 2: position %v saved, want the file's size %d", position, size)
	}

	if got := one(3, "lines equal to the records"); got != 6 {
		t.Errorf("step 3: %v lines equal to the records, want 6", got)
	}
	if got := one(3, "offset it committed"); got != int64(6) {
		t.Errorf("step 3: the sink's group committed %v, want 6", got)
	}
	if got := one(3, "the sink's group").(string); !strings.HasPrefix(got, "connect-"+env.Name("file-sink-")) {
		t.Errorf("step 3: the sink's group is %v, want connect-NAME with the run's prefix", got)
	}
	if got := one(4, "lines with source=connect"); got != 6 {
		t.Errorf("step 4: %v lines with source=connect, want 6", got)
	}

	if got := one(5, "the strict sink's task"); got != "FAILED" {
		t.Errorf("step 5: the strict sink's task is %v, want FAILED", got)
	}
	if got := one(5, "orders written by the tolerant sink"); got != 3 {
		t.Errorf("step 5: the tolerant sink wrote %v orders, want 3", got)
	}
	var pills []Record
	for _, r := range recs[4].Records(Delivered) {
		if _, err := DecodeOrder(r.Value); err != nil {
			pills = append(pills, r)
		}
	}
	offsets := recs[4].Values("__connect.errors.offset")
	if len(pills) != 2 || len(offsets) != 2 {
		t.Fatalf("step 5: %d pills delivered, %d dead letters with an offset header; want 2 and 2", len(pills), len(offsets))
	}
	for i, p := range pills {
		if offsets[i] != strconv.FormatInt(p.Offset, 10) {
			t.Errorf("step 5: dead letter %d says offset %v, and the pill was delivered at %d", i, offsets[i], p.Offset)
		}
	}
	for _, topic := range recs[4].Values("__connect.errors.topic") {
		if !strings.HasPrefix(topic.(string), env.Name("orders-mixed-")) {
			t.Errorf("step 5: a dead letter names topic %v, want the mixed topic", topic)
		}
	}
}
