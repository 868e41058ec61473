package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// watchTopic makes the orders topic of prefix on addr and writes n
// records to it.
func watchTopic(t *testing.T, addr, prefix string, n int) *lessons.Env {
	t.Helper()
	addrs := strings.Split(addr, ",")
	info, err := broker.Probe(context.Background(), addrs, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	env := lessons.NewEnv(addrs, lessons.Cluster{Brokers: info.Brokers, Embedded: info.Embedded()}, prefix, testkit.NewRecorder())
	t.Cleanup(env.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := lessons.EnsureTopic(ctx, env, env.OrdersTopic()); err != nil {
		t.Fatal(err)
	}
	writeOrders(t, env, n)
	return env
}

func writeOrders(t *testing.T, env *lessons.Env, n int) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Topic: env.Topic, Transport: env.Transport,
		BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll, Balancer: &kafka.RoundRobin{}}
	defer w.Close()
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Value: []byte(fmt.Sprintf(`{"order_id":%d}`, i))}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

// Without a terminal (--once, or stdout piped) watch prints one plain
// snapshot and exits 0.
func TestWatchOnceAndPiped(t *testing.T) {
	addr := testBroker(t)
	p := prefix()
	watchTopic(t, addr, p, 6) // round robin: two records in each partition
	for _, args := range [][]string{
		{"watch", "--once", "--brokers", addr, "--topic-prefix", p},
		{"watch", "--brokers", addr, "--topic-prefix", p}, // piped
	} {
		cmd, out, errb := runner(t, nil, args...)
		if code := exitCode(t, cmd, 20*time.Second); code != 0 {
			t.Fatalf("%v: exit code %d\n%s%s", args, code, out, errb)
		}
		text := out.String()
		for _, want := range []string{"BROKERS", "up", p + "orders  3 partitions · 6 records", "[0]", "0 → 2", "CONSUMER GROUPS"} {
			if !strings.Contains(text, want) {
				t.Errorf("%v: no %q in:\n%s", args, want, text)
			}
		}
		if strings.Contains(text, "\x1b") {
			t.Errorf("%v: escape sequences in a pipe:\n%q", args, text)
		}
	}
}

// watcher runs the watch in a pseudo-terminal of rows × cols.
type watcher struct {
	learner
	rows, cols int
}

func startWatcher(t *testing.T, rows, cols int, env []string, args ...string) *watcher {
	t.Helper()
	return startScreen(t, rows, cols, env, append([]string{"watch"}, args...)...)
}

// startScreen runs the runner with args (a command that redraws the screen:
// watch, class) in a pseudo-terminal of rows × cols.
func startScreen(t *testing.T, rows, cols int, env []string, args ...string) *watcher {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(withoutVar(withoutVar(os.Environ(), "NO_COLOR"), broker.EnvVar), append([]string{"TERM=xterm-256color"}, env...)...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(rows), Cols: uint16(cols)})
	if err != nil {
		t.Fatal(err)
	}
	w := &watcher{learner: learner{t: t, cmd: cmd, tty: tty, screen: &syncBuffer{}, vt: vt10x.New(vt10x.WithSize(cols, rows))}, rows: rows, cols: cols}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			w.screen.Write(buf[:n])
			w.mu.Lock()
			w.vt.Write(buf[:n])
			w.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		tty.Close()
	})
	return w
}

// termState is the terminal's settings (its termios), as text.
func (w *watcher) termState() string {
	w.t.Helper()
	st, err := term.GetState(int(w.tty.Fd()))
	if err != nil {
		w.t.Fatal(err)
	}
	return fmt.Sprint(*st)
}

