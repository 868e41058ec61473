package native

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ConnectWorkerSource is the Java source of the launcher of lesson 21's
// Kafka Connect worker.
//
//go:embed java/ConnectWorker.java
var ConnectWorkerSource string

// ConnectJars returns the folder of Kafka Connect's jars (its runtime, the
// file connectors, the JSON converter and the transforms of Apache Kafka
// StreamsVersion, with their dependencies), fetching them with Maven on
// first use.
func (j *JVM) ConnectJars(ctx context.Context, logf func(string, ...any)) (string, error) {
	kafka := func(name string) artifact { return artifact{"org.apache.kafka", name, StreamsVersion} }
	t, err := fetchJars(ctx, j.Dir, StreamsVersion, "connect", kafka("connect-runtime"),
		[]artifact{kafka("connect-file"), kafka("connect-json"), kafka("connect-transforms"),
			kafka("connect-basic-auth-extension")}, logf)
	if err != nil {
		return "", err
	}
	return t.Libs, nil
}

// herderProbe names a connector to ask a distributed Connect worker for.
// It answers such requests from its herder's thread only, so once the
// herder has started: it has made and read its topics and joined its
// group (KAFKA-10816). GET / and GET /connectors answer before that, and
// a connector made meanwhile waits for the herder: 11 s after GET /
// answered, once, on three brokers just started.
const herderProbe = "/connectors/kafka-lessons-readiness-probe"

// HerderAnswers asks the worker at url (with its REST API's user and
// password) for a connector, and returns nil once its herder answers:
// Connect's own 404, not the one its REST server gives before it has
// opened its resources.
func HerderAnswers(ctx context.Context, client *http.Client, url, user, password string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+herderProbe, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(user, password)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		ErrorCode int `json:"error_code"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&answer)
	if resp.StatusCode == http.StatusOK || answer.ErrorCode == http.StatusNotFound {
		return nil
	}
	return fmt.Errorf("GET %s: %s", herderProbe, resp.Status)
}

// WorkerSettings are the settings of a distributed worker as the lessons
// run one: the Connect cluster group with its three topics named
// topics+"-configs", "-offsets" and "-status", replicated replicas times;
// keys and values in JSON without schemas; its offsets flushed every
// flush; its REST API on port of 127.0.0.1 only, without /admin endpoints.
func WorkerSettings(brokers []string, group, topics string, replicas int, port string, flush time.Duration) map[string]string {
	r := strconv.Itoa(replicas)
	return map[string]string{
		"bootstrap.servers":                 strings.Join(brokers, ","),
		"group.id":                          group,
		"config.storage.topic":              topics + "-configs",
		"offset.storage.topic":              topics + "-offsets",
		"status.storage.topic":              topics + "-status",
		"config.storage.replication.factor": r,
		"offset.storage.replication.factor": r,
		"status.storage.replication.factor": r,
		"key.converter":                     "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":                   "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable":      "false",
		"value.converter.schemas.enable":    "false",
		"offset.flush.interval.ms":          strconv.FormatInt(flush.Milliseconds(), 10),
		"listeners":                         "http://127.0.0.1:" + port, // loopback only: nobody else reaches it
		"rest.advertised.host.name":         "127.0.0.1",
		"rest.advertised.port":              port,
		"admin.listeners":                   "",             // no /admin endpoints: nothing here uses them
		"plugin.discovery":                  "service_load", // every plugin here has a ServiceLoader manifest: no classpath scan
	}
}

// StartConnect starts a Connect worker in distributed mode with the worker
// settings props, its files in folder. Its REST API asks for HTTP basic
// authentication, as user with password: it creates connectors that read
// and write files, so only whoever started it may use it. It returns once
// the JVM runs; the worker answers a few seconds later.
func (j *JVM) StartConnect(ctx context.Context, name, folder, user, password string, props map[string]string) (*App, error) {
	libs, err := j.ConnectJars(ctx, nil)
	if err != nil {
		return nil, err
	}
	jvm, all, err := connectSettings(folder, user, password, props)
	if err != nil {
		return nil, err
	}
	return j.start(name, folder, libs, "ConnectWorker.java", ConnectWorkerSource, jvm, all)
}

// connectSettings writes the password file and the login configuration of
// a worker's REST API into folder, and returns the JVM options and worker
// settings that turn its basic authentication on, with props.
func connectSettings(folder, user, password string, props map[string]string) (jvm []string, all map[string]string, err error) {
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create %s: %w", folder, err)
	}
	credentials := filepath.Join(folder, "rest-users.properties")
	if err := os.WriteFile(credentials, []byte(properties(map[string]string{user: password})), 0o600); err != nil {
		return nil, nil, fmt.Errorf("write %s: %w", credentials, err)
	}
	jaas := filepath.Join(folder, "rest-jaas.conf")
	login := fmt.Sprintf("KafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file=%q;\n};\n", credentials)
	if err := os.WriteFile(jaas, []byte(login), 0o600); err != nil {
		return nil, nil, fmt.Errorf("write %s: %w", jaas, err)
	}
	all = map[string]string{"rest.extension.classes": "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"}
	for k, v := range props {
		all[k] = v
	}
	return []string{"-Djava.security.auth.login.config=" + jaas}, all, nil
}
