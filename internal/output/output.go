// Package output draws the walkthrough: lesson headings, step cells
// (narration, code, output) and what lessons report. It colours with
// fatih/color when asked to and prints plain text otherwise.
//
// On a terminal it fits what it draws to the screen (FitScreen): frames and
// banners as wide as the terminal, long lines wrapped at a space with a
// hanging indent. A pipe gets every line whole, as before. What lessons
// report can also be copied, whole and unwrapped, to a second writer (Tee):
// the notebook of the run.
package output

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/fatih/color"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Printer writes to one writer. It is safe for concurrent use: a lesson's
// delivery reports arrive from the writer's goroutine.
type Printer struct {
	mu      sync.Mutex
	w       io.Writer
	held    *strings.Builder // output kept back while a prompt is on screen
	tee     io.Writer        // lesson output is copied here, unwrapped
	screen  func() (cols, rows int)
	muted   bool
	noAside bool         // leave out the narration's asides (--no-asides)
	pager   func() error // waits for a key when the screen is full; nil: never
	fresh   int          // lines drawn since the learner last read the screen
	// unpaused: the learner pressed q at a pause; no more pauses until they
	// next answer a prompt (Release).
	unpaused bool

	heading, title, narration, code, label, value, event, warn, dim *color.Color

	// tr translates what the printer prints: the formats and labels given
	// to Say, Value, Event, Warn and the others are found in it by their
	// English. nil: English.
	tr *i18n.Catalog
}

// SetCatalog makes the printer speak the catalogue's language.
func (p *Printer) SetCatalog(c *i18n.Catalog) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tr = c
}

// Catalog is the printer's language: nil for English.
func (p *Printer) Catalog() *i18n.Catalog {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tr
}

// t translates a format or a label by its English.
func (p *Printer) t(s string) string { return p.Catalog().T(s) }

// Text translates a text found whole in the catalogue, or printed by one
// of its formats (a label built with fmt.Sprintf).
func (p *Printer) Text(s string) string { return p.Catalog().Translate(s) }

// format formats a line in the printer's language: by its format when the
// catalogue has it, else by the text it gives ("%s" of a line made
// elsewhere).
func (p *Printer) format(format string, args ...any) string {
	c := p.Catalog()
	if c == nil {
		return fmt.Sprintf(format, args...)
	}
	// An error is a message too, and a wrapped one is translated in turn.
	for i, a := range args {
		if err, ok := a.(error); ok {
			args = slices.Clone(args)
			args[i] = c.Translate(err.Error())
		}
	}
	if fr, ok := c.Lookup("", format); ok {
		return fmt.Sprintf(fr, args...)
	}
	s := fmt.Sprintf(format, args...)
	fr, _ := c.Match(s)
	return fr
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
	// Text is in the terminal's own foreground and values in its bold:
	// white (37, 97) vanishes on a light background. The colours are
	// basic ones that themes tune to their background, and none that
	// fails on one side in xterm's own palette: no bright ones, no
	// yellow (pale on white), no blue (dark on black).
	return &Printer{
		w:         w,
		heading:   mk(color.FgMagenta, color.Bold),
		title:     mk(color.FgMagenta, color.Bold),
		narration: mk(color.Reset),
		code:      mk(color.FgCyan),
		label:     mk(color.FgMagenta),
		value:     mk(color.Bold),
		event:     mk(color.FgGreen),
		warn:      mk(color.FgRed),
		dim:       mk(color.Faint),
	}
}

// ColorWanted reports whether stdout should get colour: fatih/color's own
// rule (a terminal, NO_COLOR unset, TERM not dumb).
func ColorWanted() bool { return !color.NoColor }

// FitScreen makes the printer fit its lines to a screen whose size size
// reports, asked at each write (a terminal can be resized). Without it, as
// for a pipe, lines are printed whole.
func (p *Printer) FitScreen(size func() (cols, rows int)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.screen = size
}

// Size is the screen's size, or 0, 0 when the printer does not fit lines.
func (p *Printer) Size() (cols, rows int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size()
}

