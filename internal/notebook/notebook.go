// Package notebook records a run of the walkthrough as it plays, and writes
// it as a Jupyter notebook (nbformat 4.5) or as Markdown: lesson headings,
// each step's narration, its Go code and the output it really printed, and
// each lesson's summary. A teacher hands the class exactly what ran, with the
// partitions and offsets their broker gave.
//
// A notebook of a run records outputs; it does not re-run lessons. A Go
// kernel (GoNB) runs each cell as a new process, so the writers and readers
// of one step could not carry over to the next anyway.
package notebook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// Book is a run being recorded. The runner feeds it in the order things are
// played; Output may come from any goroutine. The zero value is ready to use,
// and a Book is safe for concurrent use.
type Book struct {
	// Redact, if set, is applied to every text written (each cell's source
	// and each output), after colour codes are stripped, so that a secret
	// split by colour codes is still seen whole. Set it before use; it may
	// run on several goroutines if several writes run at once.
	Redact func(string) string
	// Tr is the language of the headings the book writes (nil: English).
	Tr *i18n.Catalog

	mu    sync.Mutex
	cells []*cell
	cur   *cell           // the step whose output Output appends to, or nil
	ids   map[string]bool // cell ids given so far, to keep them unique
}

type cellKind int

const (
	markdown cellKind = iota
	code
	loose // output printed outside any step (a broker banner): Markdown, fenced
)

type cell struct {
	kind         cellKind
	id           string
	source       string // Markdown, or Go code
	out          strings.Builder
	lesson, step int // a code cell's place in the run
}

// Note adds a Markdown cell: a title for the run, the broker it ran on.
func (b *Book) Note(markdown string) {
	b.add(markdownCell(markdown), "note")
}

func markdownCell(src string) *cell { return &cell{kind: markdown, source: src} }

// Heading starts a lesson: a Markdown cell with its number, title and goal.
func (b *Book) Heading(lesson int, title, goal string) {
	src := "## " + b.Tr.F("Lesson %d · %s", lesson, title)
	if goal != "" {
		src += "\n\n" + goal
	}
	b.add(markdownCell(src), fmt.Sprintf("lesson-%d", lesson))
}

// Step records step index (1-based) of total of a lesson: a Markdown cell with
// its title and narration, then a code cell with its code, to which Output
// appends until the next Step, Heading, Summary or Note. A step run again is
// recorded again: the notebook shows what was played.
func (b *Book) Step(lesson, index, total int, title, narration, goCode string) {
	src := "### " + b.Tr.F("Step %d/%d · %s", index, total, title)
	if narration != "" {
		src += "\n\n" + narration
	}
	id := fmt.Sprintf("lesson-%d-step-%d", lesson, index)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.addLocked(markdownCell(src), id+"-text")
	c := &cell{kind: code, source: goCode, lesson: lesson, step: index}
	b.addLocked(c, id)
	b.cur = c
}

// Output appends text a step printed to the current step's output. Text
// printed outside a step is kept in a Markdown cell of its own. Colour codes
// are removed when the book is written, so text may arrive in any pieces.
func (b *Book) Output(text string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.cur
	if c == nil {
		if n := len(b.cells); n > 0 && b.cells[n-1].kind == loose {
			c = b.cells[n-1]
		} else {
			c = &cell{kind: loose}
			b.addLocked(c, "output")
		}
	}
	c.out.WriteString(text)
}

// Write is Output for an io.Writer: a printer can write to the book.
func (b *Book) Write(p []byte) (int, error) {
	b.Output(string(p))
	return len(p), nil
}

// Summary ends a lesson: a Markdown cell with what it taught.
func (b *Book) Summary(lesson int, points []string) {
	var s strings.Builder
	s.WriteString("**" + b.Tr.F("What you learned in lesson %d", lesson) + "**\n")
	if len(points) > 0 {
		s.WriteString("\n")
	}
	for _, p := range points {
		s.WriteString("- " + p + "\n")
	}
	b.add(markdownCell(s.String()), fmt.Sprintf("lesson-%d-summary", lesson))
}

