package exercise

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 22 follows lesson 22: orders in Avro, framed with the id a
// schema registry gave their schema, as Confluent's deserializers expect.
//
// Each check has a registry: the one running (Env.RegistryURL), or
// Apicurio Registry started for it (Open). Prepare first registers a few
// other schemas, so that the order's id is not 1 even in a fresh registry:
// an id must come from the registry's answer, not be guessed. The check
// reads every record and asks the registry about the id in its frame.
func registryExercise() Exercise {
	return Exercise{
		ID: "22", Dir: "22_registry", Lesson: 22,
		Title:    "Orders a registry's consumers can read",
		Goal:     "$COUNT orders are on $TOPIC, each value framed for the schema registry (kit.Registry()): the magic byte 0, then in 4 bytes the id the registry gave the order's schema (lessons.OrderV1Avro) under $SUBJECT, the subject of $TOPIC's values, then the order in Avro, which that schema decodes.",
		Requires: lessons.Requirement{Registry: true},
		Hints: []string{
			"A consumer that reads through a registry (Confluent's deserializers, lesson 22 step 6) takes byte 0 as the magic byte, bytes 1 to 4 as a schema id, and asks the registry for that schema to decode the rest. The id must be one the registry gave: register the schema, and use the id it answers.",
			"client.CreateSchema(ctx, subject, sr.Schema{Schema: lessons.OrderV1Avro, Type: sr.TypeAvro}) registers it (or finds it, if the subject has it already) and returns an sr.SubjectSchema whose ID is the id. The subject of a topic's values is TOPIC-value: $SUBJECT here.",
			"With the id: value := append([]byte{0}, binary.BigEndian.AppendUint32(nil, uint32(registered.ID))...), then value = append(value, data...), where data is lessons.AvroMarshal(schema, order): Avro, not JSON. sr.Serde does the same framing: serde.Register(registered.ID, lessons.Order{}, sr.EncodeFn(...)), then serde.Encode(order).",
		},
		Open:    openRegistry,
		Prepare: prepareRegistry,
		Check:   checkRegistry,
	}
}

// openRegistry makes sure a registry answers for this check. Its stop
// deletes the subjects the check and the program made in a registry that
// was running (a learner's, a class's): those new since it opened, with
// this run's names.
func openRegistry(ctx context.Context, env *lessons.Env) (func(), error) {
	r, err := lessons.OpenRegistry(ctx, env)
	if err != nil {
		return nil, err
	}
	env.RegistryURL = r.URL
	if r.Started != "" {
		return r.Stop, nil // in memory: gone with it
	}
	before, err := r.Client.Subjects(ctx)
	if err != nil {
		return nil, fmt.Errorf("the registry's subjects: %w", err)
	}
	prefix := env.Name("ex22-")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		after, _ := r.Client.Subjects(ctx)
		for _, subject := range after {
			if strings.HasPrefix(subject, prefix) && !slices.Contains(before, subject) {
				lessons.DeleteSubject(r.Client, subject)
			}
		}
	}, nil
}

func prepareRegistry(ctx context.Context, env *lessons.Env) (Vars, error) {
	topic := env.Name("ex22-orders-" + suffix())
	if err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: topic, Partitions: 3, ReplicationFactor: env.Replicas()}); err != nil {
		return nil, err
	}
	client, err := lessons.RegistryClient(env.RegistryURL)
	if err != nil {
		return nil, err
	}
	// Other schemas first: in a fresh registry, the order's id is not 1.
	for i := range between(1, 3) {
		other := fmt.Sprintf(`{"type": "record", "name": "Other%d%s", "fields": [{"name": "n", "type": "int"}]}`, i, suffix())
		if _, err := client.RegisterSchema(ctx, env.Name("ex22-other-"+suffix())+"-value", sr.Schema{Schema: other, Type: sr.TypeAvro}, -1, -1); err != nil {
			return nil, fmt.Errorf("register another schema: %w", err)
		}
	}
	return Vars{"TOPIC": topic, "SUBJECT": topic + "-value", "REGISTRY": env.RegistryURL,
		"COUNT": strconv.Itoa(between(3, 7))}, nil
}

// What a record whose id the check refuses shows.
const (
	idUnknown   = "an id the registry never gave"
	idElsewhere = "an id that is not one of the subject's"
)

// What a record whose frame the check refuses shows.
const (
	frameShort   = "fewer than 5 bytes"
	frameJSON    = "JSON, no frame"
	frameNoMagic = "no magic byte 0"
)

