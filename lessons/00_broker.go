package lessons

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
)

// brokerLesson is lesson 0: the first order, sent and read back in three
// steps, then, marked deeper, what the program talks to. What it says of
// Metadata is pinned by
// TestKafkaGo_ClientMetadataAnswersFromTheTransportCache
// and, on a real cluster,
// TestKafka_KRaftMetadataNamesARandomLiveBrokerAsController;
// what the first three steps say of the Writer and the Reader by
// TestKafkaGo_SyncWriteReturnsAfterItsDeliveryReport and
// TestKafkaGo_PartitionReaderReadsFromSetOffset.
func brokerLesson() Lesson {
	return Lesson{
		Number: 0,
		Title:  "Your first order, and the Kafka server behind it",
		Goal:   "Send one food order to Kafka and read it back. Steps marked deeper then look at the server behind it.",
		Summary: []string{
			"A broker stores the records of topics; a topic is split into partitions; each record has an offset, its number in its partition.",
			"A kafka.Writer sends records; its delivery report (Completion) says the partition and offset Kafka gave each one.",
			"A kafka.Reader given a topic and a partition reads from the offset SetOffset names: reading removes nothing.",
		},
		DeeperSummary: []string{
			"A client needs one bootstrap address; the broker tells it about every broker of the cluster.",
			"In KRaft mode the cluster's metadata is kept by Kafka's own controller quorum, not by ZooKeeper.",
			"process.roles, node.id, controller.listener.names and the quorum (controller.quorum.voters) make a KRaft node.",
			"Clients and broker agree on a version for each API (Produce, Fetch, ...) before they talk; Kafka 4.0 dropped the versions only clients older than 2.1 used (KIP-896).",
			"TLS and SASL are settings of the connection: kafka.Transport{TLS, SASL} for Writers and Clients, kafka.Dialer{TLS, SASLMechanism} for Readers.",
		},
		Quiz: []Question{
			{
				Ask: "Step 3 read your order back. What became of it in the topic?",
				Choices: []string{
					"It stays, for any consumer to read again",
					"It was removed: a record is read once",
					"It moved to the end of its partition",
				},
				Answer: 0,
				Why:    "Reading removes nothing: the order stays at its offset, for any consumer to read again, until the topic's retention deletes it (lesson 12).",
				Step:   3,
			},
			{
				Ask: "The program was given one bootstrap address. How does it learn about the other brokers of the cluster?",
				Choices: []string{
					"It must be given every broker's address",
					"It asks the bootstrap broker for metadata, which lists all brokers",
					"It asks ZooKeeper",
				},
				Answer: 1,
				Why:    "Any broker answers a Metadata request with every broker of the cluster: one reachable address is enough to start, and the client learns the rest.",
				Step:   4,
			},
			{
				Ask: "In docker-compose.yml, which setting makes the broker run in KRaft mode?",
				Choices: []string{
					"CLUSTER_ID: MkU3OEVBNTcwNTJENDM2Qk",
					"KAFKA_PROCESS_ROLES: broker,controller",
					"KAFKA_AUTO_CREATE_TOPICS_ENABLE: false",
				},
				Answer: 1,
				Why:    "process.roles is what selects KRaft: this node is a broker and a controller. CLUSTER_ID is the id its storage is formatted with; auto.create.topics.enable only says whether a topic is created on first use.",
				Step:   7,
			},
		},
		Plan: func() Plan {
			first := &firstOrder{}
			return Plan{Steps: []Step{
				{Title: "Connect to Kafka and make a stream for the orders", Run: createOrdersTopic},
				{Title: "Send one order and get its delivery report", Run: first.send, Needs: []int{1}},
				{Title: "Read the order back by its partition and offset", Run: first.read, Needs: []int{2}},
				{Title: "Connect and list the brokers", Run: listBrokers, Deeper: true},
				{Title: "The API versions the broker speaks", Run: apiVersions, Deeper: true},
				{Title: "Read the KRaft settings with DescribeConfigs", Run: kraftConfigs, Deeper: true,
					Requires: Requirement{RealKafka: true}},
				{Title: "What docker-compose.yml sets, line by line", Run: explainCompose, Deeper: true},
				{Title: "What docker-compose.cluster.yml changes for three brokers", Run: explainClusterCompose, Deeper: true,
					Requires: Requirement{Brokers: 3}},
				{Title: "A secured connection: TLS and SASL", Run: securedConnection, Deeper: true},
			}}
		},
	}
}

