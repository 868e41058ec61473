// Package output draws the walkthrough: lesson headings, step cells
// (narration, code, output) and what lessons report. It colours with
// fatih/color when asked to and prints plain text otherwise.
package output

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/fatih/color"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Printer writes to one writer. It is safe for concurrent use: a lesson's
// delivery reports arrive from the writer's goroutine.
type Printer struct {
	mu   sync.Mutex
	w    io.Writer
	held *strings.Builder // output kept back while a prompt is on screen

	heading, title, narration, code, label, value, event, warn, dim *color.Color
}

// New returns a printer; colour is on only when colored is true.
func New(w io.Writer, colored bool) *Printer {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if colored {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return &Printer{
		w:         w,
		heading:   mk(color.FgHiMagenta, color.Bold),
		title:     mk(color.FgHiCyan, color.Bold),
		narration: mk(color.FgWhite),
		code:      mk(color.FgYellow),
		label:     mk(color.FgCyan),
		value:     mk(color.FgHiWhite, color.Bold),
		event:     mk(color.FgGreen),
		warn:      mk(color.FgHiRed),
		dim:       mk(color.Faint),
	}
}

// ColorWanted reports whether stdout should get colour: fatih/color's own
// rule (a terminal, NO_COLOR unset, TERM not dumb).
func ColorWanted() bool { return !color.NoColor }

func (p *Printer) line(c *color.Color, s string) {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(c.Sprint(l) + "\n")
	}
	p.write(b.String())
}

func (p *Printer) write(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held != nil {
		p.held.WriteString(s)
		return
	}
	io.WriteString(p.w, s)
}

// Hold keeps output back until Release: a delivery report arriving from a
// writer's goroutine while a prompt is on screen would be drawn over by the
// prompt and lost.
func (p *Printer) Hold() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == nil {
		p.held = &strings.Builder{}
	}
}

// Release prints what was held back.
func (p *Printer) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held != nil {
		io.WriteString(p.w, p.held.String())
		p.held = nil
	}
}

// Say prints commentary.
func (p *Printer) Say(format string, args ...any) {
	p.line(p.narration, "  "+fmt.Sprintf(format, args...))
}

// Value prints "label: value".
func (p *Printer) Value(label string, v any) {
	p.write(fmt.Sprintf("  %s %s\n", p.label.Sprint(label+":"), p.value.Sprint(fmt.Sprint(v))))
}

// Event prints something Kafka did.
func (p *Printer) Event(format string, args ...any) {
	p.line(p.event, "  ✔ "+fmt.Sprintf(format, args...))
}

// Record prints a record a lesson reports: an event, or a warning when it
// is a failed delivery or a skipped record.
func (p *Printer) Record(r lessons.Record) {
	if r.Failed() {
		p.Warn("%s", r)
		return
	}
	p.Event("%s", r)
}

// Warn prints a problem the program survives.
func (p *Printer) Warn(format string, args ...any) {
	p.line(p.warn, "  ⚠ "+fmt.Sprintf(format, args...))
}

// Block prints preformatted text, indented.
func (p *Printer) Block(text string) {
	text = strings.TrimRight(text, "\n")
	p.line(p.dim, "    "+strings.ReplaceAll(text, "\n", "\n    "))
}

// Error prints a failure, with what to do about it.
func (p *Printer) Error(format string, args ...any) {
	p.line(p.warn, "✖ "+fmt.Sprintf(format, args...))
}

// Banner prints a loud notice, framed.
func (p *Printer) Banner(lines ...string) {
	width := 0
	for _, l := range lines {
		width = max(width, len([]rune(l)))
	}
	bar := strings.Repeat("═", width+2)
	var b strings.Builder
	b.WriteString("╔" + bar + "╗\n")
	for _, l := range lines {
		b.WriteString("║ " + l + strings.Repeat(" ", width-len([]rune(l))) + " ║\n")
	}
	b.WriteString("╚" + bar + "╝")
	p.line(p.warn, b.String())
}

// Heading prints a lesson's heading.
func (p *Printer) Heading(number int, title, goal string) {
	p.line(p.heading, fmt.Sprintf("\n━━━ Lesson %d · %s ━━━", number, title))
	p.line(p.narration, goal)
}

// Cell prints a step's title, narration and code, before it runs.
func (p *Printer) Cell(i, n int, title, narration, code string) {
	p.line(p.title, fmt.Sprintf("\n▶ Step %d/%d · %s", i, n, title))
	if narration != "" {
		p.line(p.narration, wrap(narration, 78))
	}
	p.line(p.dim, "  ┌─ Go code that runs now")
	p.line(p.code, "  │ "+strings.ReplaceAll(strings.ReplaceAll(code, "\t", "    "), "\n", "\n  │ "))
	p.line(p.dim, "  └─ output")
}

// Skip prints a step that does not run, and why.
func (p *Printer) Skip(i, n int, title, why string) {
	p.line(p.title, fmt.Sprintf("\n▷ Step %d/%d · %s", i, n, title))
	p.line(p.warn, "  skipped: "+why)
}

// Summary prints what a lesson taught.
func (p *Printer) Summary(number int, points []string) {
	p.line(p.heading, fmt.Sprintf("\n✔ Lesson %d done. What you learned:", number))
	for _, s := range points {
		p.line(p.narration, "  • "+s)
	}
}

// Plain prints a line as it is.
func (p *Printer) Plain(format string, args ...any) {
	p.line(p.narration, fmt.Sprintf(format, args...))
}

// wrap joins the lines of each paragraph and wraps them at width.
func wrap(text string, width int) string {
	var out []string
	for _, para := range strings.Split(text, "\n\n") {
		var line string
		var lines []string
		for _, word := range strings.Fields(para) {
			if line != "" && len([]rune(line))+1+len([]rune(word)) > width {
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
