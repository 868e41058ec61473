package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/core"
	"github.com/AlecAivazis/survey/v2/terminal"
	"golang.org/x/term"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// unattended answers "go on" to everything: no terminal, or --yes. Steps a
// step needs are run first. With --pace it waits between steps.
type unattended struct {
	out  *output.Printer
	wait time.Duration // --pace
	in   *os.File      // where a key press cuts the wait short, if a terminal
}

func (unattended) Interactive() bool                                  { return false }
func (unattended) pick(context.Context, []menuEntry) ([]place, error) { return nil, nil }
func (u unattended) show(_ context.Context, cell output.CellView) error {
	u.out.Show(cell.Lines())
	return nil
}
func (u unattended) after(ctx context.Context, _, _ bool, _ stepRef, _ []choice) (action, error) {
	return actNext, u.pace(ctx)
}
func (unattended) needs(context.Context, stepRef, []stepRef) (action, error) {
	return actRunNeeded, nil
}
func (unattended) answer(context.Context, lessons.Question) (int, error) {
	return 0, errors.New("no one to answer")
}
func (unattended) review(context.Context, stepRef, bool) (action, error) { return actNext, nil }
func (unattended) selectOne(context.Context, string, []string, string) (int, error) {
	return 0, errors.New("no one to answer")
}
func (u unattended) pause(ctx context.Context) error { return u.pace(ctx) }
func (unattended) hush() func()                      { return func() {} }

// surveyPrompter asks with survey's menus on the terminal.
type surveyPrompter struct {
	in   *os.File
	w    terminal.FileWriter
	errw io.Writer
	out  *output.Printer
}

func newSurveyPrompter(ctx context.Context, io stdio, out *output.Printer, colored bool) surveyPrompter {
	// survey colours its prompts on its own; follow our rule (NO_COLOR,
	// TERM=dumb). It is survey's one switch, set once before any prompt.
	core.DisableColor = !colored
	if pager := morePager(ctx, io.in, io.out, colored, out.Catalog()); pager != nil {
		out.Pager(pager) // output taller than the screen waits for a key
	}
	w, _ := io.out.(terminal.FileWriter)
	if w != nil {
		w = eraseBelow{w} // a resize leaves no fragment under a prompt
	}
	return surveyPrompter{in: io.in, w: w, errw: io.err, out: out}
}

func (s surveyPrompter) Interactive() bool { return true }

// ask runs one survey prompt. Output from other goroutines is held back
// while it is on screen. A signal (kill -INT, -TERM) cancels ctx but cannot
// wake survey's blocking read: then the terminal is restored and ask returns
// at once.
func (s surveyPrompter) ask(ctx context.Context, p survey.Prompt, answer any) error {
	s.out.Hold()
	defer s.out.Release()
	fd := int(s.in.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return fmt.Errorf("prompt: %w", err)
	}
	done := make(chan error, 1)
	keys := &menuKeys{f: s.in}
	keys.sel, _ = p.(*survey.Select)
	go func() {
		done <- survey.AskOne(p, answer, survey.WithStdio(keys, s.w, s.errw), readableSurvey(s.out.Catalog()))
	}()
	select {
	case err := <-done:
		if errors.Is(err, terminal.InterruptErr) {
			return errInterrupted
		}
		if err != nil {
			return fmt.Errorf("prompt: %w", err)
		}
		return nil
	case <-ctx.Done():
		term.Restore(fd, state)
		s.out.Release()
		s.out.Plain("")
		return errInterrupted
	}
}

// menuKeys is the keyboard as survey reads it, with Home and End made to
// work in a Select (survey ignores them: End did nothing, and the Enter
// that followed chose the default, another lesson). Home becomes as many
// up-arrows (Ctrl-P, survey's KeyArrowUp) as the choice is below the first;
// End one more, which wraps to the last. survey reads the keys in the
// goroutine that moves the selection, so reading it here is safe.
type menuKeys struct {
	f       *os.File
	sel     *survey.Select // nil: not a Select, keys pass as they are
	pending []byte
}

func (k *menuKeys) Fd() uintptr { return k.f.Fd() }

func (k *menuKeys) Read(p []byte) (int, error) {
	if len(k.pending) == 0 {
		n, err := k.f.Read(p)
		if n == 0 || k.sel == nil {
			return n, err
		}
		k.pending = k.translate(append([]byte(nil), p[:n]...))
		if err != nil && len(k.pending) == 0 {
			return 0, err
		}
	}
	n := copy(p, k.pending)
	k.pending = k.pending[n:]
	return n, nil
}

// translate turns one key press of Home or End into up-arrows.
func (k *menuKeys) translate(key []byte) []byte {
	var end bool
	switch string(key) {
	case "\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~": // Home, as terminals send it
	case "\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~": // End
		end = true
	default:
		return key
	}
	f := reflect.ValueOf(k.sel).Elem().FieldByName("selectedIndex")
	if !f.IsValid() || f.Kind() != reflect.Int { // survey changed: leave the key to it
		return key
	}
	ups := int(f.Int())
	if end {
		ups++
	}
	return bytes.Repeat([]byte{terminal.KeyArrowUp}, ups)
}

