// Package i18n holds the walkthrough's translations: gettext PO files read
// into a catalogue, the choice of a language from flags and the
// environment, and the checks that keep a translation in step with the
// English it translates.
//
// A PO entry records the whole English text it translates (its msgid), so
// a changed English text no longer finds its translation: the tests fail
// and say which text to translate again, and a learner sees the English
// rather than an outdated French. PO is gettext's format, so a
// contributor can edit the files with any PO editor (Poedit, Weblate) or
// by hand.
package i18n

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Entry is one translated text of a PO file.
type Entry struct {
	Context  string   // msgctxt: where the text is ("03 step 2"), or "" for a message found by its text
	ID       string   // msgid: the English
	Plural   string   // msgid_plural: the English plural, for a text with a count
	Str      []string // msgstr, or msgstr[0], msgstr[1]… for a plural
	Comments []string // "#." lines: notes for the translator, written by the sync
	Flags    []string // "#," flags; "fuzzy" marks a translation to review, not used
	Line     int      // where the entry starts in its file
}

// Fuzzy reports whether the entry is marked for review: gettext's rule is
// that a fuzzy translation is not shown.
func (e Entry) Fuzzy() bool { return slices.Contains(e.Flags, "fuzzy") }

// Translated reports whether the entry has a translation to show.
func (e Entry) Translated() bool {
	if e.Fuzzy() || len(e.Str) == 0 {
		return false
	}
	for _, s := range e.Str {
		if s == "" {
			return false
		}
	}
	return true
}

// ParsePO reads the entries of a PO file. The header (the entry whose
// msgid is empty) is left out. Errors name the line.
func ParsePO(data []byte) ([]Entry, error) {
	var (
		entries []Entry
		cur     Entry
		field   *string // the string a continuation line extends
		started bool
	)
	flush := func() {
		if started && (cur.ID != "" || cur.Context != "") {
			entries = append(entries, cur)
		}
		cur, field, started = Entry{}, nil, false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			flush()
			continue
		case strings.HasPrefix(line, "#"):
			// A comment after a msgstr starts the next entry.
			if started && field != nil && len(cur.Str) > 0 {
				flush()
			}
			switch {
			case strings.HasPrefix(line, "#."):
				cur.Comments = append(cur.Comments, strings.TrimSpace(line[2:]))
			case strings.HasPrefix(line, "#,"):
				for _, f := range strings.Split(line[2:], ",") {
					if f = strings.TrimSpace(f); f != "" {
						cur.Flags = append(cur.Flags, f)
					}
				}
			}
			if !started {
				cur.Line = n
			}
			started = true
			continue
		case strings.HasPrefix(line, `"`):
			if field == nil {
				return nil, fmt.Errorf("line %d: a string with no msgid or msgstr before it", n)
			}
			s, err := strconv.Unquote(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %s is not a quoted string: %w", n, line, err)
			}
			*field += s
			continue
		}
		key, rest, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not a keyword and a string", n, line)
		}
		s, err := strconv.Unquote(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("line %d: %s is not a quoted string: %w", n, rest, err)
		}
		if key == "msgctxt" && started && (cur.ID != "" || len(cur.Str) > 0) {
			flush()
		}
		if !started {
			cur.Line = n
		}
		started = true
		switch {
		case key == "msgctxt":
			cur.Context = s
			field = &cur.Context
		case key == "msgid":
			if cur.ID != "" || len(cur.Str) > 0 {
				flush()
				cur.Line, started = n, true
			}
			cur.ID = s
			field = &cur.ID
		case key == "msgid_plural":
			cur.Plural = s
			field = &cur.Plural
		case key == "msgstr":
			cur.Str = append(cur.Str, s)
			field = &cur.Str[len(cur.Str)-1]
		case strings.HasPrefix(key, "msgstr[") && strings.HasSuffix(key, "]"):
			i, err := strconv.Atoi(key[len("msgstr[") : len(key)-1])
			if err != nil || i != len(cur.Str) {
				return nil, fmt.Errorf("line %d: %s out of order", n, key)
			}
			cur.Str = append(cur.Str, s)
			field = &cur.Str[len(cur.Str)-1]
		default:
			return nil, fmt.Errorf("line %d: unknown keyword %q", n, key)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	flush()
	return entries, nil
}

// WritePO writes a PO file: a header for the language, then the entries,
// each string split at its newlines so that a paragraph reads as one.
func WritePO(w io.Writer, lang string, entries []Entry) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Translations of the Kafka lessons (%s). Edit msgstr only; go run ./cmd/po-sync\n", lang)
	fmt.Fprintf(&b, "# rewrites msgid and the #. notes from the English sources. A changed English\n")
	fmt.Fprintf(&b, "# text keeps its old translation marked fuzzy, which is not shown until\n")
	fmt.Fprintf(&b, "# someone translates it again and removes the flag.\n")
	b.WriteString("msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n")
	fmt.Fprintf(&b, "\"Language: %s\\n\"\n", lang)
	b.WriteString("\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n")
	for _, e := range entries {
		b.WriteString("\n")
		for _, c := range e.Comments {
			fmt.Fprintf(&b, "#. %s\n", c)
		}
		if len(e.Flags) > 0 {
			fmt.Fprintf(&b, "#, %s\n", strings.Join(e.Flags, ", "))
		}
		if e.Context != "" {
			writeString(&b, "msgctxt", e.Context)
		}
		writeString(&b, "msgid", e.ID)
		if e.Plural != "" {
			writeString(&b, "msgid_plural", e.Plural)
			strs := e.Str
			for len(strs) < 2 {
				strs = append(strs, "")
			}
			for i, s := range strs {
				writeString(&b, fmt.Sprintf("msgstr[%d]", i), s)
			}
			continue
		}
		s := ""
		if len(e.Str) > 0 {
			s = e.Str[0]
		}
		writeString(&b, "msgstr", s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeString writes `key "…"`, or, for a text of several lines, `key ""`
// and one quoted line per line of text, as gettext's tools do.
func writeString(b *strings.Builder, key, s string) {
	if !strings.Contains(strings.TrimSuffix(s, "\n"), "\n") {
		fmt.Fprintf(b, "%s %s\n", key, quote(s))
		return
	}
	fmt.Fprintf(b, "%s \"\"\n", key)
	lines := strings.SplitAfter(s, "\n")
	for _, l := range lines {
		if l != "" {
			fmt.Fprintf(b, "%s\n", quote(l))
		}
	}
}

// quote quotes s for a PO file. strconv.QuoteToGraphic keeps every graphic
// character as it is, the no-break spaces of French included: gettext's
// tools know no \u escape (msgfmt refuses one), and \n, \t, \" and \\
// are theirs too.
func quote(s string) string { return strconv.QuoteToGraphic(s) }
