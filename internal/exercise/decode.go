package exercise

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 2 follows lesson 2: an Order with the field names the other
// services use, and a decode that refuses, with a reason, what is not an
// order. What is an order is what lessons.DecodeOrder accepts: the check
// decides with it.
//
// The data on $IN holds no empty strings: an order has a non-empty
// order_id, user and item. So a decode that tells a missing field by its
// zero value (json.Unmarshal into a struct, then a check of each field)
// decides as DecodeOrder does on it.
func decodeExercise() Exercise {
	return Exercise{
		ID: "2", Dir: "02_decode", Lesson: 2,
		Title: "Decode orders, reject what is not one",
		Goal:  "Every order of $IN is on $OUT once, keyed by its order_id, with the fields order_id, user, item and quantity (a JSON number) and no others; every record of $IN that is not an order, as lesson 2's DecodeOrder decides, is on $REJECTED as it was, with a header error that says why; and nothing else is on either.",
		Hints: []string{
			"Two things are missing: how your Order is written, and what your decode lets through. encoding/json writes a struct field under its Go name, OrderID, unless a json tag names it; and when it decodes, it matches a field name to OrderID whatever its case, but never across an underscore: order_id leaves OrderID empty.",
			"json.Unmarshal into a struct returns an error only for what does not fit it: text that is not JSON, an array or a string where the object goes, a string where an int goes. A field the JSON lacks, or holds null, keeps its zero value without an error (and so does every field when the whole value is null), and a quantity of 0 or -1 is a number like any other. lessons.DecodeOrder (lessons/order.go) shows the checks lesson 2 makes.",
			"Tag the fields as lessons.Order does: OrderID string `json:\"order_id\"`, User string `json:\"user\"`, and so on. In decode, after json.Unmarshal, return an error when OrderID, User or Item is empty (a missing field), or when Quantity < 1: errors.New(\"no order_id\"), fmt.Errorf(\"quantity must be at least 1, got %d\", o.Quantity).",
		},
		Prepare: prepareDecode,
		Check:   checkDecode,
	}
}

// people are the users of exercise 2's records, one each: a record's user
// says which record of $IN a record on $OUT came from, even one without an
// order_id.
var people = []string{
	"Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov",
	"Ken Thompson", "Margaret Hamilton", "Donald Knuth", "Frances Allen", "John McCarthy",
	"Radia Perlman", "Dennis Ritchie", "Katherine Johnson", "Niklaus Wirth", "Hedy Lamarr",
	"Tony Hoare", "Annie Easley", "Leslie Lamport", "Jean Sammet", "Rob Pike",
}

var dishes = []string{"Pad Thai", "Sushi Box", "Falafel Wrap", "Crème brûlée", "Cheeseburger", "Pizza Pepperoni"}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func prepareDecode(ctx context.Context, env *lessons.Env) (Vars, error) {
	in, out, rejected := env.Name("ex2-incoming-"+suffix()), env.Name("ex2-orders-"+suffix()), env.Name("ex2-rejected-"+suffix())
	for _, t := range []string{in, out, rejected} {
		if err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: t, Partitions: 1, ReplicationFactor: env.Replicas()}); err != nil {
			return nil, err
		}
	}
	values := decodeInput()
	if err := lessons.ProduceValues(ctx, env, in, values, env.Out.Record); err != nil {
		return nil, err
	}
	return Vars{"IN": in, "OUT": out, "REJECTED": rejected, "COUNT": strconv.Itoa(len(values))}, nil
}

