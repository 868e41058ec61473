package lessons_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// BenchmarkSyncWrite measures one synchronous WriteMessages of one order with
// acks=all, with kafka-go's default BatchTimeout (1 s) and with the 1 ms the
// lessons use: the figure lesson 3 shows live.
//
//	go test -run '^$' -bench SyncWrite ./lessons
func BenchmarkSyncWrite(b *testing.B) {
	env, _ := testkit.Env(b)
	ctx := context.Background()
	if err := EnsureTopic(ctx, env, env.OrdersTopic()); err != nil {
		b.Fatal(err)
	}
	value, _ := SampleOrder(0).MarshalValue()
	for _, bc := range []struct {
		name    string
		timeout time.Duration
	}{{"BatchTimeout=default", 0}, {"BatchTimeout=1ms", time.Millisecond}} {
		b.Run(bc.name, func(b *testing.B) {
			w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: env.Transport, Topic: env.Topic,
				RequiredAcks: kafka.RequireAll, BatchTimeout: bc.timeout}
			defer w.Close()
			for i := 0; i < b.N; i++ {
				if err := w.WriteMessages(ctx, kafka.Message{Value: value}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
