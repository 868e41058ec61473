package native

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// change is one server property that differs from the container's.
type change struct{ key, old, new string }

// hostKeys hold host names: inside Docker a node is "kafka" or "kafka-2",
// here it is this machine.
var hostKeys = []string{"listeners", "advertised.listeners", "controller.quorum.voters"}

// nativeProperties derives a node's server.properties from the ones its
// container gets, changing only what cannot be the same outside Docker: the
// containers' host names (hosts maps each to this machine's name for it) and
// the data directory. Ports stay: the compose files give every node its own,
// and compose.CheckNodes insists on it. It returns the changes so the user
// sees exactly how the native node differs from the Docker one.
func nativeProperties(container, hosts map[string]string, logDirs string) (map[string]string, []change) {
	props := make(map[string]string, len(container)+1)
	for k, v := range container {
		props[k] = v
	}
	var changes []change
	set := func(key, value string) {
		if old := props[key]; old != value {
			changes = append(changes, change{key, old, value})
			props[key] = value
		}
	}
	for _, key := range hostKeys {
		if v, ok := props[key]; ok {
			set(key, replaceHosts(v, hosts))
		}
	}
	set("log.dirs", logDirs)
	sort.Slice(changes, func(i, j int) bool { return changes[i].key < changes[j].key })
	return props, changes
}

// replaceHosts rewrites the host of every entry of a list such as
// "PLAINTEXT://kafka:29092,CONTROLLER://kafka:9093" or "1@kafka-1:9093,2@kafka-2:9095"
// that hosts maps, leaving other hosts (0.0.0.0, localhost) alone.
func replaceHosts(list string, hosts map[string]string) string {
	entries := strings.Split(list, ",")
	for i, e := range entries {
		e = strings.TrimSpace(e)
		start := 0
		if j := strings.Index(e, "://"); j >= 0 {
			start = j + len("://")
		} else if j := strings.Index(e, "@"); j >= 0 {
			start = j + 1
		}
		end := strings.LastIndex(e, ":")
		if end > start {
			if to, ok := hosts[e[start:end]]; ok {
				e = e[:start] + to + e[end:]
			}
		}
		entries[i] = e
	}
	return strings.Join(entries, ",")
}

// writeProperties writes a Java properties file in key order, so two runs
// produce the same file and a diff against the container is easy to read.
func writeProperties(path, header string, props map[string]string) error {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, line := range strings.Split(header, "\n") {
		fmt.Fprintf(&b, "# %s\n", line)
	}
	for _, k := range keys {
		// A backslash is the only character of our values that Java's
		// properties reader would interpret.
		fmt.Fprintf(&b, "%s=%s\n", k, strings.ReplaceAll(props[k], `\`, `\\`))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// logConfig is the logging setup handed to the JVM: Kafka 3.x logs through
// log4j 1 (reload4j), 4.x through log4j 2, and each reads a different file
// format and system property.
type logConfig struct {
	file     string // config file name in the data dir
	property string // JVM system property naming it
	content  string
}

// logConfigFor sends all broker logging to logFile instead of our stdout.
func logConfigFor(log4j2 bool, logFile string) logConfig {
	if log4j2 {
		return logConfig{
			file:     "log4j2.properties",
			property: "-Dlog4j2.configurationFile=",
			content: `status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ` + logFile + `
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
`,
		}
	}
	return logConfig{
		file:     "log4j.properties",
		property: "-Dlog4j.configuration=file:",
		content: `log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=` + logFile + `
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
`,
	}
}

// write stores the config in dir and returns the JVM flag that selects it.
func (l logConfig) write(dir string) (string, error) {
	path := filepath.Join(dir, l.file)
	if err := os.WriteFile(path, []byte(l.content), 0o644); err != nil {
		return "", fmt.Errorf("write log config: %w", err)
	}
	return l.property + path, nil
}
