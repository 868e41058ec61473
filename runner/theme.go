package main

import (
	"strings"
	"sync"

	"github.com/AlecAivazis/survey/v2"
)

// readableSurvey makes survey's prompts read on a light background as on a
// dark one: its question is drawn "default+hb" (SGR 99, bright default) and
// its "?" "green+hb" (92, bright green, pale on white). Bold in the
// terminal's own colour, and the basic green, read on both.
var readableSurvey = sync.OnceValue(func() survey.AskOpt {
	for _, t := range []*string{&survey.SelectQuestionTemplate, &survey.InputQuestionTemplate} {
		*t = strings.ReplaceAll(*t, `"default+hb"`, `"default+b"`)
	}
	return survey.WithIcons(func(icons *survey.IconSet) {
		icons.Question.Format = "green+b"
		icons.UnmarkedOption.Format = "default+b"
	})
})
