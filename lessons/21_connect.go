package lessons

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
)

// connectLesson is lesson 21: Kafka Connect, files in and out.
func connectLesson() Lesson {
	return Lesson{
		Number:   21,
		Title:    "Kafka Connect: orders in and out of files",
		Goal:     "Run a Kafka Connect worker next to the broker and drive it from Go over its REST API: a source connector that turns lines of a file into records, a sink connector that writes records to a file, a transform on the way, and a dead-letter topic for poison pills.",
		Requires: Requirement{RealKafka: true, JVM: true},
		Summary: []string{
			"Kafka Connect moves data between Kafka and other systems without code of your own: a connector (a plugin: FileStreamSource, a database's, a cloud store's) is configured, not programmed, through the workers' REST API.",
			"Workers run the connectors' tasks; workers with the same group.id form one Connect cluster, which keeps connector configs, source positions and statuses in three compacted topics.",
			"A source connector's task reads the outside system and keeps its position as an offset of its own in the offsets topic; a sink connector is a consumer group (connect-NAME), whose committed offsets say what it has written.",
			"Converters turn Connect's records into bytes and back (StringConverter, JsonConverter; Avro or Protobuf converters come from a schema registry's vendor); single message transforms (SMTs) change each record on the way.",
			"errors.tolerance=all with errors.deadletterqueue.topic.name sends what a sink cannot convert or transform to a dead-letter topic; errors.deadletterqueue.context.headers.enable=true adds headers that say where it came from and why. By default (none) one bad record stops the task.",
		},
		Quiz: []Question{
			{
				Ask: "How do you start a FileStreamSink that writes the topic orders to a file?",
				Choices: []string{
					"Write a Go program with a kafka.Reader and a file",
					"PUT its config to a Connect worker's REST API",
					"Create the topic with cleanup.policy=file",
				},
				Answer: 1,
				Why:    "A connector is configuration: PUT /connectors/NAME/config with its class and settings. The workers start its tasks, and keep its config in their configs topic.",
				Step:   3,
			},
			{
				Ask: "A sink connector reads a record that its converter cannot parse. errors.tolerance is left at its default. What happens?",
				Choices: []string{
					"The record is skipped and logged",
					"The record goes to a dead-letter topic",
					"The task fails and stops: nothing after it is written",
				},
				Answer: 2,
				Why:    "errors.tolerance=none is the default: the first error fails the task (FAILED, with its stack trace in the status), and it stays stopped until restarted, when it meets the same record again. all skips bad records, and errors.deadletterqueue.topic.name keeps them.",
				Step:   5,
			},
		},
		Plan: func() Plan {
			s := &connectState{}
			return Plan{Setup: s.topicsReady, Steps: []Step{
				{Title: "A Connect worker beside the broker", Run: s.startWorker},
				{Title: "A source connector: lines become records", Run: s.source, Needs: []int{1}},
				{Title: "A sink connector: records become lines", Run: s.sink, Needs: []int{2}},
				{Title: "A transform on the way: InsertField", Run: s.transform, Needs: []int{2}},
				{Title: "Poison pills: a dead-letter topic", Run: s.deadLetters, Needs: []int{1}},
			}, Cleanup: s.cleanup}
		},
	}
}

type connectState struct {
	names  map[string]string // connector names, with the prefix and run suffix
	env    *Env
	run    string // this run's suffix
	orders string // the source connector's topic
	mixed  string // orders and poison pills, for step 5
	dlq    string // the dead-letter topic
	worker *ConnectWorker
	lines  []string // the lines written to the source file
	pills  []Record // where the poison pills went
}

// topicsReady makes this run's topics; Connect makes its own three.
func (s *connectState) topicsReady(ctx context.Context, env *Env) error {
	s.env, s.run = env, uuid.NewString()[:6]
	s.names = map[string]string{}
	for _, n := range []string{"file-source", "file-sink", "smt-sink", "strict-sink", "tolerant-sink"} {
		s.names[n] = env.Name(n + "-" + s.run) // a sink's group is connect-NAME: this run's own
	}
	s.orders, s.mixed, s.dlq = env.Name("orders-connect-"+s.run), env.Name("orders-mixed-"+s.run), env.Name("orders-dlq-"+s.run)
	for _, topic := range []string{s.orders, s.mixed, s.dlq} {
		if err := EnsureTopic(ctx, env, TopicSpec{Name: topic, Partitions: 1, ReplicationFactor: env.Replicas()}); err != nil {
			return err
		}
	}
	return nil
}

