package lessons

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/clientconfig"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// SchemaRegistry is lesson 22's schema registry as a run uses it: one
// already running (Env.RegistryURL: Confluent's, from docker-compose.yml,
// or any that speaks its API), or Apicurio Registry started for the run.
type SchemaRegistry struct {
	URL    string // the base URL of its Confluent Schema Registry API
	Client *sr.Client
	// Started names what this run started, "" for a registry already running.
	Started string
	app     *native.App
	folder  string
}

// registryStart bounds a registry's start: a JVM and Quarkus, about 3 s
// here, much more on a loaded machine.
const registryStart = time.Minute

// OpenRegistry returns the registry at Env.RegistryURL, or starts Apicurio
// Registry (building it with Maven on the first run, which says so) and
// returns once it answers.
func OpenRegistry(ctx context.Context, env *Env) (*SchemaRegistry, error) {
	if env.RegistryURL != "" {
		client, err := RegistryClient(env.RegistryURL)
		if err != nil {
			return nil, err
		}
		return &SchemaRegistry{URL: env.RegistryURL, Client: client}, nil
	}
	if env.JVM == nil {
		return nil, errors.New("no schema registry here: none answered, and no JDK to start one")
	}
	if err := fetchJars(ctx, env, env.JVM.RegistryJars); err != nil {
		return nil, err
	}
	folder, err := os.MkdirTemp("", "registry-")
	if err != nil {
		return nil, fmt.Errorf("a folder for the registry: %w", err)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(folder)
		return nil, err
	}
	app, err := env.JVM.StartRegistry(ctx, "Apicurio Registry", folder, port)
	if err != nil {
		os.RemoveAll(folder)
		return nil, err
	}
	r := &SchemaRegistry{URL: "http://127.0.0.1:" + port + native.RegistryAPI,
		Started: "Apicurio Registry " + native.RegistryVersion, app: app, folder: folder}
	if r.Client, err = RegistryClient(r.URL); err != nil {
		r.Stop()
		return nil, err
	}
	err = retryWhile(ctx, registryStart, func(ctx context.Context) error {
		if err := app.Failure(); err != nil {
			return err
		}
		_, err := r.Client.Subjects(ctx)
		return err
	}, func(error) bool { return app.Failure() == nil })
	if err != nil {
		r.Stop()
		switch {
		case app.Failure() != nil:
			return nil, app.Failure() // it ended: what it printed says why
		case ctx.Err() != nil:
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("the registry did not answer on %s within %v: %w", r.URL, registryStart, err)
	}
	return r, nil
}

// KeepRegistry returns r while it can be used, else (nil, or a registry
// this run started that has ended) a registry opened anew.
func KeepRegistry(ctx context.Context, env *Env, r *SchemaRegistry) (*SchemaRegistry, error) {
	if r != nil && r.Running() {
		return r, nil
	}
	if r != nil {
		r.Stop() // it ended: its files go
	}
	return OpenRegistry(ctx, env)
}

// RegistryClient returns a client of the registry at rawURL, a password
// in the URL kept out of its errors (clientconfig.RegistryClientOpts).
func RegistryClient(rawURL string) (*sr.Client, error) {
	opts, err := clientconfig.RegistryClientOpts(rawURL)
	if err != nil {
		return nil, err
	}
	client, err := sr.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	return client, nil
}

// DeleteSubject deletes subject and its versions from the registry for
// good, as a run's cleanup does: soft first, as Confluent's registry
// requires before a hard delete. A failure leaves it, and says nothing.
func DeleteSubject(client *sr.Client, subject string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = client.DeleteSubject(ctx, subject, sr.SoftDelete)
	_, _ = client.DeleteSubject(ctx, subject, sr.HardDelete)
}

// Address is URL without a password it may hold.
func (r *SchemaRegistry) Address() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return "(a URL that does not parse)"
	}
	return u.Redacted()
}

// Running says the registry can still be used: one this run started has
// not ended, nor been stopped.
func (r *SchemaRegistry) Running() bool {
	if r.Started == "" {
		return true
	}
	return r.app != nil && r.app.Failure() == nil
}

// Stop stops a registry this run started, within 30 s, and deletes its
// files; a registry already running is left alone.
func (r *SchemaRegistry) Stop() {
	if r.app != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = r.app.Stop(ctx)
		r.app = nil
	}
	if r.folder != "" {
		os.RemoveAll(r.folder)
		r.folder = ""
	}
}

// Incompatible says err is a registry's refusal of a schema: 409
// Conflict. Confluent's registry also sets error_code 409, which
// sr.ErrIncompatibleSchema matches; Apicurio Registry 2.1 sets 0.
func Incompatible(err error) bool {
	var re *sr.ResponseError
	return errors.As(err, &re) && re.StatusCode == 409
}

// avroJSON encodes and decodes Go values with Avro, matching fields by
// their json tags, so Order and OrderV2 serve JSON and Avro alike.
var avroJSON = avro.Config{TagKey: "json"}.Freeze()

// AvroMarshal encodes v (an Order, an OrderV2) with the Avro schema.
func AvroMarshal(schema avro.Schema, v any) ([]byte, error) { return avroJSON.Marshal(schema, v) }

// AvroUnmarshal decodes data, written with the writer's schema, into v,
// which the reader's schema describes: Avro's schema resolution fills
// fields the writer did not have with their defaults, and skips fields
// the reader does not have.
func AvroUnmarshal(reader, writer avro.Schema, data []byte, v any) error {
	resolved, err := avro.NewSchemaCompatibility().Resolve(reader, writer)
	if err != nil {
		return fmt.Errorf("the reader's schema cannot read the writer's: %w", err)
	}
	return avroJSON.Unmarshal(resolved, data, v)
}

// framedRecords reports delivered records with the frame's first bytes in
// hex: Avro is binary.
func framedRecords(out Printer) func(Record) {
	return func(r Record) {
		if len(r.Value) > 8 {
			r.Value = fmt.Appendf(nil, "% x …", r.Value[:8])
		}
		out.Record(r)
	}
}

// Verdict is ✓ for true and ✗ for false: a registry's answer, in any language.
func Verdict(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}