func (b *Book) add(c *cell, id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.addLocked(c, id)
}

// addLocked appends c with an id made from base, unique in the book; any new
// cell ends the current step. Ids are readable and stable from run to run,
// so two notebooks of a lesson diff well.
func (b *Book) addLocked(c *cell, base string) {
	if b.ids == nil {
		b.ids = map[string]bool{}
	}
	id := base
	for i := 2; b.ids[id] || len(id) > 64; i++ { // nbformat allows 64 characters
		id = fmt.Sprintf("%s-%d", base, i)
		if len(id) > 64 {
			id = fmt.Sprintf("cell-%d", len(b.cells)+i)
		}
	}
	b.ids[id] = true
	c.id = id
	b.cells = append(b.cells, c)
	b.cur = nil
}

// A snapshot of a cell, its texts cleaned and redacted, ready to write.
type shot struct {
	kind         cellKind
	id           string
	source, out  string
	lesson, step int
}

// snapshot copies the cells under the lock, then cleans them outside it, so
// that a slow Redact does not hold up a step's output.
func (b *Book) snapshot() []shot {
	b.mu.Lock()
	shots := make([]shot, len(b.cells))
	for i, c := range b.cells {
		shots[i] = shot{kind: c.kind, id: c.id, source: c.source, out: c.out.String(), lesson: c.lesson, step: c.step}
	}
	b.mu.Unlock()
	kept := shots[:0]
	for i := range shots {
		s := &shots[i]
		s.source = b.clean(s.source)
		s.out = b.clean(s.out)
		// Jupyter keeps no trailing newline in a source; blank lines
		// around code are the extraction's, not the lesson's.
		if s.kind == code {
			s.source = strings.Trim(s.source, "\n")
		} else {
			s.source = strings.TrimRight(s.source, "\n")
		}
		if s.kind == loose {
			if s.out == "" {
				continue // only colour codes or control characters
			}
			s.source, s.out = fenced("text", s.out), ""
		}
		kept = append(kept, *s)
	}
	return kept
}

func (b *Book) clean(s string) string {
	s = Plain(s)
	if b.Redact != nil {
		s = b.Redact(s)
	}
	return s
}

// ansi matches terminal escape sequences: CSI (colours, cursor moves), OSC
// (titles, hyperlinks) ended by BEL or ST, and two-byte escapes.
var ansi = regexp.MustCompile(`\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])`)

// Plain returns what a terminal would show of s as plain text: escape
// sequences removed, a carriage return overwriting its line from the start
// (as a progress counter does), other control characters dropped, invalid
// UTF-8 replaced.
func Plain(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = ansi.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if strings.Contains(line, "\r") {
			var shown []rune
			for _, part := range strings.Split(line, "\r") {
				r := []rune(part)
				if len(r) >= len(shown) {
					shown = r
				} else {
					copy(shown, r)
				}
			}
			line = string(shown)
		}
		lines[i] = strings.Map(func(r rune) rune {
			if r == '\t' || (r >= ' ' && r != 0x7f && (r < 0x80 || r > 0x9f)) {
				return r
			}
			return -1
		}, line)
	}
	return strings.Join(lines, "\n")
}

// fenced returns text in a Markdown code block whose fence is longer than
// any run of backticks inside it, so no text can close it early.
func fenced(lang, text string) string {
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	text = strings.TrimRight(text, "\n")
	return fence + lang + "\n" + text + "\n" + fence
}

