package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
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

func TestFitLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		cols int
		want []string
	}{
		{"  short", 20, []string{"  short"}},
		{"  ✔ Delivered to orders [0] @ offset 0: {\"user\":\"Ada Lovelace\"}", 40,
			[]string{"  ✔ Delivered to orders [0] @ offset 0:", "    {\"user\":\"Ada Lovelace\"}"}},
		{"  │     env.Out.Value(fmt.Sprintf(\"partition %d\", p.ID), value)", 48,
			[]string{"  │     env.Out.Value(fmt.Sprintf(\"partition", "  │     ↪ %d\", p.ID), value)"}},
		{"  label: 0123456789012345678901234567890123456789", 20,
			[]string{"  label:", "    0123456789012345", "    6789012345678901", "    23456789"}},
		{"    KEY: value                   # comment here", 32,
			[]string{"    KEY: value", "      # comment here"}},
		{"    KEY: value    # a comment, long enough to wrap", 40,
			[]string{"    KEY: value", "      # a comment, long enough to wrap"}},
		{"    KEY: value    #   a comment, long enough to wrap", 40,
			[]string{"    KEY: value", "      #   a comment, long enough to wrap"}},
		{"Connect to the bootstrap server and see what a broker is", 30,
			[]string{"Connect to the bootstrap", "server and see what a broker", "is"}},
		{"🍔🍔🍔🍔", 5, []string{"🍔🍔", "🍔🍔"}},
	} {
		got := fitLine(tc.line, tc.cols)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("fitLine(%q, %d) =\n%q\nwant\n%q", tc.line, tc.cols, got, tc.want)
		}
		for _, l := range got {
			if Width(l) > tc.cols {
				t.Errorf("line %q is %d columns wide, more than %d", l, Width(l), tc.cols)
			}
		}
	}
}

// Colour codes take no room, survive the wrap, and do not count as places
// to break.
func TestFitLineKeepsColour(t *testing.T) {
	line := "  \x1b[32m✔ one two three four five\x1b[0m"
	got := fitLine(line, 14)
	if Width(got[0]) > 14 || !strings.HasPrefix(got[0], "  \x1b[32m✔ one two") {
		t.Errorf("first line %q", got[0])
	}
	if !strings.HasSuffix(got[len(got)-1], "\x1b[0m") {
		t.Errorf("the reset code is lost: %q", got)
	}
	if joined := sgr.ReplaceAllString(strings.Join(got, " "), ""); strings.Join(strings.Fields(joined), " ") != "✔ one two three four five" {
		t.Errorf("words lost or split: %q", joined)
	}
}

// On a screen, lines fit; in a pipe (no FitScreen) and in the tee, they
// come whole, as before.
func TestFitScreenAndTee(t *testing.T) {
	long := "Delivered to orders [1] @ offset 7: " + strings.Repeat("x", 30) + " " + strings.Repeat("y", 30)
	var pipe bytes.Buffer
	New(&pipe, false).Event("%s", long)
	if pipe.String() != "  ✔ "+long+"\n" {
		t.Errorf("pipe output changed: %q", pipe.String())
	}
	var screen, tee bytes.Buffer
	p := New(&screen, false)
	p.FitScreen(func() (int, int) { return 60, 24 })
	p.Tee(&tee)
	p.Event("%s", long)
	p.Cell(1, 2, "T", "narration", "code()")
	if tee.String() != "  ✔ "+long+"\n" {
		t.Errorf("tee got %q, want the line whole and no cell", tee.String())
	}
	for _, l := range strings.Split(strings.TrimSuffix(screen.String(), "\n"), "\n") {
		if Width(l) > 60 {
			t.Errorf("line wider than the screen: %q", l)
		}
	}
	if !strings.Contains(screen.String(), "▶ Step 1/2 · T") {
		t.Errorf("no cell on screen:\n%s", screen.String())
	}
}

// The banner is framed to the screen when it is narrower than the banner,
// and keeps its width on a wide screen.
func TestBannerFitsTheScreen(t *testing.T) {
	lines := []string{strings.Repeat("word ", 20) + "end", "short"}
	for _, cols := range []int{0, 200, 80, 40} {
		var b bytes.Buffer
		p := New(&b, false)
		if cols > 0 {
			p.FitScreen(func() (int, int) { return cols, 24 })
		}
		p.Banner(lines...)
		out := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		want := Width(lines[0]) + 4
		if cols > 0 && cols < want {
			want = cols
		}
		for _, l := range out {
			if Width(l) != want {
				t.Errorf("cols %d: line %q is %d wide, want %d", cols, l, Width(l), want)
			}
		}
		if text := strings.Join(strings.Fields(strings.NewReplacer("║", "", "╔", "", "╗", "", "╚", "", "╝", "", "═", "").Replace(b.String())), " "); text != strings.Join(strings.Fields(strings.Join(lines, " ")), " ") {
			t.Errorf("cols %d: banner text %q", cols, text)
		}
	}
}

func TestMuteDropsEverything(t *testing.T) {
	var b, tee bytes.Buffer
	p := New(&b, false)
	p.Tee(&tee)
	p.Mute()
	p.Say("quiet")
	p.Cell(1, 1, "T", "", "x")
	p.Unmute()
	p.Say("loud")
	if b.String() != "  loud\n" || tee.String() != "  loud\n" {
		t.Errorf("screen %q, tee %q", b.String(), tee.String())
	}
}

