package native

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// releases lists Apache Kafka patch releases, newest first, per minor line.
// Only lines a cp-kafka image maps to are needed.
var releases = map[string][]string{
	"3.7": {"3.7.2", "3.7.1", "3.7.0"},
	"3.8": {"3.8.1", "3.8.0"},
	"3.9": {"3.9.1", "3.9.0"},
	"4.0": {"4.0.1", "4.0.0"},
	"4.1": {"4.1.1", "4.1.0"},
}

var nextLine = map[string]string{"3.7": "3.8", "3.8": "3.9", "3.9": "4.0", "4.0": "4.1"}

var imageTag = regexp.MustCompile(`^(?:[\w.-]+/)*(cp-kafka|kafka):(\d+)\.(\d+)`)

// defaultVersions returns the Kafka versions to try when --version is not
// given: the release line the compose image ships, then the nearest newer
// line, in case Maven Central does not serve the first.
func defaultVersions(image string) ([]string, string, error) {
	m := imageTag.FindStringSubmatch(image)
	if m == nil {
		return nil, "", fmt.Errorf("cannot tell which Apache Kafka image %q ships: pass --version", image)
	}
	line := m[2] + "." + m[3]
	if m[1] == "cp-kafka" {
		// Confluent Platform 7.x ships Apache Kafka 3.x, 8.x ships 4.x,
		// with the same minor number (cp-kafka 7.8 = Kafka 3.8).
		line = map[string]string{"7": "3", "8": "4"}[m[2]] + "." + m[3]
	}
	if _, ok := releases[line]; !ok {
		return nil, "", fmt.Errorf("image %q ships Kafka %s, which kafka-native does not know: pass --version", image, line)
	}
	return append(append([]string{}, releases[line]...), releases[nextLine[line]]...), line, nil
}

// errNotServed means Maven Central has no such Kafka version.
var errNotServed = errors.New("is not served by Maven Central")

// libsDir returns the folder holding version's jars, fetching them with
// Maven on first use. The folder only appears complete: Maven fills a temp
// folder that is renamed at the end, so an interrupted download is retried.
func libsDir(ctx context.Context, base, version string, logf func(string, ...any)) (string, error) {
	dir := filepath.Join(base, version)
	libs := filepath.Join(dir, "libs")
	if _, err := os.Stat(libs); err == nil {
		return libs, nil
	}
	libs, err := fetchLibs(ctx, dir, version, logf)
	if err != nil {
		// Nothing usable was there before: leave no half-filled folder
		// (a version Maven Central does not serve must not look cached).
		_ = os.RemoveAll(dir)
		return "", err
	}
	return libs, nil
}

func fetchLibs(ctx context.Context, dir, version string, logf func(string, ...any)) (string, error) {
	libs := filepath.Join(dir, "libs")
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return "", errors.New("mvn (Maven) is not installed: it fetches the Kafka jars (apt-get install maven)")
	}
	tmp := libs + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", fmt.Errorf("clear %s: %w", tmp, err)
	}
	logf("Fetching org.apache.kafka:kafka_2.13:%s and its runtime dependencies with Maven...\n", version)
	if err := copyDependencies(ctx, mvn, dir, tmp, version, nil); err != nil {
		return "", err
	}
	// The Kafka jars bring slf4j without a logging backend; which one fits
	// depends on what they brought, so it is chosen from the jars themselves.
	if extra := loggingBackend(tmp, version); extra != nil {
		// Start over so a dependency whose version the extra artifacts
		// change is not left behind in two versions.
		if err := os.RemoveAll(tmp); err != nil {
			return "", fmt.Errorf("clear %s: %w", tmp, err)
		}
		if err := copyDependencies(ctx, mvn, dir, tmp, version, extra); err != nil {
			return "", err
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "kafka_2.13-"+version+".jar")); err != nil {
		return "", fmt.Errorf("kafka_2.13-%s.jar is missing after the Maven download", version)
	}
	if err := os.Rename(tmp, libs); err != nil {
		return "", fmt.Errorf("keep jars: %w", err)
	}
	return libs, nil
}

// artifact is a Maven coordinate.
type artifact struct{ group, name, version string }

// copyDependencies writes a one-dependency pom and lets Maven copy the
// runtime closure into out.
func copyDependencies(ctx context.Context, mvn, dir, out, version string, extra []artifact) error {
	return copyArtifact(ctx, mvn, filepath.Join(dir, "pom.xml"), out, artifact{"org.apache.kafka", "kafka_2.13", version}, extra)
}