// choice is one answer of a question and what it means.
type choice struct {
	label string
	act   action
}

// choose asks msg with the given choices and returns the action chosen.
func (s surveyPrompter) choose(ctx context.Context, msg string, choices []choice, def string) (action, error) {
	labels := make([]string, len(choices))
	for i, c := range choices {
		labels[i] = c.label
	}
	idx, err := s.selectOne(ctx, msg, labels, def)
	if err != nil {
		return actQuit, err
	}
	return choices[idx].act, nil
}

// selectOne asks msg with the given labels (def first selected; "": the
// first) and returns the index of the one chosen.
func (s surveyPrompter) selectOne(ctx context.Context, msg string, labels []string, def string) (int, error) {
	if def == "" {
		def = labels[0]
	}
	cols, rows := s.out.Size()
	options := make([]string, len(labels))
	for i, l := range labels {
		options[i] = clip(l, cols-4)
		if l == def {
			def = options[i]
		}
	}
	pageSize := len(options)
	if rows > 0 {
		pageSize = max(5, min(pageSize, rows-3))
	}
	s.out.Room(pageSize + 1)
	var idx int
	if err := s.ask(ctx, &survey.Select{Message: msg, Options: options, Default: def, PageSize: pageSize}, &idx); err != nil {
		return 0, err
	}
	s.out.Answered(msg, options[idx])
	return idx, nil
}

func (s surveyPrompter) pick(ctx context.Context, menu []menuEntry) ([]place, error) {
	tr := s.out.Catalog()
	playAll, quitMenu := tr.T("▶ Play every lesson"), tr.T("✖ Quit")
	cols, rows := s.out.Size()
	options := make([]string, 0, len(menu)+2)
	for _, e := range menu {
		options = append(options, clip(e.Label, cols-4))
	}
	options = append(options, playAll, quitMenu)
	pageSize := len(options)
	if rows > 0 {
		pageSize = max(5, min(pageSize, rows-3))
	}
	s.out.Room(pageSize + 1)
	msg := tr.T("Which lesson? (arrows or type its number, Enter to start)")
	if cols > 0 && cols < 100 { // with survey's own hint, one line of 80
		msg = tr.T("Which lesson? (arrows or its number)")
	}
	var idx int
	err := s.ask(ctx, &survey.Select{
		Message:  msg,
		Options:  options,
		Default:  options[nextUp(menu)],
		PageSize: pageSize,
		Filter: func(typed, option string, i int) bool {
			// "1": lesson 1 alone, not 10–15 nor "quiz 2/3": survey keeps the
			// highlighted row's index as the list shrinks, so a list of
			// several would start whichever lesson fell under it.
			if i < len(menu) && isNumber(typed) {
				return menu[i].Step == 0 && menu[i].Exercise == "" && fmt.Sprint(menu[i].Lesson) == typed
			}
			return strings.Contains(strings.ToLower(option), strings.ToLower(typed))
		},
	}, &idx)
	if err != nil {
		return nil, err
	}
	s.out.Answered(msg, options[idx])
	switch {
	case idx < len(menu):
		return []place{menu[idx].place}, nil
	case options[idx] == playAll:
		var all []place
		for _, e := range menu {
			if e.Step == 0 && e.Exercise == "" {
				all = append(all, e.place)
			}
		}
		return all, nil
	}
	return nil, nil
}

