package lessons_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

// Lesson 16 on the test broker: the four orders of step 1 are read back
// with the times they were sent with (the fourth with the Writer's clock);
// on Apache Kafka, step 2's LogAppendTime topic gives franz-go the broker's
// time for both orders and kafka-go the producer's, and the delivery report
// of the zero Time carries the broker's; step 3 finds offset 2 a quarter of
// an hour before sending, reads offsets 2 and 3, and kafka.LastOffset after
// the newest record.
func TestLesson16Time(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	start := time.Now()
	skipped := play(t, env, lesson(t, 16))
	end := time.Now()
	at := func(label string) []time.Time {
		var out []time.Time
		for _, v := range rec.Values(label) {
			out = append(out, v.(time.Time))
		}
		return out
	}
	// Step 1: 30, 20, 10 minutes before sending, then the Writer's clock.
	sent := []time.Time{at("time at offset 0")[0], at("time at offset 1")[0], at("time at offset 2")[0], at("time at offset 3")[0]}
	for i, ago := range []time.Duration{30, 20, 10} {
		if d := sent[3].Sub(sent[i]); d < ago*time.Minute || d > ago*time.Minute+5*time.Second {
			t.Errorf("offset %d was read back %v before the order sent with Time zero, want %v", i, d, ago*time.Minute)
		}
	}
	if sent[3].Before(start.Truncate(time.Millisecond)) || sent[3].After(end) {
		t.Errorf("the order sent with Time zero is read back at %v, want the Writer's clock during the lesson (%v to %v)", sent[3], start, end)
	}
	// Step 3: from a quarter of an hour before sending, offset 2; then the end.
	if got := rec.Values("offset 15 minutes before sending"); len(got) != 1 || got[0] != int64(2) {
		t.Errorf("SetOffsetAt a quarter of an hour before sending: %v, want offset 2", got)
	}
	if again := at("time at offset 2"); len(again) != 2 || !again[1].Equal(sent[2]) {
		t.Errorf("offset 2 read from the moment: %v, want %v again", again, sent[2])
	}
	if len(at("time at offset 3")) != 2 {
		t.Errorf("step 3 did not read on to offset 3")
	}
	if got := rec.Values("offset a minute from now"); len(got) != 1 || got[0] != int64(-1) {
		t.Errorf("SetOffsetAt after the newest record: %v, want -1 (kafka.LastOffset)", got)
	}
	// Step 2, on Apache Kafka only.
	if env.Cluster.Embedded {
		if len(skipped) != 1 {
			t.Errorf("on the emulation step 2 must be skipped, skipped %v", skipped)
		}
		return
	}
	report := rec.Values("delivery report, Time zero")
	franz := at("franz-go, time at offset 0")
	franz = append(franz, at("franz-go, time at offset 1")...)
	kgo := at("kafka-go, time at offset 0")
	kgo = append(kgo, at("kafka-go, time at offset 1")...)
	if len(report) != 1 || len(franz) != 2 || len(kgo) != 2 {
		t.Fatalf("step 2 reported %d delivery times, %d franz-go times, %d kafka-go times; want 1, 2, 2", len(report), len(franz), len(kgo))
	}
	for i, tm := range franz {
		if tm.Before(start.Truncate(time.Millisecond)) || tm.After(end) {
			t.Errorf("franz-go reads offset %d at %v, want the broker's clock during the lesson", i, tm)
		}
	}
	if !report[0].(time.Time).Equal(franz[1]) {
		t.Errorf("the delivery report of the zero Time says %v, the broker stamped %v", report[0], franz[1])
	}
	if d := franz[0].Sub(kgo[0]); d < 10*time.Minute || d > 10*time.Minute+5*time.Second {
		t.Errorf("kafka-go reads offset 0 %v before the broker's stamp, want the producer's time, 10 minutes before", d)
	}
}

// Lesson 16 played twice on one broker, as a learner who runs it again: each
// run has topics of its own, so the second finds offset 2 a quarter of an
// hour before sending again (not an order of the first run), and each run's
// Cleanup deletes its topics.
func TestLesson16TwiceFindsItsOwnOrders(t *testing.T) {
	env, rec := testkit.Env(t)
	logOnFailure(t, rec)
	play(t, env, lesson(t, 16))
	play(t, env, lesson(t, 16))
	if got := rec.Values("offset 15 minutes before sending"); len(got) != 2 || got[0] != int64(2) || got[1] != int64(2) {
		t.Errorf("SetOffsetAt a quarter of an hour before sending, in two runs: %v, want offset 2 each time", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		md, err := env.Client().Metadata(ctx, &kafka.MetadataRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, tp := range md.Topics {
			if strings.HasPrefix(tp.Name, env.Prefix+"orders-time-") || strings.HasPrefix(tp.Name, env.Prefix+"orders-logtime-") {
				left = append(left, tp.Name)
			}
		}
		if len(left) == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the lesson's topics are still there after its Cleanup: %v", left)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
