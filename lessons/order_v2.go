package lessons

import (
	"encoding/json"
	"fmt"

	"github.com/segmentio/kafka-go"
)

// OrderV2 is version 2 of the order: the fields of version 1 and a price.
type OrderV2 struct {
	Order
	// PriceCents is new in version 2: the price in cents, a whole number
	// (floating-point money rounds). A version 1 record has none, and
	// DecodeOrderV2 gives it DefaultPriceCents.
	PriceCents int64 `json:"price_cents"`
}

// DefaultPriceCents is the price a version 2 consumer gives an order that
// was written before orders had prices, as a schema's default value would.
const DefaultPriceCents int64 = 0

// String is how a version 2 consumer prints an order.
func (o OrderV2) String() string {
	return fmt.Sprintf("%s, %d.%02d", o.Order, o.PriceCents/100, o.PriceCents%100)
}

// MarshalValue encodes the order, price included, as the JSON value of a
// record. (Without it, OrderV2 would get Order's, which drops the price.)
func (o OrderV2) MarshalValue() ([]byte, error) {
	v, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode order %s: %w", o.OrderID, err)
	}
	return v, nil
}

// DecodeOrderV2 reads a record's value as version 2 of the order: what
// DecodeOrder checks, then price_cents when it is there, which must be a
// whole number of cents, not negative. A value without price_cents (version
// 1) gets DefaultPriceCents. It fails with ErrNotAnOrder, as DecodeOrder.
func DecodeOrderV2(value []byte) (OrderV2, error) {
	order, err := DecodeOrder(value)
	if err != nil {
		return OrderV2{}, err
	}
	o := OrderV2{Order: order, PriceCents: DefaultPriceCents}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(value, &fields); err != nil { // DecodeOrder accepted it: cannot happen
		return OrderV2{}, fmt.Errorf("%w: %v", ErrNotAnOrder, err)
	}
	raw, ok := fields["price_cents"]
	if !ok || string(raw) == "null" {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o.PriceCents); err != nil {
		return OrderV2{}, fmt.Errorf("%w: field %q has the wrong type (got %s)", ErrNotAnOrder, "price_cents", clip(string(raw)))
	}
	if o.PriceCents < 0 {
		return OrderV2{}, fmt.Errorf("%w: price_cents must not be negative, got %d", ErrNotAnOrder, o.PriceCents)
	}
	return o, nil
}

// ReceiveV2 is Receive for a consumer of version 2: it decodes a record a
// consumer read as an OrderV2 and reports it, or reports why it is skipped.
func ReceiveV2(out Printer, msg kafka.Message) (OrderV2, error) {
	order, err := DecodeOrderV2(msg.Value)
	if err != nil {
		out.Record(Record{Kind: Skipped, Topic: msg.Topic, Partition: msg.Partition, Offset: msg.Offset,
			Key: msg.Key, Value: msg.Value, Err: err})
		return OrderV2{}, err
	}
	out.Value("read as version 2", order)
	return order, nil
}
