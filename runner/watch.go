package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/watch"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Watch timing: a poll every half second, a look at the terminal's size
// four times a second.
const (
	watchEvery  = 500 * time.Millisecond
	resizeEvery = 250 * time.Millisecond
	// pipeWidth is where lines are cut without a terminal: nowhere, in practice.
	pipeWidth = 200
)

// recentKept is how many changes the live picture remembers.
const recentKept = 20

// watch draws the cluster: live and in place on a terminal, or one plain
// snapshot with --once or without a terminal.
func (c *command) watch(ctx context.Context, io stdio) error {
	addrs, info, cfg, err := c.watchSecured(ctx, io)
	if err == nil && cfg == nil {
		addrs, info, err = c.watchTarget(ctx, broker.DefaultAddr)
	}
	if err != nil {
		return err
	}
	// The env's transport carries the connection settings (TLS, SASL) the
	// watch copies.
	env := lessons.NewEnv(addrs, lessons.Cluster{Brokers: info.Brokers, Embedded: info.Embedded(), ConsumerProtocol: info.ConsumerProtocol}, c.topicPrefix, output.New(io.err, false))
	if cfg != nil {
		env.Transport = cfg.Transport()
	}
	defer env.Close()
	w, err := watch.New(watch.Options{Brokers: addrs, Prefix: c.topicPrefix, AllTopics: c.allTopics, Transport: env.Transport})
	if err != nil {
		return err
	}
	defer w.Close()
	color := output.ColorWanted() && isTerminal(io.out)
	if c.once || !isTerminal(io.out) {
		s := w.Poll(ctx)
		if ctx.Err() != nil {
			return errInterrupted
		}
		width := pipeWidth
		if f, ok := io.out.(*os.File); ok && isTerminal(f) {
			width, _ = terminalSize(f)
		}
		_, err := fmt.Fprintln(io.out, watch.Render(s, nil, watch.Screen{Width: width, Color: color, Tr: c.tr}))
		return err
	}
	return watchLive(ctx, w, addrs, io, color, c.tr)
}

// watchTarget finds the cluster to watch, by the runner's rule, except that
// the watch never starts an embedded broker of its own: it would be empty.
// With --embedded it attaches to the one a walkthrough hosts at
// defaultAddr, and to nothing else.
func (c *command) watchTarget(ctx context.Context, defaultAddr string) ([]string, broker.Info, error) {
	const probe = 3 * time.Second
	if c.embedded {
		info, err := broker.Probe(ctx, []string{defaultAddr}, probe)
		if err != nil {
			return nil, info, fmt.Errorf("--embedded: no embedded broker answers at %s.\n\n"+
				"watch does not start an emulation of its own: it would be empty, with nothing to watch.\n"+
				"Start the walkthrough in another terminal first (go run ./runner), which hosts the\n"+
				"embedded broker on %s when no Kafka runs there; then run watch again", defaultAddr, defaultAddr)
		}
		if !info.Embedded() {
			return nil, info, usagef("--embedded: the broker at %s is Kafka itself (cluster %s), not the embedded emulation: watch it without --embedded", defaultAddr, info.ClusterID)
		}
		return []string{defaultAddr}, info, nil
	}
	named, from := c.brokers, "--brokers"
	if named == "" {
		named, from = os.Getenv(broker.EnvVar), "$"+broker.EnvVar
	}
	if named == "" {
		info, err := broker.Probe(ctx, []string{defaultAddr}, probe)
		if err != nil {
			return nil, info, fmt.Errorf("no Kafka broker answers at %s: nothing to watch yet.\n\n"+
				"Start one first, then run watch again:\n"+
				"  • the real KRaft broker:  docker compose up -d   (it listens on %s), or\n"+
				"  • the walkthrough in another terminal (go run ./runner), which hosts the embedded broker there;\n"+
				"or name a broker with --brokers", defaultAddr, defaultAddr)
		}
		return []string{defaultAddr}, info, nil
	}
	addrs, err := broker.ParseAddrs(named)
	if err != nil {
		return nil, broker.Info{}, usagef("%s: %v", from, err)
	}
	info, err := broker.Probe(ctx, addrs, probe)
	if err != nil {
		return nil, info, fmt.Errorf("%v\n\nNothing answers there as a Kafka broker: start it (docker compose up -d),\n"+
			"or run without --brokers (and without $%s) to watch %s", err, broker.EnvVar, defaultAddr)
	}
	return addrs, info, nil
}

// Terminal control sequences.
const (
	altScreenOn  = "\x1b[?1049h\x1b[?25l" // the alternate screen, cursor hidden
	altScreenOff = "\x1b[?25h\x1b[?1049l" // cursor shown, the screen as it was
	home         = "\x1b[H"
	clearEOL     = "\x1b[K"
	clearEOS     = "\x1b[J"
)

