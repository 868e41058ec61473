package testkit

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
)

// JVM returns what runs the Java programs of lessons 20 to 22, with the
// jars or build that fetch makes ready (StreamsJars, RegistryJars...), or
// skips the test without a JDK and Maven, unless REQUIRE_JVM is set (CI).
func JVM(t *testing.T, fetch func(*native.JVM, context.Context, func(string, ...any)) (string, error)) *native.JVM {
	t.Helper()
	dir, err := native.WorkDir()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	jvm, err := native.FindJVM(ctx, dir)
	if err != nil {
		if os.Getenv("REQUIRE_JVM") == "" {
			t.Skipf("no JVM for the lesson's Java programs: %v", err)
		}
		t.Fatal(err)
	}
	if _, err := fetch(jvm, ctx, t.Logf); err != nil {
		t.Fatal(err)
	}
	return jvm
}
