package lessons

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
)

func TestDecodeOrderV2(t *testing.T) {
	v1 := Order{"7c9e", "Ada Lovelace", "Pad Thai", 2}
	for _, tc := range []struct {
		name  string
		value string
		want  OrderV2
	}{
		{"version 1 gets the default price", `{"order_id":"7c9e","user":"Ada Lovelace","item":"Pad Thai","quantity":2}`,
			OrderV2{v1, DefaultPriceCents}},
		{"version 2", `{"order_id":"7c9e","user":"Ada Lovelace","item":"Pad Thai","quantity":2,"price_cents":1450}`,
			OrderV2{v1, 1450}},
		{"a null price is no price", `{"order_id":"7c9e","user":"Ada Lovelace","item":"Pad Thai","quantity":2,"price_cents":null}`,
			OrderV2{v1, DefaultPriceCents}},
		{"a free order", `{"order_id":"7c9e","user":"Ada Lovelace","item":"Pad Thai","quantity":2,"price_cents":0}`,
			OrderV2{v1, 0}},
		{"fields it does not know are ignored", `{"order_id":"7c9e","user":"Ada Lovelace","item":"Pad Thai","quantity":2,"price_cents":5,"tip":1}`,
			OrderV2{v1, 5}},
	} {
		got, err := DecodeOrderV2([]byte(tc.value))
		if err != nil || got != tc.want {
			t.Errorf("%s: DecodeOrderV2 = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ value, want string }{
		{`{"order_id":"1","user":"a","item":"b","qty":2}`, "missing field(s) quantity"},
		{`{"order_id":"1","user":"a","item":"b","quantity":2,"price_cents":"14.50"}`, `field "price_cents" has the wrong type (got "14.50")`},
		{`{"order_id":"1","user":"a","item":"b","quantity":2,"price_cents":14.5}`, `field "price_cents" has the wrong type (got 14.5)`},
		{`{"order_id":"1","user":"a","item":"b","quantity":2,"price_cents":-1}`, "price_cents must not be negative, got -1"},
		{"\x00\x00\x00\x00\x2a{}", "not a JSON object"},
		{"", "the value is empty"},
	} {
		_, err := DecodeOrderV2([]byte(tc.value))
		if !errors.Is(err, ErrNotAnOrder) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeOrderV2(%q) = %v, want ErrNotAnOrder with %q", tc.value, err, tc.want)
		}
	}
}

// Version 1 and version 2 read each other's orders: forward and backward
// compatible.
func TestOrderV2Compatibility(t *testing.T) {
	v2 := OrderV2{Order{"7c9e", "Alan Turing", "Falafel Wrap", 1}, 1450}
	value, err := v2.MarshalValue()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(value, []byte(`"price_cents":1450`)) {
		t.Errorf("MarshalValue dropped the price: %s", value)
	}
	if old, err := DecodeOrder(value); err != nil || old != v2.Order {
		t.Errorf("a version 1 consumer reads a version 2 order as %+v, %v; want %+v", old, err, v2.Order)
	}
	v1value, _ := v2.Order.MarshalValue()
	if got, err := DecodeOrderV2(v1value); err != nil || got != (OrderV2{v2.Order, DefaultPriceCents}) {
		t.Errorf("a version 2 consumer reads a version 1 order as %+v, %v", got, err)
	}
	if got := v2.String(); got != "1 x Falafel Wrap from user Alan Turing, 14.50" {
		t.Errorf("String() = %q", got)
	}
	if got := (OrderV2{v2.Order, 5}).String(); !strings.HasSuffix(got, ", 0.05") {
		t.Errorf("String() = %q, want the price as 0.05", got)
	}
}

func TestHeaderReturnsTheLast(t *testing.T) {
	msg := kafka.Message{Headers: []kafka.Header{{Key: "k", Value: []byte("1")}, {Key: "other"}, {Key: "k", Value: []byte("2")}}}
	if v, ok := Header(msg, "k"); !ok || string(v) != "2" {
		t.Errorf("Header(k) = %q, %v; want the last, 2", v, ok)
	}
	if v, ok := Header(msg, "missing"); ok || v != nil {
		t.Errorf("Header(missing) = %q, %v", v, ok)
	}
	if h := OrderHeaders(2); len(h) != 3 || h[1].Key != "schema-version" || string(h[1].Value) != "2" {
		t.Errorf("OrderHeaders(2) = %v", h)
	}
	if a, b := NewTraceparent(), NewTraceparent(); len(a) != 55 || a == b || a[:3] != "00-" || a[52:] != "-01" {
		t.Errorf("traceparents %q, %q: want 55 characters, new each time", a, b)
	}
}

// FuzzOrderV2: whatever bytes a topic holds, the version 2 decoder
// never panics, fails only with ErrNotAnOrder, accepts what version 1
// accepts (and only that), and what it accepts survives a round trip.
func FuzzOrderV2(f *testing.F) {
	for _, seed := range []string{
		`{"order_id":"7c9e","user":"Ada Lovelace","item":"Pad Thai","quantity":2}`,
		`{"order_id":"7c9e","user":"Ada Lovelace","item":"Pad Thai","quantity":2,"price_cents":1450}`,
		`{"order_id":"7c9e","user":"Ada Lovelace","item":"Pad Thai","qty":2}`,
		`{"order_id":"1","user":"a","item":"b","quantity":1,"price_cents":9223372036854775807}`,
		`{"order_id":"1","user":"a","item":"b","quantity":1,"price_cents":1e3}`,
		`{"order_id":"1","user":"a","item":"b","quantity":1,"price_cents":-0}`,
		"\x00\x00\x00\x00\x2a{\"order_id\":\"1\"}", ``, `null`, `{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, value []byte) {
		o, err := DecodeOrderV2(value)
		_, v1err := DecodeOrder(value)
		if err != nil {
			if !errors.Is(err, ErrNotAnOrder) {
				t.Fatalf("error %v does not wrap ErrNotAnOrder", err)
			}
			if len(err.Error()) > 300 || bytes.Contains([]byte(err.Error()), []byte("\n")) {
				t.Fatalf("message not a short line: %q", err)
			}
			return
		}
		if v1err != nil {
			t.Fatalf("version 2 accepts what version 1 rejects (%v)", v1err)
		}
		if o.PriceCents < 0 {
			t.Fatalf("accepted price %d", o.PriceCents)
		}
		again, err := o.MarshalValue()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeOrderV2(again)
		if err != nil || back != o {
			t.Fatalf("round trip of %+v gave %+v, %v", o, back, err)
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(again, &fields) != nil || fields["price_cents"] == nil {
			t.Fatalf("encoded without a price: %s", again)
		}
	})
}
