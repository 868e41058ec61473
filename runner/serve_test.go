package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/watch"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// testServer is a web server of this test's, on a loopback port, over
// the test's broker; rec sees what the lessons print.
type testServer struct {
	*webServer
	url  string // http://127.0.0.1:PORT
	rec  *testkit.Recorder
	done chan error // serve's return, once it stopped
	stop context.CancelFunc
}

func startTestServer(t *testing.T) *testServer {
	t.Helper()
	env, rec := testkit.Env(t)
	ctx, cancel := context.WithCancel(context.Background())
	s := newWebServer(ctx, env, nil, env.Prefix)
	// Progress goes to the tests' own file (TestMain), under the test's prefix.
	s.printer.also = rec
	w, err := watch.New(watch.Options{Brokers: env.Brokers, Prefix: env.Prefix, Transport: env.Transport})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	s.watcher = w
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	s.hosts = loopbackHosts(s.port)
	ts := &testServer{webServer: s, url: "http://" + ln.Addr().String(), rec: rec, done: make(chan error, 1), stop: cancel}
	go func() { ts.done <- s.serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-ts.done:
		case <-time.After(30 * time.Second):
			t.Error("the server did not stop within 30 s of its context's end")
		}
	})
	return ts
}

// get asks path with header h (a token, an origin) and returns the status.
func (ts *testServer) do(t *testing.T, method, path string, body string, h map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestServeRefusesWithoutTheRightTokenHostOrOrigin(t *testing.T) {
	ts := startTestServer(t)
	tok := map[string]string{"X-Token": ts.token}
	for _, c := range []struct {
		name, method, path string
		header             map[string]string
		want               int
	}{
		{"no token", "GET", "/", nil, http.StatusForbidden},
		{"no token, the API", "GET", "/api/lessons", nil, http.StatusForbidden},
		{"no token, the stream", "GET", "/api/events", nil, http.StatusForbidden},
		{"no token, a run", "POST", "/api/run", nil, http.StatusForbidden},
		{"a wrong token", "GET", "/api/lessons", map[string]string{"X-Token": ts.token[:len(ts.token)-1] + "x"}, http.StatusForbidden},
		{"a wrong token in the address", "GET", "/?token=nope", nil, http.StatusForbidden},
		{"the token, from another site's page", "POST", "/api/run", map[string]string{"X-Token": ts.token, "Origin": "http://evil.example"}, http.StatusForbidden},
		{"the token, another site per the browser", "POST", "/api/stop", map[string]string{"X-Token": ts.token, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"the token, through a name that is not loopback", "GET", "/api/lessons", map[string]string{"X-Token": ts.token, "Host": "evil.example:" + strconv.Itoa(ts.port)}, http.StatusForbidden},
		{"the token", "GET", "/api/lessons", tok, http.StatusOK},
		{"the token, from the page itself", "POST", "/api/stop", map[string]string{"X-Token": ts.token, "Origin": ts.url}, http.StatusOK},
		{"the token in the address", "GET", "/?token=" + ts.token, nil, http.StatusSeeOther},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := ""
			if c.method == "POST" {
				body = `{"lesson":3,"step":1}`
			}
			if got := ts.do(t, c.method, c.path, body, c.header).StatusCode; got != c.want {
				t.Errorf("%s %s: status %d, want %d", c.method, c.path, got, c.want)
			}
		})
	}
	// The token in the address becomes a cookie, and the page is served
	// with it alone.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(ts.url + "/?token=" + ts.token)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.RawQuery != "" || !strings.Contains(string(page), "/static/app.js") {
		t.Fatalf("the address with the token: status %d at %s, want the page at / without the token", resp.StatusCode, resp.Request.URL)
	}
	for _, path := range []string{"/static/app.js", "/static/app.css", "/api/lessons/3"} {
		resp, err := client.Get(ts.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s with the cookie: status %d", path, resp.StatusCode)
		}
	}
}