// A record is one message in Kafka: here, one food order, as JSON. A
// producer is a program that writes records. A consumer is a program that
// reads records. A topic is a named stream of records, such as orders:
// producers append records to it and consumers read them.
//
// A broker is a Kafka server: it stores the records of topics and answers
// the clients that write and read them. A kafka.Client sends requests to the
// brokers at the given addresses. CreateTopics asks for the topic; if it is
// already there (you ran this before), the answer is TopicAlreadyExists,
// which is fine.
//
// A partition is one of the ordered logs a topic is split into; each record
// is stored in exactly one partition. The topic orders has three.
func createOrdersTopic(ctx context.Context, env *Env) error {
	client := &kafka.Client{
		Addr:      kafka.TCP(env.Brokers...),
		Transport: env.Transport,
	}
	spec := env.OrdersTopic() // orders, 3 partitions: every lesson's topic
	resp, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{
		Topics: []kafka.TopicConfig{{
			Topic:         spec.Name,
			NumPartitions: spec.Partitions,
			// Copies of each partition, on other brokers: lesson 1.
			ReplicationFactor: int(spec.ReplicationFactor),
		}},
	})
	if err != nil {
		return fmt.Errorf("create topic %s: %w", spec.Name, err)
	}
	switch err := resp.Errors[spec.Name]; {
	case errors.Is(err, kafka.TopicAlreadyExists):
		env.Out.Value("already there, nothing to do", spec.Name)
	case err != nil:
		return fmt.Errorf("create topic %s: %w", spec.Name, err)
	default:
		env.Out.Value("created topic", spec.Name)
	}
	// A new topic needs a moment before its partitions take records.
	_, err = WaitForTopic(ctx, env, spec.Name)
	return err
}

// firstOrder is where step 2's order was stored, for step 3 to read it back.
type firstOrder struct {
	partition int
	offset    int64
}

// A kafka.Writer is kafka-go's producer. RequiredAcks: kafka.RequireAll
// makes the broker answer only once it has stored the order; a Writer left
// at its zero value asks for no answer at all (lesson 3 tells more).
// BatchTimeout is low: by default a Writer waits up to a second for more
// records to send together.
//
// An offset is a record's number in its partition: Kafka gives each record
// written to a partition the next number, starting at 0.
//
// The broker's answer says where the order went, its partition and offset.
// kafka-go passes it to Completion: that is the delivery report. Without
// Async, WriteMessages returns after it.
func (f *firstOrder) send(ctx context.Context, env *Env) error {
	order := NewOrder("SKOURI Youssef", "Pizza Pepperoni", 1)
	value, err := json.Marshal(order)
	if err != nil {
		return fmt.Errorf("encode order: %w", err)
	}
	var delivered kafka.Message
	w := &kafka.Writer{
		Addr:         kafka.TCP(env.Brokers...),
		Transport:    env.Transport,
		Topic:        env.Topic,
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 10 * time.Millisecond,
		Completion: func(messages []kafka.Message, err error) {
			if err == nil { // one order sent: one message reported
				delivered = messages[0]
			}
		},
	}
	defer w.Close()
	err = w.WriteMessages(ctx, kafka.Message{Value: value})
	if err != nil {
		return fmt.Errorf("send order: %w", err)
	}
	// Prints "Delivered to orders [partition] @ offset N: value".
	env.Out.Record(Delivery(delivered, nil))
	f.partition, f.offset = delivered.Partition, delivered.Offset // for step 3
	return nil
}

