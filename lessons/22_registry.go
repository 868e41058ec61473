package lessons

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hamba/avro/v2"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/sr"
)

// registryLesson is lesson 22: a real schema registry, Avro orders framed
// with its ids.
func registryLesson() Lesson {
	return Lesson{
		Number:   22,
		Title:    "A schema registry: Avro orders and their ids",
		Goal:     "Register the order's schema in a real schema registry, see which changes each compatibility level accepts, and produce and consume Avro orders framed with the schema's id, from Go with franz-go's sr package.",
		Requires: Requirement{Registry: true},
		Summary: []string{
			"A schema registry is a server beside the brokers, not part of Kafka: it keeps the versions of each subject's schema (by default a subject per topic: orders-value for the values of orders) and gives each schema an id, the same in every subject that registers the same schema text.",
			"Registering a schema a subject already has returns its id and adds no version; a new schema is checked against the subject's compatibility level first, and refused (409) if it breaks it, so a serializer fails before sending the record. The brokers check nothing: only producers that go through the registry are held to it.",
			"BACKWARD (Confluent's default): consumers on the new schema read what the last one wrote, so upgrade consumers first; FORWARD: consumers on the last schema read what the new one writes, so upgrade producers first; FULL: both. With Avro, a field added or removed with a default passes all three; renaming quantity (no default, no alias) to qty passes none.",
			"Each value is framed: a magic byte 0, the schema's id in 4 bytes (big-endian), then the Avro data, which has no field names. A consumer fetches the writer's schema by id once and caches it (the schema behind an id never changes); to read into a schema of its own, it resolves the writer's against it.",
		},
		Quiz: []Question{
			{
				Ask: "The subject's level is BACKWARD. Which change to the order does the registry refuse?",
				Choices: []string{
					"Adding price_cents with a default of 0",
					"Renaming quantity to qty",
					"Removing the field user",
				},
				Answer: 1,
				Why:    "BACKWARD asks whether a consumer on the new schema can read what the last one wrote. Old orders have no qty, and qty has no default: it cannot. A removed field is simply skipped, and an added field with a default is filled in.",
				Step:   3,
			},
			{
				Ask: "Which level accepts a new field that has no default?",
				Choices: []string{
					"BACKWARD",
					"FORWARD",
					"FULL",
				},
				Answer: 1,
				Why:    "FORWARD asks whether consumers on the last schema can read what the new one writes: they skip the field they do not know. BACKWARD and FULL refuse it: a consumer on the new schema would find nothing to put in it when it reads old records.",
				Step:   4,
			},
			{
				Ask: "What do the first five bytes of a value framed for a schema registry hold?",
				Choices: []string{
					"The magic byte 0, then the schema's id in 4 bytes",
					"The subject's name, then the version number",
					"A checksum of the schema",
				},
				Answer: 0,
				Why:    "Confluent's wire format: byte 0 is the magic byte (0), bytes 1 to 4 the schema's id, big-endian; the Avro data follows. The consumer asks the registry for the schema with that id.",
				Step:   5,
			},
		},
		Plan: func() Plan {
			s := &registryState{}
			return Plan{Setup: s.topicReady, Steps: []Step{
				{Title: "A schema registry beside the broker", Run: s.open},
				{Title: "Version 1 of the order, registered", Run: s.registerV1, Needs: []int{1}},
				{Title: "BACKWARD: price_cents accepted, qty refused", Run: s.evolve, Needs: []int{2}},
				{Title: "FORWARD and FULL: what each accepts", Run: s.levels, Needs: []int{3}},
				{Title: "Avro orders framed with their schema's id", Run: s.produce, Needs: []int{3}},
				{Title: "A consumer resolves each id", Run: s.consume, Needs: []int{5}},
			}, Cleanup: s.cleanup}
		},
	}
}

// The order's Avro schemas: version 1, version 2 (lesson 13's price, with
// a default), and the rename that breaks readers. Exported for the tests.
const (
	OrderV1Avro = `{"type": "record", "name": "Order", "namespace": "shop", "fields": [
  {"name": "order_id", "type": "string"},
  {"name": "user", "type": "string"},
  {"name": "item", "type": "string"},
  {"name": "quantity", "type": "int"}]}`
	OrderV2Avro = `{"type": "record", "name": "Order", "namespace": "shop", "fields": [
  {"name": "order_id", "type": "string"},
  {"name": "user", "type": "string"},
  {"name": "item", "type": "string"},
  {"name": "quantity", "type": "int"},
  {"name": "price_cents", "type": "long", "default": 0}]}`
	OrderQtyAvro = `{"type": "record", "name": "Order", "namespace": "shop", "fields": [
  {"name": "order_id", "type": "string"},
  {"name": "user", "type": "string"},
  {"name": "item", "type": "string"},
  {"name": "qty", "type": "int"},
  {"name": "price_cents", "type": "long", "default": 0}]}`
)

