package lessons_test

import (
	"strings"
	"testing"
	"time"

	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func TestBarsAreProportional(t *testing.T) {
	chart := Bars("orders/s", "orders/s", Bar{"slow", 100}, Bar{"twice as fast", 200}, Bar{"none", 0})
	lines := strings.Split(chart, "\n")
	if len(lines) != 4 || lines[0] != "orders/s" {
		t.Fatalf("want a title and 3 bars:\n%s", chart)
	}
	cells := func(line string) int { // in eighths of a cell
		n := 0
		for _, r := range line {
			switch {
			case r == '█':
				n += 8
			case r >= '▉' && r <= '▏':
				n += int('▏'-r) + 1
			}
		}
		return n
	}
	slow, fast, none := cells(lines[1]), cells(lines[2]), cells(lines[3])
	if fast != 40*8 || slow != 20*8 || none != 0 {
		t.Errorf("bars of %d, %d and %d eighths, want 160, 320 and 0:\n%s", slow, fast, none, chart)
	}
	for i, want := range []string{"100 orders/s", "200 orders/s", "0 orders/s"} {
		if !strings.HasSuffix(lines[i+1], want) {
			t.Errorf("line %q does not end with %q", lines[i+1], want)
		}
	}
	// Labels are padded: every bar starts in the same column.
	col := strings.Index(lines[1], "│")
	for _, l := range lines[2:] {
		if strings.Index(l, "│") != col {
			t.Errorf("bars do not line up:\n%s", chart)
		}
	}
}

func TestGrouped(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.42: "0.42", 999: "999", 1234: "1,234", 1234567.6: "1,234,568", 12.4: "12"} {
		if got := Grouped(v); got != want {
			t.Errorf("Grouped(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestPercentileIsTheSampleAtNTimesQ(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	SortDurations(d)
	if p := Percentile(d, 0.5); p != 51*time.Millisecond {
		t.Errorf("p50 of 1..100 ms = %v, want the sample at index 50 (51ms)", p)
	}
	if p := Percentile(d, 0.99); p != 100*time.Millisecond {
		t.Errorf("p99 = %v", p)
	}
	if p := Percentile(nil, 0.5); p != 0 {
		t.Errorf("no samples: %v", p)
	}
}

// A setting cut over two rows, and a comment that goes on over two
// settings, stay together: the whole comment first, then its settings.
func TestCommented(t *testing.T) {
	got := Commented([][2]string{
		{"KAFKA_NODE_ID: 1", "this node's id"},
		{"KAFKA_LISTENERS: PLAINTEXT://kafka:29092,", "where the broker listens: containers,"},
		{"  CONTROLLER://kafka:9093", "  the quorum"},
		{"A: 1", "and so does A,"},
		{"B: 1", "  for B"},
	})
	want := "# this node's id\nKAFKA_NODE_ID: 1\n" +
		"# where the broker listens: containers, the quorum\nKAFKA_LISTENERS: PLAINTEXT://kafka:29092,\n  CONTROLLER://kafka:9093\n" +
		"# and so does A, for B\nA: 1\nB: 1\n"
	if got != want {
		t.Errorf("Commented:\n%s\nwant\n%s", got, want)
	}
}