// A kafka.Reader is kafka-go's consumer. Given a topic and one partition, it
// reads that partition from the offset SetOffset names. ReadMessage returns
// the record there: the order step 2 sent.
//
// Reading removes nothing: the order stays, for any consumer to read again,
// until retention deletes it (lesson 12).
func (f *firstOrder) read(ctx context.Context, env *Env) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   env.Brokers,
		Dialer:    env.Dialer,
		Topic:     env.Topic,
		Partition: f.partition,
		// Close waits for a fetch in flight, up to MaxWait (10 s by default).
		MaxWait: 250 * time.Millisecond,
	})
	defer r.Close()
	if err := r.SetOffset(f.offset); err != nil {
		return fmt.Errorf("set offset %d: %w", f.offset, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	msg, err := r.ReadMessage(ctx)
	if err != nil {
		return fmt.Errorf("read at offset %d: %w", f.offset, err)
	}
	// Receive decodes the order and prints it, with where it was.
	if _, err := Receive(env.Out, msg); err != nil {
		return fmt.Errorf("offset %d holds no order: %w", msg.Offset, err)
	}
	return nil
}

// A client is given one or more bootstrap addresses. It asks any of them
// for the cluster's metadata and learns every broker. The cluster's own
// state (topics, partitions, leaders) is kept by the controller. Before
// KRaft it lived in a separate ZooKeeper ensemble, with one broker elected
// to act on it; in KRaft mode a quorum of controller nodes keeps it in a
// Raft log, and since Kafka 4.0 ZooKeeper mode is gone entirely. Clients
// normally talk only to brokers, which forward admin requests to the quorum
// (since 3.7 an admin client may also reach the controllers directly, with
// bootstrap.controllers). So the "controller" a KRaft broker names in a
// Metadata answer is not the quorum's leader: it is a live broker, picked
// at random for each answer, that takes such requests. A kafka.Client
// answers Metadata from its transport's cache; a Conn asks each time: on
// three brokers, five more answers seldom all agree.
func listBrokers(ctx context.Context, env *Env) error {
	md, err := env.Client().Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return fmt.Errorf("metadata from %s: %w", strings.Join(env.Brokers, ","), err)
	}
	env.Out.Value("bootstrap", strings.Join(env.Brokers, ","))
	env.Out.Value("cluster id", md.ClusterID)
	for _, b := range md.Brokers {
		env.Out.Value(fmt.Sprintf("broker %d", b.ID), fmt.Sprintf("%s:%d", b.Host, b.Port))
	}
	env.Out.Value("controller (for clients)", fmt.Sprintf("node %d", md.Controller.ID))
	env.Out.Value("brokers", len(md.Brokers))

	conn, err := env.Dialer.DialContext(ctx, "tcp", env.Brokers[0])
	if err != nil {
		return fmt.Errorf("dial %s: %w", env.Brokers[0], err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second)) // a Conn takes no context
	var named []int
	for range 5 {
		controller, err := conn.Controller() // a Metadata request each time
		if err != nil {
			return fmt.Errorf("metadata from %s: %w", env.Brokers[0], err)
		}
		named = append(named, controller.ID)
	}
	env.Out.Value("controller named by five more answers", named)
	return nil
}

// Kafka's protocol is a set of numbered APIs (Produce is 0, Fetch is 1,
// ...), each with a range of versions. kafka-go asks the broker which
// versions it speaks and picks the newest both sides know. This is why one
// client library can talk to brokers of many releases, down to a floor:
// Kafka 4.0 dropped the versions that only clients older than Kafka 2.1
// (2018) used (KIP-896). On a 4.x broker the table shows it: Fetch starts
// at v4, ListOffsets at v1, CreateTopics at v2 (Produce still lists v0, yet
// refuses v0 to v2).
func apiVersions(ctx context.Context, env *Env) error {
	resp, err := env.Client().ApiVersions(ctx, &kafka.ApiVersionsRequest{})
	if err != nil {
		return fmt.Errorf("api versions: %w", err)
	}
	if resp.Error != nil {
		return fmt.Errorf("api versions: %w", resp.Error)
	}
	keys := resp.ApiKeys
	sort.Slice(keys, func(i, j int) bool { return keys[i].ApiKey < keys[j].ApiKey })
	var b strings.Builder
	for _, k := range keys {
		if k.ApiKey <= 3 || k.ApiKey == 8 || k.ApiKey == 11 || k.ApiKey == 19 || k.ApiKey == 32 {
			fmt.Fprintf(&b, "%3d %-16s v%d..v%d\n", k.ApiKey, k.ApiName, k.MinVersion, k.MaxVersion)
		}
	}
	env.Out.Block(b.String())
	env.Out.Value("APIs spoken", len(keys))
	return nil
}

