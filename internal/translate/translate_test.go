package translate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

const root = "../.."

// Issue 22: every text a learner reads has its French, translated from
// the English the sources hold now; the files are as po-sync writes them.
func TestFrenchIsComplete(t *testing.T) {
	expected, err := Expected(root)
	if err != nil {
		t.Fatal(err)
	}
	existing, err := Existing(filepath.Join(root, Dir))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, want := range expected {
		for _, p := range Check(name, want, existing[name]) {
			if n++; n <= 20 {
				t.Error(p)
			}
		}
		data, err := Render(Merge(want, existing[name]))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(filepath.Join(root, Dir, name)); string(got) != string(data) {
			t.Errorf("%s is not as go run ./cmd/po-sync writes it: run it", name)
		}
	}
	if n > 20 {
		t.Errorf("and %d more: go run ./cmd/po-sync -check lists them", n-20)
	}
	for name := range existing {
		if _, ok := expected[name]; !ok {
			t.Errorf("%s translates nothing the sources have: remove it", name)
		}
	}
}

// Issue 22: the staleness check, shown on a copy of a lesson whose English
// changed. It fails for the changed narration, and passes once the French
// is updated.
func TestAChangedEnglishNarrationNeedsItsFrenchAgain(t *testing.T) {
	l, _ := lessons.Find(3)
	texts, err := l.Texts()
	if err != nil {
		t.Fatal(err)
	}
	existing, err := Existing(filepath.Join(root, Dir))
	if err != nil {
		t.Fatal(err)
	}
	file := "03_produce.po"
	var expected []i18n.Entry
	for _, tx := range texts {
		expected = append(expected, i18n.Entry{Context: tx.Context, ID: tx.English, Comments: []string{tx.Note}})
	}
	// Only the lesson's own texts: its messages are not part of the copy.
	var current []i18n.Entry
	for _, e := range existing[file] {
		if e.Context != "" {
			current = append(current, e)
		}
	}
	if p := Check(file, expected, current); len(p) != 0 {
		t.Fatalf("lesson 3 as it is: %v", p)
	}
	// The copy's step 2 says one more thing in English.
	changed := "lesson 3 step 2"
	for i := range expected {
		if expected[i].Context == changed {
			expected[i].ID += "\n\nA Writer is safe for concurrent use."
		}
	}
	problems := Check(file, expected, current)
	if len(problems) != 1 || problems[0].Context != changed || !strings.Contains(problems[0].What, "English changed") {
		t.Fatalf("after the English changed: %v, want one problem for %s", problems, changed)
	}
	// po-sync keeps the old French, marked fuzzy: still not ready.
	merged := Merge(expected, current)
	if p := Check(file, expected, merged); len(p) != 1 || !strings.Contains(p[0].What, "fuzzy") {
		t.Fatalf("after po-sync: %v, want the fuzzy entry", p)
	}
	// A learner meanwhile sees the English of the new text, not the old French.
	cat := i18n.NewCatalog(language.French)
	data, err := Render(merged)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.Add(file, data); err != nil {
		t.Fatal(err)
	}
	var english string
	for _, e := range expected {
		if e.Context == changed {
			english = e.ID
		}
	}
	if got := lessons.Narration(cat, 3, 2, english); got != english {
		t.Errorf("a stale French was shown: %q", got)
	}
	// The translator updates the French and removes the flag.
	for i := range merged {
		if merged[i].Context == changed {
			merged[i].Str = []string{merged[i].Str[0] + "\n\nUn Writer peut servir à plusieurs goroutines à la fois."}
			merged[i].Flags = nil
		}
	}
	if p := Check(file, expected, merged); len(p) != 0 {
		t.Fatalf("after the French was updated: %v", p)
	}
}

// A glossary definition is said word for word in its step's narration: in
// French too.
func TestFrenchGlossaryDefinitionsAreInTheirSteps(t *testing.T) {
	c, err := i18n.Load(language.French)
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range lessons.Glossary() {
		def, ok := c.Lookup("glossary "+term.Name, term.Definition)
		if !ok {
			t.Errorf("%s: no French definition", term.Name)
			continue
		}
		l, _ := lessons.Find(term.Lesson)
		src, err := lessons.SourceOf(l.Plan().Steps[term.Step-1])
		if err != nil {
			t.Fatal(err)
		}
		narration := lessons.Narration(c, term.Lesson, term.Step, src.Narration)
		if flat := strings.Join(lessons.Words(narration), " "); !strings.Contains(flat, strings.Join(lessons.Words(def), " ")) {
			t.Errorf("%s: the French definition %q is not in lesson %d step %d's French", term.Name, def, term.Lesson, term.Step)
		}
	}
}
