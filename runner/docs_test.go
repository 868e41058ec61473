package main

import (
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// LESSONS.md quotes every aside of the lessons, as a paragraph of its own,
// and keeps a narration's paragraphs apart.
func TestLessonsMarkdownQuotesAsides(t *testing.T) {
	md, err := lessonsMarkdown(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, l := range lessons.All() {
		for _, s := range l.Plan().Steps {
			src, err := lessons.SourceOf(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range lessons.Paragraphs(src.Narration) {
				if p.Aside {
					want++
				}
			}
		}
	}
	quoted := 0
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		if !strings.Contains(l, lessons.AsideMark) {
			continue
		}
		if !strings.HasPrefix(l, "> **"+lessons.AsideMark+"**") {
			t.Errorf("LESSONS.md line %d has an aside that is not quoted: %q", i+1, l)
			continue
		}
		if i == 0 || lines[i-1] != "" || i+1 == len(lines) || lines[i+1] != "" {
			t.Errorf("LESSONS.md line %d: the aside is not a paragraph of its own", i+1)
		}
		quoted++
	}
	if want == 0 || quoted != want {
		t.Errorf("LESSONS.md quotes %d asides, the lessons have %d", quoted, want)
	}
}

// A run shows lesson 3's first step with its aside drawn apart; with
// --no-asides, without it, the main text whole.
func TestNoAsidesLeavesThemOut(t *testing.T) {
	addr := testBroker(t)
	l3, _ := lessons.Find(3)
	src, err := lessons.SourceOf(l3.Plan().Steps[0])
	if err != nil {
		t.Fatal(err)
	}
	var main string
	for _, p := range lessons.Paragraphs(src.Narration) {
		if !p.Aside {
			main = p.Text
		}
	}
	last := strings.Fields(main)[len(strings.Fields(main))-1]
	for _, hide := range []bool{false, true} {
		args := []string{"--brokers", addr, "--topic-prefix", prefix(), "--lesson", "3", "--step", "1", "--yes", "--no-quiz"}
		if hide {
			args = append(args, "--no-asides")
		}
		cmd, out, errb := runner(t, nil, args...)
		if code := exitCode(t, cmd, time.Minute); code != 0 {
			t.Fatalf("--no-asides %v: exit %d\n%s\n%s", hide, code, out, errb)
		}
		shown := strings.Contains(out.String(), "  ┆ "+lessons.AsideMark)
		if shown == hide {
			t.Errorf("--no-asides %v: aside drawn: %v\n%s", hide, shown, out)
		}
		if hide && strings.Contains(out.String(), lessons.AsideMark) {
			t.Errorf("--no-asides: the aside is still there, in some form:\n%s", out)
		}
		if !strings.Contains(out.String(), last) {
			t.Errorf("--no-asides %v: the main text's end (%q) is missing:\n%s", hide, last, out)
		}
	}
}
