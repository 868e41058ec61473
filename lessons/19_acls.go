package lessons

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
)

// aclsLesson is lesson 19: who may read and write orders.
func aclsLesson() Lesson {
	return Lesson{
		Number:   19,
		Title:    "ACLs: who may read and write orders",
		Goal:     "Create a user, see the broker refuse what it has no right to, grant it rights with prefixed ACLs from kafka-go, and see why a consumer in a group needs rights on both the topic and the group.",
		Requires: Requirement{ACLs: true},
		Summary: []string{
			"A broker with an authorizer allows a user, super users aside, only what an ALLOW ACL grants and no DENY ACL forbids (DENY wins), matched on principal, operation, resource (topic, group, cluster…) and host; allow.everyone.if.no.acl.found=true (false by default) lets through what no ACL names.",
			"A prefixed ACL covers every resource whose name starts with its prefix, now and later: one ACL per team or learner instead of one per topic.",
			"Writing takes WRITE on the topic; WRITE, READ, DELETE and ALTER each include DESCRIBE, which metadata needs.",
			"A consumer in a group needs READ on the group (to join it and commit) and READ on the topic (to fetch and commit): either missing is refused.",
			"kafka-go manages users with AlterUserScramCredentials and ACLs with CreateACLs, DescribeACLs and DeleteACLs; a broker applies them a moment after the call returns.",
		},
		Quiz: []Question{
			{
				Ask: "An ACL allows User:clerk WRITE on topics, pattern type PREFIXED, name orders-. Which of these may the clerk write to?",
				Choices: []string{
					"orders and orders-eu",
					"orders-eu, not orders",
					"Only a topic named exactly orders-",
				},
				Answer: 1,
				Why:    "A prefixed ACL matches names that start with its prefix: orders-eu does, orders does not (it lacks the dash). A LITERAL ACL matches one name exactly.",
				Step:   2,
			},
			{
				Ask: "A user has READ on a topic and nothing else. It starts a kafka-go Reader with a GroupID on that topic. What does the broker refuse?",
				Choices: []string{
					"Nothing: READ on the topic is enough",
					"The group: joining and committing take READ on the group",
					"The topic: a group reads with the group's rights",
				},
				Answer: 1,
				Why:    "FindCoordinator and OffsetFetch take DESCRIBE on the group, JoinGroup, SyncGroup, Heartbeat and OffsetCommit READ on it (else GROUP_AUTHORIZATION_FAILED); Fetch and OffsetCommit take READ on the topic. READ includes DESCRIBE: a consumer in a group needs READ on both.",
				Step:   3,
			},
		},
		Plan: func() Plan {
			s := &aclsState{}
			return Plan{Setup: s.keepEnv, Steps: []Step{
				{Title: "A user with no rights", Run: s.newUser},
				{Title: "A prefixed ACL: WRITE on orders-acl-", Run: s.grantWrite, Needs: []int{1}},
				{Title: "Reading in a group takes two rights", Run: s.grantRead, Needs: []int{2}},
				{Title: "What the clerk may do: DescribeACLs", Run: s.describe, Needs: []int{1}},
			}, Cleanup: s.cleanup}
		},
	}
}

type aclsState struct {
	env   *Env
	user  string               // the clerk, a user of this run's own
	mech  kafka.ScramMechanism // its credential's, for its deletion
	login sasl.Mechanism       // the clerk's SCRAM login
	topic string               // this run's topic, under the prefix the ACLs name
}

// clerk returns connections that log in as the clerk: a transport of its
// own each time, whose metadata is fresh (a shared one keeps what it read
// for 6 s, rights the clerk did not have then included). Close its idle
// connections when done: until then it refreshes its metadata.
func (s *aclsState) clerk(env *Env) *kafka.Transport {
	return &kafka.Transport{TLS: env.Transport.TLS, SASL: s.login, DialTimeout: 5 * time.Second}
}

// clerkDialer is a Dialer that logs in as the clerk, for a Conn or a Reader.
func (s *aclsState) clerkDialer(env *Env) *kafka.Dialer {
	return &kafka.Dialer{TLS: env.Transport.TLS, SASLMechanism: s.login, Timeout: 10 * time.Second}
}

// keepEnv keeps the env, for cleanup.
func (s *aclsState) keepEnv(_ context.Context, env *Env) error {
	s.env = env
	return nil
}

// cleanup deletes what the run made: the clerk's ACLs, the clerk, the
// topic. Within adminTimeout; a failure leaves them, and says nothing.
func (s *aclsState) cleanup() {
	if s.env == nil || s.user == "" {
		return
	}
	DeleteUser(s.env, s.user, s.mech)
	DeleteTopics(s.env, s.topic)
}

