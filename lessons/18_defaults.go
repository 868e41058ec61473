package lessons

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// defaultsLesson is lesson 18: where kafka-go's defaults differ from the
// Java client's, which everyone else assumes.
func defaultsLesson() Lesson {
	return Lesson{
		Number: 18,
		Title:  "Defaults: Java's, kafka-go's and franz-go's",
		Goal:   "Know where kafka-go's defaults differ from the Java client's, which exams, colleagues and the Java docs assume, and what each difference does to an order.",
		Summary: []string{
			"acks: Java and franz-go wait for every in-sync replica; a kafka-go Writer's zero value waits for nothing.",
			"Java and franz-go producers are idempotent by default; kafka-go's Writer has no idempotent producer.",
			"Java and franz-go hash a key with murmur2; kafka-go's default balancer ignores keys (round-robin).",
			"A new group starts at the end with Java's defaults (auto.offset.reset=latest), at the oldest record kept with kafka-go's and franz-go's.",
			"Java (as the program polls) and franz-go (on a timer) commit every 5 s what earlier polls returned; kafka-go's ReadMessage commits each record before returning it, FetchMessage commits nothing.",
			"The coordinator drops a silent member after its session timeout: 45 s with Java's and franz-go's defaults, 30 s with kafka-go's.",
		},
		Quiz: []Question{
			{
				Ask: "A kafka.Writer with every field left zero writes an order. What does it wait for?",
				Choices: []string{
					"Every in-sync replica, as Java's producer does",
					"The partition's leader only",
					"Nothing: it does not wait for the broker's answer",
				},
				Answer: 2,
				Why:    "RequiredAcks' zero value is RequireNone (acks=0): the Writer does not wait, and its delivery report has no offset. Java and franz-go default to acks=all.",
				Step:   1,
			},
			{
				Ask: "A Go service with kafka-go's defaults replaces a Java service that had Java's; it joins, under a new group id, a topic holding a week of orders. What does it read first?",
				Choices: []string{
					"The oldest order the topic still keeps",
					"Only orders produced after it joined",
					"Where the Java service's group stopped",
				},
				Answer: 0,
				Why:    "A group without commits starts where its start setting says: kafka-go's StartOffset defaults to FirstOffset, where Java's auto.offset.reset defaults to latest, the end. A new group id has no commits, not even the Java group's.",
				Step:   3,
			},
			{
				Ask: "A member's process freezes and stops heartbeating. With the defaults, after how long does the coordinator drop it from the group?",
				Choices: []string{
					"30 s with kafka-go, 45 s with Java and franz-go",
					"45 s with kafka-go, 30 s with Java",
					"3 s, one heartbeat interval, with all three",
				},
				Answer: 0,
				Why:    "The session timeout: kafka-go's ConsumerGroup defaults it to 30 s, Java (since 3.0) and franz-go to 45 s. The heartbeat interval, 3 s in all three, is how often a member says it is alive.",
				Step:   2,
			},
		},
		Plan: func() Plan {
			s := &defaultsState{}
			return Plan{Setup: s.keepEnv, Steps: []Step{
				{Title: "A producer's defaults", Run: s.producer},
				{Title: "A consumer's defaults", Run: s.consumer},
				{Title: "A new group: the oldest order or the next one", Run: s.newGroup},
			}, Cleanup: s.cleanup}
		},
	}
}

// Java's defaults are pinned by TestJavaClientDefaults (from the clients'
// own jars); kafka-go's and franz-go's are read from the libraries, and
// TestLesson18Defaults checks what they said. The rest is pinned by
// TestKafkaGo_WriterDefaultBalancerIsRoundRobin, …WriterWritesNoProducerID,
// …ReadMessageCommitsFetchMessageDoesNot and
// TestFranz_KeyedRecordsGoWhereJavaPutsThem.
type defaultsState struct {
	env   *Env
	topic string // step 3's, this run's own
}

// keepEnv keeps the env, for cleanup.
func (s *defaultsState) keepEnv(_ context.Context, env *Env) error {
	s.env = env
	return nil
}

// cleanup deletes step 3's topic.
func (s *defaultsState) cleanup() {
	if s.env != nil {
		DeleteTopics(s.env, s.topic)
	}
}

