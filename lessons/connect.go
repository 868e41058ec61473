package lessons

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// ConnectWorker is lesson 21's Kafka Connect worker as a run uses it: one
// worker of a Connect cluster of its own, and its REST API on loopback.
type ConnectWorker struct {
	env    *Env
	URL    string // its REST API, http://127.0.0.1:PORT
	Group  string // group.id: the Connect cluster's name, and its topics' prefix
	Folder string // the worker's files, and the files the connectors read and write
	app    *native.App
	client *http.Client
	user   string // HTTP basic authentication: the API is this run's alone
	secret string
}

// Configs, Offsets and Status are the worker's internal topics.
func (w *ConnectWorker) Configs() string { return w.Group + "-configs" }
func (w *ConnectWorker) Offsets() string { return w.Group + "-offsets" }
func (w *ConnectWorker) Status() string  { return w.Group + "-status" }

// StartConnectWorker starts a Connect worker in distributed mode, whose
// cluster is named group, and returns once its herder answers. Kafka
// Connect's jars are fetched with Maven on the first run, which says so.
func StartConnectWorker(ctx context.Context, env *Env, group string) (*ConnectWorker, error) {
	if env.JVM == nil {
		return nil, errors.New("no JVM to run Kafka Connect here")
	}
	if err := fetchJars(ctx, env, env.JVM.ConnectJars); err != nil {
		return nil, err
	}
	folder, err := os.MkdirTemp("", "connect-")
	if err != nil {
		return nil, fmt.Errorf("a folder for the worker: %w", err)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(folder)
		return nil, err
	}
	w := &ConnectWorker{env: env, URL: "http://127.0.0.1:" + port, Group: group, Folder: folder,
		client: &http.Client{Timeout: 10 * time.Second}, user: "lesson", secret: NewPassword()}
	// Source positions saved and sink offsets committed every second, not
	// every minute.
	props := native.WorkerSettings(env.Brokers, group, group, int(env.Replicas()), port, time.Second)
	app, err := env.JVM.StartConnect(ctx, "the Connect worker", filepath.Join(folder, "worker"), w.user, w.secret, props)
	if err != nil {
		os.RemoveAll(folder)
		return nil, err
	}
	w.app = app
	if err := w.waitForHerder(ctx, 60*time.Second); err != nil {
		w.Stop()
		return nil, err
	}
	if err := w.waitForTopics(ctx, 60*time.Second); err != nil {
		w.Stop()
		return nil, err
	}
	return w, nil
}

// fetchJars fetches a component's jars, saying so. A first fetch may
// outlast a step's time limit: it gets jarsTimeout of its own, and still
// stops at Ctrl-C.
func fetchJars(ctx context.Context, env *Env, fetch func(context.Context, func(string, ...any)) (string, error)) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jarsTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		if errors.Is(ctx.Err(), context.Canceled) {
			cancel()
		}
	})
	defer stop()
	_, err := fetch(fctx, func(format string, args ...any) {
		env.Out.Say("%s", strings.TrimSpace(fmt.Sprintf(format, args...)))
	})
	if err != nil && errors.Is(fctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("the jars were not fetched within %v: run the lesson again, Maven goes on from what it has (%w)", jarsTimeout, err)
	}
	if err == nil && ctx.Err() != nil {
		return errors.New("the jars are fetched now, and that took the step's time: run it again")
	}
	return err
}

// waitLimit bounds each wait for Connect: three of them fit in a step.
const waitLimit = 20 * time.Second

// freePort returns a loopback port that nothing listens on now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// waitForHerder waits until the worker's herder answers: its REST server
// answers GET / before, and a connector made then may wait longer than
// the client's 10 s.
func (w *ConnectWorker) waitForHerder(ctx context.Context, within time.Duration) error {
	err := pollUntil(ctx, within, 300*time.Millisecond, func(ctx context.Context) (bool, error) {
		if err := w.app.Failure(); err != nil {
			return false, err
		}
		return native.HerderAnswers(ctx, w.client, w.URL, w.user, w.secret) == nil, nil
	})
	if errors.Is(err, errPollLimit) {
		return fmt.Errorf("the Connect worker did not answer on %s within %v", w.URL, within)
	}
	return err
}

// Credentials are the user and password its REST API asks for: a program
// of the learner's (exercise 21) drives it too.
func (w *ConnectWorker) Credentials() (user, password string) { return w.user, w.secret }

// waitForTopics waits until the cluster lists the worker's three topics:
// the broker the herder asked has them, and the others soon.
func (w *ConnectWorker) waitForTopics(ctx context.Context, within time.Duration) error {
	topics := []string{w.Configs(), w.Offsets(), w.Status()}
	missing := topics
	err := pollUntil(ctx, within, 300*time.Millisecond, func(ctx context.Context) (bool, error) {
		if err := w.app.Failure(); err != nil {
			return false, err
		}
		tr := w.env.NewTransport()
		defer tr.CloseIdleConnections()
		missing = native.MissingTopics(ctx, &kafka.Client{Addr: kafka.TCP(w.env.Brokers...), Transport: tr}, topics)
		return len(missing) == 0, nil
	})
	if errors.Is(err, errPollLimit) {
		return fmt.Errorf("the Connect worker did not make its topics %s within %v", strings.Join(missing, ", "), within)
	}
	return err
}

// Running says the worker's JVM has not ended.
func (w *ConnectWorker) Running() bool { return w.app != nil && w.app.Failure() == nil }

// Stop stops the worker (it ends when its standard input closes), within
// 30 s, and deletes its files.
func (w *ConnectWorker) Stop() {
	if w.app != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = w.app.Stop(ctx)
		w.app = nil
	}
	os.RemoveAll(w.Folder)
}

