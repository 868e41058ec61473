package lessons

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// scramIterations is how many times a SCRAM credential's password is
// hashed: 4096, the fewest Apache Kafka accepts. (The emulation announces
// 4096 whatever a credential says, so it can log in with no other.)
const scramIterations = 4096

// NewPassword returns a random password, for a user a lesson makes and
// deletes.
func NewPassword() string {
	return strings.ToLower(rand.Text())
}

// ScramCredential is what AlterUserScramCredentials sends for a user: a
// random salt, the iteration count and the password salted and hashed
// that many times (RFC 5802's SaltedPassword), never the password. The
// broker keeps the salt, the count and two keys derived from the hash
// (StoredKey, ServerKey). mechanism is SCRAM-SHA-256 or SCRAM-SHA-512.
func ScramCredential(user, mechanism, password string) (kafka.UserScramCredentialsUpsertion, error) {
	var (
		m    kafka.ScramMechanism
		hash func() hash.Hash
		size int
	)
	switch mechanism {
	case "SCRAM-SHA-256":
		m, hash, size = kafka.ScramMechanismSha256, sha256.New, sha256.Size
	case "SCRAM-SHA-512":
		m, hash, size = kafka.ScramMechanismSha512, sha512.New, sha512.Size
	default:
		return kafka.UserScramCredentialsUpsertion{}, fmt.Errorf("%q is not a SCRAM mechanism (SCRAM-SHA-256 or SCRAM-SHA-512)", mechanism)
	}
	salt := make([]byte, 32)
	rand.Read(salt) // never fails (crypto/rand)
	salted, err := pbkdf2.Key(hash, password, salt, scramIterations, size)
	if err != nil {
		return kafka.UserScramCredentialsUpsertion{}, fmt.Errorf("salt the password: %w", err)
	}
	return kafka.UserScramCredentialsUpsertion{Name: user, Mechanism: m, Iterations: scramIterations, Salt: salt, SaltedPassword: salted}, nil
}

// DeleteUser deletes every ACL whose principal is User:user, then user's
// SCRAM credential of mechanism (none when it is unknown: Kafka refuses a
// request naming a mechanism the user lacks), within adminTimeout. A
// failure leaves them, and says nothing: it is a run's cleanup.
func DeleteUser(env *Env, user string, mechanism kafka.ScramMechanism) {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	client := env.Client()
	client.DeleteACLs(ctx, &kafka.DeleteACLsRequest{Filters: []kafka.DeleteACLsFilter{{
		ResourceTypeFilter: kafka.ResourceTypeAny, ResourcePatternTypeFilter: kafka.PatternTypeAny,
		PrincipalFilter: "User:" + user, Operation: kafka.ACLOperationTypeAny, PermissionType: kafka.ACLPermissionTypeAny,
	}}})
	if mechanism != kafka.ScramMechanismUnknown {
		client.AlterUserScramCredentials(ctx, &kafka.AlterUserScramCredentialsRequest{Deletions: []kafka.UserScramCredentialsDeletion{
			{Name: user, Mechanism: mechanism},
		}})
	}
}

// ScramLogin is kafka-go's SASL mechanism for user and password, with the
// hash of mechanism (SCRAM-SHA-256 or SCRAM-SHA-512).
func ScramLogin(mechanism, user, password string) (sasl.Mechanism, error) {
	algo := scram.SHA512
	if mechanism == "SCRAM-SHA-256" {
		algo = scram.SHA256
	}
	return scram.Mechanism(algo, user, password)
}

// SASLName is the name of the env's SASL mechanism ("" without SASL).
func (e *Env) SASLName() string {
	if e.Transport == nil || e.Transport.SASL == nil {
		return ""
	}
	return e.Transport.SASL.Name()
}

// KafkaErrorName is the name Kafka gives the error err carries, as the
// protocol spells it (TOPIC_AUTHORIZATION_FAILED), "none" for no error, and
// err's text for an error that is not Kafka's.
func KafkaErrorName(err error) string {
	if err == nil {
		return "none"
	}
	var ke kafka.Error
	if errors.As(err, &ke) {
		return strings.ToUpper(strings.ReplaceAll(ke.Title(), " ", "_"))
	}
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for _, e := range we {
			if e != nil {
				return KafkaErrorName(e)
			}
		}
	}
	return err.Error()
}

// Eventually calls try until it returns an error other than those of
// retryOn, nil included, for at most 15 s. A broker applies a new user or
// ACL a moment after the controller has it, and a group's coordinator may
// be loading: the first attempts may be refused.
func Eventually(ctx context.Context, try func(context.Context) error, retryOn ...kafka.Error) error {
	refused := func(err error) bool { return isOneOf(err, retryOn) }
	err := retryWhile(ctx, 15*time.Second, try, refused)
	if err != nil && refused(err) {
		return fmt.Errorf("still refused after 15 s: %w", err)
	}
	return err
}

// isOneOf says whether err carries one of the Kafka errors of codes.
func isOneOf(err error, codes []kafka.Error) bool {
	for _, c := range codes {
		if KafkaErrorName(err) == KafkaErrorName(c) {
			return true
		}
	}
	return false
}