type registryState struct {
	env      *Env
	topic    string // this run's topic of Avro orders
	subject  string // its values' subject
	registry *SchemaRegistry
	v1, v2   sr.SubjectSchema // the registered versions
	from     map[int]int64    // the topic's end before step 5 wrote
	sent     int              // how many orders step 5 wrote
}

// topicReady makes this run's topic: one partition, so that the orders
// are read back in the order they were written.
func (s *registryState) topicReady(ctx context.Context, env *Env) error {
	s.env = env
	s.topic = env.Name("orders-avro-" + uuid.NewString()[:6])
	s.subject = s.topic + "-value" // TopicNameStrategy, the serializers' default
	return EnsureTopic(ctx, env, TopicSpec{Name: s.topic, Partitions: 1, ReplicationFactor: env.Replicas()})
}

// cleanup stops a registry this run started, or deletes this run's
// subject from one already running, and deletes the topic.
func (s *registryState) cleanup() {
	if s.env == nil {
		return
	}
	if s.registry != nil {
		if s.registry.Started == "" {
			DeleteSubject(s.registry.Client, s.subject)
		}
		s.registry.Stop()
	}
	DeleteTopics(s.env, s.topic)
}

// Lesson 13 changed the order by agreement between teams; nothing checked
// it. A schema registry checks: a server beside the brokers (Kafka knows
// nothing of it) that keeps each subject's schema versions. Confluent's
// (in docker-compose.yml, on localhost:8081) keeps them in a compacted
// topic, _schemas. Where none answers, this lesson starts Apicurio
// Registry, which speaks the same REST API and keeps its data in memory
// until the lesson ends. Go talks to either with franz-go's sr package.
// A registry has a global compatibility level, which a subject can
// override: BACKWARD in Confluent's, NONE (no check) in Apicurio's.
func (s *registryState) open(ctx context.Context, env *Env) error {
	r, err := KeepRegistry(ctx, env, s.registry) // a step run again keeps its registry
	if err != nil {
		return err
	}
	s.registry = r
	if r.Started != "" {
		env.Out.Value("started for this lesson, data in memory", r.Started)
	}
	env.Out.Value("registry", r.Address())
	subjects, err := r.Client.Subjects(ctx)
	if err != nil {
		return fmt.Errorf("list the registry's subjects: %w", err)
	}
	env.Out.Value("subjects", len(subjects))
	global := r.Client.Compatibility(ctx)[0] // GET /config
	if global.Err != nil {
		return fmt.Errorf("read the registry's compatibility level: %w", global.Err)
	}
	env.Out.Value("global compatibility level", global.Level.String())
	return nil
}

// The subject of a topic's values is TOPIC-value. Registering version 1
// (POST /subjects/SUBJECT/versions) gives the schema an id. A serializer
// registers its schema when it first uses it: registering it again gives
// the same id and adds no version. The subject is then set to BACKWARD
// (PUT /config/SUBJECT), whatever the registry's global level.
func (s *registryState) registerV1(ctx context.Context, env *Env) error {
	client := s.registry.Client
	v1 := sr.Schema{Schema: OrderV1Avro, Type: sr.TypeAvro}
	for range 2 {
		registered, err := client.CreateSchema(ctx, s.subject, v1)
		if err != nil {
			return fmt.Errorf("register version 1 of the order: %w", err)
		}
		env.Out.Value("subject", registered.Subject)
		env.Out.Value("id", registered.ID)
		env.Out.Value("version", registered.Version)
		s.v1 = registered
	}
	versions, err := client.SubjectVersions(ctx, s.subject)
	if err != nil {
		return fmt.Errorf("list the subject's versions: %w", err)
	}
	env.Out.Value("versions", fmt.Sprint(versions))
	set := client.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatBackward}, s.subject)[0]
	if set.Err != nil {
		return fmt.Errorf("set the subject to BACKWARD: %w", set.Err)
	}
	env.Out.Value("subject's compatibility level", set.Level.String())
	return nil
}

