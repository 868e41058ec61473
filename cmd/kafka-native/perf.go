package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/perf"
)

// runPerf compares kafka-go and franz-go with Kafka's own perf tools on the
// native broker: the running one, or one it starts and stops again.
func runPerf(ctx context.Context, o options) (err error) {
	c, err := native.Open(o.dir)
	running := err == nil
	if running {
		for _, n := range c.Nodes() {
			if !n.Up {
				running = false
			} else if rerr := c.Ready(ctx, n.ID); rerr != nil {
				return fmt.Errorf("the native broker on %s runs but does not answer: %w", n.Addr, rerr)
			}
		}
		if !running {
			return errors.New("a native cluster is started but a node is down: start it, or run down first")
		}
		if o.version != "" && o.version != c.Version() {
			return fmt.Errorf("the running broker is Kafka %s, not %s: run down first", c.Version(), o.version)
		}
		fmt.Printf("Using the running Kafka %s.\n", c.Version())
	} else if errors.Is(err, native.ErrNoCluster) {
		c, err = native.Up(ctx, native.UpOptions{Dir: o.dir, Compose: o.compose, Version: o.version, Wait: o.wait, Log: os.Stdout})
		if err != nil {
			return err
		}
		defer func() {
			// Down with a fresh context: Ctrl-C must still stop the broker.
			derr := native.Down(context.Background(), o.dir, os.Stdout)
			if err == nil {
				err = derr
			}
		}()
	} else {
		return err
	}
	tools, err := native.FetchTools(ctx, o.dir, c.Version(), func(f string, a ...any) { fmt.Printf(f, a...) })
	if err != nil {
		return err
	}
	var addrs []string
	for _, n := range c.Nodes() {
		addrs = append(addrs, n.Addr)
	}
	fmt.Printf("\n%s against Apache Kafka %s's ProducerPerformance, ConsumerPerformance and EndToEndLatency\n", perf.ClientVersions(), c.Version())
	fmt.Printf("on %v (%d node(s)); this machine: %d CPU(s), %s; %d record(s) per run, %d round(s)\n",
		addrs, len(addrs), runtime.NumCPU(), memory(), o.records, o.rounds)
	fmt.Printf("load average before: %s (other work on this machine skews every figure)\n", loadAverage())
	start := time.Now()
	err = perf.Compare(ctx, perf.CompareOptions{
		Conn: perf.NewConn(addrs), Tools: tools, Records: o.records, RecordSize: o.recordSize,
		RoundTrips: o.roundTrips, Rounds: o.rounds, Replicas: 1, Out: os.Stdout,
	})
	fmt.Printf("\n(%s in all; load average after: %s)\n", time.Since(start).Round(time.Second), loadAverage())
	return err
}

// loadAverage reads the 1-, 5- and 15-minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	var one, five, fifteen string
	if _, err := fmt.Sscan(string(b), &one, &five, &fifteen); err != nil {
		return "unknown"
	}
	return one + ", " + five + ", " + fifteen
}

// memory reads the machine's memory from /proc/meminfo.
func memory() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "memory unknown"
	}
	var kb int64
	if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err != nil {
		return "memory unknown"
	}
	return fmt.Sprintf("%.0f GiB of memory", float64(kb)/(1<<20))
}