// cleanup stops the worker and deletes the run's topics, Connect's too.
func (s *connectState) cleanup() {
	if s.env == nil {
		return
	}
	topics := []string{s.orders, s.mixed, s.dlq}
	if s.worker != nil {
		s.worker.Stop()
		topics = append(topics, s.worker.Configs(), s.worker.Offsets(), s.worker.Status())
	}
	DeleteTopics(s.env, topics...)
	var groups []string // the sinks' groups, and the workers'
	for _, n := range []string{"file-sink", "smt-sink", "strict-sink", "tolerant-sink"} {
		groups = append(groups, "connect-"+s.names[n])
	}
	DeleteGroups(s.env, append(groups, s.env.Name("connect-"+s.run))...)
}

// Kafka Connect runs connectors: plugins that copy data from another
// system into Kafka (sources) or from Kafka out (sinks), configured rather
// than programmed. It ships with Apache Kafka, as Java programs: the
// workers. This lesson starts one worker in distributed mode (the usual
// choice in production: its state lives in Kafka, so workers can be added
// or replaced) beside the broker; it answers on a
// REST API, here on loopback only and with a password of this run's own
// (HTTP basic authentication), which Go drives with net/http. GET /
// gives its version and the Kafka cluster it works for, GET
// /connector-plugins the connectors it can run. Workers with the same
// group.id form one Connect cluster: it keeps connectors' configs, the
// positions of source connectors and everyone's status in three topics it
// made, compacted (lesson 12): the last value of each key is what counts.
// FileStreamSource and FileStreamSink are demo connectors, not for
// production.
func (s *connectState) startWorker(ctx context.Context, env *Env) error {
	if s.worker == nil || !s.worker.Running() { // a step run again keeps its worker
		w, err := StartConnectWorker(ctx, env, env.Name("connect-"+s.run))
		if err != nil {
			return err
		}
		s.worker = w
	}
	w := s.worker
	var info struct {
		Version        string `json:"version"`
		KafkaClusterID string `json:"kafka_cluster_id"`
	}
	if _, err := w.Do(ctx, http.MethodGet, "/", nil, &info); err != nil {
		return err
	}
	env.Out.Value("Connect version", info.Version)
	env.Out.Value("Kafka cluster", info.KafkaClusterID)
	var plugins []struct {
		Class string `json:"class"`
		Type  string `json:"type"`
	}
	if _, err := w.Do(ctx, http.MethodGet, "/connector-plugins", nil, &plugins); err != nil {
		return err
	}
	for _, p := range plugins {
		env.Out.Value(fmt.Sprintf("%s connector", p.Type), p.Class)
	}
	for _, topic := range []string{w.Configs(), w.Offsets(), w.Status()} {
		partitions, settings, err := DescribeMadeTopic(ctx, env, topic, "cleanup.policy")
		if err != nil {
			return err
		}
		env.Out.Value(topic, fmt.Sprintf("%d partition(s), cleanup.policy=%s", partitions, settings["cleanup.policy"]))
	}
	return nil
}

// Five orders, one JSON line each, go into a file, and a source connector
// is created: PUT /connectors/NAME/config, its class and settings. The
// worker starts its task a moment later. FileStreamSource reads the file
// and sends each line as a record, with no key; StringConverter sends the
// line as UTF-8 text, without its line ending (the worker's JsonConverter
// would have quoted it as a JSON string). A sixth line, added later,
// follows within about a second: the task goes on reading the file's end.
// Its position in the file (characters read: bytes, for ASCII text) is a
// source offset, which the worker saves in its offsets topic (every second
// here: offset.flush.interval.ms) under a key that names the connector and
// the file.
func (s *connectState) source(ctx context.Context, env *Env) error {
	file := filepath.Join(s.worker.Folder, "orders-in.txt")
	if err := s.writeOrders(file, 0, 5); err != nil {
		return err
	}
	_, err := s.worker.Do(ctx, http.MethodPut, "/connectors/"+s.names["file-source"]+"/config", map[string]string{
		"connector.class": "org.apache.kafka.connect.file.FileStreamSourceConnector",
		"file":            file,
		"topic":           s.orders,
		"tasks.max":       "1",
		"value.converter": "org.apache.kafka.connect.storage.StringConverter",
	}, nil)
	if err != nil {
		return err
	}
	if _, err := s.worker.WaitForTasks(ctx, s.names["file-source"], "RUNNING"); err != nil {
		return err
	}
	if err := s.writeOrders(file, 5, 1); err != nil {
		return err
	}
	records, err := WaitForRecords(ctx, env, s.orders, 1, len(s.lines))
	if err != nil {
		return err
	}
	for _, m := range records {
		Receive(env.Out, m) // each record, decoded as an order
	}
	env.Out.Value("records with a key", countKeyed(records))
	env.Out.Value("records equal to the file's lines", countEqual(records, s.lines))
	size, err := fileChars(file)
	if err != nil {
		return err
	}
	env.Out.Value("characters in the file", size)
	position, err := WaitForSourcePosition(ctx, env, s.worker.Offsets(), s.names["file-source"], size)
	if err != nil {
		return err
	}
	env.Out.Value(fmt.Sprintf("position saved in %s", s.worker.Offsets()), position)
	return nil
}

