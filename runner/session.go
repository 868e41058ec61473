package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// run dispatches the command.
func (c *command) run(ctx context.Context, io stdio) error {
	colored := output.ColorWanted() && isTerminal(io.out)
	out := output.New(io.out, colored)
	switch c.name {
	case "list":
		for _, l := range lessons.All() {
			out.Plain("%d  %s — %s", l.Number, l.Title, l.Goal)
		}
		return nil
	case "docs":
		md, err := lessonsMarkdown()
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(io.out, md)
		return err
	case "watch":
		return c.watch(ctx, io)
	}
	b, err := c.chooseBroker(ctx, out)
	if err != nil {
		return err
	}
	defer b.Close()
	env := lessons.NewEnv(b.Addrs, lessons.Cluster{Brokers: b.Nodes, Embedded: b.Embedded}, c.topicPrefix, out)
	defer env.Close()
	if c.topic != "" {
		env.Topic = env.Name(c.topic)
	}
	switch c.name {
	case "produce":
		return c.produce(ctx, env)
	case "consume":
		return c.consume(ctx, env, b)
	}
	s := &session{env: env, out: out, prompt: unattended{}}
	if !c.yes && isTerminal(io.in) && isTerminal(io.out) {
		s.prompt = newSurveyPrompter(io, out, colored)
	} else if !c.yes {
		out.Plain("No terminal on stdin or stdout: running unattended, without prompts.")
	}
	return s.walk(ctx, c.queue(s.prompt.Interactive()), false)
}

// queue is the lessons the command line chose: --lesson, --all, or every
// lesson when nobody is there to choose.
func (c *command) queue(interactive bool) []int {
	if len(c.lessons) > 0 {
		return c.lessons
	}
	var all []int
	if c.all || !interactive {
		for _, l := range lessons.All() {
			all = append(all, l.Number)
		}
	}
	return all
}

// chooseBroker applies the broker rule and announces an emulation loudly.
func (c *command) chooseBroker(ctx context.Context, out *output.Printer) (*broker.Broker, error) {
	named, from := c.brokers, "--brokers"
	if named == "" && !c.embedded {
		named, from = os.Getenv(broker.EnvVar), "$"+broker.EnvVar
	}
	if named != "" {
		if _, err := broker.ParseAddrs(named); err != nil {
			return nil, usagef("%s: %v", from, err)
		}
	}
	b, err := broker.Choose(ctx, broker.Options{Brokers: named, Embedded: c.embedded})
	if errors.Is(err, broker.ErrUnreachable) {
		return nil, fmt.Errorf("%v\n\nNothing answers there as a Kafka broker. Either:\n"+
			"  • start the real KRaft broker:  docker compose up -d   (it listens on localhost:9092), or\n"+
			"  • run without --brokers (and without $%s) to use the embedded broker", err, broker.EnvVar)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case b.Embedded && b.Hosted:
		why := "No Kafka broker answers at " + broker.DefaultAddr + "."
		if c.embedded {
			why = "--embedded asked for it."
		}
		out.Banner(
			"EMBEDDED BROKER: an in-memory EMULATION of Kafka (franz-go's kfake), not Apache Kafka.",
			why+" It listens on "+strings.Join(b.Addrs, ",")+" while this program runs.",
			"For the real KRaft broker:  docker compose up -d   then run this again.",
		)
	case b.Embedded:
		out.Banner(
			"EMBEDDED BROKER at "+strings.Join(b.Addrs, ",")+": the in-memory EMULATION of Kafka (franz-go's kfake)",
			"that another run of this program hosts; it goes away when that program ends.",
			"For the real KRaft broker:  docker compose up -d",
		)
	default:
		out.Plain("Kafka broker: %s", strings.Join(b.Addrs, ","))
	}
	return b, nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// explain adds to a failure what to do about it.
func explain(err error, brokers []string) error {
	addr := strings.Join(brokers, ",")
	var opErr *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF),
		errors.Is(err, lessons.ErrBrokerGone), errors.As(err, &opErr):
		return withHint(err, "The broker at %s stopped answering. Start it again (docker compose up -d, or run\n"+
			"without --brokers for the embedded broker), then run this again.", addr)
	case errors.Is(err, context.DeadlineExceeded):
		return withHint(err, "Kafka did not answer in time: is the broker at %s still up?", addr)
	}
	return err
}
