package lessons_test

import (
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

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
			if rows := lessons.ScreenRows(src.Narration); rows > 18 {
				t.Errorf("lesson %d, step %d (%s): its narration takes %d rows at 80 columns; at most 18 fit with the step's title and code",
					l.Number, i+1, s.Title, rows)
			}
		}
	}
}
