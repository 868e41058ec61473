package main

import (
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// LESSONS.md quotes every aside of the lessons, as a paragraph of its own,
// and keeps a narration's paragraphs apart.
func TestLessonsMarkdownQuotesAsides(t *testing.T) {
	md, err := lessonsMarkdown()
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