// A sink connector does the other way: FileStreamSink reads topics and
// writes each record's value to a file, one line each. A new sink starts
// at the beginning of its topics: Connect sets its consumers'
// auto.offset.reset to earliest. A sink's tasks are the members of a
// consumer group named connect-NAME, which commits the offsets of what was
// written (at each offset flush): its lag is what remains to write. With
// StringConverter both ways, the file's lines are the records' values.
func (s *connectState) sink(ctx context.Context, env *Env) error {
	file := filepath.Join(s.worker.Folder, "orders-out.txt")
	_, err := s.worker.Do(ctx, http.MethodPut, "/connectors/"+s.names["file-sink"]+"/config", map[string]string{
		"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
		"topics":          s.orders,
		"file":            file,
		"value.converter": "org.apache.kafka.connect.storage.StringConverter",
	}, nil)
	if err != nil {
		return err
	}
	if _, err := s.worker.WaitForTasks(ctx, s.names["file-sink"], "RUNNING"); err != nil {
		return err
	}
	lines, err := WaitForLines(ctx, file, len(s.lines))
	if err != nil {
		return err
	}
	for _, l := range lines {
		env.Out.Say("  %s", l)
	}
	env.Out.Value("lines equal to the records", countSame(lines, s.lines))
	group := "connect-" + s.names["file-sink"]
	committed, err := WaitForCommitted(ctx, env, group, s.orders, int64(len(s.lines)))
	if err != nil {
		return err
	}
	env.Out.Value("the sink's group", group)
	env.Out.Value("offset it committed", committed)
	return nil
}

// A single message transform (SMT) changes each record on its way: for a
// sink, between the converter and the connector; for a source, between
// the connector and the converter. InsertField$Value adds a field to the
// value: here source=connect. It needs a structure, not a string, so this
// sink reads the orders with JsonConverter (schemas.enable=false: plain
// JSON, no schema envelope), which makes each a map. FileStreamSink then
// writes the value as Java prints a map: {item=..., quantity=...}, keys in
// a HashMap's order, not the line's: not JSON. A real sink (a database's,
// a search index's) writes fields where they belong.
func (s *connectState) transform(ctx context.Context, env *Env) error {
	file := filepath.Join(s.worker.Folder, "orders-smt.txt")
	_, err := s.worker.Do(ctx, http.MethodPut, "/connectors/"+s.names["smt-sink"]+"/config", map[string]string{
		"connector.class":                   "org.apache.kafka.connect.file.FileStreamSinkConnector",
		"topics":                            s.orders,
		"file":                              file,
		"value.converter":                   "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable":    "false",
		"transforms":                        "addSource",
		"transforms.addSource.type":         "org.apache.kafka.connect.transforms.InsertField$Value",
		"transforms.addSource.static.field": "source",
		"transforms.addSource.static.value": "connect",
	}, nil)
	if err != nil {
		return err
	}
	if _, err := s.worker.WaitForTasks(ctx, s.names["smt-sink"], "RUNNING"); err != nil {
		return err
	}
	lines, err := WaitForLines(ctx, file, len(s.lines))
	if err != nil {
		return err
	}
	for _, l := range lines {
		env.Out.Say("  %s", l)
	}
	env.Out.Value("lines with source=connect", countContaining(lines, "source=connect"))
	return nil
}

