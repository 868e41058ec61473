package lessons

import (
	"fmt"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// Text is one text of a lesson that a learner reads, with the place that
// names it in a translation (its msgctxt) and the English.
type Text struct {
	Context string // "lesson 3 step 2", "lesson 3 quiz 1 choice 2"
	English string
	Note    string // for the translator: what the text is
}

func stepContext(lesson, step int) string { return fmt.Sprintf("lesson %d step %d", lesson, step) }
func stepTitleContext(lesson, step int) string {
	return fmt.Sprintf("lesson %d step %d title", lesson, step)
}
func quizContext(lesson, q int, what string) string {
	if what == "" {
		return fmt.Sprintf("lesson %d quiz %d", lesson, q)
	}
	return fmt.Sprintf("lesson %d quiz %d %s", lesson, q, what)
}

// Texts returns every text of the lesson a learner reads, in the order
// the runner shows them: title, goal, each step's title and narration,
// the summaries, the quiz.
func (l Lesson) Texts() ([]Text, error) {
	n := l.Number
	out := []Text{
		{Context: fmt.Sprintf("lesson %d title", n), English: l.Title, Note: "the lesson's title"},
		{Context: fmt.Sprintf("lesson %d goal", n), English: l.Goal, Note: "the lesson's goal, under its title"},
	}
	for i, s := range l.Plan().Steps {
		src, err := SourceOf(s)
		if err != nil {
			return nil, fmt.Errorf("lesson %d step %d: %w", n, i+1, err)
		}
		out = append(out,
			Text{Context: stepTitleContext(n, i+1), English: s.Title, Note: "a step's title"},
			Text{Context: stepContext(n, i+1), English: src.Narration,
				Note: "a step's narration (" + src.File + ", " + s.FuncName() + "): keep its paragraphs; an aside starts with " + AsideMarkFrench},
		)
	}
	for i, s := range l.Summary {
		out = append(out, Text{Context: fmt.Sprintf("lesson %d summary %d", n, i+1), English: s, Note: "a point of the summary"})
	}
	for i, s := range l.DeeperSummary {
		out = append(out, Text{Context: fmt.Sprintf("lesson %d deeper summary %d", n, i+1), English: s, Note: "a point of the summary, said when the deeper steps ran"})
	}
	for i, q := range l.Quiz {
		out = append(out, Text{Context: quizContext(n, i+1, ""), English: q.Ask, Note: "a quiz question"})
		for j, c := range q.Choices {
			out = append(out, Text{Context: quizContext(n, i+1, fmt.Sprintf("choice %d", j+1)), English: c, Note: "a choice of the question"})
		}
		out = append(out, Text{Context: quizContext(n, i+1, "why"), English: q.Why, Note: "why the right answer is right"})
	}
	return out, nil
}

// Localize returns the lesson in the catalogue's language: its title,
// goal, summaries, quiz and step titles. A text without a translation
// stays English. Narrations are translated where they are read, by
// Narration.
func Localize(l Lesson, c *i18n.Catalog) Lesson {
	if c == nil {
		return l
	}
	n := l.Number
	l.Title = c.Text(fmt.Sprintf("lesson %d title", n), l.Title)
	l.Goal = c.Text(fmt.Sprintf("lesson %d goal", n), l.Goal)
	l.Summary = translateAll(c, l.Summary, func(i int) string { return fmt.Sprintf("lesson %d summary %d", n, i+1) })
	l.DeeperSummary = translateAll(c, l.DeeperSummary, func(i int) string { return fmt.Sprintf("lesson %d deeper summary %d", n, i+1) })
	quiz := make([]Question, len(l.Quiz))
	for i, q := range l.Quiz {
		q.Ask = c.Text(quizContext(n, i+1, ""), q.Ask)
		q.Choices = translateAll(c, q.Choices, func(j int) string { return quizContext(n, i+1, fmt.Sprintf("choice %d", j+1)) })
		q.Why = c.Text(quizContext(n, i+1, "why"), q.Why)
		quiz[i] = q
	}
	l.Quiz = quiz
	plan := l.Plan
	mark := c.T(DeeperMark)
	l.Plan = func() Plan {
		p := plan()
		for i := range p.Steps {
			p.Steps[i].Title = c.Text(stepTitleContext(n, i+1), p.Steps[i].Title)
			p.Steps[i].deeperMark = mark
		}
		return p
	}
	return l
}

func translateAll(c *i18n.Catalog, s []string, ctx func(int) string) []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = c.Text(ctx(i), v)
	}
	return out
}

// Narration returns the narration of a lesson's step (from 1) in the
// catalogue's language: english, the step's doc comment, when it has no
// translation, or a translation of another English text (a stale one).
func Narration(c *i18n.Catalog, lesson, step int, english string) string {
	return c.Text(stepContext(lesson, step), english)
}

// AsideMarkFrench opens an aside in a French narration.
const AsideMarkFrench = "Si vous connaissez le client Python\u00a0:"

// isAside reports whether a paragraph is an aside, in either language.
func isAside(text string) bool {
	return strings.HasPrefix(text, AsideMark) || strings.HasPrefix(text, AsideMarkFrench)
}

// LocalizeTerm returns a glossary term in the catalogue's language: its
// name and its definition, which the French of its step says word for word.
func LocalizeTerm(t Term, c *i18n.Catalog) Term {
	if c == nil {
		return t
	}
	t.Definition = c.Text("glossary "+t.Name, t.Definition) // by its English name
	t.Name = c.Text("glossary term", t.Name)
	return t
}