// A KRaft node is made by a few settings. process.roles says whether it is a
// broker, a controller or both; node.id is its number in the cluster;
// controller.listener.names names the listener the quorum talks on; and
// controller.quorum.voters (or, since 3.9,
// controller.quorum.bootstrap.servers)
// says where the controllers are, which elect a leader among themselves
// with the Raft protocol (hence "KRaft"). DescribeConfigs asks a broker, here
// the first the metadata lists, for its live values.
func kraftConfigs(ctx context.Context, env *Env) error {
	client := env.Client()
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	if len(md.Brokers) == 0 {
		return fmt.Errorf("metadata lists no broker")
	}
	node := md.Brokers[0].ID
	names := []string{"process.roles", "node.id", "controller.quorum.voters", "controller.listener.names", "log.dirs"}
	resp, err := client.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{
		Resources: []kafka.DescribeConfigRequestResource{{
			ResourceType: kafka.ResourceTypeBroker,
			ResourceName: fmt.Sprint(node),
			ConfigNames:  names,
		}},
	})
	if err != nil {
		return fmt.Errorf("describe configs of broker %d: %w", node, err)
	}
	found := map[string]string{}
	for _, r := range resp.Resources {
		if r.Error != nil {
			return fmt.Errorf("describe configs of broker %d: %w", node, r.Error)
		}
		for _, c := range r.ConfigEntries {
			found[c.ConfigName] = c.ConfigValue
		}
	}
	for _, n := range names {
		if v, ok := found[n]; ok && v != "" {
			env.Out.Value(n, v)
		} else {
			env.Out.Value(n, "(not reported)")
		}
	}
	if found["process.roles"] == "broker,controller" {
		env.Out.Say("node %d is a broker and a KRaft controller at once: no ZooKeeper anywhere.", node)
	}
	return nil
}

// docker-compose.yml starts that broker for you (confluentinc/cp-kafka,
// Confluent's image of Apache Kafka). The image turns each KAFKA_* variable
// into a broker setting (drop KAFKA_, lowercase, "_" becomes ".", "__"
// becomes "_"), except the JVM and logging ones (KAFKA_OPTS,
// KAFKA_HEAP_OPTS, KAFKA_JMX_OPTS, KAFKA_LOG4J_*) and KAFKA_VERSION.
// KAFKA_PROCESS_ROLES is what selects KRaft mode.
//
// If you know the Python client: the Python project this walkthrough was
// ported from ran the same image, and its compose file also set
// KAFKA_KRAFT_MODE. The image does not know it (it would only become an
// unknown "kraft.mode" setting), so ours leaves it out.
func explainCompose(ctx context.Context, env *Env) error {
	lines := [][2]string{
		{"KAFKA_PROCESS_ROLES: broker,controller", "one process is both broker and controller"},
		{"KAFKA_NODE_ID: 1", "this node's id; must match the voter list"},
		{"CLUSTER_ID: MkU3OEVBNTcwNTJENDM2Qk", "the storage is formatted with it (required)"},
		{"KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka:9093", "the controllers: node 1 at kafka:9093"},
		{"KAFKA_LISTENERS: PLAINTEXT://kafka:29092,", "where the broker listens: containers,"},
		{"  CONTROLLER://kafka:9093,PLAINTEXT_HOST://0.0.0.0:9092", "  the quorum, and your machine"},
		{"KAFKA_ADVERTISED_LISTENERS: ...PLAINTEXT_HOST://localhost:9092", "what clients are told to dial back"},
		{"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: ...", "each listener name is plain TCP"},
		{"KAFKA_CONTROLLER_LISTENER_NAMES: CONTROLLER", "which listener is the quorum's"},
		{"KAFKA_INTER_BROKER_LISTENER_NAME: PLAINTEXT", "brokers talk to each other on PLAINTEXT"},
		{"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: 1", "one node: the offsets topic gets 1 replica"},
		{"KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: 1", "and so does the transactions topic,"},
		{"KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: 1", "  which one copy must be enough for"},
		{"KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: 0", "consumer groups start without a 3 s wait"},
		{"KAFKA_AUTO_CREATE_TOPICS_ENABLE: false", "topics are created explicitly"},
		{"KAFKA_LOG_CLEANER_BACKOFF_MS: 1000", "the cleaner looks every 1 s (not 15 s)"},
		{"KAFKA_LOG_RETENTION_CHECK_INTERVAL_MS: 1000", "retention checked every 1 s (not 5 min)"},
		{"KAFKA_LOG_INITIAL_TASK_DELAY_MS: 0", "  from start-up on (not after 30 s)"},
		{"KAFKA_LOG_DIRS: /var/lib/kafka/data", "where the partitions' logs are stored"},
		{"healthcheck: kafka-broker-api-versions", "healthy once the broker answers on 9092"},
	}
	env.Out.Block(Commented(lines))
	env.Out.Say("Start it with: docker compose up -d   (stop: docker compose down -v)")
	return nil
}

