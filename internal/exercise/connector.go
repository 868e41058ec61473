package exercise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 21 follows lesson 21: a connector made from Go over Kafka
// Connect's REST API, a FileStreamSink that writes the orders of a topic
// to a file, each line the order's JSON as it was produced.
//
// Each check starts a Connect worker of its own (Open), as lesson 21 does;
// the program gets its URL and credentials. The check asks the worker for
// the connector's class and its tasks' states, reads the file, and asks
// Kafka what the sink's consumer group committed.
func connectorExercise() Exercise {
	c := &connectorCheck{}
	return Exercise{
		ID: "21", Dir: "21_connector", Lesson: 21,
		Title:    "Orders to a file, by a connector",
		Goal:     "A connector named $CONNECTOR runs on the Connect worker at $CONNECT_URL, its task RUNNING: a FileStreamSink that wrote each of the $COUNT orders of $TOPIC to $FILE as one line, the order's JSON as it was produced, and whose group committed their offsets.",
		Requires: lessons.Requirement{JVM: true},
		Hints: []string{
			"A connector is made by its config, not by code: PUT /connectors/NAME/config with a JSON object of strings creates it (or changes it), as lesson 21 step 3 does. The worker then starts it, and its tasks a moment later: GET /connectors/NAME/status says when they run.",
			"A sink reads topics (\"topics\", plural: a sink may read several) and writes elsewhere: connector.class org.apache.kafka.connect.file.FileStreamSinkConnector, and \"file\" the file it appends to. A source (FileStreamSourceConnector) goes the other way, from the file into a \"topic\".",
			"The worker's converter (JsonConverter, without schemas on this worker) turns each JSON value into a map, and FileStreamSink writes what Java prints for it: {item=..., quantity=...}, not JSON. \"value.converter\": \"org.apache.kafka.connect.storage.StringConverter\" in the connector's config keeps each value as the text that was produced.",
		},
		Open:    c.open,
		Prepare: c.prepare,
		Check:   c.check,
	}
}

// connectorCheck holds the worker one check started.
type connectorCheck struct {
	worker    *lessons.ConnectWorker
	connector string // the name the program is given
}

// open starts a Connect worker for this check, and stops it, with its
// topics and the sink's group, once the check is done.
func (c *connectorCheck) open(ctx context.Context, env *lessons.Env) (func(), error) {
	w, err := lessons.StartConnectWorker(ctx, env, env.Name("ex21-connect-"+suffix()))
	if err != nil {
		return nil, err
	}
	c.worker = w
	return func() {
		w.Stop()
		lessons.DeleteTopics(env, w.Configs(), w.Offsets(), w.Status())
		groups := []string{w.Group}
		if c.connector != "" {
			groups = append(groups, "connect-"+c.connector)
		}
		lessons.DeleteGroups(env, groups...)
	}, nil
}

func (c *connectorCheck) prepare(ctx context.Context, env *lessons.Env) (Vars, error) {
	if c.worker == nil {
		return nil, errors.New("no Connect worker: the check opens one first")
	}
	topic := env.Name("ex21-orders-" + suffix())
	if err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: 3, ReplicationFactor: env.Replicas()}); err != nil {
		return nil, err
	}
	count := between(4, 8)
	if err := lessons.ProduceOrders(ctx, env, topic, lessons.SampleOrders(between(1, 50), count), nil); err != nil {
		return nil, err
	}
	user, password := c.worker.Credentials()
	c.connector = env.Name("ex21-orders-file-" + suffix()) // its sink's group, connect-NAME, is deleted after the check
	return Vars{
		"TOPIC": topic, "COUNT": strconv.Itoa(count),
		"CONNECTOR":   c.connector,
		"FILE":        filepath.Join(c.worker.Folder, "kitchen-"+suffix()+".txt"),
		"CONNECT_URL": c.worker.URL, "CONNECT_USER": user, "CONNECT_PASSWORD": password,
	}, nil
}

// The connector class the goal asks for, and the one a mix-up gives.
const (
	fileSink   = "org.apache.kafka.connect.file.FileStreamSinkConnector"
	fileSource = "org.apache.kafka.connect.file.FileStreamSourceConnector"
)