// watchLive redraws the picture in place, on the alternate screen, until q
// or Ctrl-C (exit 0), and restores the terminal as it was.
func watchLive(ctx context.Context, w *watch.Watcher, addrs []string, io stdio, color bool, tr *i18n.Catalog) error {
	out := io.out.(*os.File) // a terminal: the caller checked
	quit := make(chan struct{})
	if isTerminal(io.in) {
		// Raw mode: each key arrives at once, unechoed, and Ctrl-C is a
		// key (byte 3), not a signal.
		state, err := term.MakeRaw(int(io.in.Fd()))
		if err != nil {
			return fmt.Errorf("watch: set the terminal to raw mode: %w", err)
		}
		defer term.Restore(int(io.in.Fd()), state)
		go readKeys(io.in, quit)
	}
	fmt.Fprint(out, altScreenOn)
	defer fmt.Fprint(out, altScreenOff)

	ctx, cancel := context.WithCancel(ctx)
	snaps := make(chan *watch.Snapshot)
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		pollEvery(ctx, w, watchEvery, snaps)
	}()
	defer func() { cancel(); <-polled }() // one poll in flight, ended before w closes

	var last *watch.Snapshot
	recent := watch.History{Keep: recentKept}
	width, height := terminalSize(out)
	draw := func() {
		if last == nil {
			fmt.Fprint(out, home+"Watching "+strings.Join(addrs, ",")+"…"+clearEOL+clearEOS)
			return
		}
		frame := watch.Render(last, recent.Changes(), watch.Screen{Width: width, Height: height, Color: color, Live: true, Tr: tr})
		fmt.Fprint(out, home+strings.ReplaceAll(frame, "\n", clearEOL+"\r\n")+clearEOL+clearEOS)
	}
	draw()
	resize := time.NewTicker(resizeEvery)
	defer resize.Stop()
	for {
		select {
		case <-ctx.Done(): // SIGINT or SIGTERM from outside: a clean end too
			return nil
		case <-quit:
			return nil
		case s := <-snaps:
			recent.Add(watch.Diff(last, s))
			last = s
			draw()
		case <-resize.C:
			if wd, ht := terminalSize(out); wd != width || ht != height {
				width, height = wd, ht
				fmt.Fprint(out, "\x1b[2J")
				draw()
			}
		}
	}
}

// pollEvery polls every interval, one poll at a time, and hands each
// snapshot over until ctx ends.
func pollEvery(ctx context.Context, w *watch.Watcher, every time.Duration, snaps chan<- *watch.Snapshot) {
	for {
		start := time.Now()
		s := w.Poll(ctx)
		if ctx.Err() != nil {
			return
		}
		select {
		case snaps <- s:
		case <-ctx.Done():
			return
		}
		select {
		case <-time.After(every - time.Since(start)):
		case <-ctx.Done():
			return
		}
	}
}

// readKeys closes quit on q, Q, Ctrl-C or Ctrl-D, or when the keyboard
// closes.
func readKeys(in io.Reader, quit chan<- struct{}) {
	defer close(quit)
	buf := make([]byte, 64)
	for {
		n, err := in.Read(buf)
		for _, b := range buf[:n] {
			switch b {
			case 'q', 'Q', 3, 4:
				return
			}
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
	}
}

// terminalSize is the size of the terminal f is, or 80×24 when it cannot
// tell.
func terminalSize(f *os.File) (width, height int) {
	w, h, err := term.GetSize(int(f.Fd()))
	if err != nil || w <= 0 || h <= 0 {
		return 80, 24
	}
	return w, h
}

// watchSecured reads --config (or $KAFKA_CONFIG) and checks it, as the
// other commands do; without one it returns a nil config.
func (c *command) watchSecured(ctx context.Context, io stdio) ([]string, broker.Info, *clientconfig.Config, error) {
	errOut := output.New(io.err, false)
	cfg, err := c.loadConfig(errOut)
	if err != nil || cfg == nil {
		return nil, broker.Info{}, nil, err
	}
	if c.brokers != "" {
		addrs, err := broker.ParseAddrs(c.brokers)
		if err != nil {
			return nil, broker.Info{}, nil, usagef("--brokers: %v", err)
		}
		cfg.Bootstrap = addrs
	}
	if err := cfg.Check(ctx); err != nil {
		var fileErr *clientconfig.FileError
		if errors.As(err, &fileErr) {
			return nil, broker.Info{}, nil, usagef("%v", err)
		}
		return nil, broker.Info{}, nil, clientconfig.Explain(err, cfg)
	}
	info, err := broker.ProbeWith(ctx, cfg.Bootstrap, 3*time.Second, cfg.Transport)
	if err != nil {
		return nil, info, nil, clientconfig.Explain(err, cfg)
	}
	errOut.Plain("Kafka: %s", cfg.Describe())
	return cfg.Bootstrap, info, cfg, nil
}
