package main

import (
	"bytes"
	"strings"
	"sync"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
)

// readableSurvey makes survey's prompts read on a light background as on a
// dark one: its question is drawn "default+hb" (SGR 99, bright default) and
// its "?" "green+hb" (92, bright green, pale on white). Bold in the
// terminal's own colour, and the basic green, read on both. Its hint under
// a menu speaks the learner's language: a process speaks one, so the
// templates, survey's globals, change once.
func readableSurvey(tr *i18n.Catalog) survey.AskOpt {
	surveyOnce.Do(func() { themeSurvey(tr) })
	return surveyIcons
}

var surveyOnce sync.Once

func themeSurvey(tr *i18n.Catalog) {
	for _, t := range []*string{&survey.SelectQuestionTemplate, &survey.InputQuestionTemplate} {
		*t = strings.ReplaceAll(*t, `"default+hb"`, `"default+b"`)
	}
	survey.SelectQuestionTemplate = strings.Replace(survey.SelectQuestionTemplate,
		"[Use arrows to move, type to filter", "["+tr.T("Use arrows to move, type to filter"), 1)
}

var surveyIcons = func() survey.AskOpt {
	return survey.WithIcons(func(icons *survey.IconSet) {
		icons.Question.Format = "green+b"
		icons.UnmarkedOption.Format = "default+b"
	})
}()

// eraseBelow is survey's terminal, with each line survey erases to redraw
// its prompt ("\x1b[2K") erased to the end of the screen instead
// ("\x1b[J"): survey erases from the prompt's last line up to its first,
// so nothing of its own below is lost, and what a resize left under the
// prompt (a terminal enlarged brings lines back from its history, and
// survey's count of the lines it drew no longer matches) goes too.
type eraseBelow struct{ terminal.FileWriter }

func (e eraseBelow) Write(p []byte) (int, error) {
	if !bytes.Contains(p, eraseLine) {
		return e.FileWriter.Write(p)
	}
	if _, err := e.FileWriter.Write(bytes.ReplaceAll(p, eraseLine, eraseToEnd)); err != nil {
		return 0, err
	}
	return len(p), nil
}

var eraseLine, eraseToEnd = []byte("\x1b[2K"), []byte("\x1b[J")
