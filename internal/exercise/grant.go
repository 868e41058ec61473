package exercise

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Exercise 19 follows lesson 19: the ACLs a consumer in a group needs, and
// no more. The program runs as the run's own user (a super user, or one
// that may manage ACLs); the check logs in as the cook, a user Prepare
// made, and asks the brokers what the cook may do: join the group and read
// the orders, and neither write them nor read the payments beside them.
func grantExercise() Exercise {
	g := &grantCheck{}
	return Exercise{
		ID: "19", Dir: "19_grant_read", Lesson: 19,
		Title:    "A cook who may read the orders, and no more",
		Goal:     "The user $COOK, a member of the group $GROUP, reads each of the $COUNT orders of $TOPIC; it may not write to $TOPIC, nor read $OTHER, the payments.",
		Requires: lessons.Requirement{ACLs: true},
		Hints: []string{
			"A consumer in a group needs two rights, as lesson 19 step 3 shows: READ on the topic (Fetch; READ includes DESCRIBE, which its metadata requests need) and READ on the group (JoinGroup, SyncGroup, Heartbeat, OffsetCommit; OffsetFetch needs DESCRIBE, which READ includes). An ACL names its principal as User:$COOK.",
			"client.CreateACLs(ctx, &kafka.CreateACLsRequest{ACLs: []kafka.ACLEntry{...}}) with two entries, one with ResourceType kafka.ResourceTypeTopic, one with kafka.ResourceTypeGroup, each with Operation kafka.ACLOperationTypeRead, PermissionType kafka.ACLPermissionTypeAllow and Host \"*\". The answer has one error per entry, in resp.Errors.",
			"And no more: ResourcePatternType kafka.PatternTypeLiteral with ResourceName $TOPIC, and $GROUP, exactly (the name *, or a prefix both names share, would cover the payments too), and READ, not ALL or WRITE.",
		},
		Open:    g.open,
		Prepare: g.prepare,
		Check:   g.check,
	}
}

// grantCheck holds the cook one check made.
type grantCheck struct {
	user  string
	mech  kafka.ScramMechanism
	login sasl.Mechanism
}

// open returns what deletes the check's ACLs and the cook, once done.
func (g *grantCheck) open(_ context.Context, env *lessons.Env) (func(), error) {
	return func() {
		if g.user != "" {
			lessons.DeleteUser(env, g.user, g.mech)
		}
	}, nil
}

func (g *grantCheck) prepare(ctx context.Context, env *lessons.Env) (Vars, error) {
	g.user = env.Name("ex19-cook-" + suffix())
	password := lessons.NewPassword()
	cred, err := lessons.ScramCredential(g.user, env.SASLName(), password)
	if err != nil {
		return nil, err
	}
	g.mech = cred.Mechanism
	resp, err := env.Client().AlterUserScramCredentials(ctx, &kafka.AlterUserScramCredentialsRequest{
		Upsertions: []kafka.UserScramCredentialsUpsertion{cred},
	})
	if err == nil && len(resp.Results) == 1 {
		err = resp.Results[0].Error
	}
	if err != nil {
		return nil, fmt.Errorf("create the cook %s: %w", g.user, err)
	}
	if g.login, err = lessons.ScramLogin(env.SASLName(), g.user, password); err != nil {
		return nil, err
	}
	topic, other := env.Name("ex19-orders-"+suffix()), env.Name("ex19-payments-"+suffix())
	count := between(3, 6)
	for name, n := range map[string]int{topic: count, other: 2} {
		if err := lessons.EnsureTopic(ctx, env, lessons.TopicSpec{Name: name, Partitions: 1, ReplicationFactor: env.Replicas()}); err != nil {
			return nil, err
		}
		if err := lessons.ProduceOrders(ctx, env, name, lessons.SampleOrders(between(1, 50), n), nil); err != nil {
			return nil, err
		}
	}
	return Vars{"COOK": g.user, "TOPIC": topic, "OTHER": other, "GROUP": env.Name("ex19-kitchen-" + suffix()),
		"COUNT": strconv.Itoa(count)}, nil
}

