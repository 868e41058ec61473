// Command kafka-native runs the lessons' Kafka broker without Docker: the real
// Apache Kafka jars from Maven Central, started with the settings of the kafka
// service in docker-compose.yml. CI has no Docker, and this keeps what CI tests
// identical to what learners run.
//
//	go run ./cmd/kafka-native up     [--version X] [--dir .kafka-native] [--compose docker-compose.yml]
//	go run ./cmd/kafka-native status [--dir .kafka-native]
//	go run ./cmd/kafka-native down   [--dir .kafka-native]
//
// up downloads the jars once (Maven's ~/.m2 and <dir>/<version>/libs cache
// them), formats fresh storage, starts the broker detached and returns when it
// answers on localhost:9092. down stops it and deletes its data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// options are the flags every subcommand accepts.
type options struct {
	version string // Apache Kafka version; empty: the one the compose image ships
	dir     string // work folder: cached jars and the running broker's data
	compose string // compose file that defines the broker
	wait    time.Duration
}

const usage = `usage: kafka-native up|down|status [--version X] [--dir .kafka-native] [--compose docker-compose.yml] [--wait 90s]`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	opts, err := parseFlags(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Ctrl-C while waiting for the broker must still clean up (see up).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], opts); err != nil {
		fmt.Fprintln(os.Stderr, "kafka-native:", err)
		stop()
		os.Exit(1)
	}
}

func parseFlags(cmd string, args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.StringVar(&o.version, "version", "", "Apache Kafka version (default: the one the compose image ships)")
	fs.StringVar(&o.dir, "dir", ".kafka-native", "work folder for jars and broker data")
	fs.StringVar(&o.compose, "compose", "docker-compose.yml", "compose file with the kafka service")
	fs.DurationVar(&o.wait, "wait", 90*time.Second, "how long up waits for the broker to answer")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %v\n%s", fs.Args(), usage)
	}
	abs, err := filepath.Abs(o.dir)
	if err != nil {
		return o, fmt.Errorf("work folder %s: %w", o.dir, err)
	}
	o.dir = abs
	return o, nil
}

func run(ctx context.Context, cmd string, o options) error {
	switch cmd {
	case "up":
		return up(ctx, o)
	case "down":
		return down(ctx, o)
	case "status":
		return status(ctx, o)
	default:
		return errors.New(usage)
	}
}
