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
		text := strings.Join(strings.Fields(p), " ")
		if text == "" {
			continue
		}
		out = append(out, Paragraph{Text: text, Aside: strings.HasPrefix(text, AsideMark)})
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
			p.Text = "> **" + AsideMark + "**" + strings.TrimPrefix(p.Text, AsideMark)
		}
		b.WriteString(p.Text)
	}
	return b.String()
}