// Exams, colleagues and the Java docs assume the Java client's defaults; a
// Go program gets its library's. Here they are side by side for a
// producer: Java's as Apache Kafka documents them, kafka-go's as a Writer
// with every field left zero reports them (Stats), franz-go's as a client
// given no option reports them (OptValue); where a library has no value to
// report, as its tests pin it.
//
// Three differences change what happens to an order. acks: Java and
// franz-go wait for every in-sync replica, kafka-go's zero value for
// nothing (lesson 3). Idempotence: Java and franz-go number their batches,
// so the broker stores a retried batch once (Java quietly drops this when
// acks is set to 0 or 1 without enable.idempotence); kafka-go's Writer
// does not, and a retry after a lost answer is stored twice (lesson 10).
// Keys: Java and franz-go hash a key with murmur2, so a user's orders stay
// on one partition; kafka-go's default balancer deals records out in turn
// and ignores the key (lesson 8). kafka-go's Writer also waits up to a
// second to fill a batch (lesson 3), Java 5 ms (0 before Kafka 4.0),
// franz-go 10 ms; and franz-go compresses a batch with snappy when that
// makes it smaller.
func (s *defaultsState) producer(ctx context.Context, env *Env) error {
	w := &kafka.Writer{} // every field left zero
	ws := w.Stats()      // the values the Writer runs with
	defer w.Close()
	fr, err := env.FranzClient() // no option
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer fr.Close()
	retries := fmt.Sprint(fr.OptValue(kgo.RecordRetries))
	if fr.OptValue(kgo.RecordRetries) == int64(math.MaxInt64) {
		retries = "unbounded"
	}
	env.Out.Value("acks", Defaults{
		Java:    Java("acks"),
		KafkaGo: kafka.RequiredAcks(ws.RequiredAcks).String(),
		Franz:   FranzAcks(fr.OptValue(kgo.RequiredAcks)),
	})
	env.Out.Value("idempotent producer", Defaults{
		Java:    Java("enable.idempotence"),
		KafkaGo: "none",
		Franz:   fmt.Sprint(!fr.OptValue(kgo.DisableIdempotentWrite).(bool)),
	})
	env.Out.Value("a key's partition", Defaults{
		Java:    "murmur2(key)",
		KafkaGo: "round-robin, key ignored",
		Franz:   "murmur2(key)",
	})
	env.Out.Value("wait to fill a batch", Defaults{
		Java:    Java("linger.ms"),
		KafkaGo: fmt.Sprintf("BatchTimeout=%v", ws.BatchTimeout),
		Franz:   fmt.Sprintf("ProducerLinger=%v", fr.OptValue(kgo.ProducerLinger)),
	})
	env.Out.Value("attempts", Defaults{
		Java:    Java("retries") + ", " + Java("delivery.timeout.ms"),
		KafkaGo: fmt.Sprintf("MaxAttempts=%d", ws.MaxAttempts),
		Franz:   "RecordRetries " + retries,
	})
	env.Out.Value("compression", Defaults{
		Java:    Java("compression.type"),
		KafkaGo: w.Compression.String(),
		Franz:   FranzCompression(fr.OptValue(kgo.ProducerBatchCompression)),
	})
	return nil
}