// nextUp is the menu entry to start on: where the learner stopped, else the
// first lesson not done yet, else the first.
func nextUp(menu []menuEntry) int {
	for i, e := range menu {
		if e.Step > 0 || !e.done {
			return i
		}
	}
	return 0
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens a label to width columns (0 or less: as it is), so that a
// menu line never wraps.
func clip(label string, width int) string {
	if width <= 0 || output.Width(label) <= width {
		return label
	}
	r := []rune(label)
	for len(r) > 0 && output.Width(string(r))+1 > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func (s surveyPrompter) after(ctx context.Context, failed, last bool, prev stepRef, edits []choice) (action, error) {
	tr := s.out.Catalog()
	choices := []choice{{tr.T("Continue"), actNext}, {tr.T("Run this step again"), actAgain}}
	if !last {
		choices = append(choices, choice{tr.T("Skip the next step"), actSkip})
	}
	if prev.Number > 0 {
		choices = append(choices, choice{tr.F("Previous step: %d · %s", prev.Number, prev.Title), actPrev})
	}
	choices = append(choices, edits...)
	choices = append(choices, choice{tr.T("Back to the menu"), actMenu}, choice{tr.T("Quit"), actQuit})
	if failed {
		return s.choose(ctx, tr.T("The step failed. What now?"), choices, tr.T("Back to the menu"))
	}
	return s.choose(ctx, tr.T("Next?"), choices, "")
}

func (s surveyPrompter) needs(ctx context.Context, step stepRef, missing []stepRef) (action, error) {
	tr := s.out.Catalog()
	var names, numbers []string
	for _, m := range missing {
		names = append(names, tr.F("step %d (%s)", m.Number, m.Title))
		numbers = append(numbers, fmt.Sprint(m.Number))
	}
	s.out.Warn("Step %d uses what %s makes, and that is not there: it has not run, or a later step used it up.", step.Number, strings.Join(names, tr.T(" and ")))
	first := tr.F("Run step %s first, then step %d", numbers[0], step.Number)
	if len(missing) > 1 {
		first = tr.F("Run steps %s first, then step %d", strings.Join(numbers, ", "), step.Number)
	}
	return s.choose(ctx, tr.T("What now?"), []choice{
		{first, actRunNeeded},
		{tr.F("Skip step %d too", step.Number), actSkip},
		{tr.T("Back to the menu"), actMenu},
		{tr.T("Quit"), actQuit},
	}, "")
}

// promptRoom is how many lines the prompt after a step takes (its question
// and up to ten choices: the deeper steps' skip, the edit's two and the
// look-up included, Restore only after an edit): a cell taller than the
// screen less this is shown a part at a time, so that nothing scrolls away
// unread.
const promptRoom = 11

// show draws a step's cell. When it does not fit on the screen with the
// prompt that follows it, the narration and code come first, a screenful
// at a time, and the step runs after Enter.
func (s surveyPrompter) show(ctx context.Context, cell output.CellView) error {
	_, rows := s.out.Size()
	lines := cell.Lines()
	if rows <= 0 || len(lines)+promptRoom <= rows {
		s.out.Show(lines)
		return nil
	}
	pages := paginate(cell, rows-1)
	for i, page := range pages {
		s.out.Show(page)
		msg := s.out.Catalog().T("Press Enter to run it · q: quit")
		if i < len(pages)-1 {
			msg = s.out.Catalog().T("Press Enter to read on · q: quit")
		}
		if err := s.enter(ctx, msg); err != nil {
			return err
		}
	}
	return nil
}

// enter shows msg on one line and waits for Enter. q quits, as in a pager,
// with the progress saved: the lesson resumes at this step (errLeave). Any
// other key does nothing, so that no stray key runs a step unread. It reads
// the keyboard itself, as the pager does: survey's Input would ask the
// terminal where its cursor is, and not every terminal answers.
func (s surveyPrompter) enter(ctx context.Context, msg string) error {
	keys, err := openKeys(s.in)
	if err != nil {
		return s.ask(ctx, &survey.Input{Message: msg}, new(string))
	}
	s.out.Hold()
	defer s.out.Release()
	s.out.Status("? " + msg + " ")
	var key byte
	for err == nil && key != '\r' && key != '\n' && key != 'q' && key != 'Q' {
		key, err = keys.key(ctx)
	}
	keys.close() // before the newline: raw mode would not return the carriage
	s.out.EndStatus()
	if err == nil && (key == 'q' || key == 'Q') {
		return errLeave{actQuit}
	}
	return err
}

// paginate cuts a cell into screens of at most size lines: the narration,
// then the code, which starts a screen of its own unless it fits after the
// narration. The code's last line (its frame's "└─ output") never stands
// alone on a screen: the line before it goes along.
func paginate(cell output.CellView, size int) [][]string {
	size = max(size, 3)
	var pages [][]string
	add := func(lines []string, fresh, orphan bool) {
		for len(lines) > 0 {
			if fresh || len(pages) == 0 || len(pages[len(pages)-1]) >= size {
				pages, fresh = append(pages, nil), false
			}
			last := &pages[len(pages)-1]
			n := min(size-len(*last), len(lines))
			if orphan && len(lines)-n == 1 && n > 1 {
				n, fresh = n-1, true // the frame's closing line never makes a page alone
			}
			*last = append(*last, lines[:n]...)
			lines = lines[n:]
		}
	}
	add(cell.Text, false, false)
	fits := len(pages) > 0 && len(pages[len(pages)-1])+len(cell.Code) <= size
	add(cell.Code, !fits, true)
	return pages
}

// answer asks a quiz question with survey's Select.
func (s surveyPrompter) answer(ctx context.Context, q lessons.Question) (int, error) {
	options := make([]string, len(q.Choices))
	for i, c := range q.Choices {
		options[i] = fmt.Sprintf("%c) %s", 'a'+i, c)
	}
	s.out.Room(len(options) + 1)
	var idx int
	if err := s.ask(ctx, &survey.Select{Message: s.out.Catalog().T("Answer:"), Options: options, PageSize: len(options)}, &idx); err != nil {
		return 0, err
	}
	return idx, nil
}

func (s surveyPrompter) review(ctx context.Context, step stepRef, last bool) (action, error) {
	tr := s.out.Catalog()
	next := tr.T("Next question")
	if last {
		next = tr.T("Finish the quiz")
	}
	return s.choose(ctx, tr.T("What now?"), []choice{
		{tr.F("Run step %d again · %s", step.Number, step.Title), actAgain},
		{next, actNext},
	}, "")
}

func (surveyPrompter) pause(context.Context) error { return nil }

func (s surveyPrompter) hush() func() { return hushKeys(s.in) }
