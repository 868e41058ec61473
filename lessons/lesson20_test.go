package lessons_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// jvmEnv is an env on the test's real broker with a JVM that runs lesson
// 20's Kafka Streams application, its jars fetched beforehand. Without a
// real broker or a JDK the test is skipped, unless REQUIRE_JVM=1 (CI).
func jvmEnv(t *testing.T) (*Env, *testkit.Recorder) {
	t.Helper()
	env, rec := testkit.Env(t)
	if env.Cluster.Embedded {
		t.Skip("lesson 20 runs Kafka Streams against Apache Kafka: set KAFKA_BOOTSTRAP_SERVERS")
	}
	jvm := testkit.JVM(t, (*native.JVM).StreamsJars)
	env.JVM, env.Cluster.JVM = jvm, true
	return env, rec
}

// Lesson 20: OrderCounts, run in Java, counts the orders of each item; Go
// sees its two topics (a repartition topic that deletes, a compacted
// changelog), its counts in the output and the changelog, its group named
// after application.id with the "stream" assignor and six tasks, the tasks
// shared by two instances, and a stopped instance still in the group until
// its session expires.
func TestLesson20Streams(t *testing.T) {
	env, _ := jvmEnv(t)
	recs := playEach(t, env, numbered(t, 20))
	values := func(step int, label string) []any {
		t.Helper()
		return recs[step-1].Values(label)
	}
	one := func(step int, label string) any {
		t.Helper()
		vs := values(step, label)
		if len(vs) != 1 {
			t.Fatalf("step %d: %q reported %v, want one value", step, label, vs)
		}
		return vs[0]
	}
	id := one(1, "application.id").(string)

	// Step 2: the repartition topic, then the changelog, as Kafka made them.
	if got := values(2, "partitions"); !slices.Equal(got, []any{3, 3}) {
		t.Errorf("step 2: partitions %v, want 3 and 3 (as the input topic)", got)
	}
	if got := values(2, "cleanup.policy"); !slices.Equal(got, []any{"delete", "compact"}) {
		t.Errorf("step 2: cleanup.policy %v, want delete (repartition) and compact (changelog)", got)
	}
	if got := values(2, "retention.ms"); len(got) != 2 || got[0] != "-1" {
		t.Errorf("step 2: retention.ms %v, want -1 for the repartition topic", got)
	}

	// Step 3: ten orders, two of each of the five items.
	items := map[string]bool{}
	for i := range 10 {
		items[SampleOrder(i).Item] = true
	}
	for item := range items {
		if got := one(3, item); got != int64(2) {
			t.Errorf("step 3: %s counted %v, want 2", item, got)
		}
		if got := one(5, item); got != int64(3) {
			t.Errorf("step 5: %s counted %v, want 3", item, got)
		}
	}
	if got := one(3, "the changelog's counts are the same"); got != "true" {
		t.Errorf("step 3: the changelog's counts differ from the output's")
	}

	// Step 4: kafka-go cannot read the group; franz-go sees Streams' assignor.
	if got := one(4, "kafka-go's DescribeGroups"); !strings.Contains(got.(string), "member metadata") {
		t.Errorf("step 4: kafka-go described a group of Java 3.8 consumers: the narration says it cannot")
	}
	if got := one(4, "protocol type"); got != "consumer" {
		t.Errorf("step 4: protocol type %v, want consumer", got)
	}
	if got := one(4, "assignor"); got != "stream" {
		t.Errorf("step 4: assignor %v, want stream", got)
	}
	all := []string{"0_0", "0_1", "0_2", "1_0", "1_1", "1_2"}
	tasksOf := func(step int) (members int, tasks []string) {
		for _, e := range recs[step-1].Entries() {
			if e.Kind == testkit.KindValue && strings.HasPrefix(e.Label, id+"-instance-") {
				members++
				tasks = append(tasks, strings.Fields(e.Value.(string))...)
			}
		}
		slices.Sort(tasks)
		return members, tasks
	}
	if n, tasks := tasksOf(4); n != 1 || !slices.Equal(tasks, all) {
		t.Errorf("step 4: %d member(s) with tasks %v, want one with all six", n, tasks)
	}
	// Step 5: two instances share the six tasks.
	if n, tasks := tasksOf(5); n != 2 || !slices.Equal(tasks, all) {
		t.Errorf("step 5: %d member(s) with tasks %v, want two sharing all six", n, tasks)
	}
	// Step 6: the stopped instance is still a member; then instance-2 holds all.
	if got := one(6, "members right after instance-1 ended"); got != 2 {
		t.Errorf("step 6: %v member(s) right after instance-1 ended, want 2 (Streams sends no LeaveGroup)", got)
	}
	if got := strings.Fields(one(6, "tasks").(string)); !slices.Equal(got, all) {
		t.Errorf("step 6: the last instance holds %v, want all six tasks", got)
	}
}
