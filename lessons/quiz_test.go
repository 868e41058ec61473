package lessons_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	. "github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// maxChoice is the widest a choice may be, in characters: once chosen, the
// runner shows it as "? Answer: b) choice", and that must fit on an
// 80-column screen.
const maxChoice = 66

// Every lesson ends with two or three questions, each with one right answer
// among distinct choices, the reason it is right, and (if any) a step of
// the lesson to run again.
func TestEveryLessonHasAQuiz(t *testing.T) {
	for _, l := range All() {
		steps := len(l.Plan().Steps)
		if n := len(l.Quiz); n < 2 || n > 3 {
			t.Errorf("lesson %d has %d questions, want 2 or 3 (Quiz in its Lesson literal)", l.Number, n)
		}
		for i, q := range l.Quiz {
			where := func(format string, args ...any) {
				t.Helper()
				t.Errorf("lesson %d question %d (%.40q): "+format, append([]any{l.Number, i + 1, q.Ask}, args...)...)
			}
			if strings.TrimSpace(q.Ask) == "" {
				where("no question")
			}
			if len(q.Choices) < 2 {
				where("%d choices, want at least 2", len(q.Choices))
			}
			seen := map[string]bool{}
			for _, c := range q.Choices {
				key := strings.ToLower(strings.TrimSpace(c))
				if key == "" || seen[key] {
					where("empty or repeated choice %q", c)
				}
				seen[key] = true
				if n := utf8.RuneCountInString(c); n > maxChoice {
					where("choice %q is %d characters, more than %d: it would wrap on an 80-column screen", c, n, maxChoice)
				}
			}
			if q.Answer < 0 || q.Answer >= len(q.Choices) {
				where("answer %d is not one of the %d choices", q.Answer, len(q.Choices))
			}
			if strings.TrimSpace(q.Why) == "" {
				where("no Why: a wrong answer must get the reason")
			}
			if q.Step < 0 || q.Step > steps {
				where("step %d: the lesson has steps 1 to %d (0: none)", q.Step, steps)
			}
		}
	}
}
