package native

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Lesson 20's application and lesson 21's Connect worker launcher compile against the Kafka Streams jars
// FindJVM's JVM fetches: what a learner's first run fetches and starts.
// It needs a JDK and Maven, so it runs when KAFKA_NATIVE_IT is set (CI
// sets it, and so fetches the jars once before the tests that run the
// application in parallel).
func TestLessonJavaProgramsCompile(t *testing.T) {
	if os.Getenv("KAFKA_NATIVE_IT") == "" {
		t.Skip("KAFKA_NATIVE_IT is not set: this test fetches Kafka Streams' jars (a JDK and mvn)")
	}
	dir, err := WorkDir()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	jvm, err := FindJVM(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	libs, err := jvm.StreamsJars(ctx, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	for _, jar := range []string{"kafka-streams-" + StreamsVersion + ".jar", "jackson-databind-" + jacksonVersion + ".jar", "rocksdbjni-"} {
		if m, _ := filepath.Glob(filepath.Join(libs, jar+"*")); len(m) == 0 {
			t.Errorf("no %s in %s", jar, libs)
		}
	}
	javac := filepath.Join(filepath.Dir(jvm.Java), "javac")
	if _, err := os.Stat(javac); err != nil {
		if javac, err = exec.LookPath("javac"); err != nil {
			t.Skip("no javac beside java: FindJVM found jdk.compiler, which is what java File.java uses")
		}
	}
	compile(ctx, t, javac, libs, "OrderCounts.java", OrderCountsSource, "-Xlint:all")
	// Lesson 21's Connect worker launcher, against Kafka Connect's jars.
	connect, err := jvm.ConnectJars(ctx, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	for _, jar := range []string{"connect-runtime-", "connect-file-", "connect-json-", "connect-transforms-"} {
		if m, _ := filepath.Glob(filepath.Join(connect, jar+StreamsVersion+".jar")); len(m) == 0 {
			t.Errorf("no %s%s.jar in %s", jar, StreamsVersion, connect)
		}
	}
	compile(ctx, t, javac, connect, "ConnectWorker.java", ConnectWorkerSource, "-Xlint:all")
}

// compile compiles a one-file program against the jars of libs, the
// warnings lint enables as errors.
func compile(ctx context.Context, t *testing.T, javac, libs, file, source, lint string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), file)
	if err := os.WriteFile(src, []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, javac, lint, "-Werror", "-cp", filepath.Join(libs, "*"),
		"-d", t.TempDir(), src).CombinedOutput()
	if err != nil {
		t.Fatalf("javac %s: %v\n%s", file, err, out)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Logf("javac %s said: %s", file, s)
	}
}

// properties escapes what java.util.Properties would read otherwise.
func TestPropertiesEscapes(t *testing.T) {
	got := properties(map[string]string{"state.dir": `C:\tmp\état dir`, "a=b": "x:y#z"})
	want := "a\\=b=x\\:y\\#z\nstate.dir=C\\:\\\\tmp\\\\\\u00e9tat\\ dir\n"
	if got != want {
		t.Errorf("properties:\n%q\nwant\n%q", got, want)
	}
}

// Lesson 22's registry: Maven builds Apicurio Registry, its launcher
// compiles against it, and it starts and answers on loopback with no
// subject, then stops when asked. KAFKA_NATIVE_IT, as above.
func TestSchemaRegistryBuildsAndStarts(t *testing.T) {
	if os.Getenv("KAFKA_NATIVE_IT") == "" {
		t.Skip("KAFKA_NATIVE_IT is not set: this test builds Apicurio Registry (a JDK and mvn)")
	}
	dir, err := WorkDir()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	jvm, err := FindJVM(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	app, err := jvm.RegistryJars(ctx, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if javac, err := exec.LookPath("javac"); err == nil {
		// Quarkus' manifest names two jars its build leaves out: not a fault.
		compile(ctx, t, javac, app, "SchemaRegistry.java", SchemaRegistrySource, "-Xlint:all,-path")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	folder := filepath.Join(t.TempDir(), "registry")
	reg, err := jvm.StartRegistry(ctx, "registry", folder, port)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Stop(context.Background())
	url := "http://127.0.0.1:" + port + RegistryAPI + "/subjects"
	var body string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if err := reg.Failure(); err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(url)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			body = strings.TrimSpace(string(b))
			break
		}
	}
	if body != "[]" {
		t.Fatalf("GET %s: %q, want [] (a new registry has no subject)", url, body)
	}
	stop, cancelStop := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelStop()
	if err := reg.Stop(stop); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(folder); !os.IsNotExist(err) {
		t.Errorf("the registry left its folder %s behind (%v)", folder, err)
	}
	if out := reg.out.String(); strings.Contains(out, " INFO ") {
		t.Errorf("the registry logs at INFO, which buries a failure's message:\n%s", tail(out, 5))
	}
}