// On a cluster, docker-compose.cluster.yml runs three such nodes. Each is a
// broker and a voter of the controller quorum, which commits a change to
// the cluster's metadata only when a majority of its voters has it: with
// three, any one can stop and the other two go on electing leaders; with
// two stopped, the one left can change nothing until a second is back.
// Combined nodes suit development; Kafka's documentation advises against
// them in critical deployments, which run three or five controllers on
// nodes of their own. Internal topics and new
// topics keep three copies, and
// min.insync.replicas=2 lets acks=all writes go on with one node down.
// Every node has its own ports, so the same file also runs natively on one
// machine. Here are the settings that differ from the single broker's, and
// the brokers this cluster's metadata lists.
func explainClusterCompose(ctx context.Context, env *Env) error {
	lines := [][2]string{
		{"KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka-1:9093,2@kafka-2:9095,3@kafka-3:9097", "three voters"},
		{"KAFKA_NODE_ID: 1, 2, 3", "one per service"},
		{"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: 3", "offsets survive a stopped node"},
		{"KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: 3", "and so do transactions,"},
		{"KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: 2", "  written to at least two"},
		{"KAFKA_DEFAULT_REPLICATION_FACTOR: 3", "new topics: three copies"},
		{"KAFKA_MIN_INSYNC_REPLICAS: 2", "acks=all needs two in sync"},
		{"KAFKA_HEAP_OPTS: -Xms256m -Xmx512m", "three JVMs on a laptop"},
		{"ports: 9092, 9094, 9096", "one per node, for this machine"},
	}
	env.Out.Block(Commented(lines))
	md, err := env.Client().Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	env.Out.Value("brokers in this cluster", len(md.Brokers))
	env.Out.Say("Stop one with: docker compose -f docker-compose.cluster.yml stop kafka-2 (or go run ./cmd/kafka-native stop --node 2)")
	return nil
}

// A managed cluster (Confluent Cloud, Aiven, MSK, a teacher's broker)
// speaks TLS and asks for a login, through SASL: PLAIN or SCRAM with a user
// and a password, OAUTHBEARER with a token from an identity provider, or
// AWS IAM on Amazon MSK. kafka-go v0.4.51 has PLAIN and SCRAM (sasl/plain,
// sasl/scram), and AWS IAM in a module of its own (sasl/aws_msk_iam_v2). In
// kafka-go these are settings of the connection, not of the Writer or the
// Reader: a kafka.Transport carries TLS and SASL for Writers and Clients, a
// kafka.Dialer carries TLS and SASLMechanism for Readers. This program
// makes them once, from --config client.properties (PLAIN or SCRAM), and
// every Writer, Reader and Client of every lesson uses them. Here are this
// run's, and a request through each; on a plain broker both are empty.
func securedConnection(ctx context.Context, env *Env) error {
	transport := &kafka.Transport{TLS: env.Transport.TLS, SASL: env.Transport.SASL}
	defer transport.CloseIdleConnections()
	dialer := &kafka.Dialer{TLS: env.Dialer.TLS, SASLMechanism: env.Dialer.SASLMechanism, Timeout: 5 * time.Second}
	env.Out.Value("TLS", transport.TLS != nil)
	if transport.SASL != nil {
		env.Out.Value("SASL mechanism", transport.SASL.Name())
	} else {
		env.Out.Value("SASL mechanism", "none")
	}
	client := &kafka.Client{Addr: kafka.TCP(env.Brokers...), Transport: transport, Timeout: 10 * time.Second}
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return fmt.Errorf("metadata through the transport: %w", err)
	}
	env.Out.Value("brokers seen through the Transport", len(md.Brokers))
	conn, err := dialer.DialContext(ctx, "tcp", env.Brokers[0])
	if err != nil {
		return fmt.Errorf("dial through the dialer: %w", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second)) // a Conn takes no context
	// Brokers, not ReadPartitions(topic): a request naming a topic that
	// does not exist yet would create it on a broker that auto-creates.
	brokers, err := conn.Brokers()
	if err != nil {
		return fmt.Errorf("list brokers through the dialer: %w", err)
	}
	env.Out.Value("brokers seen through the Dialer", len(brokers))
	return nil
}