func (p *Printer) size() (cols, rows int) {
	if p.screen == nil {
		return 0, 0
	}
	return p.screen()
}

// Tee copies what lessons report (not the drawing of cells, headings and
// prompts) to w, unwrapped and as it comes, colour codes included.
func (p *Printer) Tee(w io.Writer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tee = w
}

// Mute drops everything printed until Unmute: steps run quietly.
func (p *Printer) Mute() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.muted = true
}

// Loud prints a line even while muted: what the learner must act on (stop a
// broker) while earlier steps run quietly.
func (p *Printer) Loud(format string, args ...any) {
	p.mu.Lock()
	muted := p.muted
	p.muted = false
	p.mu.Unlock()
	p.Warn(format, args...)
	p.mu.Lock()
	p.muted = muted
	p.mu.Unlock()
}

// Unmute prints again.
func (p *Printer) Unmute() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.muted = false
}

// line prints s, coloured line by line: lesson output, teed.
func (p *Printer) line(c *color.Color, s string) { p.emit(colorLines(c, s), true) }

// draw prints s, coloured line by line: the runner's own drawing, not teed.
func (p *Printer) draw(c *color.Color, s string) { p.emit(colorLines(c, s), false) }

func colorLines(c *color.Color, s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(c.Sprint(l) + "\n")
	}
	return b.String()
}

// emit writes s, fitted to the screen, and copies it whole to the tee.
func (p *Printer) emit(s string, tee bool) {
	var copied string
	if tee {
		copied = s
	}
	p.emitTwo(s, copied)
}

// emitTwo writes screen to the screen (fitted to it) and copied to the tee.
func (p *Printer) emitTwo(screen, copied string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.muted {
		return
	}
	if copied != "" && p.tee != nil {
		io.WriteString(p.tee, copied)
	}
	if cols, _ := p.size(); cols > 0 {
		screen = fitLines(screen, cols)
	}
	if p.held != nil {
		p.held.WriteString(screen)
		return
	}
	p.page(screen)
}

// page writes s; with a pager, it pauses before a line that would scroll
// away one the learner has not had the time to read.
func (p *Printer) page(s string) {
	_, rows := p.size()
	if p.pager == nil || rows < 3 {
		io.WriteString(p.w, s)
		return
	}
	for s != "" {
		line, rest, found := strings.Cut(s, "\n")
		if found {
			line += "\n"
		}
		if p.fresh >= rows-1 && !p.unpaused {
			p.unpaused = errors.Is(p.pager(), ErrNoMorePauses)
			p.fresh = 0
		}
		io.WriteString(p.w, line)
		if found {
			p.fresh++
		}
		s = rest
	}
}

// ErrNoMorePauses is what a pager returns when the learner asked for no
// more pauses (q): the rest is drawn at once, until the next prompt.
var ErrNoMorePauses = errors.New("no more pauses until the next prompt")

// Pager makes the printer pause when the lines drawn since the learner last
// read the screen (answered a prompt, or pressed a key at a pause) would
// fill it: wait shows that more is coming, returns once the learner pressed
// a key, and leaves the cursor at the start of an empty line. It is called
// with the printer locked: it must write to the terminal itself.
func (p *Printer) Pager(wait func() error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pager = wait
}

// Room makes room for a prompt of n lines: when drawing it would scroll away
// lines not yet read, it pauses first.
func (p *Printer) Room(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, rows := p.size(); p.pager != nil && !p.unpaused && rows > 0 && p.fresh > 0 && p.fresh+n > rows {
		p.unpaused = errors.Is(p.pager(), ErrNoMorePauses)
		p.fresh = 0
	}
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

// Release prints what was held back. The learner has just answered a
// prompt: what was on the screen is read.
func (p *Printer) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fresh, p.unpaused = 0, false
	if p.held != nil {
		held := p.held.String()
		p.held = nil
		p.page(held)
	}
}

// Status draws a transient line in place (a countdown), over the previous
// one; Status("") clears it. It is for terminals, and it is never held.
func (p *Printer) Status(text string) {
	text = p.Text(text) // before the lock: the catalogue is read under it
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, "\r\x1b[J"+p.dim.Sprint(text)) // to the end of the screen: nothing a resize left stays
}

