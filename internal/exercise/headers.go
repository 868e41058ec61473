package exercise

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 13 follows lesson 13: orders of version 2, with the headers
// that say what they are, which a version 1 consumer still reads.
//
// The check reads the records with a kafka.Reader (readAll), which returns
// each record's headers in msg.Headers as they were written (pinned by
// lessons' TestKafkaGo_HeadersRoundTripInOrder). It wants lesson 13's
// headers (lessons.OrderHeaders) but the traceparent, which is new on each
// record and says nothing about the value.
func headersExercise() Exercise {
	return Exercise{
		ID: "13", Dir: "13_headers", Lesson: 13,
		Title: "Headers and an order an old consumer still reads",
		Goal:  "$COUNT orders of version 2 are on $TOPIC, each with the headers content-type = application/json and schema-version = 2; a version 1 consumer (lessons.DecodeOrder) decodes every one of them, and a version 2 consumer (lessons.DecodeOrderV2) reads its price, price_cents.",
		Hints: []string{
			"A kafka.Message carries headers beside its key and value, in its field Headers: Kafka stores them with the record, and a Reader returns them in msg.Headers, as lesson 13 steps 1 and 2 show. A version 1 consumer finds the order's fields by name, order_id, user, item and quantity: version 2 keeps each of them, with its name and type, and adds price_cents.",
			"Headers is a []kafka.Header, and a kafka.Header is {Key string, Value []byte}: the version is the text \"2\", []byte(\"2\"). A consumer looks a header up by its exact key, so name them as lesson 13 does: content-type and schema-version, in lowercase.",
			"lessons.OrderV2{Order: order, PriceCents: priceCents}.MarshalValue() writes the version 1 fields (OrderV2 embeds Order, so encoding/json puts them at the top level, under their names) and price_cents. Then kafka.Message{Value: value, Headers: []kafka.Header{{Key: \"content-type\", Value: []byte(\"application/json\")}, {Key: \"schema-version\", Value: []byte(\"2\")}}}.",
		},
		Prepare: func(ctx context.Context, env *lessons.Env) (Vars, error) {
			topic := env.Name("ex13-orders-" + suffix())
			err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: 3, ReplicationFactor: env.Replicas()})
			return Vars{"TOPIC": topic, "COUNT": strconv.Itoa(between(4, 9))}, err
		},
		Check: checkHeaders,
	}
}

// versionHeader is the header lesson 13 names an order's schema version by.
const versionHeader = "schema-version"

// priceField is the field version 2 of the order adds.
const priceField = "price_cents"

// v1Fields are the fields of version 1 of the order, as DecodeOrder reads
// them.
var v1Fields = []string{"order_id", "user", "item", "quantity"}

// wantedHeaders are the headers of a version 2 order, as lesson 13 writes
// them, without the trace.
func wantedHeaders() []kafka.Header {
	var hs []kafka.Header
	for _, h := range lessons.OrderHeaders(2) {
		if h.Key != "traceparent" {
			hs = append(hs, h)
		}
	}
	return hs
}

func checkHeaders(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, count := v["TOPIC"], v.Int("COUNT")
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	lines := []Line{want("orders on "+topic, count, len(stored))}
	bare := 0
	for _, m := range stored {
		if len(m.Headers) == 0 {
			bare++
		}
	}
	for _, h := range wantedHeaders() {
		lines = append(lines, headerLine(stored, h, len(stored) > 0 && bare == len(stored)))
	}
	return append(lines, decodeV1Line(stored), priceLine(stored)), nil
}

// tally counts what the records that miss a fact show instead, and says it
// after the count of those that hold it: "2 (\"1\" on 3, no headers on 1)".
type tally map[string]int

func (t tally) got(ok int) string {
	if len(t) == 0 {
		return strconv.Itoa(ok)
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(t)) {
		parts = append(parts, fmt.Sprintf("%s on %d", s, t[s]))
	}
	return fmt.Sprintf("%d (%s)", ok, strings.Join(parts, ", "))
}

// only returns what every record that misses the fact shows, when it is
// one thing.
func (t tally) only() (string, bool) {
	if len(t) != 1 {
		return "", false
	}
	for s := range t {
		return s, true
	}
	return "", false
}

// headerSeen says what a record has for the header key.
func headerSeen(m kafka.Message, key string) string {
	if v, ok := lessons.Header(m, key); ok {
		return strconv.Quote(string(v))
	}
	for _, h := range m.Headers {
		if strings.EqualFold(h.Key, key) {
			return "a header " + strconv.Quote(h.Key)
		}
	}
	if len(m.Headers) == 0 {
		return "no headers"
	}
	return "no " + key + " header"
}

