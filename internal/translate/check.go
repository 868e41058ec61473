package translate

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Problem is a text of a PO file that is not ready to show.
type Problem struct {
	File    string
	Line    int // in the PO file; 0 when the text is not there
	Context string
	English string
	What    string
}

func (p Problem) String() string {
	where := p.File
	if p.Line > 0 {
		where = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	ctx := p.Context
	if ctx == "" {
		ctx = "message"
	}
	return fmt.Sprintf("%s: %s: %s\n    English: %q", where, ctx, p.What, p.English)
}

// narration matches the context of a step's narration.
var narration = regexp.MustCompile(`^lesson \d+ step \d+$`)

// Check compares a PO file's entries with the ones the sources expect and
// says what is missing, stale or malformed.
func Check(file string, expected, existing []i18n.Entry) []Problem {
	var out []Problem
	byKey, byContext := index(existing)
	want := map[[2]string]bool{}
	for _, e := range expected {
		want[[2]string{e.Context, e.ID}] = true
		p := Problem{File: file, Context: e.Context, English: e.ID}
		got, ok := byKey[[2]string{e.Context, e.ID}]
		switch {
		case !ok && e.Context != "" && byContext[e.Context].ID != "":
			p.Line = byContext[e.Context].Line
			p.What = "the English changed since it was translated: run go run ./cmd/po-sync, then translate the entry it marks fuzzy again"
		case !ok:
			p.What = "not in the file: run go run ./cmd/po-sync, then translate it"
		case got.Plural != e.Plural:
			p.Line, p.What = got.Line, "its plural form changed: run go run ./cmd/po-sync"
		case got.Fuzzy():
			p.Line, p.What = got.Line, "marked fuzzy (its English changed): check the French against the English, then remove the flag"
		case !got.Translated():
			p.Line, p.What = got.Line, "no French yet"
		default:
			p.Line, p.What = got.Line, malformed(e, got)
		}
		if p.What != "" {
			out = append(out, p)
		}
	}
	for _, e := range existing {
		if !want[[2]string{e.Context, e.ID}] && !(e.Context != "" && slices.ContainsFunc(expected, func(x i18n.Entry) bool { return x.Context == e.Context })) {
			out = append(out, Problem{File: file, Line: e.Line, Context: e.Context, English: e.ID, What: "no longer in the sources: run go run ./cmd/po-sync"})
		}
	}
	return out
}

// malformed says what a translation breaks of its English's shape: the
// fmt verbs a message is formatted with, the paragraphs and asides of a
// narration. "" when nothing.
func malformed(e, got i18n.Entry) string {
	for _, s := range got.Str {
		if e.Context != "" {
			break // a lesson's text is not a format: "1% of the log" has no verb
		}
		if v, w := i18n.Verbs(e.ID), i18n.Verbs(s); !slices.Equal(v, w) {
			return fmt.Sprintf("the French has the verbs %v where the English has %v, in that order", w, v)
		}
	}
	if narration.MatchString(e.Context) {
		en, fr := lessons.Paragraphs(e.ID), lessons.Paragraphs(got.Str[0])
		if len(en) != len(fr) {
			return fmt.Sprintf("%d paragraphs where the English has %d: a translation says what the English says, paragraph by paragraph", len(fr), len(en))
		}
		if rows := lessons.ScreenRows(got.Str[0]); rows > 18 {
			return fmt.Sprintf("takes %d rows at 80 columns (asides left out), and at most 18 fit above the step's code on an 80×24 screen: say it more briefly", rows)
		}
		for i := range en {
			if en[i].Aside != fr[i].Aside {
				return fmt.Sprintf("paragraph %d: an aside in one language and not in the other (a French aside starts with %q)", i+1, lessons.AsideMarkFrench)
			}
		}
	}
	return ""
}