// With a pager, the printer pauses before a line that would scroll an unread
// one away; a prompt (Release) or a pause makes the screen read again.
func TestPagerPausesWhenTheScreenIsFull(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, false)
	p.FitScreen(func() (int, int) { return 80, 5 })
	pauses := 0
	p.Pager(func() error { pauses++; b.WriteString("[more]"); return nil })
	for i := range 9 {
		p.Say("line %d", i)
	}
	if pauses != 2 || !strings.Contains(b.String(), "  line 3\n[more]  line 4\n") {
		t.Errorf("%d pauses:\n%s", pauses, b.String())
	}
	p.Room(4) // one line after the last pause: a prompt of 4 fits
	if pauses != 2 {
		t.Errorf("Room paused although the prompt fits")
	}
	p.Say("one more")
	p.Room(4)
	if pauses != 3 {
		t.Errorf("Room did not pause before a prompt that would scroll unread lines away")
	}
	p.Say("x")
	p.Hold()
	p.Release() // a prompt was answered
	p.Room(4)
	if pauses != 3 {
		t.Errorf("Room paused right after a prompt")
	}
}

func TestHang(t *testing.T) {
	got := Hang("✓ 3  ", "Produce with a delivery report — send one order and see where it landed", 40)
	want := "✓ 3  Produce with a delivery report —\n     send one order and see where it\n     landed"
	if got != want {
		t.Errorf("Hang:\n%s\nwant\n%s", got, want)
	}
	if got := Hang("  3  ", "short", 40); got != "  3  short" {
		t.Errorf("Hang = %q", got)
	}
	if got := Hang("✓ 3  ", strings.Repeat("word ", 20), 0); strings.Contains(got, "\n") {
		t.Errorf("no screen, yet wrapped: %q", got)
	}
}

// An aside (a narration paragraph opening with lessons.AsideMark) is drawn
// apart from the main text: every line of it, wrapped or not, carries the
// aside margin, in another colour than the narration; HideAsides leaves it
// out and the main text stays whole.
func TestCellDrawsAsidesApart(t *testing.T) {
	narration := "A Writer is kafka-go's producer: it batches records and sends them to the partition leaders.\n\n" +
		lessons.AsideMark + " Completion is the delivery_report callback passed to produce(), but Python runs callbacks inside poll() or flush().\n\n" +
		"Close it when you are done."
	isAside := func(l string) bool { return strings.HasPrefix(sgr.ReplaceAllString(l, ""), asideMargin) }
	for _, cols := range []int{0, 40, 100} {
		var b bytes.Buffer
		p := New(&b, true)
		if cols > 0 {
			p.FitScreen(func() (int, int) { return cols, 24 })
		}
		text := p.RenderCell(1, 3, "Writer", narration, "w := &kafka.Writer{}").Text
		var asides, main []string
		for _, l := range text {
			plain := sgr.ReplaceAllString(l, "")
			if cols > 0 && Width(plain) > cols {
				t.Errorf("cols %d: line wider than the screen: %q", cols, plain)
			}
			switch {
			case isAside(l):
				asides = append(asides, l)
			case strings.TrimSpace(plain) != "" && !strings.HasPrefix(plain, "▶"):
				main = append(main, l)
			}
		}
		joined := func(ls []string) string {
			var s []string
			for _, l := range ls {
				s = append(s, strings.TrimPrefix(sgr.ReplaceAllString(l, ""), asideMargin))
			}
			return strings.Join(s, " ")
		}
		if got := joined(asides); !strings.HasPrefix(got, lessons.AsideMark) || !strings.Contains(got, "poll() or flush().") {
			t.Errorf("cols %d: the aside's lines are not the whole aside, each marked: %q", cols, got)
		}
		if got := joined(main); strings.Contains(got, "Python") || !strings.Contains(got, "Close it") {
			t.Errorf("cols %d: the main text mixes with the aside or lost a paragraph: %q", cols, got)
		}
		if cols == 40 && len(asides) < 2 {
			t.Errorf("cols 40: the aside was not wrapped: %q", asides)
		}
		// Another colour: the escape code opening an aside line is not the
		// narration's.
		sgrOf := func(l string) string { return sgr.FindString(l) }
		if sgrOf(asides[0]) == "" || sgrOf(asides[0]) == sgrOf(main[0]) {
			t.Errorf("cols %d: the aside is drawn in the narration's colour: %q vs %q", cols, asides[0], main[0])
		}
	}

	var b bytes.Buffer
	p := New(&b, false)
	p.HideAsides()
	text := strings.Join(p.RenderCell(1, 3, "Writer", narration, "w := &kafka.Writer{}").Text, "\n")
	if strings.Contains(text, "Python") || strings.Contains(text, asideMargin) {
		t.Errorf("HideAsides drew the aside:\n%s", text)
	}
	if !strings.Contains(text, "partition leaders.\n\nClose it") {
		t.Errorf("without the aside, the main paragraphs are not one blank line apart:\n%s", text)
	}
}

// q at a pause (the pager returns ErrNoMorePauses): the rest is drawn
// without pausing, the prompt's room included, until the learner answers a
// prompt; then pauses come back.
func TestNoMorePausesUntilTheNextPrompt(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, false)
	p.FitScreen(func() (int, int) { return 80, 5 })
	pauses := 0
	p.Pager(func() error { pauses++; return ErrNoMorePauses })
	for i := range 20 {
		p.Say("line %d", i)
	}
	p.Room(4)
	if pauses != 1 || !strings.Contains(b.String(), "line 19") {
		t.Errorf("%d pauses after q (want 1), output:\n%s", pauses, b.String())
	}
	p.Hold()
	p.Release() // a prompt was answered
	for i := range 9 {
		p.Say("again %d", i)
	}
	if pauses != 2 {
		t.Errorf("%d pauses after the next prompt, want 2: they did not come back", pauses)
	}
}
