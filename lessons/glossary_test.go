package lessons

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// onPath says whether a step is on a beginner's path through the lessons:
// a step marked "deeper" is a detail a learner may skip, so it may use a
// term before the path defines it, and defines none.
func onPath(s Step) bool {
	return !s.Deeper
}

// unit is a lesson's goal, or one step's narration without its asides: text
// a learner reads, in menu order.
type unit struct {
	lesson, step int // step 0: the goal
	text         string
}

func (u unit) String() string {
	if u.step == 0 {
		return fmt.Sprintf("lesson %d's goal", u.lesson)
	}
	return fmt.Sprintf("lesson %d step %d", u.lesson, u.step)
}

// readingOrder is what a learner reads of the lessons, in menu order.
func readingOrder(t *testing.T) []unit {
	var out []unit
	for _, l := range All() {
		out = append(out, unit{lesson: l.Number, text: l.Goal})
		for i, s := range l.Plan().Steps {
			if !onPath(s) {
				continue
			}
			src, err := SourceOf(s)
			if err != nil {
				t.Fatal(err)
			}
			var text []string
			for _, p := range Paragraphs(src.Narration) {
				if !p.Aside {
					text = append(text, p.Text)
				}
			}
			out = append(out, unit{lesson: l.Number, step: i + 1, text: strings.Join(text, "\n\n")})
		}
	}
	return out
}

// sentenceAt is the sentence of text around byte i, for a message.
func sentenceAt(text string, i int) string {
	start := strings.LastIndexAny(text[:i], ".?!:\n") + 1
	end := strings.IndexAny(text[i:], ".?!\n")
	if end < 0 {
		end = len(text) - i
	}
	return strings.TrimSpace(text[start : i+end+1-min(1, len(text)-i-end)])
}

// TestGlossaryDefinedBeforeUse reads the lessons as a learner does, in menu
// order (each lesson's goal, then each step's narration without its
// asides), and checks that each glossary term is first used in or after
// the sentence that defines it, and that this sentence is, verbatim, in
// the narration of the step the glossary names.
func TestGlossaryDefinedBeforeUse(t *testing.T) {
	for _, p := range usedBeforeDefined(readingOrder(t), Glossary()) {
		t.Error(p)
	}
}

// usedBeforeDefined returns what is wrong with terms in units: a
// definition missing from the step named for it, or a use before it.
func usedBeforeDefined(units []unit, terms []Term) []string {
	var problems []string
	for _, term := range terms {
		// Where the definition is: the unit and the byte it starts at.
		defUnit, defAt := -1, 0
		for i, u := range units {
			if u.lesson != term.Lesson || u.step != term.Step {
				continue
			}
			defUnit = i
			defAt = strings.Index(u.text, term.Definition)
			if defAt < 0 {
				problems = append(problems, fmt.Sprintf("%s: the narration of %s does not say its definition %q", term.Name, u, term.Definition))
				defUnit = -1
			}
		}
		if defUnit < 0 {
			if !slices.ContainsFunc(units, func(u unit) bool { return u.lesson == term.Lesson && u.step == term.Step }) {
				problems = append(problems, fmt.Sprintf("%s: lesson %d has no step %d on the path (not deeper) to define it", term.Name, term.Lesson, term.Step))
			}
			continue
		}
		uses := term.Uses()
		for i, u := range units {
			loc := uses.FindStringIndex(Unnamed(u.text))
			if loc == nil {
				continue
			}
			if i < defUnit || (i == defUnit && loc[0] < defAt) {
				problems = append(problems, fmt.Sprintf("%s is used in %s before %s defines it: %q", term.Name, u, units[defUnit], sentenceAt(u.text, loc[0])))
			}
			break
		}
	}
	return problems
}