// stream is the event stream of one tab.
type stream struct {
	client string
	events chan event
	cancel context.CancelFunc
}

func (ts *testServer) open(t *testing.T) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.url+"/api/events", nil)
	req.Header.Set("X-Token", ts.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the event stream: status %d", resp.StatusCode)
	}
	st := &stream{events: make(chan event, 10000), cancel: cancel}
	go func() {
		defer close(st.events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var e event
			if err := json.Unmarshal([]byte(data), &e); err == nil {
				st.events <- e
			}
		}
	}()
	hello := st.next(t, 10*time.Second, func(e event) bool { return e.Type == "hello" })
	st.client = hello.Client
	t.Cleanup(cancel)
	return st
}

// next waits for the first event that matches.
func (st *stream) next(t *testing.T, within time.Duration, match func(event) bool) event {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case e, ok := <-st.events:
			if !ok {
				t.Fatal("the event stream ended")
			}
			if match(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("no such event within %v", within)
		}
	}
}

// post sends a JSON request with the token and returns the decoded answer.
func (ts *testServer) post(t *testing.T, path string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp := ts.do(t, "POST", path, string(b), map[string]string{"X-Token": ts.token, "Content-Type": "application/json"})
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestServeRunsAStepAndStreamsItsRecords(t *testing.T) {
	ts := startTestServer(t)
	st := ts.open(t)
	// Step 2 needs step 1's writer: the page is offered to run it first.
	code, out := ts.post(t, "/api/run", map[string]any{"lesson": 3, "step": 2, "client": st.client})
	needs, _ := out["needs"].([]any)
	if code != http.StatusOK || len(needs) != 1 {
		t.Fatalf("lesson 3 step 2 without step 1: status %d, %v; want the offer to run step 1 first", code, out)
	}
	if code, out := ts.post(t, "/api/run", map[string]any{"lesson": 3, "step": 2, "needs": true, "client": st.client}); code != http.StatusAccepted {
		t.Fatalf("run lesson 3 step 2 with what it needs: status %d, %v", code, out)
	}
	var cells []string
	var delivered []webRecord
	for len(delivered) < 3 {
		e := st.next(t, 60*time.Second, func(e event) bool {
			return e.Type == "start" || e.Type == "end" || (e.Type == "out" && e.Record != nil)
		})
		switch {
		case e.Type == "start":
			cells = append(cells, e.Cell)
		case e.Type == "end" && e.Status != "ok":
			t.Fatalf("%s ended %s", e.Cell, e.Status)
		case e.Record != nil && e.Record.Kind == "delivered":
			if e.Cell != cellID(3, 2) {
				t.Errorf("a delivery report went to %s, want %s", e.Cell, cellID(3, 2))
			}
			delivered = append(delivered, *e.Record)
		}
	}
	if want := []string{cellID(3, 1), cellID(3, 2)}; !slices.Equal(cells, want) {
		t.Errorf("cells started: %v, want %v", cells, want)
	}
	// What the page got is what the lesson reported, record for record.
	var recorded []webRecord
	for _, r := range ts.rec.Records(lessons.Delivered) {
		recorded = append(recorded, webRecord{Kind: "delivered", Topic: r.Topic, Partition: r.Partition, Offset: r.Offset})
	}
	if !slices.Equal(delivered, recorded) {
		t.Errorf("the page got %v, the lesson reported %v", delivered, recorded)
	}
	// And it is what Kafka holds: the topic is this test's, so each
	// partition ends one past the last offset delivered to it.
	checkEndOffsets(t, ts.env, delivered)
	// The progress file the terminal reads says where to go on: step 3.
	if at, ok := ts.sess.progress.resume(); !ok || at.Lesson != 3 || at.Step != 3 {
		t.Errorf("progress: resume at %+v (%v), want lesson 3 step 3", at, ok)
	}
}

// checkEndOffsets asks Kafka for the end of each partition the records went
// to: one past the last of them.
func checkEndOffsets(t *testing.T, env *lessons.Env, recs []webRecord) {
	t.Helper()
	last := map[int]int64{}
	for _, r := range recs {
		if r.Topic != env.Topic {
			t.Errorf("a record went to %s, want %s", r.Topic, env.Topic)
		}
		last[r.Partition] = max(last[r.Partition], r.Offset)
	}
	req := map[string][]kafka.OffsetRequest{}
	for p := range last {
		req[env.Topic] = append(req[env.Topic], kafka.LastOffsetOf(p))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := env.Client().ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: req})
	if err != nil {
		t.Fatal(err)
	}
	for _, po := range res.Topics[env.Topic] {
		if po.Error != nil {
			t.Fatal(po.Error)
		}
		if po.LastOffset != last[po.Partition]+1 {
			t.Errorf("partition %d ends at %d; the page said the last record went to offset %d", po.Partition, po.LastOffset, last[po.Partition])
		}
	}
}

