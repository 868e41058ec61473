package exercise_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// verify checks the program in dir (relative to the repository) against
// ex's goal on the test's broker.
func verify(t *testing.T, ex exercise.Exercise, dir string) exercise.Result {
	t.Helper()
	root, err := exercise.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	env, _ := testkit.ClusterEnv(t, 1)
	config := ""
	if ex.Requires.ACLs {
		env, config = testkit.ACLEnv(t)
	}
	if ex.Requires.Registry {
		withJVM(t, env)
	}
	if ex.Requires.JVM && !env.Cluster.Embedded && env.Transport.TLS == nil && env.Transport.SASL == nil {
		jvm := testkit.JVM(t, (*native.JVM).ConnectJars)
		env.JVM, env.Cluster.JVM = jvm, true
	}
	if why := ex.Requires.Unmet(env.Cluster); why != "" {
		t.Skipf("exercise %s does not run here: %s", ex.ID, why)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := exercise.Verify(ctx, env, ex, root, filepath.Join(root, dir), config)
	if err != nil {
		t.Fatalf("exercise %s on %s: %v", ex.ID, dir, err)
	}
	for _, l := range res.Lines {
		t.Logf("%s", l)
	}
	if res.Problem != "" {
		t.Logf("problem: %s", res.Problem)
	}
	return res
}

// withJVM gives env the JVM that starts a schema registry (exercise 22),
// or skips the test without one, unless REQUIRE_JVM is set.
func withJVM(t *testing.T, env *lessons.Env) {
	t.Helper()
	jvm := testkit.JVM(t, (*native.JVM).RegistryJars)
	env.JVM, env.Cluster.Registry = jvm, true
}

// Every reference solution passes its check, on whatever broker the tests
// run against, with fresh names and data each time.
func TestSolutionsPass(t *testing.T) {
	for _, ex := range exercise.All() {
		t.Run(ex.ID, func(t *testing.T) {
			t.Parallel() // a program mostly waits for Kafka, or for its own BatchTimeout
			root, _ := exercise.Root(".")
			res := verify(t, ex, rel(t, root, ex.Solution(root)))
			if !res.Passed() {
				t.Errorf("the reference solution of exercise %s fails its check", ex.ID)
			}
		})
	}
}

// Every untouched starting file builds, runs, and fails its check: a
// learner who has done nothing is told so, by a line of the goal.
func TestStartingFilesFail(t *testing.T) {
	for _, ex := range exercise.All() {
		t.Run(ex.ID, func(t *testing.T) {
			t.Parallel()
			root, _ := exercise.Root(".")
			res := verify(t, ex, rel(t, root, ex.Program(root)))
			if res.Problem != "" {
				t.Errorf("the starting file of exercise %s must build and run, and fail by its result: %s", ex.ID, res.Problem)
			}
			if res.Passed() || exercise.Passed(res.Lines) {
				t.Errorf("the starting file of exercise %s passes its check", ex.ID)
			}
		})
	}
}

// Typical wrong answers (testdata/wrong) run, and fail with the line that
// names the mistake.
func TestWrongAnswersFail(t *testing.T) {
	for _, tc := range []struct {
		id, dir string
		line    string // a failing line's What begins so
		says    string // what its Why or Got says
	}{
		{"1", "01_retention_in_seconds", "retention.ms", "in seconds"},
		// Apache Kafka refuses the unknown name (no topic); the emulation ignores it (7 days).
		{"1", "01_config_name_typo", "", "ConfigName"},
		{"2", "02_missing_field_accepted", "records on ", "leaves a field the JSON lacks, or holds null, at its zero value"},
		{"2", "02_quantity_unchecked", "records on ", "a quantity below 1 is a number like any other"},
		{"2", "02_go_field_names", "orders on ", "writes a field under its Go name unless a json tag names it"},
		{"3", "03_message_passed_in", "reports naming", "never in those passed to WriteMessages"},
		{"3", "03_require_none", "reports naming", "RequireNone"},
		{"4", "04_to_included", "copied from ", "is excluded, the last record to copy is"},
		{"4", "04_from_first_offset", "copied from ", "the partition's first offset, where a Reader starts until SetOffset"},
		{"4", "04_partition_unset", "copied from ", "ReaderConfig.Partition is 0 unless you set it"},
		// Every partition read, but each from its first offset; Ctrl-C
		// uncaught; MaxWait left at 10 s, which Close waits for.
		{"5", "05_from_first_offset", "orders already on ", "where a Reader without a GroupID starts until SetOffset"},
		{"5", "05_no_signal_context", "after Ctrl-C", "nothing caught the Ctrl-C"},
		{"5", "05_default_max_wait", "after Ctrl-C", "for up to MaxWait: 10s unless set"},
		// Exercise 6: no commit, the second run starts over; no Close, the
		// member never leaves, and the restarted one waits for it.
		{"6", "06_no_commit", "committed offsets of", "committed nothing"},
		{"6", "06_no_close", "members of", "without Reader.Close"},
		{"6", "06_commit_interval_no_close", "members of", "without Reader.Close"},
		{"7", "07_skip_pill", "poison pills on ", "nothing set them aside"},
		{"7", "07_no_offset_header", "pills on ", "no source-offset header"},
		{"7", "07_no_continue", "records on ", "continue to the next record"},
		{"8", "08_hash", "", "Sarama"},
		{"8", "08_crc32", "", "librdkafka"},
		// Two groups each get every order; one Reader is one member.
		{"9", "09_two_groups", "orders of ", "not members of one group"},
		{"9", "09_one_reader", "group ", "a Reader is one member"},
		// Memory lost with the crash; offsets taken for orders.
		{"10", "10_memory_only", "the order at offset ", "must survive the crash"},
		{"10", "10_by_offset", "orders the producer wrote twice", "recognise an order by its order_id"},
		// AlterConfigs replaces every setting of the topic.
		{"11", "11_alter_configs", "retention.ms of ", "AlterConfigs replaces every setting"},
		{"12", "12_no_cleanup_policy", "cleanup.policy", "Kafka's default"},
		// kafka-go sends an empty value as 0 bytes, not as no value.
		{"12", "12_empty_tombstone", "last record of", "an empty value is a value, not a tombstone"},
		{"13", "13_schema_version_1", "records with the header schema-version", "names version 1 of the order"},
		{"13", "13_renamed_field", "records a version 1 consumer decodes", "a version 1 field renamed"},
		{"14", "14_goroutines", "users whose orders lie on one partition", "several goroutines at once"},
		{"14", "14_async_without_close", "orders on ", "Close sends what is pending"},
		// BatchTimeout 1 ms, one call per order: its timer alone waits 1 ms each.
		{"14", "14_batch_timeout_1ms", "time the program took", "per order stored"},
		// From the first offset; After, not at or after; one partition's Reader.
		{"16", "16_from_first_offset", "orders of ", "every order was copied"},
		{"16", "16_after_not_at", "orders of ", "at or after, not after"},
		{"16", "16_one_partition", "orders of ", "one partition only"},
		// JSON after the frame; no magic byte; the subject named after the topic.
		{"17", "17_revoked_callback_logs_only", "orders cooked twice", "commit what was cooked in OnPartitionsRevoked"},
		{"19", "19_topic_only", "the cook asks for the offsets of ", "READ on the group"},
		{"19", "19_all_operations", "a write to ", "not WRITE or ALL"},
		{"19", "19_wildcard", "a fetch of ", "covers every topic"},
		{"21", "21_worker_converter", "lines that are an order's JSON", "Java's print of a map"},
		{"21", "21_source_connector", "the class of connector ", "a source reads a file into a topic"},
		{"22", "22_json_payload", "records whose data", "in Avro"},
		{"22", "22_no_magic_byte", "records framed", "magic byte, 0"},
		{"22", "22_subject_of_the_topic_name", "records whose schema id", "to no version of"},
		{"p1", "p1_batch_timeout_500ms", "time the program took", "per write"},
		{"p1", "p1_async_without_close", "orders on", "0"},
		// The order in flight committed before it was handled.
		{"p2", "p2_commit_then_write", "committed offset of", "committed before it was handled"},
		{"p2", "p2_commit_interval", "committed offset of", "committed before it was handled"},
		// Async: a refused batch's error reaches Completion alone, and Close waits for it.
		{"p3", "p3_write_errors_only", "orders reported failed", "only Completion sees their errors"},
		{"p3", "p3_completion_without_close", "orders reported failed", "Close sends what is pending"},
		// Close cut short (a timer, os.Exit): quick, but the member never
		// left; a MaxWait of 5 s: Close still waits for it.
		{"p4", "p4_close_with_timeout", "members of ", "exited before Reader.Close returned"},
		{"p4", "p4_os_exit", "members of ", "exited before Reader.Close returned"},
		{"p4", "p4_max_wait_5s", "after Ctrl-C", "for up to MaxWait"},
		// A topic created by the kitchen with the wrong partitions; a Reader of one partition.
		{"p5", "p5_create_one_partition", "partitions of ", "whoever creates a topic first decides"},
		{"p5", "p5_partition_reader", "orders handled", "a Reader without GroupID reads the one partition"},
		// StartOffset is only for partitions without a commit: SetOffset is
		// refused, and a fresh group id commits under another name.
		{"p6", "p6_set_offset", "orders on ", "StartOffset, and LastOffset is the end"},
		{"p6", "p6_fresh_group", "committed offsets of", "not as the group"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			ex, ok := exercise.Find(tc.id)
			if !ok {
				t.Fatalf("no exercise %s", tc.id)
			}
			res := verify(t, ex, filepath.Join("internal", "exercise", "testdata", "wrong", tc.dir))
			if res.Problem != "" {
				t.Fatalf("%s must run and fail by its result: %s", tc.dir, res.Problem)
			}
			if res.Passed() {
				t.Fatalf("%s passes exercise %s", tc.dir, tc.id)
			}
			for _, l := range res.Lines {
				if !l.OK && strings.HasPrefix(l.What, tc.line) && strings.Contains(l.Why+" "+l.Got, tc.says) {
					return
				}
			}
			t.Errorf("no failing line %q that says %q", tc.line, tc.says)
		})
	}
}