// The same for a consumer in a group: Java's documented defaults,
// kafka-go's as a ConsumerGroupConfig fills them in (Validate, which a
// Reader with a GroupID runs too), franz-go's as a client given no option
// reports them.
//
// Where a new group starts: Java's auto.offset.reset=latest reads only the
// orders produced after the group first joins; kafka-go's FirstOffset and
// franz-go start at the oldest order the topic keeps (the next step shows
// both). Commits: Java commits as the program polls, once 5 s have passed,
// franz-go from a timer every 5 s, both what earlier polls returned;
// kafka-go's ReadMessage commits each record before returning it (at most
// once, lesson 10), and FetchMessage commits nothing until CommitMessages.
// Timeouts: when a member stops heartbeating, the coordinator drops it
// after its session timeout, 45 s with Java's and franz-go's defaults, 30 s
// with kafka-go's; in a rebalance, members have Java's max.poll.interval.ms
// (5 minutes) to rejoin the group, 60 s with franz-go, 30 s with kafka-go.
// Java lists range, then cooperative-sticky, and so uses range; kafka-go
// lists range, then round-robin; franz-go, cooperative-sticky (lesson 17).
func (s *defaultsState) consumer(ctx context.Context, env *Env) error {
	cfg := kafka.ConsumerGroupConfig{ID: "g", Brokers: env.Brokers, Topics: []string{env.Topic}}
	if err := cfg.Validate(); err != nil { // fills in the defaults
		return err
	}
	var balancers []string
	for _, b := range cfg.GroupBalancers {
		balancers = append(balancers, b.ProtocolName())
	}
	fr, err := env.FranzClient() // no option: it joins no group
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer fr.Close()
	start := "FirstOffset"
	if cfg.StartOffset == kafka.LastOffset {
		start = "LastOffset"
	}
	env.Out.Value("a new group starts at", Defaults{
		Java:    Java("auto.offset.reset"),
		KafkaGo: start,
		Franz:   FranzOffset(fr.OptValue(kgo.ConsumeStartOffset)),
	})
	env.Out.Value("commits", Defaults{
		Java:    Java("enable.auto.commit") + ", " + Java("auto.commit.interval.ms"),
		KafkaGo: "ReadMessage: each record; FetchMessage: none",
		Franz:   fmt.Sprintf("AutoCommitInterval=%v", fr.OptValue(kgo.AutoCommitInterval)),
	})
	env.Out.Value("session timeout", Defaults{
		Java:    Java("session.timeout.ms"),
		KafkaGo: cfg.SessionTimeout.String(),
		Franz:   fmt.Sprint(fr.OptValue(kgo.SessionTimeout)),
	})
	env.Out.Value("heartbeat interval", Defaults{
		Java:    Java("heartbeat.interval.ms"),
		KafkaGo: cfg.HeartbeatInterval.String(),
		Franz:   fmt.Sprint(fr.OptValue(kgo.HeartbeatInterval)),
	})
	env.Out.Value("rebalance timeout", Defaults{
		Java:    Java("max.poll.interval.ms"),
		KafkaGo: cfg.RebalanceTimeout.String(),
		Franz:   fmt.Sprint(fr.OptValue(kgo.RebalanceTimeout)),
	})
	env.Out.Value("balancers", Defaults{
		Java:    Java("partition.assignment.strategy"),
		KafkaGo: fmt.Sprint(balancers),
		Franz:   FranzBalancers(fr.OptValue(kgo.Balancers)),
	})
	return nil
}

// Three orders wait on a topic of this run's own when two new groups join
// it. The first is a kafka-go Reader with its defaults: it starts at
// FirstOffset and reads the three. The second is franz-go set as Java's
// default (ConsumeStartOffset at the end: auto.offset.reset=latest). Just
// after joining, it looks up the partition's end: it reads none of the
// three, and once a fourth order comes, only that one. A group starts
// where its start setting says (Java's auto.offset.reset, kafka-go's
// StartOffset, franz-go's ConsumeStartOffset) only while it has no
// committed offset; once it has committed, it resumes there.
func (s *defaultsState) newGroup(ctx context.Context, env *Env) error {
	var err error
	s.topic, err = FreshTopic(ctx, env, "orders-defaults", nil)
	if err != nil {
		return err
	}
	if err := ProduceOrders(ctx, env, s.topic, []Order{SampleOrder(0), SampleOrder(1), SampleOrder(2)}, env.Out.Record); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	id := uuid.NewString()[:8]

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: env.Brokers, Dialer: env.Dialer, Topic: s.topic,
		GroupID: env.Name("new-kafka-go-" + id), // StartOffset left zero: FirstOffset
		MaxWait: FetchWait,
	})
	defer r.Close()
	for range 3 {
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("kafka-go group: %w", err)
		}
		env.Out.Value("kafka-go's new group reads offset", msg.Offset)
	}

	hook, fetching := FetchStarted() // closed once it knows where it starts
	latest, err := env.FranzClient(
		kgo.ConsumerGroup(env.Name("new-like-java-"+id)),
		kgo.ConsumeTopics(s.topic),
		kgo.ConsumeStartOffset(kgo.NewOffset().AtEnd()), // auto.offset.reset=latest
		kgo.FetchMaxWait(FetchWait),
		hook,
	)
	if err != nil {
		return fmt.Errorf("franz-go client: %w", err)
	}
	defer latest.Close()
	select {
	case <-fetching:
	case <-ctx.Done():
		return fmt.Errorf("the group set as Java's default never started reading: %w", ctx.Err())
	}
	waited, stop := context.WithTimeout(ctx, 2*time.Second)
	defer stop()
	env.Out.Value("the group set as Java's default reads, in 2 s", latest.PollFetches(waited).NumRecords())
	if err := ProduceOrders(ctx, env, s.topic, []Order{SampleOrder(3)}, env.Out.Record); err != nil {
		return err
	}
	for {
		fetches := latest.PollFetches(ctx)
		if err := fetches.Err0(); err != nil {
			return fmt.Errorf("the group set as Java's default: %w", err)
		}
		for _, rec := range fetches.Records() {
			env.Out.Value("then the group set as Java's default reads offset", rec.Offset)
			return nil
		}
	}
}