func (c *connectorCheck) check(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, name, file, count := v["TOPIC"], v["CONNECTOR"], v["FILE"], v.Int("COUNT")
	w := c.worker
	var config map[string]string
	code, err := w.Do(ctx, http.MethodGet, "/connectors/"+name+"/config", nil, &config)
	if code == http.StatusNotFound {
		return []Line{{What: fmt.Sprintf("the connector %s", name), Want: "on the worker", Got: "none: the worker has no connector of that name", OK: false}}, nil
	}
	if err != nil {
		return nil, err
	}
	class := config["connector.class"]
	classLine := want(fmt.Sprintf("the class of connector %s", name), fileSink, class)
	if class == fileSource || strings.HasSuffix(class, "FileStreamSource") {
		classLine.Why = "a source reads a file into a topic; the orders go the other way, from the topic to the file: a sink"
	}
	lines := []Line{classLine}
	if !classLine.OK {
		return lines, nil
	}
	state, err := w.WaitForTasks(ctx, name, "RUNNING")
	got := strings.Join(state.TaskStates(), ", ")
	if got == "" {
		got = "no task"
	}
	tasks := Line{What: "its tasks' states", Want: "RUNNING", Got: got, OK: err == nil}
	if !tasks.OK && len(state.Tasks) > 0 && state.Tasks[0].Trace != "" {
		tasks.Why = firstLine(state.Tasks[0].Trace)
	}
	lines = append(lines, tasks)
	if !tasks.OK {
		return lines, nil
	}

	written, _ := lessons.WaitForLines(ctx, file, count) // what is there after the wait, if fewer
	lines = append(lines, want(fmt.Sprintf("lines in the file %s", filepath.Base(file)), count, len(written)))
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	produced := make([]string, 0, len(stored))
	for _, m := range stored {
		produced = append(produced, string(m.Value))
	}
	same := matchedOnce(written, produced)
	asJSON := Line{What: "lines that are an order's JSON as produced", Want: strconv.Itoa(count), Got: strconv.Itoa(same), OK: same == count && len(written) == count}
	if !asJSON.OK && len(written) > 0 && javaMap(written[0]) {
		asJSON.Why = "each line is Java's print of a map ({item=..., quantity=...}): the worker's JsonConverter made each order a map. StringConverter, as the connector's value.converter, keeps the text that was produced"
	}
	lines = append(lines, asJSON)

	group := "connect-" + name // a sink's consumer group: connect-<connector name>
	total, err := committedTotal(ctx, env, group, topic, int64(count))
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // interrupted: the lines say nothing
	}
	return append(lines, want(fmt.Sprintf("offsets committed by %s on %s, all partitions", group, topic), count, total)), nil
}

// committedTotal waits up to 15 s for group's committed offsets on the
// three partitions of topic to add up to want (a sink commits on the
// worker's schedule, every second here), and returns their sum.
func committedTotal(ctx context.Context, env *lessons.Env, group, topic string, want int64) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var total int64
	for {
		committed, err := lessons.CommittedOffsets(ctx, env, group, topic, 3)
		if err != nil && ctx.Err() == nil {
			return 0, err
		}
		total = 0
		for _, o := range committed {
			total += max(o, 0)
		}
		if total == want || ctx.Err() != nil {
			return total, nil
		}
		select {
		case <-ctx.Done():
			return total, nil
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// matchedOnce counts the lines that match a produced value, each value
// matched once.
func matchedOnce(lines, produced []string) int {
	left := slices.Clone(produced)
	n := 0
	for _, l := range lines {
		if i := slices.Index(left, l); i >= 0 {
			left = slices.Delete(left, i, i+1)
			n++
		}
	}
	return n
}

// javaMap says a line is what Java prints for a map: {key=value, ...},
// not JSON.
func javaMap(line string) bool {
	var v any
	return strings.HasPrefix(line, "{") && strings.Contains(line, "=") && json.Unmarshal([]byte(line), &v) != nil
}

// firstLine is the first line of a Java stack trace: the exception.
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(first)
}