// decodeInput returns exercise 2's records in a random order: orders as
// lessons.Order writes them and as other services do (the fields in
// another order, spaces, an indented object), and records that are not
// orders, always the five kinds lesson 2 names and a random few more.
func decodeInput() [][]byte {
	users := slices.Clone(people)
	rand.Shuffle(len(users), func(i, j int) { users[i], users[j] = users[j], users[i] })
	n := 0
	next := func() (id, user, item string) {
		n++
		return uuid.NewString(), users[n-1], dishes[rand.IntN(len(dishes))]
	}
	var values [][]byte
	for i := range between(4, 6) {
		id, user, item := next()
		q := between(1, 4)
		var v []byte
		switch i % 3 {
		case 0:
			v, _ = lessons.Order{OrderID: id, User: user, Item: item, Quantity: q}.MarshalValue()
		case 1:
			v = fmt.Appendf(nil, `{"quantity": %d, "item": %s, "user": %s, "order_id": %s}`, q, jsonString(item), jsonString(user), jsonString(id))
		default:
			v = fmt.Appendf(nil, "{\n  \"user\" : %s,\n  \"order_id\" : %s,\n  \"item\" : %s,\n  \"quantity\" : %d\n}\n", jsonString(user), jsonString(id), jsonString(item), q)
		}
		values = append(values, v)
	}
	always := []func(id, user, item string) string{
		func(_, user, item string) string { return fmt.Sprintf("one %s for %s, please", item, user) },
		func(_, user, item string) string {
			return fmt.Sprintf(`{"user": %s, "item": %s, "quantity": 2}`, jsonString(user), jsonString(item))
		},
		func(id, user, item string) string {
			return fmt.Sprintf(`{"order_id": %s, "user": %s, "item": %s, "quantity": "2"}`, jsonString(id), jsonString(user), jsonString(item))
		},
		func(id, user, item string) string {
			return fmt.Sprintf(`{"order_id": %s, "user": %s, "item": %s, "quantity": %d}`, jsonString(id), jsonString(user), jsonString(item), between(-2, 0))
		},
		func(id, user, item string) string {
			return fmt.Sprintf(`[%s, %s, %s, 1]`, jsonString(id), jsonString(user), jsonString(item))
		},
	}
	extra := []func(id, user, item string) string{
		func(string, string, string) string { return "" },
		func(string, string, string) string { return "null" },
		func(id, user, item string) string {
			return fmt.Sprintf(`{"order_id": %s, "user": %s, "item": %s}`, jsonString(id), jsonString(user), jsonString(item))
		},
		func(id, _, item string) string {
			return fmt.Sprintf(`{"order_id": %s, "item": %s, "quantity": 1}`, jsonString(id), jsonString(item))
		},
		func(id, user, item string) string {
			return fmt.Sprintf(`{"order_id": %s, "user": %s, "item": %s, "quantity": 1.5}`, jsonString(id), jsonString(user), jsonString(item))
		},
		func(_, user, item string) string {
			return fmt.Sprintf(`{"order_id": 42, "user": %s, "item": %s, "quantity": 1}`, jsonString(user), jsonString(item))
		},
		func(_, user, item string) string {
			return fmt.Sprintf(`{"order_id": null, "user": %s, "item": %s, "quantity": 1}`, jsonString(user), jsonString(item))
		},
	}
	rand.Shuffle(len(extra), func(i, j int) { extra[i], extra[j] = extra[j], extra[i] })
	for _, bad := range append(always, extra[:between(2, 4)]...) {
		values = append(values, []byte(bad(next())))
	}
	rand.Shuffle(len(values), func(i, j int) { values[i], values[j] = values[j], values[i] })
	return values
}

// notAnOrder says what is wrong with a value lessons.DecodeOrder refuses,
// in a few words: "no order_id", "quantity \"2\"", "quantity 0".
func notAnOrder(value []byte) string {
	trimmed := bytes.TrimSpace(value)
	switch {
	case len(trimmed) == 0:
		return "an empty value"
	case !json.Valid(trimmed):
		return "not JSON"
	case string(trimmed) == "null":
		return "null"
	}
	fields := fieldsOf(value)
	if fields == nil {
		return "JSON that is not an object"
	}
	for _, f := range v1Fields {
		if raw, ok := fields[f]; !ok {
			return "no " + f
		} else if string(raw) == "null" {
			return f + " null"
		}
	}
	var q int
	for _, f := range v1Fields {
		var err error
		if f == "quantity" {
			err = json.Unmarshal(fields[f], &q)
		} else {
			var s string
			err = json.Unmarshal(fields[f], &s)
		}
		if err != nil {
			return f + " " + string(fields[f])
		}
	}
	return fmt.Sprintf("quantity %d", q)
}

// missingField says whether a kind of notAnOrder is a field that
// json.Unmarshal leaves at its zero value.
func missingField(kind string) bool {
	return kind == "null" || kind == emptyOrder || strings.HasPrefix(kind, "no ") || strings.HasSuffix(kind, " null")
}

// emptyOrder is a record on $OUT whose strings are all empty: an Order
// decoded from a value that held none of its fields.
const emptyOrder = "an order with no field set"

