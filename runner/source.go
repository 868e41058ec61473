package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// A step's body calls helpers of package lessons (ReadWatermarks, Join,
// Poller.Poll) that hide kafka-go: the prompt after a step offers their
// code, and `go run ./runner source NAME` prints it.

// actShowCode asks what to look up: the glossary, or the code of a helper
// the step calls.
const actShowCode action = 301

// lookUpChoices is the prompt's one choice to look something up after step
// i: the glossary, and the code of the helpers the step calls when it calls
// any. One choice, not one per kind, keeps the prompt short on 24 rows.
func (r *lessonRun) lookUpChoices(i int) []choice {
	var tr *i18n.Catalog // English, for a run without a session (a test)
	if r.session != nil {
		tr = r.out.Catalog()
	}
	helpers, err := lessons.HelpersOf(r.plan.Steps[i])
	switch {
	case err != nil || len(helpers) == 0:
		return []choice{{tr.T("Glossary"), actGlossary}}
	case len(helpers) == 1:
		return []choice{{tr.F("Look up: the glossary, or the code of %s…", helpers[0].Name), actShowCode}}
	}
	return []choice{{tr.T("Look up: the glossary, or a helper's code…"), actShowCode}}
}

// glossaryLabel is the look-up's first choice.
const glossaryLabel = "Glossary: the Kafka words, one sentence each"

// lookUp asks what to look up after step i, the glossary or the code of a
// helper it calls, and prints it. Esc or a failed read of the choice is not
// an error.
func (r *lessonRun) lookUp(ctx context.Context, i int) error {
	helpers, err := lessons.HelpersOf(r.plan.Steps[i])
	if err != nil {
		r.out.Error("%v", err)
		helpers = nil
	}
	tr := r.out.Catalog()
	labels := []string{tr.T(glossaryLabel)}
	for _, h := range helpers {
		labels = append(labels, tr.F("The code of %s · %s", h.Name, h.Where()))
	}
	k, err := r.prompt.selectOne(ctx, tr.T("Look up what?"), labels, "")
	if err != nil {
		return err
	}
	if k == 0 {
		printGlossary(r.out)
		return nil
	}
	printHelper(r.out, helpers[k-1])
	return nil
}

// printHelper draws a helper's code as a step's is drawn; the printer's
// pager waits for a key when it is taller than the screen.
func printHelper(out *output.Printer, h lessons.Helper) {
	out.Show(out.RenderSource(h.Name, h.Where(), h.Doc, h.Code).Lines())
	if len(h.Calls) > 0 {
		calls := strings.Join(h.Calls, ", ")
		if n := len(h.Calls); n > 1 {
			calls = strings.Join(h.Calls[:n-1], ", ") + out.Catalog().T(" and ") + h.Calls[n-1]
		}
		out.Aside("It calls %s of package lessons: go run ./runner source NAME prints one.", calls)
	}
}

// source is the command: a helper's code, or the list of them.
func (c *command) source(out *output.Printer, w io.Writer) error {
	names, err := lessons.StepHelpers()
	if err != nil {
		return err
	}
	if c.helper == "" {
		fmt.Fprintln(w, "The helpers the lessons' steps call (go run ./runner source NAME shows one):")
		fmt.Fprintln(w, wrapList(names, 78))
		return nil
	}
	h, err := lessons.HelperSource(c.helper)
	if err != nil {
		msg := err.Error()
		if near := nearNames(c.helper, names); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		}
		return usageError{msg: fmt.Sprintf("%s\nThe helpers the lessons' steps call:\n%s", msg, wrapList(names, 78)), command: "runner source"}
	}
	printHelper(out, h)
	return nil
}

// nearNames is the names that contain s, whatever the case.
func nearNames(s string, names []string) []string {
	var near []string
	for _, n := range names {
		if s != "" && strings.Contains(strings.ToLower(n), strings.ToLower(s)) {
			near = append(near, n)
		}
	}
	return near
}

// wrapList joins names with commas, in lines of at most width columns,
// indented by two spaces.
func wrapList(names []string, width int) string {
	var b strings.Builder
	line := " "
	for k, n := range names {
		if k < len(names)-1 {
			n += ","
		}
		if len(line)+1+len(n) > width && line != " " {
			b.WriteString(line + "\n")
			line = " "
		}
		line += " " + n
	}
	b.WriteString(line)
	return b.String()
}