// WriteMarkdown writes the run as Markdown: headings, narration and summaries
// as they are, code in ```go blocks, output in ```text blocks.
func (b *Book) WriteMarkdown(w io.Writer) error {
	var parts []string
	for _, s := range b.snapshot() {
		switch s.kind {
		case code:
			parts = append(parts, fenced("go", s.source))
			if s.out != "" {
				parts = append(parts, fenced("text", s.out))
			}
		default:
			if s.source != "" {
				parts = append(parts, s.source)
			}
		}
	}
	if len(parts) == 0 {
		return nil
	}
	if _, err := io.WriteString(w, strings.Join(parts, "\n\n")+"\n"); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// The notebook's JSON, in nbformat 4.5's shape; fields in the order Jupyter
// writes them (alphabetical), so a notebook saved again by Jupyter diffs
// little. Markdown and code cells are separate types: the schema allows no
// execution_count or outputs in a Markdown cell.
type ipynb struct {
	Cells         []any    `json:"cells"`
	Metadata      metadata `json:"metadata"`
	NBFormat      int      `json:"nbformat"`
	NBFormatMinor int      `json:"nbformat_minor"`
}

type metadata struct {
	Kernelspec   kernelspec   `json:"kernelspec"`
	LanguageInfo languageInfo `json:"language_info"`
}

// kernelspec names GoNB, the Go kernel for Jupyter, so the notebook opens
// with Go highlighting and a Go kernel where one is installed.
type kernelspec struct {
	DisplayName string `json:"display_name"`
	Language    string `json:"language"`
	Name        string `json:"name"`
}

type languageInfo struct {
	FileExtension string `json:"file_extension"`
	Mimetype      string `json:"mimetype"`
	Name          string `json:"name"`
	PygmentsLexer string `json:"pygments_lexer"`
}

type markdownJSON struct {
	CellType string         `json:"cell_type"`
	ID       string         `json:"id"`
	Metadata map[string]any `json:"metadata"`
	Source   []string       `json:"source"`
}

type codeJSON struct {
	CellType       string         `json:"cell_type"`
	ExecutionCount int            `json:"execution_count"`
	ID             string         `json:"id"`
	Metadata       map[string]any `json:"metadata"`
	Outputs        []streamJSON   `json:"outputs"`
	Source         []string       `json:"source"`
}

type streamJSON struct {
	Name       string   `json:"name"`
	OutputType string   `json:"output_type"`
	Text       []string `json:"text"`
}

// MetadataKey is the key, in a code cell's metadata, of the lesson and step
// that cell records: {"lesson": 3, "step": 2}.
const MetadataKey = "kafka_go_lessons"

// WriteIPYNB writes the run as a Jupyter notebook, nbformat 4.5: a Markdown
// cell per heading, narration, summary and note, a code cell per step with
// its Go code, an execution count, and its output as one stdout stream.
func (b *Book) WriteIPYNB(w io.Writer) error {
	nb := ipynb{
		Cells: []any{},
		Metadata: metadata{
			Kernelspec:   kernelspec{DisplayName: "Go (gonb)", Language: "go", Name: "gonb"},
			LanguageInfo: languageInfo{FileExtension: ".go", Mimetype: "text/x-go", Name: "go", PygmentsLexer: "go"},
		},
		NBFormat:      4,
		NBFormatMinor: 5,
	}
	count := 0
	for _, s := range b.snapshot() {
		if s.kind != code {
			nb.Cells = append(nb.Cells, markdownJSON{CellType: "markdown", ID: s.id, Metadata: map[string]any{}, Source: lines(s.source)})
			continue
		}
		count++
		c := codeJSON{
			CellType:       "code",
			ExecutionCount: count,
			ID:             s.id,
			Metadata:       map[string]any{MetadataKey: map[string]int{"lesson": s.lesson, "step": s.step}},
			Outputs:        []streamJSON{},
			Source:         lines(s.source),
		}
		if s.out != "" {
			c.Outputs = append(c.Outputs, streamJSON{Name: "stdout", OutputType: "stream", Text: lines(s.out)})
		}
		nb.Cells = append(nb.Cells, c)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<-" and "&" stay readable in code
	enc.SetIndent("", " ")   // as Jupyter indents
	if err := enc.Encode(nb); err != nil {
		return fmt.Errorf("encode notebook: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write notebook: %w", err)
	}
	return nil
}

// lines splits s as Jupyter stores multi-line text: a list of lines, each
// with its newline but the last.
func lines(s string) []string {
	out := []string{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}