// Lesson 7's poison pills, now for a sink: three orders and two records
// that are not JSON go to a topic. By default (errors.tolerance=none) the
// first record JsonConverter cannot parse fails the task: it stops, and
// writes nothing after it. With errors.tolerance=all the task skips what
// it cannot convert, and errors.deadletterqueue.topic.name keeps it: the
// record as it was. With errors.deadletterqueue.context.headers.enable,
// headers give its topic, partition and offset, the connector and task,
// the stage that failed and the exception.
func (s *connectState) deadLetters(ctx context.Context, env *Env) error {
	values := [][]byte{[]byte("not JSON at all"), []byte(`{"order_id": "broken`)}
	for i := range 3 {
		v, err := SampleOrder(i).MarshalValue()
		if err != nil {
			return err
		}
		values = append(values, v)
	}
	err := ProduceValues(ctx, env, s.mixed, values, func(r Record) {
		if _, err := DecodeOrder(r.Value); err != nil {
			s.pills = append(s.pills, r)
		}
		env.Out.Record(r)
	})
	if err != nil {
		return err
	}
	sink := func(name, file string, extra map[string]string) error {
		config := map[string]string{
			"connector.class":                "org.apache.kafka.connect.file.FileStreamSinkConnector",
			"topics":                         s.mixed,
			"file":                           filepath.Join(s.worker.Folder, file),
			"value.converter":                "org.apache.kafka.connect.json.JsonConverter",
			"value.converter.schemas.enable": "false",
		}
		for k, v := range extra {
			config[k] = v
		}
		_, err := s.worker.Do(ctx, http.MethodPut, "/connectors/"+name+"/config", config, nil)
		return err
	}
	if err := sink(s.names["strict-sink"], "orders-strict.txt", nil); err != nil {
		return err
	}
	strict, err := s.worker.WaitForTasks(ctx, s.names["strict-sink"], "FAILED")
	if err != nil {
		return err
	}
	env.Out.Value("the strict sink's task", strict.TaskStates()[0])
	env.Out.Say("  %s", firstLine(strict.Tasks[0].Trace))
	if err := sink(s.names["tolerant-sink"], "orders-tolerant.txt", map[string]string{
		"errors.tolerance":                                "all",
		"errors.deadletterqueue.topic.name":               s.dlq,
		"errors.deadletterqueue.topic.replication.factor": fmt.Sprint(env.Replicas()),
		"errors.deadletterqueue.context.headers.enable":   "true",
	}); err != nil {
		return err
	}
	lines, err := WaitForLines(ctx, filepath.Join(s.worker.Folder, "orders-tolerant.txt"), 3)
	if err != nil {
		return err
	}
	env.Out.Value("orders written by the tolerant sink", len(lines))
	dead, err := WaitForRecords(ctx, env, s.dlq, 1, len(s.pills))
	if err != nil {
		return err
	}
	env.Out.Value(fmt.Sprintf("records in %s", s.dlq), len(dead))
	for _, m := range dead {
		env.Out.Say("  %q", m.Value)
		for _, h := range m.Headers {
			if slices.Contains([]string{"__connect.errors.topic", "__connect.errors.partition", "__connect.errors.offset",
				"__connect.errors.stage", "__connect.errors.exception.class.name"}, h.Key) {
				env.Out.Value(h.Key, string(h.Value))
			}
		}
	}
	return nil
}

// writeOrders appends n orders from the i-th, one JSON line each, to file.
func (s *connectState) writeOrders(file string, i, n int) error {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	for k := range n {
		v, err := json.Marshal(SampleOrder(i + k))
		if err != nil {
			f.Close()
			return err
		}
		if _, err := fmt.Fprintf(f, "%s\n", v); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", file, err)
		}
		s.lines = append(s.lines, string(v))
	}
	return f.Close()
}

func countKeyed(msgs []kafka.Message) int {
	n := 0
	for _, m := range msgs {
		if m.Key != nil {
			n++
		}
	}
	return n
}

func countEqual(msgs []kafka.Message, lines []string) int {
	n := 0
	for i, m := range msgs {
		if i < len(lines) && string(m.Value) == lines[i] {
			n++
		}
	}
	return n
}

// countSame counts the lines of got that are lines of want.
func countSame(got, want []string) int {
	n := 0
	for _, l := range got {
		if slices.Contains(want, l) {
			n++
		}
	}
	return n
}

func countContaining(lines []string, s string) int {
	n := 0
	for _, l := range lines {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// fileChars counts a file's characters as Java does (UTF-16 code units):
// what FileStreamSource's position counts.
func fileChars(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return int64(len(utf16.Encode([]rune(string(data))))), nil
}