// A program that does not build, panics or runs too long is a problem the
// learner reads, not an error of the check.
func TestProblems(t *testing.T) {
	ex, _ := exercise.Find("1")
	for _, tc := range []struct {
		name, src, says string
	}{
		{"does not build", "package main\n\nfunc main() { undefinedThing() }\n", "main.go:3:15: undefined: undefinedThing"},
		{"panics", "package main\n\nfunc main() {\n\tvar m map[string]int\n\tm[\"x\"] = 1\n}\n", "panicked: assignment to entry in nil map"},
		{"exits 3", "package main\n\nimport \"os\"\n\nfunc main() { os.Stderr.WriteString(\"no luck\\n\"); os.Exit(3) }\n", "no luck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := exercise.Root(".")
			dir, err := os.MkdirTemp(filepath.Join(root, "internal", "exercise", "testdata"), "tmp-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			res := verify(t, ex, rel(t, root, dir))
			if !strings.Contains(res.Problem, tc.says) || res.Passed() {
				t.Errorf("problem %q, want it to say %q", res.Problem, tc.says)
			}
			if strings.Contains(res.Problem, "goroutine ") {
				t.Errorf("a stack trace reached the learner: %q", res.Problem)
			}
		})
	}
}

// A program that runs past its limit is stopped, and said to be.
func TestTimeLimit(t *testing.T) {
	ex, _ := exercise.Find("1")
	ex.Limit = time.Second
	root, _ := exercise.Root(".")
	dir, err := os.MkdirTemp(filepath.Join(root, "internal", "exercise", "testdata"), "tmp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	src := "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(time.Hour) }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := verify(t, ex, rel(t, root, dir))
	if !strings.HasPrefix(res.Problem, "stopped after 1s") {
		t.Errorf("problem %q, want stopped after 1s", res.Problem)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the check took %v", took)
	}
}

