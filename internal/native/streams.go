package native

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// OrderCountsSource is the Java source of lesson 20's Kafka Streams
// application, which Java 11 and later compile as they start it.
//
//go:embed java/OrderCounts.java
var OrderCountsSource string

// StreamsVersion is the Kafka Streams release the application runs on: the
// Apache Kafka release docker-compose.yml's broker ships.
const StreamsVersion = "3.8.1"

// jacksonVersion is the Jackson Kafka 3.8 builds with; the application
// reads orders' JSON with it.
const jacksonVersion = "2.16.2"

// installJDK says how to get what FindJVM looks for.
const installJDK = "install a JDK 17 (apt-get install openjdk-17-jdk-headless, or brew install openjdk@17), " +
	"or point JAVA_HOME at one"

// macJDK fails when macOS has no JDK: there /usr/bin/java is a stub that
// may open a dialog each time it runs, so it is not run without one.
func macJDK(ctx context.Context) error {
	if runtime.GOOS != "darwin" || os.Getenv("JAVA_HOME") != "" {
		return nil
	}
	if err := exec.CommandContext(ctx, "/usr/libexec/java_home").Run(); err != nil {
		return errors.New("no JDK found by /usr/libexec/java_home: " + installJDK)
	}
	return nil
}

// JVM runs Java programs next to the brokers: instances of lesson 20's
// Kafka Streams application.
type JVM struct {
	Java string // the java command
	Dir  string // the work folder: jars under <Dir>/<StreamsVersion>/streams
}

// FindJVM returns a JVM that can run the application: Java 11 or later with
// its compiler (a JDK: the application is compiled as it starts), and the
// jars, already fetched into dir or fetched on first use with Maven. The
// error says what is missing and how to install it.
func FindJVM(ctx context.Context, dir string) (*JVM, error) {
	if err := macJDK(ctx); err != nil {
		return nil, err
	}
	java, err := findJava()
	if err != nil {
		return nil, errors.New("java is not installed: " + installJDK)
	}
	out, err := exec.CommandContext(ctx, java, "--list-modules").CombinedOutput()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s --list-modules did not answer: %w", java, ctx.Err())
	}
	if err != nil {
		// Java 8 has no --list-modules, and cannot compile a source file as it starts it.
		return nil, fmt.Errorf("%s --list-modules failed (%v; Java 8 has no such option): %s; %s",
			java, err, strings.TrimSpace(tail(string(out), 3)), installJDK)
	}
	if !bytes.Contains(out, []byte("jdk.compiler")) {
		return nil, fmt.Errorf("%s is a Java runtime without its compiler: %s", java, installJDK)
	}
	j := &JVM{Java: java, Dir: dir}
	if _, err := os.Stat(j.libs()); err != nil {
		if _, err := exec.LookPath("mvn"); err != nil {
			return nil, errors.New("mvn (Maven) is not installed: it fetches Kafka Streams' jars once (apt-get install maven, or brew install maven)")
		}
	}
	return j, nil
}

func (j *JVM) libs() string { return filepath.Join(j.Dir, StreamsVersion, "streams") }

// StreamsJars returns the folder of Kafka Streams' jars (kafka-streams,
// Jackson and their dependencies), fetching them with Maven on first use.
func (j *JVM) StreamsJars(ctx context.Context, logf func(string, ...any)) (string, error) {
	t, err := fetchJars(ctx, j.Dir, StreamsVersion, "streams", artifact{"org.apache.kafka", "kafka-streams", StreamsVersion},
		[]artifact{{"com.fasterxml.jackson.core", "jackson-databind", jacksonVersion}}, logf)
	if err != nil {
		return "", err
	}
	return t.Libs, nil
}

// App is a running instance of a Java program.
type App struct {
	Name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{}
	out   *tailBuffer
	err   error // how it ended, once done is closed
}

