package output

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// wrap joins the lines of each paragraph and wraps them at width.
func wrap(text string, width int) string {
	var out []string
	for _, para := range strings.Split(text, "\n\n") {
		var line string
		var lines []string
		for _, word := range lessons.Words(para) {
			if line != "" && Width(line)+1+Width(word) > width {
				lines = append(lines, line)
				line = word
				continue
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		if line != "" {
			lines = append(lines, line)
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n\n")
}

// sgr matches the colour codes fatih/color writes.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// Width is how many columns s takes on a terminal: colour codes take none,
// most characters one, wide ones (emoji, CJK) two.
func Width(s string) int {
	n := 0
	for _, r := range sgr.ReplaceAllString(s, "") {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r == 0 || unicode.Is(unicode.Mn, r) || r == '\u200d' || (r >= '\ufe00' && r <= '\ufe0f'):
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf && r != 0x303f, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6,
		r >= 0x1f300 && r <= 0x1f64f, r >= 0x1f900 && r <= 0x1f9ff, r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}

// fitLines wraps each line of s that is wider than cols.
func fitLines(s string, cols int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if Width(l) > cols {
			lines[i] = strings.Join(fitLine(l, cols), "\n")
		}
	}
	return strings.Join(lines, "\n")
}

// fitLine wraps one line at spaces (mid-word only when a word is wider
// than the screen). Continuation lines get a hanging indent, so a wrapped
// report, value or code line still reads as one: see hanging.
func fitLine(line string, cols int) []string {
	lead, indent := hanging(sgr.ReplaceAllString(line, ""))
	if Width(indent) > cols/2 {
		lead, indent = 0, "  "
	}
	var out []string
	rest, prefix, avail := line, "", cols
	for {
		if Width(rest) <= avail {
			return append(out, prefix+rest)
		}
		cut, next := breakAt(rest, avail, lead)
		out = append(out, prefix+rest[:cut])
		rest = rest[next:]
		prefix, avail, lead = indent, cols-Width(indent), 0
	}
}

// breakAt finds where to end a line of at most avail columns: at the first
// gap of three or more spaces (a table's columns: the next column moves to
// the next line whole), else at the last space that fits, in both
// cases past the first lead columns and some text; else after as many
// characters as fit. It returns the end of the kept text and where the rest
// starts (spaces at the break are dropped; colour codes are kept).
func breakAt(s string, avail, lead int) (cut, next int) {
	col, space, gap, run, seen := 0, -1, -1, 0, false
	for i := 0; i < len(s); {
		if loc := sgr.FindStringIndex(s[i:]); loc != nil && loc[0] == 0 {
			i += loc[1]
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		w := runeWidth(r)
		if col+w > avail {
			if gap > 0 {
				space = gap
			}
			if space > 0 {
				cut = space
				for cut > 0 && s[cut-1] == ' ' {
					cut--
				}
				return cut, skipSpaces(s, space)
			}
			if i == 0 { // not even one character fits: take it anyway
				i = size
			}
			return i, i
		}
		if r == ' ' {
			run++
			if seen {
				space = i
				if run == 3 && gap < 0 {
					gap = i
				}
			}
		} else {
			run = 0
			if col >= lead {
				seen = true
			}
		}
		col += w
		i += size
	}
	return len(s), len(s)
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// hanging returns how many columns a line's lead takes (its indent, a
// marker, a code frame: no place to break) and the indent of its
// continuation lines: the line's own indent, then
//   - for code in a cell ("  │ " and the code's indent): "↪ ", so a wrapped
//     code line keeps its indentation and cannot pass for a new statement;
//   - after a marker ("✔ ", "⚠ ", "• ", "✖ ", "? "): the marker's width, so the
//     text lines up;
//   - otherwise, for an indented line, two spaces more; a line that starts
//     at the margin (a lesson's goal) goes on at the margin.
func hanging(plain string) (lead int, indent string) {
	n := len(plain) - len(strings.TrimLeft(plain, " "))
	indent, rest := plain[:n], plain[n:]
	if after, ok := strings.CutPrefix(rest, "│ "); ok {
		code := after[:len(after)-len(strings.TrimLeft(after, " "))]
		return Width(indent + "│ " + code), indent + "│ " + code + "↪ "
	}
	for _, marker := range []string{"✔ ", "⚠ ", "✖ ", "• ", "▶ ", "▷ ", "? "} {
		if strings.HasPrefix(rest, marker) {
			return Width(indent + marker), indent + strings.Repeat(" ", Width(marker))
		}
	}
	if indent == "" {
		return 0, ""
	}
	return Width(indent), indent + "  "
}

// Fit wraps each line of s wider than cols at a space, with the hanging
// indent the printer gives its own lines: for text printed without a
// Printer (a command's --help) on a terminal of cols columns.
func Fit(s string, cols int) string {
	if cols <= 0 {
		return s
	}
	return fitLines(s, cols)
}

// Hang is head then text, wrapped at words to cols columns, its
// continuation lines indented as wide as head, so that a list's entries
// line up whatever head holds (a mark such as ✓, or spaces). Without a
// screen (cols 0) it is one line.
func Hang(head, text string, cols int) string {
	width := cols - Width(head)
	if cols <= 0 || width < 20 || Width(head+text) <= cols {
		return head + text
	}
	pad := strings.Repeat(" ", Width(head))
	return head + strings.ReplaceAll(wrap(text, width), "\n", "\n"+pad)
}