func checkRegistry(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, subject, count := v["TOPIC"], v["SUBJECT"], v.Int("COUNT")
	stored, err := readAll(ctx, env, topic)
	if err != nil {
		return nil, err
	}
	client, err := lessons.RegistryClient(v["REGISTRY"])
	if err != nil {
		return nil, err
	}
	registered := map[int]bool{} // the ids of the subject's versions
	if schemas, err := client.Schemas(ctx, subject); err == nil {
		for _, s := range schemas {
			registered[s.ID] = true
		}
	} else if re := (*sr.ResponseError)(nil); !errors.As(err, &re) || re.StatusCode != 404 {
		return nil, fmt.Errorf("the versions of %s: %w", subject, err)
	}
	reader, err := avro.Parse(lessons.OrderV1Avro)
	if err != nil {
		return nil, err
	}
	framed, fromSubject, decoded := 0, 0, 0
	badFrames, badIDs, badData := tally{}, tally{}, tally{}
	for _, m := range stored {
		switch {
		case len(m.Value) < 5:
			badFrames[frameShort]++
			continue
		case m.Value[0] == '{':
			badFrames[frameJSON]++
			continue
		case m.Value[0] != 0, noMagic(m.Value, registered):
			badFrames[frameNoMagic]++
			continue
		}
		framed++
		id := int(binary.BigEndian.Uint32(m.Value[1:5]))
		schema, err := client.SchemaByID(ctx, id)
		var re *sr.ResponseError
		switch {
		case errors.As(err, &re) && re.StatusCode == 404:
			badIDs[idUnknown]++
			continue
		case err != nil:
			return nil, fmt.Errorf("ask the registry for schema %d: %w", id, err)
		}
		if !registered[id] {
			badIDs[idElsewhere]++
		} else {
			fromSubject++
		}
		writer, err := avro.Parse(schema.Schema)
		if err != nil {
			badData["a schema that is not Avro"]++
			continue
		}
		var o lessons.Order
		if err := lessons.AvroUnmarshal(reader, writer, m.Value[5:], &o); err != nil || o.OrderID == "" || o.User == "" || o.Item == "" || o.Quantity < 1 {
			if len(m.Value) > 5 && m.Value[5] == '{' {
				badData["JSON after the frame"]++
			} else {
				badData["no order"]++
			}
			continue
		}
		decoded++
	}
	lines := []Line{want("orders on "+topic, count, len(stored))}
	frames := Line{What: "records framed: the magic byte 0, then a schema id",
		Want: strconv.Itoa(len(stored)), Got: badFrames.got(framed), OK: framed == len(stored)}
	if seen, one := badFrames.only(); !frames.OK && one {
		switch seen {
		case frameJSON:
			frames.Why = "the values are plain JSON: a registry's consumer reads their first byte, '{', as the magic byte, and refuses them"
		case frameNoMagic:
			frames.Why = "byte 0 of a framed value is the magic byte, 0; the id follows in bytes 1 to 4"
		}
	}
	ids := Line{What: fmt.Sprintf("records whose schema id the registry gave under %s", subject),
		Want: strconv.Itoa(len(stored)), Got: badIDs.got(fromSubject), OK: fromSubject == len(stored)}
	if seen, one := badIDs.only(); !ids.OK && one {
		switch seen {
		case idUnknown:
			ids.Why = "an id the registry never gave, as lesson 13's made-up 42: register the schema and use the id the registry answers"
		case idElsewhere:
			ids.Why = fmt.Sprintf("an id the registry gave, but to no version of %s, the subject of %s's values: register the schema under it, and use the id it answers", subject, topic)
		}
	}
	data := Line{What: "records whose data that id's schema decodes into an order",
		Want: strconv.Itoa(len(stored)), Got: badData.got(decoded), OK: decoded == len(stored)}
	if seen, one := badData.only(); !data.OK && one && seen == "JSON after the frame" {
		data.Why = "after the 5 bytes comes the order in Avro (lessons.AvroMarshal), which has no field names: the schema gives them"
	}
	return append(lines, frames, ids, data), nil
}

// noMagic says a value starts with a registered id where the magic byte
// should be: its high byte, 0 for any id below 16 million, looks like
// one, and the id read after it is not the subject's.
func noMagic(value []byte, registered map[int]bool) bool {
	return registered[int(binary.BigEndian.Uint32(value[0:4]))] && !registered[int(binary.BigEndian.Uint32(value[1:5]))]
}