func headerLine(stored []kafka.Message, h kafka.Header, noHeaders bool) Line {
	wanted := strconv.Quote(string(h.Value))
	ok, others := 0, tally{}
	for _, m := range stored {
		if s := headerSeen(m, h.Key); s == wanted {
			ok++
		} else {
			others[s]++
		}
	}
	l := Line{What: fmt.Sprintf("records with the header %s = %s", h.Key, h.Value),
		Want: strconv.Itoa(len(stored)), Got: others.got(ok), OK: ok == len(stored)}
	seen, one := others.only()
	switch {
	case l.OK:
	case noHeaders:
		l.Why = "no record has headers: a kafka.Message's Headers stay empty unless the program sets them"
	case !one:
	case strings.HasPrefix(seen, "a header "):
		l.Why = fmt.Sprintf("a consumer looks a header up by its exact key, and %s is not %q: lesson 13 names its headers in lowercase",
			strings.TrimPrefix(seen, "a header "), h.Key)
	case h.Key == versionHeader && seen == strconv.Quote("1"):
		l.Why = fmt.Sprintf("%s \"1\" names version 1 of the order, which has no %s (lesson 13 step 1's order): a version 2 order says %s",
			versionHeader, priceField, wanted)
	}
	return l
}

// fieldsOf returns the top-level fields of a JSON object, nil for a value
// that is not one.
func fieldsOf(value []byte) map[string]json.RawMessage {
	var fields map[string]json.RawMessage
	if json.Unmarshal(value, &fields) != nil {
		return nil
	}
	return fields
}

// present says whether a JSON object has the field, with a value other
// than null (DecodeOrder counts a null field as missing).
func present(fields map[string]json.RawMessage, name string) bool {
	raw, ok := fields[name]
	return ok && string(raw) != "null"
}

// renamed says how a value's fields differ from version 2's: the version
// 1 fields it lacks and the fields it has that no version knows, "" for
// neither.
func renamed(value []byte) (missing, extra string) {
	fields := fieldsOf(value)
	if fields == nil {
		return "", ""
	}
	var m, e []string
	for _, f := range v1Fields {
		if !present(fields, f) {
			m = append(m, strconv.Quote(f))
		}
	}
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		if !slices.Contains(v1Fields, f) && f != priceField {
			e = append(e, strconv.Quote(f))
		}
	}
	return strings.Join(m, ", "), strings.Join(e, ", ")
}

func decodeV1Line(stored []kafka.Message) Line {
	ok := 0
	var first error
	shapes := map[[2]string]int{} // the missing and extra fields of each refused record
	for _, m := range stored {
		_, err := lessons.DecodeOrder(m.Value)
		if err == nil {
			ok++
			continue
		}
		if first == nil {
			first = err
		}
		missing, extra := renamed(m.Value)
		shapes[[2]string{missing, extra}]++
	}
	l := want("records a version 1 consumer decodes (lessons.DecodeOrder)", len(stored), ok)
	if first != nil {
		l.Got += " (the first refusal: " + first.Error() + ")"
	}
	if len(shapes) == 1 {
		for s := range shapes {
			if s[0] != "" && s[1] != "" {
				l.Why = fmt.Sprintf("no %s but %s: a version 1 field renamed, lesson 13's breaking change, so a version 1 consumer skips each record as a poison pill; keep every version 1 field with its name and type, and add %s beside them",
					s[0], s[1], priceField)
			}
		}
	}
	return l
}

// What a record that has no price a version 2 consumer reads shows.
const (
	priceNoV1   = "no order to a version 1 consumer"
	priceNone   = "no " + priceField
	priceZero   = priceField + " 0"
	priceWrong  = priceField + " refused"
	priceRename = "the price as "
)

func priceLine(stored []kafka.Message) Line {
	ok, others := 0, tally{}
	for _, m := range stored {
		if _, err := lessons.DecodeOrder(m.Value); err != nil {
			others[priceNoV1]++
			continue
		}
		o, err := lessons.DecodeOrderV2(m.Value)
		fields := fieldsOf(m.Value)
		switch {
		case err != nil:
			others[priceWrong]++
		case !present(fields, priceField):
			s := priceNone
			for f := range fields {
				if strings.Contains(strings.ToLower(f), "price") {
					s = priceRename + strconv.Quote(f)
				}
			}
			others[s]++
		case o.PriceCents == 0:
			others[priceZero]++
		default:
			ok++
		}
	}
	l := Line{What: "records whose price a version 2 consumer reads (lessons.DecodeOrderV2)",
		Want: strconv.Itoa(len(stored)), Got: others.got(ok), OK: ok == len(stored)}
	seen, one := others.only()
	switch {
	case l.OK || !one:
	case seen == priceNoV1:
		l.Why = "DecodeOrderV2 decodes the version 1 fields first, and they do not decode: the line above says why"
	case seen == priceNone:
		l.Why = fmt.Sprintf("the values are orders of version 1: version 2, lessons.OrderV2, adds %s", priceField)
	case seen == priceZero:
		l.Why = "0 is the price DecodeOrderV2 gives an order without one: set PriceCents in the lessons.OrderV2"
	case strings.HasPrefix(seen, priceRename):
		l.Why = fmt.Sprintf("a version 2 consumer reads the price from %s only, and gives an order without it the default, 0", priceField)
	}
	return l
}