// decodeSource is a record of $IN as the check sees it.
type decodeSource struct {
	value []byte
	order lessons.Order
	kind  string // what is wrong with it, "" for an order
}

// goNames are the fields encoding/json writes for an Order without tags.
var goNames = []string{"Item", "OrderID", "Quantity", "User"}

func checkDecode(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	in, out, rej := v["IN"], v["OUT"], v["REJECTED"]
	records, err := readAll(ctx, env, in)
	if err != nil {
		return nil, err
	}
	written, err := readAll(ctx, env, out)
	if err != nil {
		return nil, err
	}
	rejected, err := readAll(ctx, env, rej)
	if err != nil {
		return nil, err
	}

	// Each record of $IN has a user, and an order an order_id, of its own:
	// they say which record a record on $OUT came from.
	var sources []decodeSource
	from := map[string]int{}
	orders, bad := 0, map[string]int{} // bad: the values that are not orders, by their bytes
	for i, m := range records {
		s := decodeSource{value: m.Value}
		if o, err := lessons.DecodeOrder(m.Value); err == nil {
			s.order = o
			orders++
		} else {
			s.kind = notAnOrder(m.Value)
			bad[string(m.Value)]++
		}
		fields := fieldsOf(m.Value)
		for _, f := range []string{"order_id", "user"} {
			var t string
			if json.Unmarshal(fields[f], &t) == nil && t != "" {
				from[t] = i
			}
		}
		sources = append(sources, s)
	}
	origin := func(value []byte) (int, bool) {
		fields := fieldsOf(value)
		for _, raw := range fields {
			var t string
			if json.Unmarshal(raw, &t) == nil {
				if i, ok := from[t]; ok {
					return i, true
				}
			}
		}
		return -1, false
	}

	seen := map[int]int{} // the orders of $IN on $OUT, how many times
	accepted := tally{}   // the records on $OUT that are not orders, by what they are
	asWritten, shapes := 0, tally{}
	keyed, keys := 0, tally{}
	matched := 0
	for _, m := range written {
		i, ok := origin(m.Value)
		switch {
		case !ok:
			kind := "a record naming no order_id or user of " + in
			if emptyStrings(m.Value) {
				kind = emptyOrder
			}
			accepted[kind]++
			continue
		case sources[i].kind != "":
			accepted[sources[i].kind]++
			continue
		}
		seen[i]++
		matched++
		o := sources[i].order
		if got, err := lessons.DecodeOrder(m.Value); err == nil && got == o && exactFields(m.Value) {
			asWritten++
		} else {
			shapes[shapeOf(m.Value, o)]++
		}
		if string(m.Key) == o.OrderID {
			keyed++
		} else {
			keys["key "+strconv.Quote(string(m.Key))]++
		}
	}

	twice, missing := 0, 0
	for i, s := range sources {
		switch {
		case s.kind != "":
		case seen[i] == 0:
			missing++
		case seen[i] > 1:
			twice++
		}
	}
	all := Line{What: "orders of " + in + " on " + out, Want: fmt.Sprintf("%d, each once", orders),
		Got: strconv.Itoa(len(seen)), OK: len(seen) == orders && twice == 0}
	var notes []string
	if missing > 0 {
		notes = append(notes, fmt.Sprintf("%d missing", missing))
	}
	if twice > 0 {
		notes = append(notes, fmt.Sprintf("%d more than once", twice))
	}
	if len(notes) > 0 {
		all.Got += " (" + strings.Join(notes, ", ") + ")"
	}

	n := 0
	for _, c := range accepted {
		n += c
	}
	through := Line{What: "records on " + out + " that are not orders", Want: "0", Got: strconv.Itoa(n), OK: n == 0}
	if n > 0 {
		through.Got += " (" + accepted.list() + ")"
		kinds := slices.Collect(maps.Keys(accepted))
		switch {
		case !slices.ContainsFunc(kinds, func(k string) bool { return !missingField(k) }):
			through.Why = "json.Unmarshal leaves a field the JSON lacks, or holds null, at its zero value and returns no error: decode must check that each field is there"
		case !slices.ContainsFunc(kinds, func(k string) bool { return !belowOne.MatchString(k) && k != "no quantity" && k != "quantity null" }):
			through.Why = "to json.Unmarshal a quantity below 1 is a number like any other, and a missing quantity is 0: decode must refuse a Quantity below 1, as DecodeOrder does"
		}
	}

	shape := Line{What: "orders on " + out + " as the other services write them (order_id, user, item, quantity a number)",
		Want: strconv.Itoa(matched), Got: shapes.got(asWritten), OK: asWritten == matched}
	if s, one := shapes.only(); one && !shape.OK && s == "fields "+quoteAll(goNames) {
		shape.Why = "encoding/json writes a field under its Go name unless a json tag names it: lessons.Order tags OrderID `json:\"order_id\"`"
	}

	key := Line{What: "orders on " + out + " keyed by their order_id", Want: strconv.Itoa(matched), Got: keys.got(keyed), OK: keyed == matched}
	if s, one := keys.only(); one && !key.OK && s == `key ""` && shapes[fmt.Sprintf("fields %s", quoteAll(goNames))] == matched {
		key.Why = "the key is order.OrderID, and decode left it empty: without a json tag, json.Unmarshal fills OrderID from a field named OrderID in any case, never from order_id"
	}

	// $REJECTED: the records that are not orders, as they were, by their
	// bytes.
	left := maps.Clone(bad)
	others := tally{}
	headed, headers := 0, tally{}
	for _, m := range rejected {
		switch i, ok := origin(m.Value); {
		case left[string(m.Value)] > 0:
			left[string(m.Value)]--
		case ok && sources[i].kind == "":
			others["an order"]++
		default:
			others["not a record of "+in+" as it was"]++
		}
		if h, ok := lessons.Header(m, "error"); ok && len(bytes.TrimSpace(h)) > 0 {
			headed++
		} else if ok {
			headers["an empty error header"]++
		} else {
			headers["no error header"]++
		}
	}
	var lost []string
	for _, s := range sources {
		if s.kind != "" && left[string(s.value)] > 0 {
			left[string(s.value)]--
			lost = append(lost, s.kind)
		}
	}
	nbad := len(records) - orders
	set := Line{What: "records on " + rej, Want: fmt.Sprintf("%d (the records of %s that are not orders, as they were)", nbad, in),
		Got: strconv.Itoa(len(rejected)), OK: len(rejected) == nbad && len(lost) == 0}
	var extra []string
	if len(lost) > 0 {
		extra = append(extra, "missing: "+strings.Join(lost, ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(others)) {
		extra = append(extra, fmt.Sprintf("%s on %d", k, others[k]))
	}
	if len(extra) > 0 {
		set.Got += " (" + strings.Join(extra, "; ") + ")"
	}
	header := Line{What: "records on " + rej + " with a header error that says why", Want: strconv.Itoa(len(rejected)),
		Got: headers.got(headed), OK: headed == len(rejected)}

	return []Line{all, through, shape, key, set, header}, nil
}

// exactFields says whether a value is an object with exactly the order's
// fields.
func exactFields(value []byte) bool {
	return slices.Equal(slices.Sorted(maps.Keys(fieldsOf(value))), slices.Sorted(slices.Values(v1Fields)))
}

// shapeOf says how a record on $OUT differs from the order it came from.
func shapeOf(value []byte, o lessons.Order) string {
	fields := fieldsOf(value)
	if !exactFields(value) {
		return "fields " + quoteAll(slices.Sorted(maps.Keys(fields)))
	}
	got, err := lessons.DecodeOrder(value)
	switch {
	case err != nil:
		return "quantity " + string(fields["quantity"])
	case got != o:
		return "other values"
	}
	return "fine"
}

// emptyStrings says whether a value is an object whose strings are all
// empty and whose numbers are all 0.
func emptyStrings(value []byte) bool {
	fields := fieldsOf(value)
	for _, raw := range fields {
		if s := string(raw); s != `""` && s != "0" && s != "null" {
			return false
		}
	}
	return len(fields) > 0
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// list says what a tally counts: "no order_id on 1, quantity 0 on 2".
func (t tally) list() string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(t)) {
		parts = append(parts, fmt.Sprintf("%s on %d", s, t[s]))
	}
	return strings.Join(parts, ", ")
}

// belowOne matches the kind of a quantity of 0 or less.
var belowOne = regexp.MustCompile(`^quantity -?\d+$`)