// Answered draws again, fitted to the screen, a prompt's question and the
// answer chosen, which the prompt drew on one line: when that line was
// wider than the screen, the terminal cut it wherever the edge fell, in
// the middle of a word. It takes those lines back first: the cursor is at
// the start of the line below them.
func (p *Printer) Answered(question, answer string) {
	cols, _ := p.Size()
	line := "? " + question + " " + answer
	if cols <= 0 || Width(line) <= cols {
		return
	}
	drawn := (Width(line) + cols - 1) / cols
	p.mu.Lock()
	io.WriteString(p.w, fmt.Sprintf("\x1b[%dF\x1b[J", drawn))
	p.mu.Unlock()
	p.emit(p.event.Sprint("?")+" "+p.value.Sprint(question)+" "+p.code.Sprint(answer)+"\n", false)
}

// EndStatus ends the transient line: it stays, and what follows goes below.
func (p *Printer) EndStatus() {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, "\n")
}

// Say prints commentary.
func (p *Printer) Say(format string, args ...any) {
	p.line(p.narration, "  "+p.format(format, args...))
}

// Value prints "label: value".
func (p *Printer) Value(label string, v any) {
	p.emit(fmt.Sprintf("  %s %s\n", p.label.Sprint(p.Text(label)+p.Catalog().Colon()), p.value.Sprint(fmt.Sprint(v))), true)
}

// Event prints something Kafka did.
func (p *Printer) Event(format string, args ...any) {
	p.line(p.event, "  ✔ "+p.format(format, args...))
}

// Record prints a record a lesson reports: an event, or a warning when it
// is a failed delivery or a skipped record.
func (p *Printer) Record(r lessons.Record) {
	line := r.In(p.Catalog())
	if r.Failed() {
		p.Warn("%s", line)
		return
	}
	p.Event("%s", line)
}

// Warn prints a problem the program survives.
func (p *Printer) Warn(format string, args ...any) {
	p.line(p.warn, "  ⚠ "+p.format(format, args...))
}

// Block prints preformatted text, indented by four spaces, or by two on a
// screen where four would make its lines wrap.
func (p *Printer) Block(text string) {
	text = strings.TrimRight(text, "\n")
	block := func(indent string) string {
		return colorLines(p.dim, indent+strings.ReplaceAll(text, "\n", "\n"+indent))
	}
	screen := block("    ")
	if cols, _ := p.Size(); cols > 0 {
		widest := 0
		for _, l := range strings.Split(text, "\n") {
			widest = max(widest, Width(l))
		}
		if widest+4 > cols && widest+2 <= cols {
			screen = block("  ")
		}
	}
	p.emitTwo(screen, block("    "))
}

// Error prints a failure, with what to do about it.
func (p *Printer) Error(format string, args ...any) {
	p.line(p.warn, "✖ "+p.format(format, args...))
}

// Banner prints a loud notice, framed: as wide as its longest line, or as
// the screen when that is narrower, its lines then wrapped to fit.
func (p *Printer) Banner(lines ...string) {
	cols, _ := p.Size()
	lines = slices.Clone(lines)
	for i, l := range lines {
		lines[i] = p.t(l)
	}
	screen := frame(lines, cols)
	p.emitTwo(colorLines(p.warn, screen), colorLines(p.warn, frame(lines, 0)))
}

// frame draws lines in a double frame no wider than cols (0: no limit).
func frame(lines []string, cols int) string {
	width := 0
	for _, l := range lines {
		width = max(width, Width(l))
	}
	if cols > 0 && width+4 > cols && cols > 8 {
		width = cols - 4
		var wrapped []string
		for _, l := range lines {
			if Width(l) > width {
				l = wrap(l, width)
			}
			wrapped = append(wrapped, strings.Split(l, "\n")...)
		}
		lines = wrapped
	}
	bar := strings.Repeat("═", width+2)
	var b strings.Builder
	b.WriteString("╔" + bar + "╗\n")
	for _, l := range lines {
		b.WriteString("║ " + l + strings.Repeat(" ", max(0, width-Width(l))) + " ║\n")
	}
	b.WriteString("╚" + bar + "╝")
	return b.String()
}