// One registry: ids are unique, every exercise has its folder, its
// solution, a goal and hints, and the starting file names its check.
func TestOneRegistry(t *testing.T) {
	root, err := exercise.Root(".")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ex := range exercise.All() {
		if seen[ex.ID] {
			t.Errorf("exercise id %s twice", ex.ID)
		}
		seen[ex.ID] = true
		src, err := os.ReadFile(filepath.Join(ex.Program(root), "main.go"))
		if err != nil {
			t.Errorf("exercise %s: %v", ex.ID, err)
		} else if !strings.Contains(string(src), "go run ./runner check "+ex.ID+"\n") {
			t.Errorf("exercises/%s/main.go does not say how to check it (go run ./runner check %s)", ex.Dir, ex.ID)
		}
		if _, err := os.Stat(filepath.Join(ex.Solution(root), "main.go")); err != nil {
			t.Errorf("exercise %s has no solution: %v", ex.ID, err)
		}
		if ex.Goal == "" || len(ex.Hints) < 2 || ex.Prepare == nil || ex.Check == nil {
			t.Errorf("exercise %s needs a goal, at least two hints, Prepare and Check", ex.ID)
		}
	}
}

func rel(t *testing.T, root, dir string) string {
	t.Helper()
	r, err := filepath.Rel(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
