package watch

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// Screen is where a picture is drawn.
type Screen struct {
	Width  int  // columns; lines are cut to fit
	Height int  // lines; 0: as many as it takes (a pipe)
	Color  bool // colour where it means something: red broken, yellow moving, green fine
	Live   bool // redrawn as the cluster changes: the header says how to quit
	// Tr is the language of the labels (nil: English): each piece of a
	// line is found in it by its English text or format.
	Tr *i18n.Catalog
}

// Render draws the snapshot, and the recent changes (newest first), to fit
// the screen: when the full picture is too tall it leaves out details (the
// members' lines, then each group's partitions, then each partition's
// line), and then cuts the longest list with a "… N more" line. It never
// returns more than Height lines, nor a line wider than Width-1 columns, so
// a terminal never scrolls or wraps.
func Render(s *Snapshot, changes []Change, sc Screen) string {
	if sc.Width <= 0 {
		sc.Width = 100
	}
	var p picture
	for level := 0; level <= maxLevel; level++ {
		p = draw(s, changes, sc, level)
		if sc.Height <= 0 || p.height() <= sc.Height {
			break
		}
	}
	if sc.Height > 0 {
		p.cut(sc.Height)
	}
	var b strings.Builder
	for i, l := range p.all() {
		if i > 0 {
			b.WriteByte('\n')
		}
		if sc.Tr != nil {
			l = slices.Clone(l)
			for k, sp := range l {
				if sp.format != "" {
					l[k].text = fmt.Sprintf(sc.Tr.T(sp.format), sp.args...)
				}
			}
		}
		b.WriteString(l.String(sc.Width-1, sc.Color))
	}
	return b.String()
}

// The levels of detail, from all of it to one line per topic and group.
const (
	full         = iota
	noMembers    // no line per member: each partition's row names its holder
	groupsInline // a group's partitions on its own line
	topicsInline // a topic's partitions on its own line, brokers on one line
	maxLevel     = topicsInline
)

// style is what a piece of text means.
type style int

const (
	plain  style = iota
	bold         // headings
	dim          // shown as last seen, or secondary
	red          // broken: a broker gone, a replica out of sync, no leader
	yellow       // moving: a rebalance
	green        // fine: up, stable
)

var sgr = map[style]string{bold: "\x1b[1m", dim: "\x1b[2m", red: "\x1b[31m", yellow: "\x1b[33m", green: "\x1b[32m"}

type span struct {
	text string
	st   style
	// format and args made text: Render formats them again in the
	// screen's language.
	format string
	args   []any
}

// line is a line of styled spans.
type line []span

func (l *line) add(st style, format string, args ...any) {
	*l = append(*l, span{text: fmt.Sprintf(format, args...), st: st, format: format, args: args})
}

