package lessons_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/native"
	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Lesson 18's Java column, against the Java client's own account of its
// defaults: ProducerConfig and ConsumerConfig print their settings'
// documentation, defaults included, when run. For Apache Kafka 3.8.1 and
// 4.1.1, with the jars kafka-native fetches from Maven Central; it needs
// java and mvn, so it runs when KAFKA_NATIVE_IT is set (CI sets it).
func TestJavaClientDefaults(t *testing.T) {
	if os.Getenv("KAFKA_NATIVE_IT") == "" {
		t.Skip("KAFKA_NATIVE_IT is not set: this test runs the Java client's jars (java and mvn)")
	}
	dir := os.Getenv(native.EnvDir)
	if dir == "" {
		dir = filepath.Join("..", ".kafka-native")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	assignors := strings.NewReplacer(
		"class org.apache.kafka.clients.consumer.RangeAssignor", "range",
		"class org.apache.kafka.clients.consumer.CooperativeStickyAssignor", "cooperative-sticky",
		"class org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin",
		"class org.apache.kafka.clients.consumer.StickyAssignor", "sticky",
	)
	for i, version := range []string{"3.8.1", "4.1.1"} {
		tools, err := native.FetchTools(ctx, dir, version, t.Logf)
		if err != nil {
			t.Fatalf("Kafka %s's jars: %v", version, err)
		}
		documented := map[string]string{}
		for _, class := range []string{"org.apache.kafka.clients.producer.ProducerConfig", "org.apache.kafka.clients.consumer.ConsumerConfig"} {
			cmd, err := tools.Command(ctx, "-Xmx256M", class)
			if err != nil {
				t.Fatal(err)
			}
			html, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s %s: %v", class, version, err)
			}
			for _, m := range regexp.MustCompile(`(?s)<h4><a id="([a-z.]+)"></a>.*?<th>Default:</th><td>(.*?)</td>`).FindAllStringSubmatch(string(html), -1) {
				value, _, _ := strings.Cut(m[2], " (") // "45000 (45 seconds)"
				documented[m[1]] = assignors.Replace(value)
			}
		}
		for key, want := range JavaDefaults() {
			got, ok := documented[key]
			if !ok {
				t.Errorf("Kafka %s's Java client documents no setting %s", version, key)
				continue
			}
			if got != want[i] {
				t.Errorf("Kafka %s's Java client: %s defaults to %q; lesson 18 says %q", version, key, got, want[i])
			}
		}
	}
}
