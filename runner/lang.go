package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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

// langOf is the catalogue of the language a command line asks for (--lang,
// else the environment), nil for English or one the runner does not speak.
func langOf(args []string) *i18n.Catalog {
	tag, err := i18n.Choose(langArg(args), os.Getenv)
	if err != nil {
		return nil
	}
	tr, _ := i18n.Load(tag)
	return tr
}

// langArg is the --lang the command line gives, read before cobra parses
// it: the help is translated before it is printed.
func langArg(args []string) string {
	lang := "" // the last one, as cobra takes it
	for i, a := range args {
		switch {
		case a == "--":
			return lang
		case strings.HasPrefix(a, "--lang="):
			lang = strings.TrimPrefix(a, "--lang=")
		case a == "--lang" && i+1 < len(args):
			lang = args[i+1]
		}
	}
	return lang
}

// helpIn puts the help of root and its commands in the catalogue's
// language: descriptions, examples, flags' usages, and the headings of the
// usage template.
func helpIn(root *cobra.Command, tr *i18n.Catalog) {
	if tr == nil {
		return
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Short, c.Long, c.Example = tr.T(c.Short), tr.T(c.Long), tr.T(c.Example)
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { f.Usage = tr.T(f.Usage) })
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	root.SetUsageTemplate(strings.NewReplacer(
		"Usage:", tr.T("Usage:"),
		"Examples:", tr.T("Examples:"),
		"Commands:", tr.T("Commands:"),
		"Flags:", tr.T("Flags:"),
		"More about a command:", tr.T("More about a command:"),
	).Replace(usageTemplate))
}
