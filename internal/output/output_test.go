package output

import (
	"bytes"
	"strings"
	"testing"
)

func TestPlainAndColoured(t *testing.T) {
	var plain, coloured bytes.Buffer
	for _, tc := range []struct {
		b       *bytes.Buffer
		colored bool
	}{{&plain, false}, {&coloured, true}} {
		p := New(tc.b, tc.colored)
		p.Heading(3, "Produce", "Send orders.")
		p.Value("partition", 2)
		p.Event("Delivered to orders [2] @ offset 7")
		p.Warn("skipped")
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Errorf("plain output has escape codes: %q", plain.String())
	}
	if !strings.Contains(coloured.String(), "\x1b[") {
		t.Errorf("coloured output has no escape codes")
	}
	for _, want := range []string{"━━━ Lesson 3 · Produce ━━━", "  partition: 2", "  ✔ Delivered to orders [2] @ offset 7", "  ⚠ skipped"} {
		if !strings.Contains(plain.String(), want) {
			t.Errorf("plain output lacks %q:\n%s", want, plain.String())
		}
	}
}

func TestHoldKeepsOutputUntilRelease(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, false)
	p.Say("before")
	p.Hold()
	p.Event("during the prompt")
	if strings.Contains(b.String(), "during") {
		t.Fatalf("held output was written: %q", b.String())
	}
	p.Release()
	if !strings.HasSuffix(b.String(), "  ✔ during the prompt\n") {
		t.Errorf("released output missing: %q", b.String())
	}
}

func TestWrap(t *testing.T) {
	got := wrap("one two three four five\nsix\n\nseven", 9)
	want := "one two\nthree\nfour five\nsix\n\nseven"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}