// Heading prints a lesson's heading.
func (p *Printer) Heading(number int, title, goal string) {
	p.draw(p.heading, p.Catalog().F("\n━━━ Lesson %d · %s ━━━", number, title))
	p.draw(p.narration, goal)
}

// CellView is a step's cell drawn for the screen, line by line: the title
// and narration, then the code in its frame. A prompter that knows the
// screen's height can show it a part at a time.
type CellView struct {
	Text, Code []string
}

// Lines is the whole cell.
func (v CellView) Lines() []string { return append(append([]string{}, v.Text...), v.Code...) }

// RenderCell draws a step's cell, fitted to the screen.
func (p *Printer) RenderCell(i, n int, title, narration, code string) CellView {
	return p.render(p.Catalog().F("\n▶ Step %d/%d · %s", i, n, title), narration, code, p.t("Go code that runs now"), p.t("output"))
}

// RenderSource draws the code of a function a step calls, drawn as a step's
// cell is: its name and place (lessons/kafka.go:120), its doc comment, and
// its declaration in the frame.
func (p *Printer) RenderSource(name, where, doc, code string) CellView {
	return p.render(p.Catalog().F("\n◆ The code of %s · %s", name, where), doc, code, where, p.Catalog().F("end of %s", name))
}

// render draws a cell: a heading, a narration, and code in a frame whose
// top and bottom lines say top and bottom.
func (p *Printer) render(heading, narration, code, top, bottom string) CellView {
	cols, _ := p.Size()
	var text, box strings.Builder
	text.WriteString(colorLines(p.title, heading))
	if narration != "" {
		width := 78
		if cols > 0 {
			width = min(width, cols-1)
		}
		p.mu.Lock()
		noAside := p.noAside
		p.mu.Unlock()
		first := true
		for _, para := range lessons.Paragraphs(narration) {
			if para.Aside && noAside {
				continue
			}
			if !first {
				text.WriteString("\n")
			}
			first = false
			if para.Aside {
				text.WriteString(colorLines(p.dim, asideMargin+strings.ReplaceAll(wrap(para.Text, width-Width(asideMargin)), "\n", "\n"+asideMargin)))
				continue
			}
			text.WriteString(colorLines(p.narration, wrap(para.Text, width)))
		}
	}
	box.WriteString(colorLines(p.dim, "  ┌─ "+top))
	box.WriteString(colorLines(p.code, "  │ "+strings.ReplaceAll(strings.ReplaceAll(code, "\t", "    "), "\n", "\n  │ ")))
	box.WriteString(colorLines(p.dim, "  └─ "+bottom))
	split := func(s string) []string {
		if cols > 0 {
			s = fitLines(s, cols)
		}
		return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	}
	return CellView{Text: split(text.String()), Code: split(box.String())}
}

// asideMargin marks each line of an aside in a cell: indented and ruled,
// as well as dim, so that it stands apart without colour too.
const asideMargin = "  ┆ "

// HideAsides leaves the asides out of the narration of the cells drawn from
// now on (--no-asides): comparisons with the Python client, which a Go
// developer who never used it does not need.
func (p *Printer) HideAsides() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.noAside = true
}

// Show prints lines a Render method drew.
func (p *Printer) Show(lines []string) {
	if len(lines) > 0 {
		p.emit(strings.Join(lines, "\n")+"\n", false)
	}
}

// Cell prints a step's title, narration and code, before it runs.
func (p *Printer) Cell(i, n int, title, narration, code string) {
	p.Show(p.RenderCell(i, n, title, narration, code).Lines())
}