// This broker checks ACLs: it has an authorizer (authorizer.class.name) and
// allows a user only what ACLs grant it, except its super users
// (super.users). This run logs in as a user who may manage users and ACLs
// (ALTER on the cluster), and creates a second one, the clerk, with a SCRAM
// credential: AlterUserScramCredentials sends a random salt and the
// password salted and hashed 4096 times, never the password; the broker
// keeps the salt, the count and two keys derived from the hash. It makes a
// topic of this run's own, orders-acl-…, then, as the clerk, who has no
// right at all, asks for the topic and writes an order to it. Asked by a
// kafka.Conn, which names the topic in its metadata request, the broker
// answers TOPIC_AUTHORIZATION_FAILED. The Writer says
// UNKNOWN_TOPIC_OR_PARTITION: a kafka.Transport (behind every Writer and
// kafka.Client) asks for every topic at once, by default, and keeps the
// answer, which leaves out the topics the user may not see, so to kafka-go
// the topic does not exist. A broker applies a new user a moment after the
// call returns: the login is tried until it is accepted.
func (s *aclsState) newUser(ctx context.Context, env *Env) error {
	s.user = env.Name("clerk-" + uuid.NewString()[:6])
	password := NewPassword()
	cred, err := ScramCredential(s.user, env.SASLName(), password)
	if err != nil {
		return err
	}
	s.mech = cred.Mechanism
	resp, err := env.Client().AlterUserScramCredentials(ctx, &kafka.AlterUserScramCredentialsRequest{
		Upsertions: []kafka.UserScramCredentialsUpsertion{cred},
	})
	if err == nil && len(resp.Results) == 1 {
		err = resp.Results[0].Error
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", s.user, err)
	}
	env.Out.Value("user created", s.user)
	s.login, err = ScramLogin(env.SASLName(), s.user, password)
	if err != nil {
		return err
	}
	s.topic, err = FreshTopic(ctx, env, "orders-acl", nil)
	if err != nil {
		return err
	}
	err = Eventually(ctx, func(ctx context.Context) error {
		_, err := s.clerkDialer(env).LookupPartitions(ctx, "tcp", env.Brokers[0], s.topic)
		return err
	}, kafka.SASLAuthenticationFailed) // until the broker knows the clerk
	if err == nil {
		return fmt.Errorf("this broker showed %s to %s, a user no ACL names: it does not enforce ACLs (allow.everyone.if.no.acl.found=true?)", s.topic, s.user)
	}
	if isOneOf(err, []kafka.Error{kafka.SASLAuthenticationFailed}) {
		return fmt.Errorf("log in as %s: %w", s.user, err)
	}
	env.Out.Value("the broker, asked for the topic", KafkaErrorName(err))
	err = s.write(ctx, env, SampleOrder(0))
	env.Out.Value("the clerk's Writer", KafkaErrorName(err))
	return nil
}

// write sends one order to the run's topic as the clerk, and reports it.
func (s *aclsState) write(ctx context.Context, env *Env, o Order) error {
	msgs, err := orderMessages([]Order{o})
	if err != nil {
		return err
	}
	clerk := s.clerk(env)
	defer clerk.CloseIdleConnections()
	w := &kafka.Writer{
		Addr: kafka.TCP(env.Brokers...), Transport: clerk, Topic: s.topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, MaxAttempts: 1,
		Completion: func(messages []kafka.Message, err error) {
			if err == nil {
				for _, r := range Reported(messages, nil) {
					env.Out.Record(r)
				}
			}
		},
	}
	defer w.Close()
	return w.WriteMessages(ctx, msgs...)
}

// The run's user grants the clerk WRITE on every topic whose name starts
// with orders-acl- (with the run's prefix): a PREFIXED ACL, which covers
// the topics there are and the ones to come, where a LITERAL one names a
// single topic. An ACL says who (the principal, User:name) may do what (the
// operation), to which resource (a topic, a group, a transactional id, the
// cluster…), from where (the host, * for anywhere), and whether it allows
// or denies (a DENY wins). WRITE includes DESCRIBE, as READ, DELETE, ALTER
// and ALL do, and DESCRIBE is what the Writer's metadata request needs. The
// same order goes through now; a broker applies a new ACL a moment after
// CreateACLs returns, so the write is tried until it is allowed.
func (s *aclsState) grantWrite(ctx context.Context, env *Env) error {
	resp, err := env.Client().CreateACLs(ctx, &kafka.CreateACLsRequest{ACLs: []kafka.ACLEntry{{
		Principal:           "User:" + s.user,
		Operation:           kafka.ACLOperationTypeWrite,
		ResourceType:        kafka.ResourceTypeTopic,
		ResourcePatternType: kafka.PatternTypePrefixed,
		ResourceName:        env.Name("orders-acl-"),
		Host:                "*",
		PermissionType:      kafka.ACLPermissionTypeAllow,
	}}})
	if err == nil && len(resp.Errors) > 0 {
		err = resp.Errors[0]
	}
	if err != nil {
		return fmt.Errorf("grant WRITE to %s: %w", s.user, err)
	}
	err = Eventually(ctx, func(ctx context.Context) error {
		return s.write(ctx, env, SampleOrder(0))
	}, kafka.UnknownTopicOrPartition, kafka.TopicAuthorizationFailed) // until the broker has the ACL
	env.Out.Value("the clerk's Writer", KafkaErrorName(err))
	return nil
}

