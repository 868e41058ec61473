package class

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
)

func className() string { return "t" + uuid.NewString()[:8] + "-class" }

func deleteTopic(t testing.TB, addrs []string, name string) {
	c := &kafka.Client{Addr: kafka.TCP(addrs...), Timeout: 10 * time.Second}
	if _, err := c.DeleteTopics(context.Background(), &kafka.DeleteTopicsRequest{Topics: []string{Topic(name)}}); err != nil {
		t.Logf("delete %s: %v", Topic(name), err)
	}
}

// While no broker answers, a learner's events are recorded at once and
// kept in the state file; the next run that reaches Kafka sends the latest
// state, whole, before any new event. The view then shows every event, each
// counted once.
func TestPublisherBrokerAwayThenBack(t *testing.T) {
	addrs, _ := testkit.Brokers(t)
	name := className()
	t.Cleanup(func() { deleteTopic(t, addrs, name) })
	path := filepath.Join(t.TempDir(), "ada.json")

	away, err := Open(Options{Brokers: []string{"127.0.0.1:1"}, Class: name, Learner: "ada", Replicas: 1, StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		start := time.Now()
		if err := away.Record(Event{Kind: ExerciseChecked, Exercise: "8"}); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 100*time.Millisecond {
			t.Errorf("Record %d waited %v with the broker away", i, took)
		}
	}
	start := time.Now()
	err = away.Close(500 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not sent yet") {
		t.Errorf("Close with the broker away: %v, want 'not sent yet'", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v, bounded by 500 ms and a send in flight", took)
	}
	var st stored
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &st); err != nil || st.State.Seq != 3 || st.Sent != 0 {
		t.Fatalf("state file: %s (%v), want seq 3, sent 0", b, err)
	}

	back, err := Open(Options{Brokers: addrs, Class: name, Learner: "ada", Replicas: 1, StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Close(20 * time.Second); err != nil {
		t.Fatalf("the state kept from the run without a broker was not sent: %v", err)
	}
	c, err := Snapshot(context.Background(), addrs, nil, name, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Learners["ada"]
	if s == nil || s.Seq != 3 || s.Exercises["8"].Tries != 3 || s.Exercises["8"].FailsInARow != 3 {
		t.Fatalf("the view: %+v", s)
	}
	b, _ = os.ReadFile(path)
	if err := json.Unmarshal(b, &st); err != nil || st.Sent != 3 {
		t.Errorf("state file after the send: %s, want sent 3", b)
	}
}

// A record written twice (a retry after a lost answer) and an older state
// written after a newer one, through Kafka: the view counts each event
// once and keeps the newest state.
func TestViewCountsARetriedSendOnce(t *testing.T) {
	addrs, _ := testkit.Brokers(t)
	name := className()
	t.Cleanup(func() { deleteTopic(t, addrs, name) })
	ctx := context.Background()
	if err := EnsureTopic(ctx, addrs, nil, name, 1); err != nil {
		t.Fatal(err)
	}
	var s State
	s.Learner = "bob"
	var values [][]byte
	for i := 0; i < 3; i++ {
		s.Apply(Event{Kind: ExerciseChecked, Exercise: "4", Time: time.Now()})
		b, _ := s.Encode()
		values = append(values, b)
	}
	w := &kafka.Writer{Addr: kafka.TCP(addrs...), Topic: Topic(name), BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll}
	defer w.Close()
	h := []kafka.Header{{Key: HeaderSchema, Value: []byte(SchemaVersion)}}
	for _, v := range [][]byte{values[0], values[2], values[2], values[1]} { // 3 retried, 2 late
		var err error
		for try := 0; try < 20; try++ { // a new topic's leader may need a moment
			if err = w.WriteMessages(ctx, kafka.Message{Key: []byte("bob"), Value: v, Headers: h}); err == nil {
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := Snapshot(ctx, addrs, nil, name, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if x := c.Learners["bob"].Exercises["4"]; x.Tries != 3 || c.Learners["bob"].Seq != 3 {
		t.Errorf("bob's exercise 4: %+v (seq %d), want 3 tries, seq 3", x, c.Learners["bob"].Seq)
	}
}

// The view's snapshot of a class nobody joined says so; of a broker that
// does not answer, it gives up within its bound.
func TestSnapshotWithoutTopicOrBroker(t *testing.T) {
	addrs, _ := testkit.Brokers(t)
	if _, err := Snapshot(context.Background(), addrs, nil, className(), 10*time.Second); err == nil || !strings.Contains(err.Error(), "no learner has published yet") {
		t.Errorf("no topic: %v", err)
	}
	start := time.Now()
	_, err := Snapshot(context.Background(), []string{"127.0.0.1:1"}, nil, "nobody", 2*time.Second)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("no broker: %v after %v", err, time.Since(start))
	}
}

// A class of 100 learners on one broker, its topic made: each records an
// event every 20 ms (5,000 events/s for the class, far more than a class
// makes), the view follows the topic. Reported: the events per second the
// view showed, the states read through Kafka (a publisher sends the
// latest state only, so there can be fewer than events), and the lag: for
// each state the view folds, how long since its event was recorded
// (median, 99th percentile, worst), and how long after the last event the
// view showed every learner's final state (the worst iteration). All over
// every iteration of the run.
func BenchmarkClassOf100(b *testing.B) {
	const learners, events, every = 100, 20, 20 * time.Millisecond
	addrs, _ := testkit.Brokers(b)
	var lags []time.Duration
	var busy, catchUp time.Duration
	read := 0
	for i := 0; i < b.N; i++ {
		name := className()
		// The topic exists, as it does once the class's first learner ran:
		// the measure is the class at work, not the topic's creation.
		if err := EnsureTopic(context.Background(), addrs, nil, name, 1); err != nil {
			b.Fatal(err)
		}
		if _, err := Snapshot(context.Background(), addrs, nil, name, 30*time.Second); err != nil {
			b.Fatal(err) // its leader answers
		}
		pubs := make([]*Publisher, learners)
		for l := range pubs {
			// No state file: a learner's is on their own laptop, and 100 of
			// them on this machine's one disk would measure the disk.
			p, err := Open(Options{Brokers: addrs, Class: name, Learner: fmt.Sprintf("learner%03d", l), Replicas: 1})
			if err != nil {
				b.Fatal(err)
			}
			pubs[l] = p
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		f, c := NewFollower(addrs, nil, name), NewClass()
		start := time.Now()
		var wg sync.WaitGroup
		var lastEvent time.Time
		var mu sync.Mutex
		for l, p := range pubs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for e := 1; e <= events; e++ {
					p.Record(Event{Kind: StepReached, Lesson: l % 16, Step: e})
					if e == events {
						break
					}
					time.Sleep(every)
				}
				mu.Lock()
				if now := time.Now(); now.After(lastEvent) {
					lastEvent = now
				}
				mu.Unlock()
			}()
		}
		seen := map[string]int64{}
		for !allAt(c, learners, events) {
			n, _, err := f.Poll(ctx, c, 100*time.Millisecond)
			read += n
			if ctx.Err() != nil {
				b.Fatalf("the view did not catch up: %v (%d learners)", err, len(c.Learners))
			}
			now := time.Now()
			for who, s := range c.Learners {
				if s.Seq > seen[who] {
					seen[who] = s.Seq
					lags = append(lags, now.Sub(s.Last.Time))
				}
			}
		}
		caughtUp := time.Now()
		wg.Wait()
		cancel()
		for _, p := range pubs {
			p.Close(time.Second)
		}
		busy += caughtUp.Sub(start)
		catchUp = max(catchUp, caughtUp.Sub(lastEvent))
		deleteTopic(b, addrs, name)
	}
	// Over every iteration: the worst catch-up, the lags of all.
	slices.Sort(lags)
	b.ReportMetric(float64(b.N*learners*events)/busy.Seconds(), "events/s")
	b.ReportMetric(float64(read)/float64(b.N), "records-read/op")
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "lag-p50-ms")
	b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "lag-p99-ms")
	b.ReportMetric(float64(lags[len(lags)-1].Microseconds())/1000, "lag-max-ms")
	b.ReportMetric(float64(catchUp.Microseconds())/1000, "catch-up-max-ms")
}

func allAt(c *Class, learners int, seq int64) bool {
	if len(c.Learners) < learners {
		return false
	}
	for _, s := range c.Learners {
		if s.Seq < seq {
			return false
		}
	}
	return true
}

// Once Kafka compacts the topic, only each learner's last state is left,
// and the view shows the same class: the topic is the class's state. The
// emulation compacts every second; Apache Kafka only compacts closed
// segments (segment.ms, 7 days by default), so this runs on the emulation.
func TestCompactedTopicIsTheClass(t *testing.T) {
	addrs, cluster := testkit.Brokers(t)
	if !cluster.Embedded {
		t.Skip("Apache Kafka compacts closed segments only: days, with the class topic's settings")
	}
	name := className()
	for _, who := range []string{"ada", "bob"} {
		p, err := Open(Options{Brokers: addrs, Class: name, Learner: who, Replicas: 1})
		if err != nil {
			t.Fatal(err)
		}
		for step := 1; step <= 5; step++ {
			p.Record(Event{Kind: StepReached, Lesson: 3, Step: step})
			for pending, _ := p.Pending(); pending; pending, _ = p.Pending() {
				time.Sleep(5 * time.Millisecond) // each state its own record
			}
		}
		if err := p.Close(10 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	before, err := Snapshot(context.Background(), addrs, nil, name, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	table := MakeTable(before, t0).Render(Screen{})
	count := func() int {
		f, c := NewFollower(addrs, nil, name), NewClass()
		n := 0
		for {
			read, done, err := f.Poll(context.Background(), c, 100*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			n += read
			if done {
				return n
			}
		}
	}
	if n := count(); n != 10 {
		t.Fatalf("%d records before compaction, want 10", n)
	}
	// The cleaner leaves the log's tail as it is (as Kafka leaves the
	// active segment): older states of each learner go.
	deadline := time.Now().Add(15 * time.Second)
	n := count()
	for ; n >= 10; n = count() {
		if time.Now().After(deadline) {
			t.Fatalf("not compacted within 15 s: %d records", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("10 records compacted to %d", n)
	after, err := Snapshot(context.Background(), addrs, nil, name, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got := MakeTable(after, t0).Render(Screen{}); got != table || after.Learners["bob"].Seq != 5 {
		t.Errorf("after compaction:\n%s\nbefore:\n%s", got, table)
	}
}
