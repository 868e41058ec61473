package exercise

import (
	"fmt"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Texts returns the exercise's texts a learner reads: its title, goal and
// hints, each with the place that names it in a translation.
func (e Exercise) Texts() []lessons.Text {
	out := []lessons.Text{
		{Context: fmt.Sprintf("exercise %s title", e.ID), English: e.Title, Note: "an exercise's title"},
		{Context: fmt.Sprintf("exercise %s goal", e.ID), English: e.Goal, Note: "its goal: keep every $NAME as it is (the check sets those variables) and every `code`"},
	}
	for i, h := range e.Hints {
		out = append(out, lessons.Text{Context: fmt.Sprintf("exercise %s hint %d", e.ID, i+1), English: h, Note: "a hint, each more concrete than the last: keep $NAMES and `code`"})
	}
	return out
}

// Localize returns the exercise with its title, goal and hints in the
// catalogue's language; a text without a translation stays English.
func Localize(e Exercise, c *i18n.Catalog) Exercise {
	if c == nil {
		return e
	}
	e.Title = c.Text(fmt.Sprintf("exercise %s title", e.ID), e.Title)
	e.Goal = c.Text(fmt.Sprintf("exercise %s goal", e.ID), e.Goal)
	hints := make([]string, len(e.Hints))
	for i, h := range e.Hints {
		hints[i] = c.Text(fmt.Sprintf("exercise %s hint %d", e.ID, i+1), h)
	}
	e.Hints = hints
	return e
}

// LocalizeAll localizes each exercise of list.
func LocalizeAll(list []Exercise, c *i18n.Catalog) []Exercise {
	out := make([]Exercise, len(list))
	for i, e := range list {
		out[i] = Localize(e, c)
	}
	return out
}
