package watch

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// Issue 22: runner watch --lang fr draws its labels in French, and the
// cluster's own names (topics, groups, members) as they are; it still fits
// the screen.
func TestRenderInFrench(t *testing.T) {
	fr, err := i18n.Load(language.French)
	if err != nil {
		t.Fatal(err)
	}
	s := classroom()
	changes := []Change{{At: t0, Text: "group billing: deleted", format: "group %s: deleted", args: []any{"billing"}}}
	out := sgrRE.ReplaceAllString(Render(s, changes, Screen{Width: 160, Tr: fr, Live: true}), "")
	for _, want := range []string{"GROUPES DE CONSOMMATEURS", "CHANGEMENTS RÉCENTS", "groupe billing\u00a0: supprimé", "audit", "lesson-3"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for _, english := range []string{"CONSUMER GROUPS", "RECENT CHANGES", "group billing: deleted"} {
		if strings.Contains(out, english) {
			t.Errorf("%q in English in:\n%s", english, out)
		}
	}
	for _, l := range strings.Split(Render(s, changes, Screen{Width: 80, Height: 24, Tr: fr, Live: true}), "\n") {
		if n := len([]rune(sgrRE.ReplaceAllString(l, ""))); n >= 80 {
			t.Errorf("a line of %d columns at 80: %q", n, l)
		}
	}
}
