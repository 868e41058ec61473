package class

import (
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// Table is the class as rows: one per learner, a column per lesson anyone
// has started and per exercise anyone has tried, then when each learner
// was last seen and why they seem stuck. The view draws it; the CSV
// writes it.
type Table struct {
	Lessons   []int    // the lesson columns
	Exercises []string // the exercise columns
	Rows      []Row
}

// Row is one learner.
type Row struct {
	Learner   string
	Lessons   []Cell // one per Table.Lessons
	Exercises []Cell // one per Table.Exercises
	Last      time.Time
	Seen      time.Duration // since the last event
	Stuck     string        // why they seem stuck, or ""

	stuckFormat string // Stuck's format and values, for a screen in another language
	stuckArgs   []any
}

// Cell is one lesson or exercise of one learner: short for the screen,
// in words for the CSV.
type Cell struct {
	Short, Words string
	Good, Bad    bool // done or passed; failed
}

// MakeTable lays the class out at now.
func MakeTable(c *Class, now time.Time) Table {
	lessons, exercises := map[int]bool{}, map[string]bool{}
	for _, s := range c.Learners {
		for n := range s.Lessons {
			lessons[n] = true
		}
		for id := range s.Exercises {
			exercises[id] = true
		}
	}
	t := Table{Lessons: slices.Sorted(maps.Keys(lessons)), Exercises: slices.SortedFunc(maps.Keys(exercises), exerciseOrder)}
	for _, name := range c.Names() {
		s := c.Learners[name]
		r := Row{Learner: name, Last: s.Last.Time, Seen: now.Sub(s.Last.Time), Stuck: s.Stuck(now)}
		r.stuckFormat, r.stuckArgs = s.stuck(now)
		for _, n := range t.Lessons {
			r.Lessons = append(r.Lessons, lessonCell(s.Lessons[n]))
		}
		for _, id := range t.Exercises {
			r.Exercises = append(r.Exercises, exerciseCell(s.Exercises[id]))
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// exerciseOrder puts numbered exercises in their order (2 before 10), the
// others (p1) after them.
func exerciseOrder(a, b string) int {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	switch {
	case ea == nil && eb == nil:
		return na - nb
	case ea == nil:
		return -1
	case eb == nil:
		return 1
	}
	return strings.Compare(a, b)
}

func lessonCell(l *Lesson) Cell {
	switch {
	case l == nil:
		return Cell{Short: "·", Words: "not started"}
	case l.Done && l.Total > 0:
		q := fmt.Sprintf("%d/%d", l.Right, l.Total)
		return Cell{Short: "✓" + q, Words: "done, quiz " + q, Good: true}
	case l.Done:
		return Cell{Short: "✓", Words: "done", Good: true}
	}
	return Cell{Short: fmt.Sprintf("s%d", l.Step), Words: fmt.Sprintf("at step %d", l.Step)}
}

func exerciseCell(x *Exercise) Cell {
	switch {
	case x == nil:
		return Cell{Short: "·", Words: "not tried"}
	case x.Passed:
		return Cell{Short: fmt.Sprintf("✔%d", x.Tries), Words: fmt.Sprintf("passed (%s)", tries(x.Tries)), Good: true}
	}
	return Cell{Short: fmt.Sprintf("✘%d", x.Tries), Words: fmt.Sprintf("failed (%s)", tries(x.Tries)), Bad: true}
}

func tries(n int) string {
	if n == 1 {
		return "1 try"
	}
	return fmt.Sprintf("%d tries", n)
}

// Screen is where the table is drawn.
type Screen struct {
	Width int  // columns: each line is cut to Width-1 so a terminal never wraps
	Color bool // green done, yellow failed, red stuck
	// Tr is the language of the headings and reasons (nil: English); the
	// CSV stays English, for the scripts that read it.
	Tr *i18n.Catalog
}

// ANSI colours.
const (
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	red    = "\x1b[1;31m"
	reset  = "\x1b[0m"
)

// Render draws the table as text: a header line, then a line per learner.
func (t Table) Render(sc Screen) string {
	if sc.Width <= 0 {
		sc.Width = 200
	}
	head := []string{sc.Tr.T("learner")}
	for _, n := range t.Lessons {
		head = append(head, fmt.Sprintf("L%d", n))
	}
	for _, id := range t.Exercises {
		head = append(head, "ex"+id)
	}
	head = append(head, sc.Tr.T("seen"), sc.Tr.T("stuck"))
	cells := [][]Cell{}
	for _, r := range t.Rows {
		line := []Cell{{Short: r.Learner}}
		line = append(line, r.Lessons...)
		line = append(line, r.Exercises...)
		stuck := r.Stuck
		if sc.Tr != nil && r.stuckFormat != "" {
			stuck = sc.Tr.F(r.stuckFormat, r.stuckArgs...)
		}
		line = append(line, Cell{Short: Ago(r.Seen)}, Cell{Short: stuck, Bad: r.Stuck != ""})
		cells = append(cells, line)
	}
	width := make([]int, len(head))
	for i, h := range head {
		width[i] = utf8.RuneCountInString(h)
	}
	for _, line := range cells {
		for i, c := range line {
			width[i] = max(width[i], utf8.RuneCountInString(c.Short))
		}
	}
	var b strings.Builder
	b.WriteString(cut(pad(head, width), sc.Width-1))
	for i, line := range cells {
		b.WriteByte('\n')
		text := make([]string, len(line))
		for j, c := range line {
			text[j] = c.Short
		}
		plain := cut(pad(text, width), sc.Width-1)
		if !sc.Color {
			b.WriteString(plain)
			continue
		}
		b.WriteString(colorLine(plain, line, width, t.Rows[i].Stuck != ""))
	}
	return b.String()
}

// pad lines the cells up in columns two spaces apart.
func pad(cells []string, width []int) string {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(c)
		if i < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// cut shortens a line to n columns, ending in … when it was longer.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n || n < 1 {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// colorLine colours a line's cells: the learner's name and the reason red
// when stuck, done and passed green, failed yellow. A line cut to fit stays
// plain, so no colour is cut open.
func colorLine(plain string, line []Cell, width []int, stuck bool) string {
	text := make([]string, len(line))
	for i, c := range line {
		text[i] = c.Short
	}
	if plain != pad(text, width) {
		return plain
	}
	var b strings.Builder
	for i, c := range line {
		if i > 0 {
			b.WriteString("  ")
		}
		code := ""
		switch {
		case (i == 0 || i == len(line)-1) && stuck:
			code = red
		case c.Bad:
			code = yellow
		case c.Good:
			code = green
		}
		if code != "" && c.Short != "" {
			b.WriteString(code + c.Short + reset)
		} else {
			b.WriteString(c.Short)
		}
		if i < len(line)-1 {
			b.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c.Short)))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// WriteCSV writes the table for grading: a header, then a row per learner,
// cells in words, the last event's time in UTC (RFC 3339).
func (t Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"learner"}
	for _, n := range t.Lessons {
		head = append(head, fmt.Sprintf("lesson %d", n))
	}
	for _, id := range t.Exercises {
		head = append(head, "exercise "+id)
	}
	cw.Write(append(head, "last event (UTC)", "stuck"))
	for _, r := range t.Rows {
		row := []string{r.Learner}
		for _, c := range r.Lessons {
			row = append(row, c.Words)
		}
		for _, c := range r.Exercises {
			row = append(row, c.Words)
		}
		cw.Write(append(row, r.Last.UTC().Format(time.RFC3339), r.Stuck))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write the CSV: %w", err)
	}
	return nil
}