// copyArtifact writes a pom that depends on main (and extra) at pom, and
// lets Maven copy the runtime closure into out.
func copyArtifact(ctx context.Context, mvn, pom, out string, main artifact, extra []artifact) error {
	deps := append([]artifact{main}, extra...)
	if err := os.MkdirAll(filepath.Dir(pom), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(pom), err)
	}
	if err := os.WriteFile(pom, []byte(pomXML(deps)), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", pom, err)
	}
	cmd := exec.CommandContext(ctx, mvn, "-q", "-B", "-f", pom,
		"dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory="+out)
	output, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	if notFound(string(output), main) {
		return fmt.Errorf("%s:%s:%s %w", main.group, main.name, main.version, errNotServed)
	}
	// Maven colours its errors even in batch mode; the codes are noise here.
	plain := ansi.ReplaceAllString(string(output), "")
	return fmt.Errorf("could not fetch %s %s and its dependencies with Maven (%w):\n%s", main.name, main.version, err, tail(plain, 20))
}

// notFound recognises Maven's two ways of saying an artifact does not
// exist: on the first attempt, and when that failure is cached in ~/.m2.
func notFound(output string, a artifact) bool {
	coord := a.group + ":" + a.name + ":jar:" + a.version
	return strings.Contains(output, "Could not find artifact "+coord+" ") ||
		strings.Contains(output, coord+" was not found")
}

// Pinned so the build does not depend on the Maven version's default plugin.
const dependencyPlugin = "3.8.1"

func pomXML(deps []artifact) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by kafka-native (internal/native): the Kafka broker's jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.kafka-native</groupId>
  <artifactId>broker</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
`)
	for _, d := range deps {
		fmt.Fprintf(&b, "    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n",
			d.group, d.name, d.version)
	}
	fmt.Fprintf(&b, `  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>%s</version>
      </plugin>
    </plugins>
  </build>
</project>
`, dependencyPlugin)
	return b.String()
}

var (
	ansi     = regexp.MustCompile("\x1b\\[[0-9;]*m")
	slf4jAPI = regexp.MustCompile(`^slf4j-api-(\d+)\.([\w.-]+)\.jar$`)
	log4j2   = regexp.MustCompile(`^log4j-(core|api)-(\d[\w.-]*)\.jar$`)
	binding  = regexp.MustCompile(`^(slf4j-reload4j|log4j-slf4j2?-impl|slf4j-log4j12)-.*\.jar$`)
)

// defaultLog4j2 is the log4j 2 version the Kafka 4.0 distribution ships; the
// kafka_2.13 4.0.x pom does not declare log4j-core although its code calls it.
const defaultLog4j2 = "2.24.3"

// loggingBackend returns what the jars in libs lack for logging, or nil.
// Kafka 4 logs through log4j 2 and calls it directly, so it gets log4j-core
// (if its pom did not bring it) and the slf4j bridge of the same version;
// 3.x gets reload4j, the log4j 1 fork Kafka 3 distributions ship.
func loggingBackend(libs, kafkaVersion string) []artifact {
	entries, err := os.ReadDir(libs)
	if err != nil {
		return nil
	}
	var slf4jMajor, slf4jVersion, core, api string
	for _, e := range entries {
		n := e.Name()
		if binding.MatchString(n) {
			return nil
		}
		if m := slf4jAPI.FindStringSubmatch(n); m != nil {
			slf4jMajor, slf4jVersion = m[1], m[1]+"."+m[2]
		}
		if m := log4j2.FindStringSubmatch(n); m != nil && m[1] == "core" {
			core = m[2]
		} else if m != nil {
			api = m[2]
		}
	}
	if kafkaMajor(kafkaVersion) < 4 {
		if slf4jVersion == "" {
			return nil
		}
		return []artifact{{"org.slf4j", "slf4j-reload4j", slf4jVersion}}
	}
	version := cmp.Or(core, api, defaultLog4j2)
	bridge := "log4j-slf4j2-impl"
	if slf4jMajor == "1" {
		bridge = "log4j-slf4j-impl" // the bridge for the slf4j 1.7 API
	}
	deps := []artifact{{"org.apache.logging.log4j", bridge, version}}
	if core == "" {
		deps = append(deps, artifact{"org.apache.logging.log4j", "log4j-core", version})
	}
	return deps
}

// kafkaMajor returns 3 for "3.8.1"; 0 if the version does not start with a number.
func kafkaMajor(version string) int {
	major, _, _ := strings.Cut(version, ".")
	n, _ := strconv.Atoi(major)
	return n
}

// usesLog4j2 tells which logging config the broker reads.
func usesLog4j2(libs string) bool {
	matches, _ := filepath.Glob(filepath.Join(libs, "log4j-core-*.jar"))
	return len(matches) > 0
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