// blockingLesson has one step that sends an order with a writer of its own,
// reports it, then waits until it is stopped; its Cleanup closes the writer
// and says so on closed.
func blockingLesson(closed chan<- error) lessons.Lesson {
	var w *kafka.Writer
	return lessons.Lesson{Number: 90, Title: "a step that waits", Plan: func() lessons.Plan {
		return lessons.Plan{
			Setup: func(ctx context.Context, env *lessons.Env) error {
				return lessons.EnsureTopic(ctx, env, env.OrdersTopic())
			},
			Steps: []lessons.Step{{Title: "send, then wait", Run: func(ctx context.Context, env *lessons.Env) error {
				w = &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Topic: env.Topic, Transport: env.Transport,
					RequiredAcks: kafka.RequireAll}
				if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("{}")}); err != nil {
					return err
				}
				env.Out.Say("sent; now waiting to be stopped")
				<-ctx.Done()
				return ctx.Err()
			}}},
			Cleanup: func() {
				if w == nil {
					closed <- errors.New("no writer was made")
					return
				}
				w.Close()
				// A closed writer refuses to write.
				closed <- w.WriteMessages(context.Background(), kafka.Message{Value: []byte("{}")})
			},
		}
	}}
}

func TestServeAClosedTabStopsItsStepAndClosesItsWriter(t *testing.T) {
	ts := startTestServer(t)
	closed := make(chan error, 1)
	ts.find = func(n int) (lessons.Lesson, bool) { return blockingLesson(closed), n == 90 }
	tab, other := ts.open(t), ts.open(t)
	if code, out := ts.post(t, "/api/run", map[string]any{"lesson": 90, "step": 1, "client": tab.client}); code != http.StatusAccepted {
		t.Fatalf("run: status %d, %v", code, out)
	}
	// Both tabs see the run.
	for _, st := range []*stream{tab, other} {
		st.next(t, 30*time.Second, func(e event) bool { return e.Type == "out" && strings.Contains(e.HTML, "waiting to be stopped") })
	}
	// A second job waits for the first, and asking for another lesson's
	// step does not end the running one's.
	ts.find = func(n int) (lessons.Lesson, bool) {
		if n == 90 {
			return blockingLesson(closed), true
		}
		return lessons.Find(n)
	}
	for _, n := range []int{90, 3} {
		if code, _ := ts.post(t, "/api/run", map[string]any{"lesson": n, "step": 1, "client": other.client}); code != http.StatusConflict {
			t.Errorf("lesson %d's step 1 while a step runs: status %d, want %d", n, code, http.StatusConflict)
		}
	}
	select {
	case err := <-closed:
		t.Fatalf("asking for a step while another runs closed the running step's writer (%v)", err)
	default:
	}
	tab.cancel() // the tab that asked closes
	select {
	case err := <-closed:
		if !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("after the tab closed, the step's writer still writes (%v)", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the step's writer was not closed within 20 s of its tab closing")
	}
	end := other.next(t, 10*time.Second, func(e event) bool { return e.Type == "end" })
	if end.Status != "stopped" || end.Cell != cellID(90, 1) {
		t.Errorf("the other tab saw %s end %q, want %s stopped", end.Cell, end.Status, cellID(90, 1))
	}
	other.next(t, 10*time.Second, func(e event) bool { return e.Type == "idle" })
	// The server takes a new job: the run starts afresh (a new writer).
	if code, out := ts.post(t, "/api/run", map[string]any{"lesson": 90, "step": 1, "client": other.client}); code != http.StatusAccepted {
		t.Fatalf("a run after the stop: status %d, %v", code, out)
	}
	other.next(t, 30*time.Second, func(e event) bool { return e.Type == "out" && strings.Contains(e.HTML, "waiting to be stopped") })
	// Ctrl-C on the server stops it too, and serve says it was interrupted.
	ts.stop()
	select {
	case err := <-closed:
		if !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("after the server stopped, the step's writer still writes (%v)", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the step's writer was not closed within 20 s of the server stopping")
	}
	if err := <-ts.done; !errors.Is(err, errInterrupted) {
		t.Errorf("serve returned %v, want errInterrupted (exit 130)", err)
	}
	ts.done <- nil // for the cleanup
}

func TestServeQuizIsMarkedByTheServer(t *testing.T) {
	ts := startTestServer(t)
	l, _ := lessons.Find(3)
	answers := make([]int, len(l.Quiz))
	for i, q := range l.Quiz {
		answers[i] = q.Answer
	}
	answers[0] = (l.Quiz[0].Answer + 1) % len(l.Quiz[0].Choices) // one wrong
	code, out := ts.post(t, "/api/quiz", map[string]any{"lesson": 3, "answers": answers})
	if code != http.StatusOK {
		t.Fatalf("quiz: status %d, %v", code, out)
	}
	if out["right"] != float64(len(l.Quiz)-1) || out["total"] != float64(len(l.Quiz)) {
		t.Errorf("quiz: %v right of %v, want %d of %d", out["right"], out["total"], len(l.Quiz)-1, len(l.Quiz))
	}
	first := out["verdicts"].([]any)[0].(map[string]any)
	if first["right"] != false || first["answer"] != l.Quiz[0].Choices[l.Quiz[0].Answer] {
		t.Errorf("the wrong answer's verdict: %v", first)
	}
	// A question about a deeper step may be left blank, as the terminal
	// leaves it out for a learner who skipped the step: it is not counted.
	l0, _ := lessons.Find(0)
	steps := l0.Plan().Steps
	blank := make([]any, len(l0.Quiz))
	kept := 0
	for i, q := range l0.Quiz {
		if q.Step >= 1 && steps[q.Step-1].Deeper {
			blank[i] = nil
			continue
		}
		blank[i] = q.Answer
		kept++
	}
	if kept == len(l0.Quiz) {
		t.Fatal("lesson 0 has no question about a deeper step any more: choose another lesson for this test")
	}
	code, out = ts.post(t, "/api/quiz", map[string]any{"lesson": 0, "answers": blank})
	if code != http.StatusOK || out["right"] != float64(kept) || out["total"] != float64(kept) {
		t.Errorf("lesson 0 with the deeper steps' questions blank: status %d, %v right of %v; want %d of %d", code, out["right"], out["total"], kept, kept)
	}
	for _, bad := range [][]any{{0}, {nil, 0, 0}, {-1, 0, 0}, {0, 0, len(l.Quiz[2].Choices)}} {
		if code, _ := ts.post(t, "/api/quiz", map[string]any{"lesson": 3, "answers": bad}); code != http.StatusBadRequest {
			t.Errorf("the answers %v: status %d, want 400", bad, code)
		}
	}
}

// TestServeCommandPrintsItsAddressAndEndsOn130 runs the command as a learner
// does: it prints an address with a token, the page works with it, and
// Ctrl-C while a step's writer is open ends it with 130.
func TestServeCommandPrintsItsAddressAndEndsOn130(t *testing.T) {
	// A port of its own, taken first: serve moves to the next one and says so.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	cmd, out, errb := runner(t, nil, "serve", "--brokers", testBroker(t), "--port", strconv.Itoa(port),
		"--topic-prefix", testkit.Prefix("serve"))
	addr := regexp.MustCompile(`http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]+)`)
	var m []string
	for deadline := time.Now().Add(60 * time.Second); m == nil; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no address printed within 60 s:\n%s\n%s", out, errb)
		}
		m = addr.FindStringSubmatch(out.String())
	}
	if m[1] == strconv.Itoa(port) || !strings.Contains(out.String(), fmt.Sprintf("Port %d is taken", port)) {
		t.Errorf("port %d was taken; serve printed:\n%s", port, out)
	}
	u, _ := url.Parse(m[0])
	ts := &testServer{webServer: &webServer{token: m[2]}, url: "http://" + u.Host}
	st := ts.open(t)
	if code, body := ts.post(t, "/api/run", map[string]any{"lesson": 3, "step": 1, "client": st.client}); code != http.StatusAccepted {
		t.Fatalf("run lesson 3 step 1: status %d, %v", code, body)
	}
	st.next(t, 60*time.Second, func(e event) bool { return e.Type == "end" && e.Cell == cellID(3, 1) && e.Status == "ok" })
	cmd.Process.Signal(os.Interrupt)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case <-waited:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve still runs 30 s after Ctrl-C:\n%s", out)
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit code %d after Ctrl-C, want %d:\n%s\n%s", code, exitInterrupted, out, errb)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Errorf("serve was killed by a signal (%v), not ended", ws.Signal())
	}
}

