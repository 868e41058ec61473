package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/i18n"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// quiz asks a lesson's questions at its end. A person answers them one at a
// time; a wrong answer gets the reason and the offer to run again the step
// that shows it. The score goes into the progress. Unattended (a
// projector), every question is shown with its answer.
func (s *session) quiz(ctx context.Context, l lessons.Lesson) error {
	if !s.quizzes || len(l.Quiz) == 0 {
		return nil
	}
	s.book.Note(quizMarkdown(s.out.Catalog(), l))
	total := len(l.Quiz)
	s.out.QuizTitle(l.Number, total)
	if !s.prompt.Interactive() {
		for i, q := range l.Quiz {
			s.out.Question(i+1, total, q.Ask, q.Choices, q.Answer, q.Why)
		}
		return s.prompt.pause(ctx)
	}
	steps := l.Plan().Steps
	right := 0
	for i, q := range l.Quiz {
		s.out.Question(i+1, total, q.Ask, nil, -1, "")
		pick, err := s.prompt.answer(ctx, q)
		if err != nil {
			return err
		}
		if pick == q.Answer {
			right++
			s.out.Verdict(true, "", q.Why)
			continue
		}
		s.out.Verdict(false, q.Choices[q.Answer], q.Why)
		if q.Step < 1 || q.Step > len(steps) {
			continue
		}
		act, err := s.prompt.review(ctx, stepRef{Number: q.Step, Title: steps[q.Step-1].Heading()}, i == total-1)
		if err != nil {
			return err
		}
		if act == actAgain {
			if err := s.replay(ctx, l, q.Step-1); err != nil {
				return err
			}
		}
	}
	s.out.Score(l.Number, right, total)
	s.book.Note(fmt.Sprintf("*Quiz: %d of %d right.*", right, total))
	s.progress.score(l.Number, right, total)
	return nil
}

// replay plays step i of l again, alone, in a fresh run of the lesson: the
// steps it needs run first, quietly. A failure is shown; only Ctrl-C stops
// the quiz.
func (s *session) replay(ctx context.Context, l lessons.Lesson, i int) error {
	r := s.newRun(l)
	defer r.cleanup()
	s.out.Aside("Step %d again, in a fresh run of lesson %d: the program starts its state anew; what the broker holds stays.", i+1, l.Number)
	s.out.Mute() // the topic is ready: the lesson said so already
	err := r.setup(ctx)
	s.out.Unmute()
	if err == nil {
		err = r.prepare(ctx, i)
	}
	if err == nil {
		err = r.cell(ctx, i)
	}
	switch {
	case errors.Is(err, errInterrupted) || ctx.Err() != nil:
		return errInterrupted
	case err != nil && !errors.Is(err, errStepSkipped):
		s.out.Error("%v", err)
	}
	return nil
}

// quizMarkdown is a lesson's quiz for the notebook: each question with its
// choices, the right one in bold, and why.
func quizMarkdown(tr *i18n.Catalog, l lessons.Lesson) string {
	var b strings.Builder
	b.WriteString("**" + tr.F("Check your understanding: lesson %d", l.Number) + "**\n")
	for i, q := range l.Quiz {
		fmt.Fprintf(&b, "\n%d. %s\n", i+1, q.Ask)
		for k, c := range q.Choices {
			if k == q.Answer {
				fmt.Fprintf(&b, "   - **%s** ✔\n", c)
			} else {
				fmt.Fprintf(&b, "   - %s\n", c)
			}
		}
		fmt.Fprintf(&b, "\n   *%s* %s\n", tr.T("Why:"), q.Why)
	}
	return b.String()
}