// Edited announces a step's edited run: its title, marked edited, and a
// short diff of what the learner changed (lines of "- ", "+ " and "  ").
func (p *Printer) Edited(i, n int, title, diff string) {
	p.draw(p.title, p.Catalog().F("\n✎ Step %d/%d · %s · EDITED: your code, not the lesson's", i, n, title))
	for _, l := range strings.Split(diff, "\n") {
		c := p.dim
		switch {
		case strings.HasPrefix(l, "+"):
			c = p.event
		case strings.HasPrefix(l, "-"):
			c = p.warn
		}
		p.draw(c, "  │ "+l)
	}
	p.draw(p.dim, "  └─ "+p.t("output"))
}

// Output prints a line that another program printed as a step's output (an
// edited step's run): as it came, coloured by its mark, and teed as the
// step's output.
func (p *Printer) Output(line string) {
	c := p.narration
	switch t := strings.TrimSpace(line); {
	case strings.HasPrefix(t, "✔"):
		c = p.event
	case strings.HasPrefix(t, "⚠"), strings.HasPrefix(t, "✖"), strings.HasPrefix(t, "runner:"):
		c = p.warn
	}
	p.line(c, line)
}

// Skip prints a step that does not run, and why.
func (p *Printer) Skip(i, n int, title, why string) {
	p.draw(p.title, p.Catalog().F("\n▷ Step %d/%d · %s", i, n, title))
	p.draw(p.warn, "  "+p.Catalog().F("skipped: %s", why))
}

// Summary prints what a lesson taught.
func (p *Printer) Summary(number int, points []string) {
	p.draw(p.heading, p.Catalog().F("\n✔ Lesson %d done. What you learned:", number))
	for _, s := range points {
		p.draw(p.narration, "  • "+s)
	}
}

// Plain prints a line as it is.
func (p *Printer) Plain(format string, args ...any) {
	p.draw(p.narration, p.format(format, args...))
}

// Aside prints a remark of the runner's own (a step run quietly, a file
// written): indented like commentary, dim, and not lesson output.
func (p *Printer) Aside(format string, args ...any) {
	p.draw(p.dim, "  "+p.format(format, args...))
}

// QuizTitle opens a lesson's check of understanding.
func (p *Printer) QuizTitle(number, questions int) {
	what := fmt.Sprintf(p.Catalog().N("%d question", "%d questions", questions), questions)
	p.draw(p.heading, p.Catalog().F("\n? Check your understanding: lesson %d, %s", number, what))
}

// Question prints question i of n. With answer >= 0 (nobody answers: a
// projector), the choices follow with the right one marked, and why.
func (p *Printer) Question(i, n int, ask string, choices []string, answer int, why string) {
	p.draw(p.title, fmt.Sprintf("\n%d/%d · %s", i, n, ask))
	if answer < 0 {
		return
	}
	for k, c := range choices {
		mark, col := "   ", p.narration
		if k == answer {
			mark, col = " ✔ ", p.event
		}
		p.draw(col, fmt.Sprintf("%s%c) %s", mark, 'a'+k, c))
	}
	p.draw(p.dim, "   "+p.Catalog().F("Why: %s", why))
}

// Verdict prints whether an answer was right; a wrong one gets the right
// answer. Why follows either way.
func (p *Printer) Verdict(right bool, answer, why string) {
	if right {
		p.draw(p.event, "  ✔ "+p.Catalog().F("Right. %s", why))
		return
	}
	p.draw(p.warn, p.Catalog().F("  ✖ Not quite: the answer is \"%s\".", answer))
	p.draw(p.narration, "  "+why)
}

// Score prints a quiz's result.
func (p *Printer) Score(number, right, total int) {
	p.draw(p.heading, p.Catalog().F("\n✔ Lesson %d quiz: %d of %d right.", number, right, total))
}

// Title prints a heading of the runner's own: an exercise, a list.
func (p *Printer) Title(format string, args ...any) {
	p.draw(p.heading, "\n━━━ "+p.format(format, args...)+" ━━━")
}

// Fact prints one line of an exercise's check: ✔ in green when it holds,
// ✘ in red when it does not.
func (p *Printer) Fact(ok bool, format string, args ...any) {
	if ok {
		p.draw(p.event, "  ✔ "+p.format(format, args...))
		return
	}
	p.draw(p.warn, "  ✘ "+p.format(format, args...))
}
