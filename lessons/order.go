package lessons

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// Order is the food order of the simulation, as the original producer sent it.
type Order struct {
	OrderID  string `json:"order_id"`
	User     string `json:"user"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

// NewOrder returns an order with a fresh id.
func NewOrder(user, item string, quantity int) Order {
	return Order{OrderID: uuid.NewString(), User: user, Item: item, Quantity: quantity}
}

// Menu is what the simulated customers order, in turn.
var menu = []struct {
	user, item string
	quantity   int
}{
	{"SKOURI Youssef", "Pizza Pepperoni", 1},
	{"Ada Lovelace", "Pad Thai", 2},
	{"Alan Turing", "Falafel Wrap", 1},
	{"Grace Hopper", "Sushi Box", 3},
	{"Linus Torvalds", "Cheeseburger", 2},
}

// SampleOrder returns the i-th order of the simulation, with a fresh id.
func SampleOrder(i int) Order {
	m := menu[i%len(menu)]
	return NewOrder(m.user, m.item, m.quantity)
}

// String is how the original consumer printed an order.
func (o Order) String() string { return o.In(nil) }

// In is the order as a learner reads it, in the catalogue's language.
func (o Order) In(c *i18n.Catalog) string {
	return c.F("%d x %s from user %s", o.Quantity, o.Item, o.User)
}

// ErrNotAnOrder says a record's value is not an order. The consumer warns and
// goes on: one bad record must not stop it (a "poison pill").
var ErrNotAnOrder = errors.New("not an order")

// DecodeOrder turns a record's value back into an order. It rejects what is
// not JSON, JSON that is not an object, missing or wrongly typed fields and a
// quantity below 1, each with a reason a learner can act on.
func DecodeOrder(value []byte) (Order, error) {
	if len(bytes.TrimSpace(value)) == 0 {
		return Order{}, fmt.Errorf("%w: the value is empty", ErrNotAnOrder)
	}
	if !utf8.Valid(value) {
		return Order{}, fmt.Errorf("%w: the value is not UTF-8 text (%d bytes)", ErrNotAnOrder, len(value))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(value, &fields); err != nil {
		return Order{}, fmt.Errorf("%w: not a JSON object (%s): %s", ErrNotAnOrder, jsonReason(err), preview(value))
	}
	var o Order
	var missing []string
	for _, f := range []struct {
		name string
		dst  any
	}{{"order_id", &o.OrderID}, {"user", &o.User}, {"item", &o.Item}, {"quantity", &o.Quantity}} {
		raw, ok := fields[f.name]
		if !ok || string(raw) == "null" {
			missing = append(missing, f.name)
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			return Order{}, fmt.Errorf("%w: field %q has the wrong type (got %s)", ErrNotAnOrder, f.name, clip(string(raw)))
		}
	}
	if len(missing) > 0 {
		return Order{}, fmt.Errorf("%w: missing field(s) %s", ErrNotAnOrder, strings.Join(missing, ", "))
	}
	if o.Quantity < 1 {
		return Order{}, fmt.Errorf("%w: quantity must be at least 1, got %d", ErrNotAnOrder, o.Quantity)
	}
	return o, nil
}

func jsonReason(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s at byte %d", syn.Error(), syn.Offset)
	}
	return err.Error()
}

// preview quotes a value for a one-line message, shortened: a 1 MB record
// or a run of control characters (each quoted as four) must not flood the
// screen.
func preview(b []byte) string {
	const max = 60
	q := fmt.Sprintf("%q", b)
	if len(q) <= max+2 {
		return q
	}
	cut := strings.ToValidUTF8(q[:max], "")
	return fmt.Sprintf("%s…\" (%d bytes)", cut, len(b))
}

// clip shortens a JSON fragment for a message.
func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// MarshalValue encodes the order as the JSON value of a record.
func (o Order) MarshalValue() ([]byte, error) {
	v, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode order %s: %w", o.OrderID, err)
	}
	return v, nil
}
