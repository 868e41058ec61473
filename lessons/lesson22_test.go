package lessons_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// registryEnv is an Env with a JVM to start lesson 22's registry (built
// once here), on any broker: the registry does not need one.
func registryEnv(t *testing.T) *Env {
	t.Helper()
	env, _ := testkit.Env(t)
	jvm := testkit.JVM(t, (*native.JVM).RegistryJars)
	env.JVM, env.Cluster.Registry = jvm, true
	return env
}

// Lesson 22, with the registry it starts: version 1 gets an id, and
// registering it again gives the same id and no version 2; under BACKWARD
// version 2 (a field with a default) is registered and the rename refused;
// the three levels accept what Avro's rules say; the frames carry the
// magic byte and the ids the registry gave; a version 2 consumer reads the
// three orders back through the registry, the version 1 order with
// price_cents 0.
func TestLesson22Registry(t *testing.T) {
	env := registryEnv(t)
	recs := playEach(t, env, numbered(t, 22))
	checkLesson22(t, recs)
	if got := recs[0].Values("started for this lesson, data in memory"); len(got) != 1 {
		t.Errorf("step 1: started %v, want the registry this run started", got)
	}
	if got := recs[0].Values("subjects"); len(got) != 1 || got[0] != 0 {
		t.Errorf("step 1: a new registry has %v subjects, want 0", got)
	}
}

// Lesson 22 with a registry already running (as docker-compose.yml's is):
// the lesson uses it, starts none, and deletes its subject at the end.
func TestLesson22RunningRegistry(t *testing.T) {
	env := registryEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	started, err := OpenRegistry(ctx, env) // as if someone else ran it
	if err != nil {
		t.Fatal(err)
	}
	defer started.Stop()
	env.RegistryURL = started.URL
	recs := playEach(t, env, numbered(t, 22))
	checkLesson22(t, recs)
	if got := recs[0].Values("started for this lesson, data in memory"); len(got) != 0 {
		t.Errorf("step 1: started %v, want none: a registry was running", got)
	}
	subject := recs[1].Values("subject")[0].(string)
	_, err = started.Client.SubjectVersions(ctx, subject)
	var re *sr.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 404 {
		t.Errorf("after the lesson, the subject %s: %v, want 404 (deleted)", subject, err)
	}
}

