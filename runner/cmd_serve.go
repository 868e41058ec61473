package main

import (
	"context"
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/watch"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// serve: the lessons as a web page, for a browser on this machine.
func serveCommand(c *command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "the lessons as a web page in your browser, with a Run button per step",
		Long: `The lessons as a web page: each step's narration and Go code with a Run button, its
output streamed under it, a quiz form and the exercises' Check button at the end of each
lesson, and a live picture of the cluster beside it. The same engine as the terminal,
the same broker, the same progress.

The server listens on 127.0.0.1 only and serves no request without the token in the
address it prints: the page runs code on this machine. --listen serves beyond this
machine: only do it on a network you trust.

` + brokerHelp,
		Example: `  go run ./runner serve
  go run ./runner serve --port 9000 --topic-prefix ada-`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			c.name, c.parsed = "serve", true
			if c.port < 1 || c.port > 65535 {
				return usagef("--port %d: a port is 1 to 65535", c.port)
			}
			if c.listen != "" {
				if _, _, err := net.SplitHostPort(c.listen); err != nil {
					return usagef("--listen %s: want HOST:PORT, e.g. 0.0.0.0:8888 (%v)", c.listen, err)
				}
			}
			return c.checkBrokerFlags()
		},
	}
	fs := cmd.Flags()
	c.brokerFlags(fs, "use the embedded in-memory broker, even if a real one answers")
	fs.IntVar(&c.port, "port", defaultServePort, "the `PORT` on 127.0.0.1 to serve on (the next free one when it is taken)")
	fs.StringVar(&c.listen, "listen", "", "serve on `HOST:PORT` instead, e.g. 0.0.0.0:8888: anyone who can reach it and has the token runs code here")
	return cmd
}

// serve serves the page until Ctrl-C.
func (c *command) serve(ctx context.Context, env *lessons.Env, cfg *clientconfig.Config, out *output.Printer) error {
	s := newWebServer(ctx, env, c.tr, c.topicPrefix)
	s.sess.target = c.target
	var err error
	if s.coach.config, err = configPath(cfg); err != nil {
		return err
	}
	s.sess.editor, s.sess.editWhy = newStepBuilder(c.topicPrefix, env.Brokers, s.coach.config)
	if s.sess.editor != nil {
		s.sess.editor.lang = c.tr.Tag().String()
	}
	if w, err := watch.New(watch.Options{Brokers: env.Brokers, Prefix: c.topicPrefix, Transport: env.Transport}); err == nil {
		s.watcher = w
		defer w.Close()
	}
	var ln net.Listener
	host := "127.0.0.1"
	if c.listen != "" {
		if ln, err = net.Listen("tcp", c.listen); err != nil {
			return fmt.Errorf("--listen %s: %w", c.listen, err)
		}
		host, _, _ = net.SplitHostPort(c.listen)
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		out.Warn("Serving on %s, beyond this machine: anyone who reaches it with the token runs code here.", ln.Addr())
	} else {
		var moved bool
		if ln, moved, err = listenLoopback(c.port); err != nil {
			return err
		}
		if moved {
			out.Plain("Port %d is taken: serving on port %d instead.", c.port, ln.Addr().(*net.TCPAddr).Port)
		}
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	if c.listen == "" {
		s.hosts = loopbackHosts(s.port)
	}
	url := fmt.Sprintf("http://%s/?token=%s", net.JoinHostPort(host, fmt.Sprint(s.port)), s.token)
	out.Plain("The lessons in your browser: open this address (the token in it lets only you in).")
	out.Plain("  %s", url)
	out.Plain("Ctrl-C stops the server, and any step that runs.")
	return s.serve(ctx, ln)
}
