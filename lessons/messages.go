package lessons

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"

	"github.com/segmentio/kafka-go"
)

// Header returns the value of a record's header key and whether it has
// one. Keys may repeat; then it returns the last, as the Java client's
// Headers.lastHeader does.
func Header(msg kafka.Message, key string) ([]byte, bool) {
	for i := len(msg.Headers) - 1; i >= 0; i-- {
		if msg.Headers[i].Key == key {
			return msg.Headers[i].Value, true
		}
	}
	return nil, false
}

// OrderHeaders are the headers lesson 13's producers put on an order of
// schema version v: its content type, its version and a new trace.
func OrderHeaders(v int) []kafka.Header {
	return []kafka.Header{
		{Key: "content-type", Value: []byte("application/json")},
		{Key: "schema-version", Value: []byte(strconv.Itoa(v))},
		{Key: "traceparent", Value: []byte(NewTraceparent())},
	}
}

// NewTraceparent returns a W3C Trace Context traceparent value that starts
// a trace: version 00, a random 16-byte trace id, a random 8-byte parent
// span id, and flags 01 (sampled), in lowercase hex.
func NewTraceparent() string {
	var id [24]byte
	rand.Read(id[:]) // never fails (crypto/rand, Go 1.24+)
	return "00-" + hex.EncodeToString(id[:16]) + "-" + hex.EncodeToString(id[16:]) + "-01"
}

// PartitionEnds returns each partition's end (its high watermark): where
// the next record will go, and where a Poller starts to read only what comes
// after now.
func PartitionEnds(ctx context.Context, env *Env, topic string) (map[int]int64, error) {
	marks, err := ReadWatermarks(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	ends := map[int]int64{}
	for _, w := range marks {
		ends[w.Partition] = w.Last
	}
	return ends, nil
}
