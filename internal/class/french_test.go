package class

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// Issue 22: the teacher's view in French: its headings and the reason a
// learner seems stuck; the learners' names as they are.
func TestTableInFrench(t *testing.T) {
	fr, err := i18n.Load(language.French)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClass()
	bob := folded(t,
		Event{Kind: ExerciseChecked, Exercise: "8"},
		Event{Kind: ExerciseChecked, Exercise: "8"},
		Event{Kind: ExerciseChecked, Exercise: "8"},
	)
	bob.Learner = "bob"
	c.Add([]byte("bob"), record(t, bob), SchemaVersion)
	got := MakeTable(c, t0.Add(time.Minute)).Render(Screen{Width: 100, Tr: fr})
	for _, want := range []string{"apprenant", "bloqué", "exercice 8 échoué 3×", "bob"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "failed") || strings.Contains(got, "learner") {
		t.Errorf("English in:\n%s", got)
	}
}