// Reading in a group asks two things of the broker. Logged in as the clerk,
// a group consumer sends two requests, and both are refused: OffsetFetch,
// which asks where the group stopped, is checked against the group
// (GROUP_AUTHORIZATION_FAILED); Fetch, which reads the records, against the
// topic (TOPIC_AUTHORIZATION_FAILED: WRITE does not include READ). The
// run's user grants READ on both, each a prefixed ACL, and a kafka-go
// Reader with a GroupID, logged in as the clerk, joins the group and reads
// the order the clerk wrote.
func (s *aclsState) grantRead(ctx context.Context, env *Env) error {
	group := env.Name("kitchen-acl-" + uuid.NewString()[:6])
	tr := s.clerk(env)
	defer tr.CloseIdleConnections()
	clerk := &kafka.Client{Addr: kafka.TCP(env.Brokers...), Transport: tr, Timeout: 10 * time.Second}
	offsets, err := clerk.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{s.topic: {0}}})
	if err == nil {
		err = offsets.Error
	}
	env.Out.Value("the clerk asks for the group's offsets", KafkaErrorName(err))
	fetched, err := clerk.Fetch(ctx, &kafka.FetchRequest{Topic: s.topic, Partition: 0, Offset: 0, MaxBytes: 1 << 20})
	if err == nil {
		err = fetched.Error
	}
	env.Out.Value("the clerk fetches the topic", KafkaErrorName(err))

	read := func(resource kafka.ResourceType, prefix string) kafka.ACLEntry {
		return kafka.ACLEntry{Principal: "User:" + s.user, Operation: kafka.ACLOperationTypeRead,
			ResourceType: resource, ResourcePatternType: kafka.PatternTypePrefixed, ResourceName: prefix,
			Host: "*", PermissionType: kafka.ACLPermissionTypeAllow}
	}
	resp, err := env.Client().CreateACLs(ctx, &kafka.CreateACLsRequest{ACLs: []kafka.ACLEntry{
		read(kafka.ResourceTypeGroup, env.Name("kitchen-acl-")),
		read(kafka.ResourceTypeTopic, env.Name("orders-acl-")),
	}})
	for i := 0; err == nil && i < len(resp.Errors); i++ {
		err = resp.Errors[i]
	}
	if err != nil {
		return fmt.Errorf("grant READ to %s: %w", s.user, err)
	}
	err = Eventually(ctx, func(ctx context.Context) error {
		offsets, err := clerk.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{s.topic: {0}}})
		if err == nil && !errors.Is(offsets.Error, kafka.GroupIdNotFound) { // the emulation's answer for a new group
			err = offsets.Error
		}
		return err
	}, kafka.GroupAuthorizationFailed, kafka.NotCoordinatorForGroup, kafka.GroupCoordinatorNotAvailable, kafka.GroupLoadInProgress)
	if err != nil {
		return err
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: env.Brokers, Topic: s.topic, GroupID: group, MaxWait: FetchWait,
		Dialer: s.clerkDialer(env),
	})
	defer r.Close()
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msg, err := r.FetchMessage(rctx)
	if err != nil {
		return fmt.Errorf("read as %s in group %s: %w", s.user, group, err)
	}
	Receive(env.Out, msg)
	return nil
}

// DescribeACLs lists the ACLs that match a filter: here, every ACL whose
// principal is the clerk. Each answer is a resource (its type, name and
// pattern type) with the ACLs on it. The run's cleanup deletes them with
// DeleteACLs and the same filter, and the clerk with
// AlterUserScramCredentials.
func (s *aclsState) describe(ctx context.Context, env *Env) error {
	resp, err := env.Client().DescribeACLs(ctx, &kafka.DescribeACLsRequest{Filter: kafka.ACLFilter{
		PrincipalFilter:           "User:" + s.user,
		ResourceTypeFilter:        kafka.ResourceTypeAny,
		ResourcePatternTypeFilter: kafka.PatternTypeAny,
		Operation:                 kafka.ACLOperationTypeAny,
		PermissionType:            kafka.ACLPermissionTypeAny,
	}})
	if err == nil {
		err = resp.Error
	}
	if err != nil {
		return fmt.Errorf("describe the ACLs of %s: %w", s.user, err)
	}
	for _, r := range resp.Resources {
		for _, a := range r.ACLs {
			env.Out.Value(fmt.Sprintf("%s %s %s", r.ResourceType, r.PatternType, r.ResourceName),
				fmt.Sprintf("%s %s (host %s)", a.PermissionType, a.Operation, a.Host))
		}
	}
	return nil
}