// TestServeEditThatDoesNotCompile sends an edit of lesson 8's step 1 that
// does not compile: the cell ends "failed" and says where, the edit is kept
// (nothing the learner typed is lost), and restore removes it.
func TestServeEditThatDoesNotCompile(t *testing.T) {
	ts := startTestServer(t)
	var why string
	if ts.sess.editor, why = newStepBuilder(ts.env.Prefix, ts.env.Brokers, ""); ts.sess.editor == nil {
		t.Skipf("steps cannot be edited here: %s", why)
	}
	l8, _ := lessons.Find(8)
	src, _ := lessons.SourceOf(l8.Plan().Steps[0])
	lines := strings.Split(src.Code, "\n")
	lines[4] = "sent := NewDeliveries(env.Out) + nope"
	body := strings.Join(lines, "\n")
	st := ts.open(t)
	if code, out := ts.post(t, "/api/edit", map[string]any{"lesson": 8, "step": 1, "code": body, "client": st.client}); code != http.StatusAccepted {
		t.Fatalf("edit: status %d, %v", code, out)
	}
	var said []string
	end := st.next(t, 3*time.Minute, func(e event) bool {
		if e.Type == "out" {
			said = append(said, e.HTML)
		}
		return e.Type == "end"
	})
	if end.Status != "failed" || end.Cell != cellID(8, 1) {
		t.Errorf("an edit that does not compile ended %s %q, want %s failed", end.Cell, end.Status, cellID(8, 1))
	}
	if !strings.Contains(strings.Join(said, "\n"), "undefined: nope") {
		t.Errorf("the cell does not say what does not compile:\n%s", strings.Join(said, "\n"))
	}
	if kept, ok := ts.sess.editor.saved(8, 1); !ok || kept != body {
		t.Errorf("the edit was not kept as typed (%v)", ok)
	}
	if code, out := ts.post(t, "/api/restore", map[string]any{"lesson": 8, "step": 1}); code != http.StatusOK {
		t.Fatalf("restore: status %d, %v", code, out)
	}
	if _, ok := ts.sess.editor.saved(8, 1); ok {
		t.Error("the edit is still kept after restore")
	}
}