// freshTerminal is the settings of a new pseudo-terminal, as text.
func freshTerminal(t *testing.T) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	st, err := term.GetState(int(ptmx.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(*st)
}

// lines returns the screen's lines, without trailing blanks.
func (w *watcher) lines() []string {
	ls := strings.Split(strings.TrimSuffix(w.visible(), "\n"), "\n")
	for i := range ls {
		ls[i] = strings.TrimRight(ls[i], " \x00")
	}
	return ls
}

// frames splits what the program wrote into the frames it drew: each
// starts at the top left corner.
func (w *watcher) frames() []string {
	parts := strings.Split(w.screen.String(), home)
	return parts[1:]
}

// waitScreen waits until the screen shows want.
func (w *watcher) waitScreen(want string) {
	w.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(w.visible(), want) {
		if time.Now().After(deadline) {
			w.t.Fatalf("waited 20 s for %q on screen:\n%s", want, w.visible())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRaw waits until the program wrote want, escape sequences and all.
func (w *watcher) waitRaw(want string) {
	w.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(w.screen.String(), want) {
		if time.Now().After(deadline) {
			w.t.Errorf("the program never wrote %q", want)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkInPlace says every frame fits the terminal, so nothing scrolls: no
// more lines than it has, none wider, and the header on its first line.
func (w *watcher) checkInPlace() {
	w.t.Helper()
	frames := w.frames()
	if len(frames) < 3 {
		w.t.Fatalf("%d frames drawn, want several", len(frames))
	}
	for i, f := range frames {
		if strings.HasPrefix(f, "Watching ") {
			continue
		}
		f, _, _ = strings.Cut(f, altScreenOff)
		ls := strings.Split(f, "\r\n")
		if len(ls) > w.rows {
			w.t.Errorf("frame %d has %d lines, the terminal %d", i, len(ls), w.rows)
		}
		for _, l := range ls {
			plainLine := ansi.ReplaceAllString(l, "")
			if n := utf8.RuneCountInString(plainLine); n >= w.cols {
				w.t.Errorf("frame %d: a line of %d columns, the terminal has %d: %q", i, n, w.cols, plainLine)
			}
		}
	}
	if ls := w.lines(); !strings.HasPrefix(ls[0], "Kafka · ") {
		w.t.Errorf("the header is not on the first line: the screen scrolled?\n%s", w.visible())
	}
}

func TestWatchLiveRedrawsInPlaceAndQuits(t *testing.T) {
	addr := testBroker(t)
	p := prefix()
	orders := watchTopic(t, addr, p, 3)
	for _, size := range []struct{ rows, cols int }{{40, 120}, {12, 60}} {
		for _, key := range []string{"q", "\x03"} { // q, and Ctrl-C (with NO_COLOR)
			t.Run(fmt.Sprintf("%dx%d/%q", size.rows, size.cols, key), func(t *testing.T) {
				var env []string
				if key == "\x03" {
					env = []string{"NO_COLOR=1"}
				}
				w := startWatcher(t, size.rows, size.cols, env, "--brokers", addr, "--topic-prefix", p)
				w.waitScreen("BROKERS")
				if w.termState() == freshTerminal(t) {
					t.Errorf("the terminal is not in raw mode while watching")
				}
				n := len(w.lines())
				writeOrders(t, orders, 3)
				w.waitScreen("+3 records")
				time.Sleep(1200 * time.Millisecond) // a few more redraws
				if got := len(w.lines()); got != n {
					t.Errorf("the screen has %d lines, then %d", n, got)
				}
				w.checkInPlace()
				if _, err := w.tty.Write([]byte(key)); err != nil {
					t.Fatal(err)
				}
				if code := exitCode(t, w.cmd, 5*time.Second); code != 0 {
					t.Errorf("exit code %d after %q", code, key)
				}
				w.waitRaw(altScreenOff) // the last bytes may still be on their way
				raw := w.screen.String()
				if !strings.Contains(raw, altScreenOn) || !strings.HasSuffix(raw, altScreenOff) {
					t.Errorf("the alternate screen was not entered and left: ends with %q", raw[max(0, len(raw)-40):])
				}
				if got, want := w.termState(), freshTerminal(t); got != want {
					t.Errorf("the terminal's settings were not restored:\n got %s\nwant %s", got, want)
				}
				switch colored := strings.Contains(raw, "\x1b[32m"); {
				case env == nil && !colored:
					t.Errorf("no colour on a terminal")
				case env != nil && colored:
					t.Errorf("colour although NO_COLOR is set")
				}
			})
		}
	}
}

// The cluster goes away while the watch runs: it says so, and keeps
// running until q.
func TestWatchLiveBrokerGoesAway(t *testing.T) {
	b, err := broker.StartEmbedded(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p := prefix()
	watchTopic(t, b.Addrs[0], p, 3)
	w := startWatcher(t, 30, 120, nil, "--brokers", b.Addrs[0], "--topic-prefix", p)
	w.waitScreen("up")
	b.Close()
	w.waitScreen("no broker answers")
	w.waitScreen("gone")
	time.Sleep(time.Second)
	w.checkInPlace()
	w.tty.Write([]byte("q"))
	if code := exitCode(t, w.cmd, 5*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if strings.Contains(w.text(), "panic") {
		t.Errorf("panic:\n%s", w.text())
	}
}

// --embedded attaches only to the walkthrough's embedded broker: it never
// starts an empty one of its own.
func TestWatchTarget(t *testing.T) {
	t.Setenv(broker.EnvVar, "")
	ctx := context.Background()
	closed := closedAddr(t)
	emb, err := broker.StartEmbedded(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	other, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.ClusterID("someone-elses"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	var u usageError
	c := &command{embedded: true}
	if _, _, err := c.watchTarget(ctx, closed); err == nil || errors.As(err, &u) || !strings.Contains(err.Error(), "does not start an emulation of its own") {
		t.Errorf("--embedded, nothing there: %v", err)
	}
	if addrs, info, err := c.watchTarget(ctx, emb.Addrs[0]); err != nil || !info.Embedded() || addrs[0] != emb.Addrs[0] {
		t.Errorf("--embedded, the embedded broker there: %v %v %v", addrs, info, err)
	}
	if _, _, err := c.watchTarget(ctx, other.ListenAddrs()[0]); !errors.As(err, &u) || !strings.Contains(err.Error(), "not the embedded emulation") {
		t.Errorf("--embedded, another Kafka there: %v", err)
	}
	c = &command{}
	if _, _, err := c.watchTarget(ctx, closed); err == nil || !strings.Contains(err.Error(), "nothing to watch yet") {
		t.Errorf("no broker at the default address: %v", err)
	}
	c = &command{brokers: closed}
	if _, _, err := c.watchTarget(ctx, emb.Addrs[0]); err == nil || !strings.Contains(err.Error(), "no Kafka broker answers at "+closed) {
		t.Errorf("--brokers that does not answer: %v", err)
	}
}

// closedAddr is an address where nothing listens.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestWatchCommandLine(t *testing.T) {
	c, err := parseArgs([]string{"watch", "--once", "--all-topics", "--topic-prefix", "ada-"}, &syncBuffer{}, &syncBuffer{})
	if err != nil || c.name != "watch" || !c.once || !c.allTopics || c.topicPrefix != "ada-" {
		t.Errorf("parsed %+v, %v", c, err)
	}
	for _, args := range [][]string{
		{"watch", "--count", "3"},                              // produce's flag
		{"watch", "--embedded", "--brokers", "localhost:9092"}, // one or the other
		{"watch", "orders"},
	} {
		if _, err := parseArgs(args, &syncBuffer{}, &syncBuffer{}); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