// StartStreams starts an instance of OrderCounts with props (written to a
// properties file in folder, which also holds its state.dir unless props
// name one) and args. It returns once the JVM runs; the application joins
// its group a few seconds later. ctx bounds only the start: Stop ends it.
func (j *JVM) StartStreams(ctx context.Context, name, folder string, props map[string]string, args ...string) (*App, error) {
	libs, err := j.StreamsJars(ctx, nil)
	if err != nil {
		return nil, err
	}
	all := map[string]string{"state.dir": filepath.Join(folder, "state")}
	for k, v := range props {
		all[k] = v
	}
	return j.start(name, folder, libs, "OrderCounts.java", OrderCountsSource, nil, all, args...)
}

// start runs the one-file Java program source (named file) with the jars
// of libs and the JVM options jvm, a properties file of props in folder as
// its first argument, and args. The program ends when its standard input
// closes: when Stop closes it, and when this process ends, however it ends
// (no JVM left behind).
func (j *JVM) start(name, folder, libs, file, source string, jvm []string, props map[string]string, args ...string) (*App, error) {
	argv, err := j.command(folder, libs, file, source, jvm, props, args...)
	if err != nil {
		return nil, err
	}
	// Not CommandContext: the program outlives the start; Stop ends it.
	cmd := exec.Command(argv[0], argv[1:]...)
	out := &tailBuffer{max: 8 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second // Wait returns, even if a pipe stays open
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	a := &App{Name: name, cmd: cmd, stdin: stdin, done: make(chan struct{}), out: out}
	go func() {
		a.err = cmd.Wait()
		close(a.done)
	}()
	return a, nil
}

// Failure says why an instance that ended by itself ended, with the end of
// what it printed.
func (a *App) Failure() error {
	select {
	case <-a.done:
	default:
		return nil
	}
	return fmt.Errorf("%s ended (%v):\n%s", a.Name, a.err, tail(a.out.String(), 15))
}

// command writes the properties file and the source of a one-file Java
// program into folder and returns the command line that runs it (java
// first), as start describes.
func (j *JVM) command(folder, libs, file, source string, jvm []string, props map[string]string, args ...string) ([]string, error) {
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", folder, err)
	}
	propsFile := filepath.Join(folder, strings.TrimSuffix(file, ".java")+".properties")
	if err := os.WriteFile(propsFile, []byte(properties(props)), 0o600); err != nil {
		return nil, fmt.Errorf("write %s: %w", propsFile, err)
	}
	sourceFile := filepath.Join(folder, file)
	if err := os.WriteFile(sourceFile, []byte(source), 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", sourceFile, err)
	}
	t := &Tools{Java: j.Java, Version: StreamsVersion, Libs: libs, Dir: folder}
	logFlag, err := t.quietLogging()
	if err != nil {
		return nil, err
	}
	argv := append([]string{j.Java, "-Xmx256M", logFlag}, jvm...)
	argv = append(argv, "-cp", filepath.Join(libs, "*"), sourceFile, propsFile)
	return append(argv, args...), nil
}

// Close asks the instance to shut down (it closes KafkaStreams, which
// commits what it processed, and exits), without waiting.
func (a *App) Close() { _ = a.stdin.Close() }

// Stop asks the instance to shut down (Close), and kills it if it has not
// ended when ctx is done. Stopping an instance that has ended returns nil.
func (a *App) Stop(ctx context.Context) error {
	select {
	case <-a.done:
		return nil
	default:
	}
	a.Close()
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		_ = a.cmd.Process.Kill()
		<-a.done
		return fmt.Errorf("%s did not stop in time and was killed: %w", a.Name, ctx.Err())
	}
}

// properties writes props as a Java properties file, sorted, escaping
// what Properties.load would read otherwise.
func properties(props map[string]string) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", escapeProperty(k), escapeProperty(props[k]))
	}
	return b.String()
}

func escapeProperty(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '=', ':', '#', '!', ' ':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		default:
			if r < 0x20 || r > 0x7e { // \uXXXX, in UTF-16 as Java reads it
				for _, u := range utf16.Encode([]rune{r}) {
					fmt.Fprintf(&b, `\u%04x`, u)
				}
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tailBuffer keeps the last max bytes written to it: a JVM's output,
// for an error message.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