func (g *grantCheck) check(ctx context.Context, env *lessons.Env, v Vars, _ Run) ([]Line, error) {
	topic, other, group, count := v["TOPIC"], v["OTHER"], v["GROUP"], v.Int("COUNT")
	tr := &kafka.Transport{TLS: env.Transport.TLS, SASL: g.login, DialTimeout: 5 * time.Second}
	defer tr.CloseIdleConnections()
	cook := &kafka.Client{Addr: kafka.TCP(env.Brokers...), Transport: tr, Timeout: 10 * time.Second}

	// A broker applies new ACLs (and a new user) a moment after they are
	// made: each right is asked again while it is refused, for a while.
	groupErr := whileRefused(ctx, func(ctx context.Context) error {
		offsets, err := cook.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: {0}}})
		if err == nil && !errors.Is(offsets.Error, kafka.GroupIdNotFound) { // the emulation's answer for a new group
			err = offsets.Error
		}
		return err
	}, kafka.GroupAuthorizationFailed, kafka.SASLAuthenticationFailed, kafka.NotCoordinatorForGroup, kafka.GroupCoordinatorNotAvailable, kafka.GroupLoadInProgress)
	topicErr := whileRefused(ctx, func(ctx context.Context) error {
		return g.fetch(ctx, env, cook, topic)
	}, kafka.TopicAuthorizationFailed, kafka.SASLAuthenticationFailed)

	groupLine := probed(Line{What: fmt.Sprintf("the cook asks for the offsets of %s", group)}, groupErr)
	if lessons.KafkaErrorName(groupErr) == "GROUP_AUTHORIZATION_FAILED" {
		groupLine.Why = "a member of a group asks where the group stopped, joins it and commits: READ on the group, as well as on the topic"
	}
	topicLine := probed(Line{What: fmt.Sprintf("the cook fetches %s", topic)}, topicErr)
	if lessons.KafkaErrorName(topicErr) == "TOPIC_AUTHORIZATION_FAILED" {
		topicLine.Why = "Fetch needs READ on the topic"
	}
	lines := []Line{groupLine, topicLine}

	read := 0
	if groupErr == nil && topicErr == nil {
		read = readAs(ctx, env, g.login, topic, group, count)
	}
	lines = append(lines, want(fmt.Sprintf("orders the cook read in the group %s", group), count, read))

	// And no more.
	w := &kafka.Writer{Addr: kafka.TCP(env.Brokers...), Transport: tr, Topic: topic,
		RequiredAcks: kafka.RequireAll, BatchTimeout: time.Millisecond, MaxAttempts: 1}
	writeErr := w.WriteMessages(ctx, kafka.Message{Value: []byte(`{"probe": "a write by the cook"}`)})
	w.Close()
	if unexpected(writeErr) {
		return nil, fmt.Errorf("a write to %s as the cook: %w", topic, writeErr)
	}
	write := refused(Line{What: fmt.Sprintf("a write to %s by the cook", topic)}, writeErr)
	if writeErr == nil {
		write.Why = "the cook may write orders too: a consumer needs READ, not WRITE or ALL"
	}
	otherErr := g.fetch(ctx, env, cook, other)
	if unexpected(otherErr) {
		return nil, fmt.Errorf("a fetch of %s as the cook: %w", other, otherErr)
	}
	payments := refused(Line{What: fmt.Sprintf("a fetch of %s by the cook", other)}, otherErr)
	if otherErr == nil {
		payments.Why = fmt.Sprintf("an ACL that names * or a prefix covers every topic it matches, the payments too: name %s with a LITERAL pattern", topic)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // interrupted: the lines say nothing
	}
	return append(lines, write, payments), nil
}

// fetch reads partition 0 of topic as the cook. kafka-go's Client says
// "topic not found" for a topic its metadata leaves out, as the broker
// does for a topic the user may not describe: the broker's own answer is
// then asked with a Conn, whose metadata request names the topic.
func (g *grantCheck) fetch(ctx context.Context, env *lessons.Env, cook *kafka.Client, topic string) error {
	fetched, err := cook.Fetch(ctx, &kafka.FetchRequest{Topic: topic, Partition: 0, Offset: 0, MaxBytes: 1 << 20})
	if err == nil {
		err = fetched.Error
	}
	var ke kafka.Error
	if err != nil && !errors.As(err, &ke) && ctx.Err() == nil {
		d := &kafka.Dialer{TLS: env.Transport.TLS, SASLMechanism: g.login, Timeout: 10 * time.Second}
		if _, lookup := d.LookupPartitions(ctx, "tcp", env.Brokers[0], topic); lookup != nil {
			return lookup
		}
	}
	return err
}

// whileRefused calls try again while it fails with one of codes, for up
// to 8 s, and returns its last error.
func whileRefused(ctx context.Context, try func(context.Context) error, codes ...kafka.Error) error {
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	var last error // the last refusal
	for {
		err := try(ctx)
		if ctx.Err() != nil && last != nil {
			return last // cut short by the wait's end, not answered
		}
		refused := false
		for _, c := range codes {
			refused = refused || lessons.KafkaErrorName(err) == lessons.KafkaErrorName(c)
		}
		if !refused {
			return err
		}
		last = err
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// probed completes a line of what the cook needs: allowed, or the
// broker's error.
func probed(l Line, err error) Line {
	l.Want = "allowed"
	l.Got = "allowed"
	if err != nil {
		l.Got = lessons.KafkaErrorName(err)
	}
	l.OK = err == nil
	return l
}

// unexpected says a request the cook should not make failed for another
// reason than a refusal (the broker's, or a topic kept out of the cook's
// metadata): a timeout, a broker gone, a Ctrl-C. The check cannot say then
// whether the cook may make it.
func unexpected(err error) bool {
	switch lessons.KafkaErrorName(err) {
	case "none", "TOPIC_AUTHORIZATION_FAILED", "UNKNOWN_TOPIC_OR_PARTITION":
		return false
	}
	return true
}

// refused completes a line of what the cook must not do: refused, with
// the broker's error, or accepted.
func refused(l Line, err error) Line {
	l.Want = "refused"
	l.Got = "accepted"
	if err != nil {
		l.Got = fmt.Sprintf("refused, with %s", lessons.KafkaErrorName(err))
	}
	l.OK = err != nil
	return l
}

// readAs reads up to n records of topic as a member of group, logged in
// with login, for at most 20 s, and returns how many it read.
func readAs(ctx context.Context, env *lessons.Env, login sasl.Mechanism, topic, group string, n int) int {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: env.Brokers, Topic: topic, GroupID: group, MaxWait: lessons.FetchWait,
		Dialer: &kafka.Dialer{TLS: env.Transport.TLS, SASLMechanism: login, Timeout: 10 * time.Second},
	})
	defer r.Close()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	read := 0
	for read < n {
		if _, err := r.FetchMessage(ctx); err != nil {
			break
		}
		read++
	}
	return read
}
