package lessons

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
)

func TestDecodeOrder(t *testing.T) {
	good := []byte(`{"order_id":"7c9e","user":"SKOURI Youssef","item":"Pizza Pepperoni","quantity":1}`)
	o, err := DecodeOrder(good)
	if err != nil {
		t.Fatal(err)
	}
	if o != (Order{"7c9e", "SKOURI Youssef", "Pizza Pepperoni", 1}) {
		t.Errorf("decoded %+v", o)
	}
	if got := o.String(); got != "1 x Pizza Pepperoni from user SKOURI Youssef" {
		t.Errorf("String() = %q, want the original consumer's line", got)
	}
	for _, tc := range []struct{ value, want string }{
		{"", "the value is empty"},
		{"   ", "the value is empty"},
		{"pizza please", "not a JSON object"},
		{`[1,2]`, "not a JSON object"},
		{`{"order_id":"1","user":"a","item":"b"}`, "missing field(s) quantity"},
		{`{"quantity":2}`, "missing field(s) order_id, user, item"},
		{`{"order_id":"1","user":"a","item":"b","quantity":"two"}`, `field "quantity" has the wrong type (got "two")`},
		{`{"order_id":1,"user":"a","item":"b","quantity":2}`, `field "order_id" has the wrong type`},
		{`{"order_id":"1","user":"a","item":"b","quantity":0}`, "quantity must be at least 1, got 0"},
		{`{"order_id":"1","user":"a","item":"b","quantity":null}`, "missing field(s) quantity"},
		{"\xff\xfe", "not UTF-8"},
		{strings.Repeat("x", 1_000_000), "(1000000 bytes)"},
	} {
		_, err := DecodeOrder([]byte(tc.value))
		if !errors.Is(err, ErrNotAnOrder) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeOrder(%.40q) = %v, want ErrNotAnOrder with %q", tc.value, err, tc.want)
		}
		if err != nil && len(err.Error()) > 300 {
			t.Errorf("message of %d bytes for %.20q: a warning must stay one line", len(err.Error()), tc.value)
		}
	}
}

// FuzzDecodeOrder: whatever bytes a topic holds, decoding never panics,
// fails only with ErrNotAnOrder and a short message, and what it accepts
// survives a round trip.
func FuzzDecodeOrder(f *testing.F) {
	for _, seed := range []string{
		`{"order_id":"7c9e","user":"SKOURI Youssef","item":"Pizza Pepperoni","quantity":1}`,
		`{"order_id": "42", "user": "Ada", "item": "Tea"}`,
		`{"order_id": "42", "user": "Ada", "item": "Tea", "quantity": "two"}`,
		`{"order_id":"1","user":"a","item":"b","quantity":1e3}`,
		`{"order_id":"1","user":"a","item":"b","quantity":-1}`,
		`pizza please`, ``, `null`, `{}`, `[]`, "\x00\xff", `{"order_id":"é","user":"\u0000","item":"","quantity":9223372036854775807}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, value []byte) {
		o, err := DecodeOrder(value)
		if err != nil {
			if !errors.Is(err, ErrNotAnOrder) {
				t.Fatalf("error %v does not wrap ErrNotAnOrder", err)
			}
			if len(err.Error()) > 300 || bytes.Contains([]byte(err.Error()), []byte("\n")) {
				t.Fatalf("message not a short line: %q", err)
			}
			return
		}
		if o.Quantity < 1 {
			t.Fatalf("accepted quantity %d", o.Quantity)
		}
		again, err := o.MarshalValue()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeOrder(again)
		if err != nil || back != o {
			t.Fatalf("round trip of %+v gave %+v, %v", o, back, err)
		}
	})
}

// Delivery turns what kafka-go hands Completion into the report a step
// prints: where Kafka stored the message, or why it did not.
func TestDelivery(t *testing.T) {
	m := kafka.Message{Topic: "orders", Partition: 2, Offset: 41, Key: []byte("k"), Value: []byte(`{"order_id":"1"}`)}
	r := Delivery(m, nil)
	if r.Kind != Delivered || r.String() != `Delivered to orders [2] @ offset 41: {"order_id":"1"}` {
		t.Errorf("Delivery(m, nil) = %+v: %s", r, r)
	}
	failed := Delivery(m, kafka.MessageSizeTooLarge)
	if failed.Kind != DeliveryFailed || !errors.Is(failed.Err, kafka.MessageSizeTooLarge) || !failed.Failed() {
		t.Errorf("Delivery(m, err) = %+v", failed)
	}
}
