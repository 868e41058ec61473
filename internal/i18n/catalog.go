package i18n

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// Catalog is the translations of one language. A nil *Catalog is English:
// every lookup returns the English it is given.
type Catalog struct {
	tag     language.Tag
	entries map[key]Entry

	once     sync.Once // the patterns are built at the first Match, once every file is added
	patterns []pattern
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

// Translate is the translation of a text the program printed: the message
// itself when the catalogue has it, else what Match finds, else the text.
// A text of several lines (an error and the hint below it) is translated
// line by line.
func (c *Catalog) Translate(s string) string {
	return c.translate(s, 0)
}

func (c *Catalog) translate(s string, depth int) string {
	if c == nil {
		return s
	}
	if fr, ok := c.Lookup("", s); ok {
		return fr
	}
	if fr, ok := c.match(s, depth); ok {
		return fr
	}
	// "where: what": a message of several words after a prefix the
	// catalogue does not know (a file and line, a library's "invalid
	// argument … flag: "), within the first line and its first three
	// separators: a long value full of ": " (JSON) costs little.
	first, _, _ := strings.Cut(s, "\n")
	at := 0
	for range 3 {
		i := strings.Index(first[at:], ": ")
		if i < 0 {
			break
		}
		at += i + 2
		rest := s[at:]
		if !strings.Contains(rest, " ") {
			break // one word: a value ("orders"), not a message
		}
		if fr, ok := c.Lookup("", rest); ok {
			return s[:at] + fr
		}
		if fr, ok := c.match(rest, depth); ok {
			return s[:at] + fr
		}
	}
	if !strings.Contains(s, "\n") {
		return s
	}
	// An error with a hint joined below it: each line of several words on
	// its own.
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.Contains(strings.TrimSpace(l), " ") {
			lines[i] = c.translate(l, depth)
		}
	}
	return strings.Join(lines, "\n")
}

// pattern is a message format read backwards: a regexp that matches what
// the format prints, and the French with a slot per verb.
type pattern struct {
	re      *regexp.Regexp
	fr      []string // the French cut at its verbs: len(fr) = verbs + 1
	nested  []bool   // the verb is %v or %w: what it printed may be a message too
	letters int      // the format's own letters: how specific it is
	id      string   // the English, to order patterns of as many letters
}

// verbRE matches a fmt verb: %d, %5.1f, %-10s, %*s, %[2]d, %%.
var verbRE = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*(?:\*|\d*)(?:\.(?:\*|\d+))?[a-zA-Z%]`)

// Verbs returns the fmt verbs of a format, in order (%% left out): a
// translation keeps them all, in the same order, since the values come in
// that order.
func Verbs(format string) []string {
	var out []string
	for _, v := range verbRE.FindAllString(format, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// Letters counts the letters of a format outside its verbs: its own words.
func Letters(format string) int {
	n := 0
	for _, r := range verbRE.ReplaceAllString(format, "") {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// Match translates a text that a message format printed, when only the
// text is known (a label built with fmt.Sprintf before it reached the
// printer): "partition 2 starts at" is found as "partition %d starts at"
// and given in French with the same values. It needs the French to keep
// the English's verbs in their order, as the checks require.
func (c *Catalog) Match(s string) (string, bool) { return c.match(s, 0) }

// match is Match; a value that a %v or %w printed (a wrapped error, as in
// "create topic %s: %w") is translated in turn, depth levels down at most.
func (c *Catalog) match(s string, depth int) (string, bool) {
	if c == nil {
		return s, false
	}
	c.once.Do(c.compile)
	for _, p := range c.patterns {
		m := p.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		var b strings.Builder
		for i, part := range p.fr {
			b.WriteString(part)
			if i+1 < len(m) && i < len(p.fr)-1 {
				v := m[i+1]
				if p.nested[i] && depth < 4 {
					v = c.translate(v, depth+1)
				}
				b.WriteString(v)
			}
		}
		return b.String(), true
	}
	return s, false
}

// compile builds the patterns of the messages that have verbs and words.
func (c *Catalog) compile() {
	for _, e := range c.entries {
		if e.Context != "" || e.Plural != "" || !e.Translated() || !strings.Contains(e.ID, "%") {
			continue
		}
		verbs := verbRE.FindAllStringIndex(e.ID, -1)
		letters := Letters(e.ID)
		if len(verbs) == 0 || strings.Contains(e.ID, "%%") || letters < 8 {
			continue // "%s: %v" or "%s within %v" would match text that is not theirs
		}
		var expr strings.Builder
		expr.WriteString("(?s)^") // a value may hold a newline (an error and its hint)
		last := 0
		var nested []bool
		for _, v := range verbs {
			nested = append(nested, e.ID[v[1]-1] == 'v' || e.ID[v[1]-1] == 'w')
			expr.WriteString(regexp.QuoteMeta(e.ID[last:v[0]]))
			switch verb := e.ID[v[0]:v[1]]; {
			case strings.Contains(verb, "*") || strings.ContainsAny(verb[1:len(verb)-1], "123456789"):
				expr.WriteString(`( *.+? *)`) // padded to a width: the padding goes along
			case verb[len(verb)-1] == 'd':
				expr.WriteString(`(-?\d+)`)
			default:
				expr.WriteString(`(.+?)`)
			}
			last = v[1]
		}
		expr.WriteString(regexp.QuoteMeta(e.ID[last:]) + "$")
		fr := verbRE.Split(e.Str[0], -1)
		if len(fr) != len(verbs)+1 {
			continue
		}
		c.patterns = append(c.patterns, pattern{re: regexp.MustCompile(expr.String()), fr: fr, nested: nested, letters: letters, id: e.ID})
	}
	// The most specific pattern first, the one with the most literal
	// letters; the same order every run.
	sort.Slice(c.patterns, func(i, j int) bool {
		a, b := c.patterns[i], c.patterns[j]
		if a.letters != b.letters {
			return a.letters > b.letters
		}
		return a.id < b.id
	})
}

// Colon is the colon after a label, as the language sets it: French puts a
// no-break space before it ("commande : …").
func (c *Catalog) Colon() string {
	if base, _ := c.Tag().Base(); base.String() == "fr" {
		return "\u00a0:"
	}
	return ":"
}

// Mark returns its text as it is: it marks a message that is translated
// later, by its text (Translate), for po-sync to find: gettext's N_.
func Mark(text string) string { return text }
