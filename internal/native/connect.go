package native

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
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
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", folder, err)
	}
	credentials := filepath.Join(folder, "rest-users.properties")
	if err := os.WriteFile(credentials, []byte(properties(map[string]string{user: password})), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", credentials, err)
	}
	jaas := filepath.Join(folder, "rest-jaas.conf")
	login := fmt.Sprintf("KafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file=%q;\n};\n", credentials)
	if err := os.WriteFile(jaas, []byte(login), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", jaas, err)
	}
	all := map[string]string{"rest.extension.classes": "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"}
	for k, v := range props {
		all[k] = v
	}
	return j.start(name, folder, libs, "ConnectWorker.java", ConnectWorkerSource,
		[]string{"-Djava.security.auth.login.config=" + jaas}, all)
}
