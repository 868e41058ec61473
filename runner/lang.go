package main

import (
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// localized returns the lessons in the catalogue's language (nil: English).
func localized(tr *i18n.Catalog) []lessons.Lesson {
	all := lessons.All()
	for i, l := range all {
		all[i] = lessons.Localize(l, tr)
	}
	return all
}

// findLocal is lessons.Find, in the catalogue's language.
func findLocal(tr *i18n.Catalog, n int) (lessons.Lesson, bool) {
	l, ok := lessons.Find(n)
	if !ok {
		return l, false
	}
	return lessons.Localize(l, tr), true
}

// missingTexts counts the lessons' texts that have no translation in the
// catalogue (they show in English), of all there are.
func missingTexts(tr *i18n.Catalog) (missing, total int) {
	for _, l := range lessons.All() {
		texts, err := l.Texts()
		if err != nil {
			continue
		}
		for _, t := range texts {
			total++
			if _, ok := tr.Lookup(t.Context, t.English); !ok {
				missing++
			}
		}
	}
	return missing, total
}