// Do sends a request to the worker's REST API with body as JSON (nil: no
// body), decodes the answer into out (nil: not read) and returns its status.
func (w *ConnectWorker) Do(ctx context.Context, method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.URL+path, r)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(w.user, w.secret)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(data)))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// ConnectorState is what GET /connectors/NAME/status says: the
// connector's state and each task's (RUNNING, FAILED, PAUSED, UNASSIGNED).
type ConnectorState struct {
	Connector struct {
		State string `json:"state"`
	} `json:"connector"`
	Tasks []struct {
		ID    int    `json:"id"`
		State string `json:"state"`
		Trace string `json:"trace"`
	} `json:"tasks"`
}

// TaskStates lists the tasks' states, in task order.
func (s ConnectorState) TaskStates() []string {
	var states []string
	for _, t := range s.Tasks {
		states = append(states, t.State)
	}
	return states
}

// WaitForTasks waits until the connector has tasks and every one is in
// state (RUNNING, FAILED): creating a connector only records its config;
// the workers start it and its tasks a moment later.
func (w *ConnectWorker) WaitForTasks(ctx context.Context, name, state string) (ConnectorState, error) {
	var last ConnectorState
	err := pollUntil(ctx, waitLimit, 200*time.Millisecond, func(ctx context.Context) (bool, error) {
		var s ConnectorState
		if _, err := w.Do(ctx, http.MethodGet, "/connectors/"+name+"/status", nil, &s); err != nil {
			return false, nil // not created yet, or the worker busy: asked again
		}
		last = s
		done := len(s.Tasks) > 0
		for _, t := range s.Tasks {
			done = done && t.State == state
		}
		return done, nil
	})
	if err != nil {
		return last, fmt.Errorf("the tasks of connector %s are %v, not all %s, after %v", name, last.TaskStates(), state, waitLimit)
	}
	return last, nil
}

// WaitForLines waits until the file has n lines, and returns them.
func WaitForLines(ctx context.Context, path string, n int) ([]string, error) {
	var lines []string
	err := pollUntil(ctx, waitLimit, 200*time.Millisecond, func(context.Context) (bool, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return false, nil // not written yet
		}
		lines = nil
		sc := bufio.NewScanner(bytes.NewReader(data)) // \n or \r\n (Java's println on Windows)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		return len(lines) >= n, nil
	})
	if err != nil {
		return lines, fmt.Errorf("%s has %d line(s) after %v, and %d were expected", path, len(lines), waitLimit, n)
	}
	return lines, nil
}

// WaitForRecords reads every partition of topic until it holds n records,
// and returns them, partition by partition.
func WaitForRecords(ctx context.Context, env *Env, topic string, partitions, n int) ([]kafka.Message, error) {
	var all []kafka.Message
	var lastErr error
	err := pollUntil(ctx, waitLimit, 300*time.Millisecond, func(ctx context.Context) (bool, error) {
		all, lastErr = all[:0], nil
		for p := range partitions {
			msgs, err := ReadPartition(ctx, env, topic, p)
			if err != nil {
				lastErr = err // looked at again next time
				return false, nil
			}
			all = append(all, msgs...)
		}
		return len(all) >= n, nil
	})
	if err != nil {
		return all, fmt.Errorf("%s holds %d record(s) after %v, and %d were expected (%v)", topic, len(all), waitLimit, n, lastErr)
	}
	return all, nil
}

// WaitForSourcePosition reads the worker's offsets topic until the last
// position saved for connector's file is want, and returns it. Keys are
// JSON: ["NAME",{"filename":"..."}]; values {"position":N}, N characters
// read (bytes, for ASCII text).
func WaitForSourcePosition(ctx context.Context, env *Env, topic, connector string, want int64) (int64, error) {
	partitions, _, err := DescribeMadeTopic(ctx, env, topic)
	if err != nil {
		return 0, err
	}
	var last int64 = -1
	err = pollUntil(ctx, waitLimit, time.Second, func(ctx context.Context) (bool, error) {
		for p := range partitions {
			msgs, _ := ReadPartition(ctx, env, topic, p) // an error: looked at again next time
			for _, m := range msgs {
				var key []json.RawMessage
				var value struct {
					Position int64 `json:"position"`
				}
				if json.Unmarshal(m.Key, &key) != nil || len(key) != 2 || string(key[0]) != strconv.Quote(connector) {
					continue
				}
				if json.Unmarshal(m.Value, &value) == nil {
					last = value.Position
				}
			}
		}
		return last == want, nil
	})
	if err != nil {
		return last, fmt.Errorf("the position of %s in %s is %d after %v, and %d was expected", connector, topic, last, waitLimit, want)
	}
	return last, nil
}

// WaitForCommitted waits until group has committed offset want on
// partition 0 of topic, and returns it.
func WaitForCommitted(ctx context.Context, env *Env, group, topic string, want int64) (int64, error) {
	var last int64 = -1
	var lastErr error
	err := pollUntil(ctx, waitLimit, 500*time.Millisecond, func(ctx context.Context) (bool, error) {
		offsets, err := CommittedOffsets(ctx, env, group, topic, 1)
		if lastErr = err; err != nil {
			return false, nil // looked at again next time
		}
		last = offsets[0]
		return last == want, nil
	})
	if err != nil {
		return last, fmt.Errorf("group %s committed offset %d on %s after %v, and %d was expected (%v)", group, last, topic, waitLimit, want, lastErr)
	}
	return last, nil
}