// String cuts the line at width columns (one rune, one column) and adds
// colour when asked.
func (l line) String(width int, color bool) string {
	var b strings.Builder
	left := width
	for _, sp := range l {
		text := sp.text
		if n := utf8.RuneCountInString(text); n > left {
			r := []rune(text)
			text = string(r[:max(0, left-1)]) + "…"
			if left <= 0 {
				text = ""
			}
		}
		left -= utf8.RuneCountInString(text)
		if text == "" {
			continue
		}
		if c := sgr[sp.st]; color && c != "" {
			b.WriteString(c + text + "\x1b[0m")
		} else {
			b.WriteString(text)
		}
		if left <= 0 {
			break
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// picture is the sections of a drawing, top to bottom.
type picture struct {
	head, brokers, topics, groups, recent []line
}

func (p picture) all() []line {
	return slices.Concat(p.head, p.brokers, p.topics, p.groups, p.recent)
}

func (p picture) height() int { return len(p.all()) }

// cut makes the picture fit in height lines: it shortens the longer of the
// topics and the groups, keeping their heading and saying what it left out.
func (p *picture) cut(height int) {
	for p.height() > height {
		over := p.height() - height
		longest := &p.topics
		if len(p.groups) > len(p.topics) {
			longest = &p.groups
		}
		sec := *longest
		if len(sec) <= 2 { // nothing left to cut there: cut from the bottom
			all := p.all()[:height]
			*p = picture{head: all}
			return
		}
		keep := max(1, len(sec)-over-1)
		hidden := len(sec) - keep
		var more line
		more.add(dim, "  … %d more lines: a taller terminal shows them", hidden)
		*longest = append(slices.Clone(sec[:keep]), more)
	}
}

func draw(s *Snapshot, changes []Change, sc Screen, level int) picture {
	var p picture
	p.head = header(s, sc)
	p.brokers = brokerLines(s, level)
	p.topics = topicLines(s, sc, level)
	p.groups = groupLines(s, level)
	if sc.Live || len(changes) > 0 {
		p.recent = recentLines(s, changes, level)
	}
	return p
}

func header(s *Snapshot, sc Screen) []line {
	var l line
	l.add(bold, "Kafka")
	l.add(plain, " · %s", s.At.Format("15:04:05"))
	if sc.Live {
		l.add(dim, " · q quits")
	}
	if s.ClusterID != "" {
		l.add(plain, " · cluster %s", s.ClusterID)
	}
	if s.Embedded {
		l.add(yellow, " (the embedded EMULATION, kfake)")
	}
	l.add(plain, " · bootstrap %s", strings.Join(s.Bootstrap, ","))
	out := []line{l}
	if !s.Reachable {
		var e line
		e.add(red, "✖ no broker answers: %s", s.Err)
		if last := lastUp(s); !last.IsZero() {
			e.add(dim, " · below: as it was at %s", last.Format("15:04:05"))
		}
		out = append(out, e)
	}
	for i, pr := range s.Problems {
		if i == 2 {
			var m line
			m.add(red, "⚠ and %d more failed calls", len(s.Problems)-2)
			out = append(out, m)
			break
		}
		var m line
		m.add(red, "⚠ %s", pr)
		out = append(out, m)
	}
	return out
}

func lastUp(s *Snapshot) time.Time {
	var t time.Time
	for _, b := range s.Brokers {
		if b.LastUp.After(t) {
			t = b.LastUp
		}
	}
	return t
}

func brokerLines(s *Snapshot, level int) []line {
	var h line
	h.add(bold, "BROKERS")
	if level >= topicsInline {
		for _, b := range s.Brokers {
			h.add(plain, "  ")
			st, state, args := brokerState(s, b)
			h.add(st, "%d ", b.ID)
			h.add(st, state, args...)
			if b.ID == s.Controller {
				h.add(plain, " (controller)")
			}
		}
		return []line{h}
	}
	out := []line{h}
	if len(s.Brokers) == 0 {
		var l line
		l.add(red, "  none answered yet")
		out = append(out, l)
	}
	width := 0
	for _, b := range s.Brokers {
		width = max(width, len(b.Addr))
	}
	for _, b := range s.Brokers {
		st, state, args := brokerState(s, b)
		var l line
		mark := "●"
		if !b.Up {
			mark = "✖"
		}
		l.add(st, "  %s", mark)
		l.add(plain, " %d  %-*s  ", b.ID, width, b.Addr)
		l.add(st, state, args...)
		if b.ID == s.Controller {
			l.add(plain, "  controller (for clients)")
		}
		if b.Rack != "" && level == full {
			l.add(dim, "  rack %s", b.Rack)
		}
		out = append(out, l)
	}
	return out
}

// brokerState is how a broker is, as a format and its values: the screen
// draws it in its language.
func brokerState(s *Snapshot, b Broker) (style, string, []any) {
	switch {
	case b.Up:
		return green, i18n.Mark("up"), nil
	case b.LastUp.IsZero():
		return red, i18n.Mark("not answering"), nil
	case !b.InMetadata && s.Reachable:
		return red, i18n.Mark("gone %s, not in metadata"), []any{age(s.At.Sub(b.LastUp))}
	}
	return red, i18n.Mark("gone %s"), []any{age(s.At.Sub(b.LastUp))}
}

// age is a duration as a person reads it on a projector: 12s, 3m, 2h.
func age(d time.Duration) string {
	switch {
	case d < time.Second:
		return "<1s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func topicLines(s *Snapshot, sc Screen, level int) []line {
	var h line
	h.add(bold, "TOPICS")
	switch {
	case s.AllTopics:
		h.add(dim, "  every topic but the internal ones")
	case s.Prefix != "":
		h.add(dim, "  named %s…", s.Prefix)
	}
	if level < topicsInline {
		h.add(dim, "  · bar: ░ deleted, █ records, from the first offset → to the high watermark")
	}
	out := []line{h}
	if len(s.Topics) == 0 {
		var l line
		l.add(dim, "  none yet: a lesson creates them")
		return append(out, l)
	}
	up := map[int32]bool{}
	for _, b := range s.Brokers {
		up[b.ID] = b.Up
	}
	for _, t := range s.Topics {
		var l line
		l.add(bold, "  %s", t.Name)
		l.add(plain, "  %d partitions · %d %s", len(t.Partitions), t.Records(), records(t.Records()))
		if t.Err != "" {
			l.add(red, "  ✖ %s", t.Err)
		}
		if level >= topicsInline {
			for _, p := range t.Partitions {
				l.add(plain, "  [%d] %s", p.ID, offsets(p))
				if trouble := partitionTrouble(p, up); trouble != "" {
					l.add(red, " %s", trouble)
				}
			}
			out = append(out, l)
			continue
		}
		out = append(out, l)
		out = append(out, partitionLines(t, sc, up)...)
	}
	return out
}

// partitionTrouble says in a few words what is wrong with a partition.
func partitionTrouble(p Partition, up map[int32]bool) string {
	var t []string
	switch {
	case p.Leader < 0:
		t = append(t, "no leader")
	case !up[p.Leader]:
		t = append(t, fmt.Sprintf("leader %d down", p.Leader))
	}
	if p.ShrunkISR() {
		t = append(t, "ISR "+nodes(p.ISR)+" of "+nodes(p.Replicas))
	}
	if p.Err != "" {
		t = append(t, p.Err)
	}
	if len(t) == 0 {
		return ""
	}
	return "✖ " + strings.Join(t, ", ")
}

func offsets(p Partition) string {
	if p.End < 0 {
		return "?"
	}
	s := fmt.Sprintf("%d→%d", p.First, p.End)
	if p.Stale {
		s += "?"
	}
	return s
}

func partitionLines(t Topic, sc Screen, up map[int32]bool) []line {
	var top int64
	wFirst, wEnd := 1, 1
	for _, p := range t.Partitions {
		top = max(top, p.End)
		wFirst = max(wFirst, len(fmt.Sprint(p.First)))
		wEnd = max(wEnd, len(fmt.Sprint(p.End)))
	}
	barWidth := min(40, max(8, sc.Width-70))
	var out []line
	for _, p := range t.Partitions {
		var l line
		l.add(plain, "    [%d] ", p.ID)
		numbers := plain
		if p.Stale || p.End < 0 {
			numbers = dim
		}
		l.add(numbers, "%s", bar(p, top, barWidth))
		if p.End < 0 {
			l.add(dim, "  %*s   %*s", wFirst, "?", wEnd, "?")
		} else {
			l.add(numbers, "  %*d → %-*d", wFirst, p.First, wEnd, p.End)
			if p.Stale {
				l.add(dim, " (as last seen)")
			}
		}
		switch {
		case p.Leader < 0:
			l.add(red, "  leader none")
		case !up[p.Leader]:
			l.add(red, "  leader %d (down)", p.Leader)
		default:
			l.add(plain, "  leader %d", p.Leader)
		}
		l.add(plain, "  replicas %s", nodes(p.Replicas))
		if p.ShrunkISR() {
			l.add(red, "  ✖ ISR %s: %s out of sync", nodes(p.ISR), nodes(p.Missing()))
		} else {
			l.add(plain, "  ISR %s", nodes(p.ISR))
		}
		if len(p.Offline) > 0 {
			l.add(red, "  offline %s", nodes(p.Offline))
		}
		if p.Err != "" {
			l.add(red, "  ✖ %s", p.Err)
		}
		out = append(out, l)
	}
	return out
}

// bar draws a partition from offset 0 to top (the topic's highest high
// watermark) in width cells: ░ for the records deleted (before the first
// offset), █ for the records kept, · for the room up to top.
func bar(p Partition, top int64, width int) string {
	if p.End < 0 {
		return strings.Repeat("?", width)
	}
	if top <= 0 {
		return strings.Repeat("·", width)
	}
	gone := int(p.First * int64(width) / top)
	kept := int((p.End*int64(width) + top - 1) / top) // rounded up: one record shows
	if p.End > p.First && kept == gone {
		kept = min(width, gone+1)
		gone = kept - 1
	}
	return strings.Repeat("░", gone) + strings.Repeat("█", kept-gone) + strings.Repeat("·", width-kept)
}

func groupLines(s *Snapshot, level int) []line {
	var h line
	h.add(bold, "CONSUMER GROUPS")
	out := []line{h}
	if len(s.Groups) == 0 {
		var l line
		l.add(dim, "  none yet: a group appears when a consumer joins one or commits")
		return append(out, l)
	}
	for _, g := range s.Groups {
		var l line
		l.add(bold, "  %s", g.ID)
		st := plain
		switch g.State {
		case "Stable":
			st = green
		case "PreparingRebalance", "CompletingRebalance":
			st = yellow
		}
		if g.Stale {
			st = dim
		}
		l.add(st, "  %s", g.State)
		l.add(plain, " · %s", members(len(g.Members)))
		if g.Coordinator >= 0 {
			l.add(plain, " · coordinator %d", g.Coordinator)
		}
		l.add(bold, " · lag %s", groupLag(g))
		if n := uncommitted(g); n > 0 && n < len(g.Offsets) {
			l.add(plain, " (and %d %s with nothing committed)", n, plural(n, "partition", "partitions"))
		}
		if g.Stale {
			l.add(dim, " (as last seen)")
		}
		if g.Err != "" {
			l.add(red, "  ✖ %s", g.Err)
		}
		if level >= groupsInline {
			out = append(out, l)
			if level == groupsInline && len(g.Offsets) > 0 {
				var ll line
				ll.add(plain, "    lag by partition:")
				topic := ""
				for _, o := range g.Offsets {
					if o.Topic != topic {
						ll.add(plain, "  %s", o.Topic)
						topic = o.Topic
					}
					ll.add(plain, " [%d] %s", o.Partition, num(o.Lag))
				}
				out = append(out, ll)
			}
			continue
		}
		out = append(out, l)
		if level == full {
			for _, m := range g.Members {
				var ml line
				ml.add(plain, "    member %s", m.Name())
				if m.Host != "" {
					ml.add(dim, " (%s)", m.Host)
				}
				ml.add(plain, " holds")
				if len(m.Assigned) == 0 {
					ml.add(plain, " nothing")
				}
				for _, a := range m.Assigned {
					ml.add(plain, " %s %v", a.Topic, a.Partitions)
				}
				out = append(out, ml)
			}
		}
		wt, wc, we := 1, 1, 1
		for _, o := range g.Offsets {
			wt = max(wt, utf8.RuneCountInString(fmt.Sprintf("%s [%d]", o.Topic, o.Partition)))
			wc = max(wc, len(num(o.Committed)))
			we = max(we, len(num(o.End)))
		}
		for _, o := range g.Offsets {
			var ol line
			ol.add(plain, "    %-*s  committed %*s  end %*s  ", wt, fmt.Sprintf("%s [%d]", o.Topic, o.Partition), wc, num(o.Committed), we, num(o.End))
			ol.add(plain, "lag %s", lagText(o))
			if o.Holder != "" {
				ol.add(dim, "  held by %s", o.Holder)
			}
			out = append(out, ol)
		}
	}
	return out
}

// uncommitted is how many of the group's partitions have no committed
// offset: their lag is unknown (where the group starts reading depends on
// its consumers' auto.offset.reset).
func uncommitted(g Group) int {
	n := 0
	for _, o := range g.Offsets {
		if o.Committed < 0 {
			n++
		}
	}
	return n
}

// groupLag is the group's total lag, or "–" when it has committed nothing:
// with no committed offset there is no lag to add up, and 0 would say the
// group has read everything.
func groupLag(g Group) string {
	if uncommitted(g) == len(g.Offsets) {
		return "– (nothing committed)"
	}
	return fmt.Sprint(g.Lag())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func lagText(o GroupOffset) string {
	switch {
	case o.Lag >= 0:
		return fmt.Sprint(o.Lag)
	case o.Committed < 0:
		return "– (nothing committed)"
	}
	return "?"
}

func num(n int64) string {
	if n < 0 {
		return "–"
	}
	return fmt.Sprint(n)
}

func recentLines(s *Snapshot, changes []Change, level int) []line {
	keep := []int{full: 6, noMembers: 3, groupsInline: 1, topicsInline: 1}[level]
	var h line
	h.add(bold, "RECENT CHANGES")
	if len(changes) == 0 {
		h.add(dim, "  none yet")
		return []line{h}
	}
	out := []line{h}
	if keep == 1 { // on one line, newest first
		l := line{span{text: "  ", st: plain}}
		for i, c := range changes {
			if i > 0 {
				l.add(dim, " · ")
			}
			l = append(l, changeSpans(s, c)...)
		}
		return append(out, l)
	}
	for i, c := range changes {
		if i == keep {
			break
		}
		out = append(out, append(line{span{text: "  ", st: plain}}, changeSpans(s, c)...))
	}
	return out
}

func changeSpans(s *Snapshot, c Change) line {
	var l line
	l.add(dim, "%s ago ", age(s.At.Sub(c.At)))
	st := plain
	if c.Bad {
		st = red
	}
	if c.format != "" {
		return append(l, span{text: c.Text, st: st, format: c.format, args: c.args})
	}
	l.add(st, "%s", c.Text)
	return l
}
