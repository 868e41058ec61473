package lessons_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/testkit"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// aclEnv is an env logged in as a super user of brokers that check ACLs
// (testkit.ACLEnv).
func aclEnv(t *testing.T) *Env {
	t.Helper()
	env, _ := testkit.ACLEnv(t)
	return env
}

// Lesson 19: the clerk's first write is refused for the topic, then goes
// through once WRITE is granted on the prefix; the group's offsets and the
// topic's records are refused until READ is granted on both, after which
// the clerk's group Reader reads the order it wrote; DescribeACLs lists
// exactly the three ACLs granted. The run's cleanup deletes the ACLs and
// the user.
func TestLesson19ACLs(t *testing.T) {
	env := aclEnv(t)
	recs := playEach(t, env, numbered(t, 19))
	one := func(rec *testkit.Recorder, label string) any {
		t.Helper()
		vs := rec.Values(label)
		if len(vs) != 1 {
			t.Fatalf("%q reported %v, want one value", label, vs)
		}
		return vs[0]
	}
	if got := one(recs[0], "the broker, asked for the topic"); got != "TOPIC_AUTHORIZATION_FAILED" {
		t.Errorf("step 1: a Conn's metadata request for the topic, as the clerk: %v, want TOPIC_AUTHORIZATION_FAILED", got)
	}
	if got := one(recs[0], "the clerk's Writer"); got != "UNKNOWN_TOPIC_OR_PARTITION" {
		t.Errorf("step 1: the clerk's write: %v, want UNKNOWN_TOPIC_OR_PARTITION (the topic is not in the metadata it may read)", got)
	}
	if got := one(recs[1], "the clerk's Writer"); got != "none" {
		t.Errorf("step 2: the clerk's write after WRITE was granted: %v, want none", got)
	}
	delivered := recs[1].Records(Delivered)
	if len(delivered) != 1 || delivered[0].Offset != 0 {
		t.Errorf("step 2 delivered %+v, want the order at offset 0", delivered)
	}
	if got := one(recs[2], "the clerk asks for the group's offsets"); got != "GROUP_AUTHORIZATION_FAILED" {
		t.Errorf("step 3: OffsetFetch as the clerk: %v, want GROUP_AUTHORIZATION_FAILED", got)
	}
	if got := one(recs[2], "the clerk fetches the topic"); got != "TOPIC_AUTHORIZATION_FAILED" {
		t.Errorf("step 3: Fetch as the clerk: %v, want TOPIC_AUTHORIZATION_FAILED", got)
	}
	received := recs[2].Records(Received)
	if len(received) != 1 || received[0].Offset != 0 || string(received[0].Value) != string(delivered[0].Value) {
		t.Errorf("step 3: the clerk's group read %+v, want the order step 2 wrote", received)
	}
	// Each ACL is a value under its resource: a topic and a group prefix.
	var got []string
	for _, e := range recs[3].Entries() {
		if e.Kind == testkit.KindValue {
			got = append(got, e.Label+": "+e.Value.(string))
		}
	}
	slices.Sort(got)
	want := []string{
		"Group Prefixed " + env.Name("kitchen-acl-") + ": Allow Read (host *)",
		"Topic Prefixed " + env.Name("orders-acl-") + ": Allow Read (host *)",
		"Topic Prefixed " + env.Name("orders-acl-") + ": Allow Write (host *)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("step 4 described %q, want %q", got, want)
	}
	// The run's cleanup (playEach ran it) left no ACL of the clerk's.
	user := one(recs[0], "user created").(string)
	resp, err := env.Client().DescribeACLs(context.Background(), &kafka.DescribeACLsRequest{Filter: kafka.ACLFilter{
		PrincipalFilter: "User:" + user, ResourceTypeFilter: kafka.ResourceTypeAny, ResourcePatternTypeFilter: kafka.PatternTypeAny,
		Operation: kafka.ACLOperationTypeAny, PermissionType: kafka.ACLPermissionTypeAny,
	}})
	if err != nil || resp.Error != nil || len(resp.Resources) != 0 {
		t.Errorf("after the lesson, the ACLs of %s: %+v %v; want none", user, resp, err)
	}
	// Nor the clerk.
	creds, err := env.Client().DescribeUserScramCredentials(context.Background(), &kafka.DescribeUserScramCredentialsRequest{Users: []kafka.UserScramCredentialsUser{{Name: user}}})
	if err != nil || len(creds.Results) != 1 || !errors.Is(creds.Results[0].Error, kafka.ResourceNotFound) {
		t.Errorf("after the lesson, the credentials of %s: %+v %v; want RESOURCE_NOT_FOUND (deleted)", user, creds, err)
	}
}
