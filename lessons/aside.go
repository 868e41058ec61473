package lessons

import "strings"

// AsideMark opens an aside: a paragraph of a step's narration (its doc
// comment, paragraphs separated by a blank comment line) that compares
// kafka-go with the Python client of the project this walkthrough was
// ported from (confluent-kafka-python). The paragraphs around it must read
// as a whole without it: a Go developer who never saw that project skips it.
// The runner draws an aside apart (indented, dim, labelled) and leaves it
// out with --no-asides; LESSONS.md, notebooks and transcripts quote it.
const AsideMark = "If you know the Python client:"

// Paragraph is one paragraph of a step's narration, its lines joined by
// spaces.
type Paragraph struct {
	Text  string
	Aside bool // it starts with AsideMark
}

// Paragraphs splits a narration at its blank lines.
func Paragraphs(narration string) []Paragraph {
	var out []Paragraph
	for _, p := range strings.Split(strings.ReplaceAll(narration, "\r\n", "\n"), "\n\n") {
		text := strings.Join(Words(p), " ")
		if text == "" {
			continue
		}
		out = append(out, Paragraph{Text: text, Aside: isAside(text)})
	}
	return out
}

// NarrationMarkdown is a narration as Markdown: one paragraph per
// paragraph, each aside a quote, so that a reader sees it is one.
func NarrationMarkdown(narration string) string {
	var b strings.Builder
	for i, p := range Paragraphs(narration) {
		if i > 0 {
			b.WriteString("\n\n")
		}
		if p.Aside {
			mark := AsideMark
			if !strings.HasPrefix(p.Text, mark) {
				mark = AsideMarkFrench
			}
			p.Text = "> **" + mark + "**" + strings.TrimPrefix(p.Text, mark)
		}
		b.WriteString(p.Text)
	}
	return b.String()
}

// Words splits text at ASCII white space only: a no-break space (French
// puts one before « : » and inside « ») holds its words together.
func Words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\v' || r == '\f'
	})
}

// ScreenRows is how many rows of an 80-column terminal a narration takes
// (its asides left out, as --no-asides does), wrapped at 76 columns as the
// runner indents it, with a blank row between paragraphs. At most 18 fit
// above a step's code on an 80×24 screen.
func ScreenRows(narration string) int {
	rows := 0
	first := true
	for _, p := range Paragraphs(narration) {
		if p.Aside {
			continue
		}
		if !first {
			rows++
		}
		first = false
		line := 0
		for _, w := range Words(p.Text) {
			n := len([]rune(w))
			if line > 0 && line+1+n > 76 {
				rows++
				line = 0
			}
			if line > 0 {
				line++
			}
			line += n
		}
		if line > 0 {
			rows++
		}
	}
	return rows
}
