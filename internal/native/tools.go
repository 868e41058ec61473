package native

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Tools are Apache Kafka's command-line tools (org.apache.kafka:kafka-tools:
// ProducerPerformance, ConsumerPerformance, EndToEndLatency, ...) ready to
// run with java, as Kafka's bin/kafka-run-class.sh runs them.
type Tools struct {
	Java    string
	Version string
	Libs    string // the jars: kafka-tools and its runtime dependencies
	Dir     string // where log config files are written
}

// FetchTools returns Kafka's tools of version, fetching kafka-tools and its
// runtime dependencies with Maven on first use into <dir>/<version>/tools
// (Maven's ~/.m2 caches them too).
func FetchTools(ctx context.Context, dir, version string, logf func(string, ...any)) (*Tools, error) {
	return fetchJars(ctx, dir, version, "tools", artifact{"org.apache.kafka", "kafka-tools", version}, nil, logf)
}

// fetchJars returns the jars of main (and extra) with their runtime
// dependencies in <dir>/<version>/<folder>, fetching them with Maven on
// first use. Like the broker's jars, the folder only appears complete: Maven
// fills a temp folder of this call's own, renamed at the end, so two
// processes fetching at once (test packages) do not clear each other's.
func fetchJars(ctx context.Context, dir, version, folder string, main artifact, extra []artifact, logf func(string, ...any)) (*Tools, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	java, err := findJava()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("work folder %s: %w", dir, err)
	}
	base := filepath.Join(abs, version)
	libs := filepath.Join(base, folder)
	t := &Tools{Java: java, Version: version, Libs: libs, Dir: base}
	if _, err := os.Stat(libs); err == nil {
		if hasJars(libs, append([]artifact{main}, extra...)) {
			return t, nil
		}
		// Fetched before an artifact was added to the list: fetch anew.
		if err := os.RemoveAll(libs); err != nil {
			return nil, fmt.Errorf("clear %s: %w", libs, err)
		}
	}
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return nil, fmt.Errorf("mvn (Maven) is not installed: it fetches %s (apt-get install maven, or brew install maven)", main.name)
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", base, err)
	}
	tmp, err := os.MkdirTemp(base, folder+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("create a temp folder in %s: %w", base, err)
	}
	defer os.RemoveAll(tmp) // gone once renamed; left only by a failure
	logf("Fetching %s:%s:%s and its runtime dependencies with Maven...\n", main.group, main.name, main.version)
	pom := filepath.Join(tmp, "pom.xml")
	out := filepath.Join(tmp, "libs")
	deps := append([]artifact{}, extra...)
	if err := copyArtifact(ctx, mvn, pom, out, main, deps); err != nil {
		return nil, err
	}
	if backend := loggingBackend(out, version); backend != nil {
		if err := os.RemoveAll(out); err != nil {
			return nil, fmt.Errorf("clear %s: %w", out, err)
		}
		if err := copyArtifact(ctx, mvn, pom, out, main, append(deps, backend...)); err != nil {
			return nil, err
		}
	}
	if _, err := os.Stat(filepath.Join(out, main.name+"-"+main.version+".jar")); err != nil {
		return nil, fmt.Errorf("%s-%s.jar is missing after the Maven download", main.name, main.version)
	}
	if err := os.Rename(out, libs); err != nil {
		if _, statErr := os.Stat(libs); statErr == nil {
			return t, nil // another process finished first: use its jars
		}
		return nil, fmt.Errorf("keep jars: %w", err)
	}
	return t, nil
}

// Command returns the command that runs class with args, with the JVM
// settings of Kafka's scripts: heap (e.g. "-Xmx512M", what
// kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh give; 256M
// is kafka-run-class.sh's default) and its KAFKA_JVM_PERFORMANCE_OPTS.
// Logging goes to stderr, warnings and errors only.
func (t *Tools) Command(ctx context.Context, heap, class string, args ...string) (*exec.Cmd, error) {
	logFlag, err := t.quietLogging()
	if err != nil {
		return nil, err
	}
	jvm := []string{heap, "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
		"-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
		"-XX:MaxInlineLevel=15", "-Djava.awt.headless=true", logFlag,
		"-cp", filepath.Join(t.Libs, "*"), class}
	return exec.CommandContext(ctx, t.Java, append(jvm, args...)...), nil
}

// quietLogging writes the tools' logging config and returns the JVM flag
// that selects it.
func (t *Tools) quietLogging() (string, error) {
	if usesLog4j2(t.Libs) {
		path := filepath.Join(t.Dir, "tools-log4j2.properties")
		content := "status = warn\nappender.err.type = Console\nappender.err.name = err\nappender.err.target = SYSTEM_ERR\n" +
			"appender.err.layout.type = PatternLayout\nappender.err.layout.pattern = [%d] %p %m (%c)%n\n" +
			"rootLogger.level = warn\nrootLogger.appenderRef.err.ref = err\n"
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return "", fmt.Errorf("write log config: %w", err)
		}
		return "-Dlog4j2.configurationFile=" + path, nil
	}
	path := filepath.Join(t.Dir, "tools-log4j.properties")
	content := "log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n" +
		"log4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n" +
		"log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return "", fmt.Errorf("write log config: %w", err)
	}
	return "-Dlog4j.configuration=file:" + path, nil
}

// hasJars says whether libs holds the jar of every artifact.
func hasJars(libs string, artifacts []artifact) bool {
	for _, a := range artifacts {
		if _, err := os.Stat(filepath.Join(libs, a.name+"-"+a.version+".jar")); err != nil {
			return false
		}
	}
	return true
}
