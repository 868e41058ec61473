package clientconfig_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
)

// How a program uses a client.properties file: load it (exit 2 on a bad
// file), check the connection (exit 1, explained, within 5 s), then give
// every kafka-go client the same settings.
func Example() {
	c, err := clientconfig.Load("client.properties")
	var fe *clientconfig.FileError
	if errors.As(err, &fe) {
		fmt.Fprintln(os.Stderr, err) // names the file, the line and what to fix
		os.Exit(2)
	}
	if w := c.Warning(); w != "" {
		fmt.Fprintln(os.Stderr, w)
	}
	fmt.Println("Kafka:", c.Describe()) // the password shows as ****

	ctx := context.Background()
	if err := c.Check(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err) // what happened and what to do
		os.Exit(1)
	}
	tr := c.Transport() // one per program: it pools connections
	w := &kafka.Writer{Addr: kafka.TCP(c.Bootstrap...), Topic: "orders", Transport: tr}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: c.Bootstrap, Topic: "orders", Dialer: c.Dialer()})
	admin := &kafka.Client{Addr: kafka.TCP(c.Bootstrap...), Transport: tr, Timeout: 10 * time.Second}
	if err := w.WriteMessages(ctx, kafka.Message{Value: []byte("order 1")}); err != nil {
		fmt.Fprintln(os.Stderr, clientconfig.Explain(err, c))
	}
	_, _ = r, admin
}
