package lessons_test

import (
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// screenLines is how many rows of an 80-column terminal a narration takes
// (its asides left out, as --no-asides does), wrapped at 76 columns as the
// runner indents it, with a blank row between paragraphs.
func screenLines(narration string) int {
	rows := 0
	first := true
	for _, p := range lessons.Paragraphs(narration) {
		if p.Aside {
			continue
		}
		if !first {
			rows++
		}
		first = false
		line := 0
		for _, w := range strings.Fields(p.Text) {
			n := len([]rune(w))
			if line > 0 && line+1+n > 76 {
				rows++
				line = 0
			}
			if line > 0 {
				line++
			}
			line += n
		}
		if line > 0 {
			rows++
		}
	}
	return rows
}

// Issue 21: one idea per paragraph, and a narration that fits the screen.
// On an 80×24 terminal, the step's title, the rule above its code and the
// pager's line take the rest: a narration of more than 18 rows pushes its
// own start off the screen before the code begins. Split the step, or move
// the detail into a step or lesson where it belongs.
func TestEveryNarrationFitsAnEightyByTwentyFourScreen(t *testing.T) {
	for _, l := range lessons.All() {
		for i, s := range l.Plan().Steps {
			src, err := lessons.SourceOf(s)
			if err != nil {
				t.Fatal(err)
			}
			if rows := screenLines(src.Narration); rows > 18 {
				t.Errorf("lesson %d, step %d (%s): its narration takes %d rows at 80 columns; at most 18 fit with the step's title and code",
					l.Number, i+1, s.Title, rows)
			}
		}
	}
}