// Version 2 adds lesson 13's price_cents, with a default: a consumer on
// version 2 that reads a version 1 order fills it with 0. The lesson asks
// first (POST /compatibility/subjects/SUBJECT/versions/latest);
// registering runs the same check and, under BACKWARD, accepts it as
// version 2, with an id of its own. Renaming quantity to qty is refused: a
// consumer on the new schema would find no qty in the orders already
// written. A serializer's register call fails with 409 Conflict, so that
// record is never sent. The brokers check nothing themselves: only
// producers that go through the registry are held to it. BACKWARD compares
// with the latest version only; BACKWARD_TRANSITIVE, in Confluent's
// registry, with every version (Apicurio 2.1 still with the latest only).
func (s *registryState) evolve(ctx context.Context, env *Env) error {
	client := s.registry.Client
	// try asks whether a schema is compatible, then registers it.
	try := func(text string) (compatible bool, registered sr.SubjectSchema, err error) {
		schema := sr.Schema{Schema: text, Type: sr.TypeAvro}
		check, err := client.CheckCompatibility(ctx, s.subject, -1, schema) // -1: the latest version
		if err != nil {
			return false, registered, fmt.Errorf("check: %w", err)
		}
		registered, err = client.CreateSchema(ctx, s.subject, schema)
		return check.Is, registered, err
	}
	compatible, v2, err := try(OrderV2Avro)
	if err != nil {
		return fmt.Errorf("register version 2: %w", err)
	}
	env.Out.Value("version 2 (price_cents, default 0), compatible", Verdict(compatible))
	env.Out.Value("version 2 registered as version", v2.Version)
	env.Out.Value("version 2's id", v2.ID)
	s.v2 = v2
	compatible, _, err = try(OrderQtyAvro)
	env.Out.Value("quantity renamed to qty, compatible", Verdict(compatible))
	switch {
	case Incompatible(err):
		env.Out.Warn("quantity renamed to qty, refused: %v", err)
	case err != nil:
		return fmt.Errorf("register quantity renamed to qty: %w", err)
	default:
		env.Out.Warn("quantity renamed to qty was registered: is this subject BACKWARD?")
	}
	versions, err := client.SubjectVersions(ctx, s.subject)
	if err != nil {
		return fmt.Errorf("list the subject's versions: %w", err)
	}
	env.Out.Value("versions", fmt.Sprint(versions))
	return nil
}

// Each level asks its own question of a change. BACKWARD: can consumers on
// the new schema read what the latest wrote? (Upgrade consumers first.)
// FORWARD: can consumers on the latest read what the new one writes?
// (Upgrade producers first.) FULL: both. Avro answers from its rules: a
// reader skips fields it does not know, and fills a field the writer did
// not have with its default, or fails without one. The subject is set to
// each level in turn (PUT /config/SUBJECT) and four changes to version 2
// are checked, none registered; the subject goes back to BACKWARD.
func (s *registryState) levels(ctx context.Context, env *Env) error {
	client := s.registry.Client
	changes := []string{ // four changes to version 2
		withField(OrderV2Avro, `{"name": "coupon", "type": "string", "default": ""}`),
		withField(OrderV2Avro, `{"name": "coupon", "type": "string"}`),
		strings.Replace(OrderV2Avro, "\n  {\"name\": \"user\", \"type\": \"string\"},", "", 1),
		OrderQtyAvro,
	}
	verdicts := make([]string, len(changes)) // "BACKWARD ✓  FORWARD ✗  FULL ✗"
	for _, level := range []sr.CompatibilityLevel{sr.CompatBackward, sr.CompatForward, sr.CompatFull} {
		set := client.SetCompatibility(ctx, sr.SetCompatibility{Level: level}, s.subject)[0]
		if set.Err != nil {
			return fmt.Errorf("set the subject to %s: %w", level, set.Err)
		}
		for i, change := range changes {
			check, err := client.CheckCompatibility(ctx, s.subject, -1, sr.Schema{Schema: change, Type: sr.TypeAvro})
			if err != nil {
				return fmt.Errorf("check change %d under %s: %w", i+1, level, err)
			}
			verdicts[i] = strings.TrimSpace(fmt.Sprintf("%s  %s %s", verdicts[i], level, Verdict(check.Is)))
		}
	}
	env.Out.Value(`add coupon, with a default ("")`, verdicts[0])
	env.Out.Value("add coupon, without a default", verdicts[1])
	env.Out.Value("remove user (it has no default)", verdicts[2])
	env.Out.Value("rename quantity to qty", verdicts[3])
	set := client.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatBackward}, s.subject)[0]
	return set.Err
}

// withField returns the record schema with one more field at its end.
func withField(schema, field string) string {
	return strings.TrimSuffix(schema, "]}") + ",\n  " + field + "]}"
}