// Lesson 22's frames are what Confluent's own client expects: its Python
// AvroDeserializer (librdkafka underneath), given version 2 as its reader's
// schema, reads the three orders through the registry, with the ids and
// prices the lesson's Go consumer reported. It needs a Python with
// confluent-kafka[avro,schemaregistry]: $CONFLUENT_KAFKA_PYTHON (CI makes
// one; without it the test skips, unless REQUIRE_CONFLUENT_KAFKA is set).
func TestLesson22FramesReadByConfluentsDeserializer(t *testing.T) {
	python := os.Getenv("CONFLUENT_KAFKA_PYTHON")
	if python == "" {
		if os.Getenv("REQUIRE_CONFLUENT_KAFKA") != "" {
			t.Fatal("REQUIRE_CONFLUENT_KAFKA is set, CONFLUENT_KAFKA_PYTHON is not")
		}
		t.Skip("CONFLUENT_KAFKA_PYTHON is not set: a Python with confluent-kafka[avro,schemaregistry]")
	}
	env := registryEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	registry, err := OpenRegistry(ctx, env) // one that outlives the lesson's steps
	if err != nil {
		t.Fatal(err)
	}
	defer registry.Stop()
	env.RegistryURL = registry.URL
	plan := numbered(t, 22).Plan()
	defer plan.Cleanup()
	if err := plan.Setup(ctx, env); err != nil {
		t.Fatal(err)
	}
	var recs []*testkit.Recorder
	for i, step := range plan.Steps {
		rec := testkit.NewRecorder()
		recs, env.Out = append(recs, rec), rec
		if err := step.Run(ctx, env); err != nil {
			t.Fatalf("step %d: %v\n%s", i+1, err, rec)
		}
	}
	topic := strings.TrimSuffix(recs[1].Values("subject")[0].(string), "-value")
	cmd := exec.CommandContext(ctx, python, "testdata/confluent_avro_consumer.py",
		strings.Join(env.Brokers, ","), topic, registry.URL, "3")
	cmd.Stdin = strings.NewReader(OrderV2Avro)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("Confluent's deserializer: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	received := recs[5].Records(Received)
	ids, prices := recs[5].Values("schema id"), recs[5].Values("price_cents")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(received) {
		t.Fatalf("Confluent's deserializer read %d records, the lesson %d:\n%s", len(lines), len(received), out)
	}
	for i, line := range lines {
		var got struct {
			SchemaID int `json:"schema_id"`
			Order    struct {
				OrderV2
			} `json:"order"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if got.Order.Order != received[i].Order || got.SchemaID != ids[i] || got.Order.PriceCents != prices[i] {
			t.Errorf("record %d: Confluent's deserializer read id %d, %+v; the lesson id %v, %+v, price %v",
				i, got.SchemaID, got.Order.OrderV2, ids[i], received[i].Order, prices[i])
		}
	}
}

func checkLesson22(t *testing.T, recs []*testkit.Recorder) {
	t.Helper()
	one := func(step int, label string) any { t.Helper(); return oneValue(t, recs, step, label) }
	ids, versions := recs[1].Values("id"), recs[1].Values("version")
	if len(ids) != 2 || ids[0] != ids[1] || ids[0].(int) <= 0 {
		t.Errorf("step 2: ids %v, want the same id twice", ids)
	}
	if fmt.Sprint(versions) != "[1 1]" || one(2, "versions") != "[1]" {
		t.Errorf("step 2: versions %v then %v, want 1 twice and one version", versions, one(2, "versions"))
	}
	if got := one(2, "subject's compatibility level"); got != "BACKWARD" {
		t.Errorf("step 2: the subject's level is %v, want BACKWARD", got)
	}
	v1 := ids[0]

	if got := one(3, "version 2 (price_cents, default 0), compatible"); got != "✓" {
		t.Errorf("step 3: version 2 compatible under BACKWARD: %v, want ✓", got)
	}
	if got := one(3, "version 2 registered as version"); got != 2 {
		t.Errorf("step 3: version 2 registered as version %v", got)
	}
	v2 := one(3, "version 2's id")
	if v2 == v1 {
		t.Errorf("step 3: version 2 has version 1's id %v", v1)
	}
	if got := one(3, "quantity renamed to qty, compatible"); got != "✗" {
		t.Errorf("step 3: the rename compatible under BACKWARD: %v, want ✗", got)
	}
	if got := one(3, "versions"); got != "[1 2]" {
		t.Errorf("step 3: versions %v after the rename, want [1 2] (refused)", got)
	}

	// Avro's resolution rules, as the registry applied them.
	want := map[string]string{
		`add coupon, with a default ("")`: "BACKWARD ✓  FORWARD ✓  FULL ✓",
		"add coupon, without a default":   "BACKWARD ✗  FORWARD ✓  FULL ✗",
		"remove user (it has no default)": "BACKWARD ✓  FORWARD ✗  FULL ✗",
		"rename quantity to qty":          "BACKWARD ✗  FORWARD ✗  FULL ✗",
	}
	for change, verdicts := range want {
		if got := one(4, change); got != verdicts {
			t.Errorf("step 4: %s: %v, want %v", change, got, verdicts)
		}
	}

	if one(5, "magic byte") != 0 || one(5, "schema id") != v2 {
		t.Errorf("step 5: the first frame starts %v, %v, want 0 and version 2's id %v", one(5, "magic byte"), one(5, "schema id"), v2)
	}
	if delivered := recs[4].Records(Delivered); len(delivered) != 3 {
		t.Errorf("step 5: %d orders delivered, want 3", len(delivered))
	}
	received := recs[5].Records(Received)
	if len(received) != 3 {
		t.Fatalf("step 6: %d orders read, want 3", len(received))
	}
	wantIDs, wantPrices := []any{v2, v2, v1}, []any{int64(1450), int64(990), int64(0)}
	gotIDs, gotPrices := recs[5].Values("schema id"), recs[5].Values("price_cents")
	if fmt.Sprint(gotIDs) != fmt.Sprint(wantIDs) || fmt.Sprint(gotPrices) != fmt.Sprint(wantPrices) {
		t.Errorf("step 6: ids %v and prices %v, want %v and %v", gotIDs, gotPrices, wantIDs, wantPrices)
	}
	for i, r := range received {
		sample := SampleOrder(i)
		if r.Order.User != sample.User || r.Order.Item != sample.Item || r.Order.Quantity != sample.Quantity || r.Order.OrderID == "" {
			t.Errorf("step 6: order %d is %+v, want %s's %d %s", i, r.Order, sample.User, sample.Quantity, sample.Item)
		}
	}
	if got := one(6, "schemas fetched from the registry"); got != 2 {
		t.Errorf("step 6: %v schemas fetched, want 2 (one per id)", got)
	}
}

// oneValue is the one value a step reported under label, failing the test
// when it reported none or several.
func oneValue(t *testing.T, recs []*testkit.Recorder, step int, label string) any {
	t.Helper()
	vs := recs[step-1].Values(label)
	if len(vs) != 1 {
		t.Fatalf("step %d: %q reported %v, want one value", step, label, vs)
	}
	return vs[0]
}
