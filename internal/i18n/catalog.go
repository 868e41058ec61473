package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Catalog is the translations of one language. A nil *Catalog is English:
// every lookup returns the English it is given.
type Catalog struct {
	tag     language.Tag
	entries map[key]Entry
}

type key struct{ ctx, id string }

// NewCatalog returns an empty catalogue for tag.
func NewCatalog(tag language.Tag) *Catalog {
	return &Catalog{tag: tag, entries: map[key]Entry{}}
}

// Tag is the catalogue's language; English for a nil catalogue.
func (c *Catalog) Tag() language.Tag {
	if c == nil {
		return language.English
	}
	return c.tag
}

// AddFS adds the entries of every *.po file of fsys. Two files that give
// one text two translations are an error.
func (c *Catalog) AddFS(fsys fs.FS) error {
	files, err := fs.Glob(fsys, "*.po")
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
		if err := c.Add(path.Base(f), data); err != nil {
			return err
		}
	}
	return nil
}

// Add adds the entries of one PO file, named file in errors.
func (c *Catalog) Add(file string, data []byte) error {
	entries, err := ParsePO(data)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for _, e := range entries {
		k := key{e.Context, e.ID}
		if old, ok := c.entries[k]; ok && old.Translated() && e.Translated() && strings.Join(old.Str, "\x00") != strings.Join(e.Str, "\x00") {
			return fmt.Errorf("%s:%d: %q is translated twice, differently", file, e.Line, e.ID)
		}
		if old, ok := c.entries[k]; ok && old.Translated() {
			continue
		}
		c.entries[k] = e
	}
	return nil
}

// Lookup returns the translation of the English text id at ctx, and
// whether there is one (not fuzzy, not empty).
func (c *Catalog) Lookup(ctx, id string) (string, bool) {
	if c == nil {
		return id, false
	}
	e, ok := c.entries[key{ctx, id}]
	if !ok || !e.Translated() || e.Plural != "" {
		return id, false
	}
	return e.Str[0], true
}

// Text returns the translation of id at ctx, or id itself when there is
// none: a missing translation shows the English, never an empty line.
func (c *Catalog) Text(ctx, id string) string {
	s, _ := c.Lookup(ctx, id)
	return s
}

// T returns the translation of a message found by its English text alone.
func (c *Catalog) T(id string) string { return c.Text("", id) }

// F translates format, then formats it with args.
func (c *Catalog) F(format string, args ...any) string {
	return fmt.Sprintf(c.T(format), args...)
}

// N returns the form of a counted message for n: one (singular) or other
// (plural), as the language's CLDR rules choose. French says "0 commande"
// and "1,5 commande" where English says "0 orders".
func (c *Catalog) N(one, other string, n int) string {
	if c != nil {
		if e, ok := c.entries[key{"", one}]; ok && e.Translated() && e.Plural == other && len(e.Str) >= 2 {
			if Form(c.tag, n) == plural.One {
				return e.Str[0]
			}
			return e.Str[1]
		}
	}
	if Form(language.English, n) == plural.One {
		return one
	}
	return other
}

// Form is the CLDR plural form of the integer n in the language tag. The
// forms other than one (few, many…) take the plural: the languages here
// have two.
func Form(tag language.Tag, n int) plural.Form {
	if n < 0 {
		n = -n
	}
	f := plural.Cardinal.MatchPlural(tag, n%1000000000, 0, 0, 0, 0)
	if f == plural.One {
		return plural.One
	}
	return plural.Other
}

// Entries returns every entry of the catalogue, for the checks.
func (c *Catalog) Entries() []Entry {
	if c == nil {
		return nil
	}
	out := make([]Entry, 0, len(c.entries))
	for _, e := range c.entries {
		out = append(out, e)
	}
	return out
}