// The check itself: a use before the definition, a definition not where
// the glossary says, and a definition in a later sentence of the same step
// are each reported; a use in or after the definition is not.
func TestGlossaryCheckFindsEachProblem(t *testing.T) {
	term := Term{Name: "lag", Lesson: 9, Step: 6, Forms: []string{"lag"},
		Definition: "A group's lag is how far behind it is."}
	for _, c := range []struct {
		name  string
		units []unit
		want  string // in the one problem; "": none
	}{
		{"defined, then used", []unit{{lesson: 9, step: 6, text: term.Definition + " The lag grows."}, {lesson: 10, step: 1, text: "No lag."}}, ""},
		{"a name is no use", []unit{{lesson: 1, step: 2, text: "replica.lag.time.max.ms"}, {lesson: 9, step: 6, text: term.Definition}}, ""},
		{"used in an earlier step", []unit{{lesson: 1, step: 2, text: "Watch the lag."}, {lesson: 9, step: 6, text: term.Definition}},
			"lag is used in lesson 1 step 2 before lesson 9 step 6 defines it"},
		{"used in a goal", []unit{{lesson: 9, text: "Measure lag."}, {lesson: 9, step: 6, text: term.Definition}},
			"lag is used in lesson 9's goal"},
		{"used earlier in the same step", []unit{{lesson: 9, step: 6, text: "Lag first. " + term.Definition}},
			"lag is used in lesson 9 step 6 before lesson 9 step 6 defines it"},
		{"not said where named", []unit{{lesson: 9, step: 6, text: "A group's lag is its delay."}},
			"does not say its definition"},
		{"no such step", []unit{{lesson: 9, step: 5, text: term.Definition}},
			"lesson 9 has no step 6"},
	} {
		got := usedBeforeDefined(c.units, []Term{term})
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s: %v, want no problem", c.name, got)
		case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want)):
			t.Errorf("%s: %v, want one problem saying %q", c.name, got, c.want)
		}
	}
}

// TestGlossaryEntries checks each entry is what the glossary promises: one
// sentence, that uses the term it defines, with forms that find it.
func TestGlossaryEntries(t *testing.T) {
	sentenceEnd := regexp.MustCompile(`[.?!]\s+[A-Z]`)
	seen := map[string]bool{}
	for _, term := range Glossary() {
		if seen[term.Name] {
			t.Errorf("%s: twice in the glossary", term.Name)
		}
		seen[term.Name] = true
		d := term.Definition
		if !strings.HasSuffix(d, ".") || sentenceEnd.MatchString(d) {
			t.Errorf("%s: the definition is not one sentence: %q", term.Name, d)
		}
		if !term.Uses().MatchString(term.Name) {
			t.Errorf("%s: its forms do not match its own name", term.Name)
		}
		if !term.Uses().MatchString(Unnamed(d)) {
			t.Errorf("%s: the definition does not use the term: %q", term.Name, d)
		}
		if _, ok := Find(term.Lesson); !ok {
			t.Errorf("%s: no lesson %d", term.Name, term.Lesson)
		}
	}
}

// TestGlossaryUses pins what counts as a use, and what is a name.
func TestGlossaryUses(t *testing.T) {
	find := func(name string) Term {
		for _, term := range Glossary() {
			if term.Name == name {
				return term
			}
		}
		t.Fatalf("no term %q", name)
		return Term{}
	}
	for _, c := range []struct {
		term, text string
		use        bool
	}{
		{"leader", "the leader epoch", true},
		{"leader", "the leader's log", true},
		{"ISR", "the ISR shrinks", true},
		{"ISR", "its in-sync replicas", true},
		{"replica", "min.insync.replicas=2", false},
		{"lag", "replica.lag.time.max.ms", false},
		{"lag", "a group's lag grows", true},
		{"commit", "the transaction commits", true},
		{"commit", "CommitMessages", false},
		{"commit", "read_uncommitted", false},
		{"consumer group", "kafka-consumer-groups --describe", false},
		{"consumer group", "consumer groups", true},
		{"consumer group", "a GroupID", false},
		{"high watermark", "ReadWatermarks", false},
		{"high watermark", "the high\nwatermark", true},
		{"offset", "--reset-offsets", false},
		{"replica", "env.Replicas()", false},
	} {
		if got := find(c.term).Uses().MatchString(Unnamed(c.text)); got != c.use {
			t.Errorf("%q uses %s: %v, want %v", c.text, c.term, got, c.use)
		}
	}
}