// A producer frames each value the way Confluent's serializers do: a
// magic byte 0, the id of the schema it wrote with in 4 bytes
// (big-endian), then the Avro data. Avro writes no field names, only the
// values in the schema's order (a string as its length, then its UTF-8
// bytes; an int or a long as a variable-length zigzag integer, so quantity
// 1 is the one byte 02): the schema is needed to read it back. An upgraded
// producer writes two orders with version 2's id; one not yet upgraded
// writes one with version 1's. sr.Serde does the framing.
func (s *registryState) produce(ctx context.Context, env *Env) error {
	v1Schema, err := avro.Parse(s.v1.Schema.Schema)
	if err != nil {
		return fmt.Errorf("parse version 1: %w", err)
	}
	v2Schema, err := avro.Parse(s.v2.Schema.Schema)
	if err != nil {
		return fmt.Errorf("parse version 2: %w", err)
	}
	var serde sr.Serde
	serde.Register(s.v1.ID, Order{}, sr.EncodeFn(func(v any) ([]byte, error) { return AvroMarshal(v1Schema, v) }))
	serde.Register(s.v2.ID, OrderV2{}, sr.EncodeFn(func(v any) ([]byte, error) { return AvroMarshal(v2Schema, v) }))
	orders := []any{
		OrderV2{Order: SampleOrder(0), PriceCents: 1450}, // upgraded: version 2
		OrderV2{Order: SampleOrder(1), PriceCents: 990},
		SampleOrder(2), // not upgraded: version 1
	}
	var msgs []kafka.Message
	for _, order := range orders {
		value, err := serde.Encode(order) // picks the id registered for the value's type
		if err != nil {
			return fmt.Errorf("encode %+v: %w", order, err)
		}
		msgs = append(msgs, kafka.Message{Value: value})
	}
	first := msgs[0].Value
	env.Out.Block(hex.Dump(first))
	env.Out.Value("magic byte", int(first[0]))
	env.Out.Value("schema id", int(binary.BigEndian.Uint32(first[1:5])))
	asJSON, _ := json.Marshal(orders[0])
	env.Out.Value("Avro data, bytes", len(first)-5)
	env.Out.Value("the same order in JSON, bytes", len(asJSON))
	if s.from, err = PartitionEnds(ctx, env, s.topic); err != nil {
		return err
	}
	s.sent = len(msgs)
	return ProduceMessages(ctx, env, s.topic, msgs, framedRecords(env.Out))
}

// A consumer on version 2 reads the frames. The id in each leads to the
// writer's schema (GET /schemas/ids/ID), fetched once per id and kept: the
// schema behind an id never changes. Avro's schema resolution then reads
// the writer's data into the reader's schema: the version 1 order gets
// price_cents 0, the default. Confluent's deserializers also fetch each id
// once; by default they return the record in the writer's schema, and
// resolve it into a reader's only when given one (specific.avro.reader
// with generated classes, or use.latest.version). Without the writer's
// schema, these bytes cannot be decoded.
func (s *registryState) consume(ctx context.Context, env *Env) error {
	reader, err := avro.Parse(OrderV2Avro)
	if err != nil {
		return fmt.Errorf("parse version 2: %w", err)
	}
	writers := map[int]avro.Schema{} // the registry's schemas, by id
	poller, err := NewPoller(env, s.topic, s.from)
	if err != nil {
		return err
	}
	defer poller.Close()
	var header sr.ConfluentHeader
	for range s.sent {
		msg, err := poller.Poll(ctx, 5*time.Second)
		if err != nil {
			return fmt.Errorf("read the Avro orders: %w", err)
		}
		id, data, err := header.DecodeID(msg.Value) // magic byte, id
		if err != nil {
			return fmt.Errorf("offset %d: %w", msg.Offset, err)
		}
		writer, ok := writers[id]
		if !ok {
			schema, err := s.registry.Client.SchemaByID(ctx, id)
			if err != nil {
				return fmt.Errorf("fetch schema %d: %w", id, err)
			}
			if writer, err = avro.Parse(schema.Schema); err != nil {
				return fmt.Errorf("parse schema %d: %w", id, err)
			}
			writers[id] = writer
		}
		var order OrderV2
		if err := AvroUnmarshal(reader, writer, data, &order); err != nil {
			return fmt.Errorf("decode offset %d: %w", msg.Offset, err)
		}
		env.Out.Value("schema id", id)
		env.Out.Record(Record{Kind: Received, Topic: msg.Topic, Partition: msg.Partition,
			Offset: msg.Offset, Value: msg.Value, Order: order.Order})
		env.Out.Value("price_cents", order.PriceCents)
	}
	env.Out.Value("schemas fetched from the registry", len(writers))
	return nil
}
