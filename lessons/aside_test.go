package lessons

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// notForGoDevelopers are what a Go developer who never saw the Python
// project this walkthrough was ported from cannot follow: its client, its
// calls and its files. They belong in asides (AsideMark), never in the
// main text. poll() alone is Java's too (lesson 9), so only the Python
// client's uses of it are listed.
var notForGoDevelopers = []*regexp.Regexp{
	regexp.MustCompile(`(?i)python`),
	regexp.MustCompile(`(?i)confluent-kafka|confluent_kafka`),
	regexp.MustCompile(`(?i)\bproducer\.flush\(\)|\bflush\(\)`),
	regexp.MustCompile(`poll\(1\.0\)|poll\(\) returning None|inside poll\(\)`),
	regexp.MustCompile(`\bproduce\(\)`),
	regexp.MustCompile(`KAFKA_KRAFT_MODE|kraft\.mode`),
	regexp.MustCompile(`(?i)\bthe original\b|original (project|producer|consumer|file|demo)`),
	regexp.MustCompile(`TopicPartition\(|OFFSET_BEGINNING|OFFSET_END|order_tracker_debug`),
	regexp.MustCompile(`(?i)producer\.py|consumer\.py`),
}

// lessonTexts is every text of a lesson a learner reads, but its steps'
// narration: title, goal, summary, quiz, step titles.
func lessonTexts(l Lesson) map[string]string {
	texts := map[string]string{"title": l.Title, "goal": l.Goal}
	for i, s := range append(slices.Clone(l.Summary), l.DeeperSummary...) {
		texts[fmt.Sprintf("summary %d", i+1)] = s
	}
	for i, q := range l.Quiz {
		texts[fmt.Sprintf("quiz %d", i+1)] = q.Ask + "\n" + strings.Join(q.Choices, "\n") + "\n" + q.Why
	}
	for i, s := range l.Plan().Steps {
		texts[fmt.Sprintf("step %d title", i+1)] = s.Title
	}
	return texts
}

func TestPythonComparisonsOnlyInAsides(t *testing.T) {
	check := func(where, text string) {
		t.Helper()
		for _, re := range notForGoDevelopers {
			if m := re.FindString(text); m != "" {
				t.Errorf("%s mentions %q outside an aside (start the paragraph with %q):\n%s", where, m, AsideMark, text)
			}
		}
	}
	asides := 0
	for _, l := range All() {
		for where, text := range lessonTexts(l) {
			check(fmt.Sprintf("lesson %d, %s,", l.Number, where), text)
		}
		for i, s := range l.Plan().Steps {
			src, err := SourceOf(s)
			if err != nil {
				t.Fatal(err)
			}
			where := fmt.Sprintf("lesson %d step %d (%s)", l.Number, i+1, s.FuncName())
			main := 0
			for j, p := range Paragraphs(src.Narration) {
				if p.Aside {
					asides++
					continue
				}
				main++
				check(fmt.Sprintf("%s, paragraph %d,", where, j+1), p.Text)
				if strings.Contains(p.Text, "If you know") {
					t.Errorf("%s: a paragraph that is meant as an aside must start with %q: %s", where, AsideMark, p.Text)
				}
			}
			if main == 0 && src.Narration != "" {
				t.Errorf("%s: the narration is all aside: the main text must stand alone", where)
			}
			check(where+", code,", src.Code)
		}
	}
	// The comparisons were kept, not dropped: lessons 0, 2–6, 8 and 10 have some.
	if asides < 10 {
		t.Errorf("%d asides in the lessons, want the comparisons kept as asides (at least 10)", asides)
	}
}

func TestParagraphsAndMarkdown(t *testing.T) {
	narration := "A Writer is kafka-go's\nproducer.\n\nIf you know the Python client: it is\nproduce().\n\nClose it."
	got := Paragraphs(narration)
	want := []Paragraph{
		{Text: "A Writer is kafka-go's producer."},
		{Text: "If you know the Python client: it is produce().", Aside: true},
		{Text: "Close it."},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Paragraphs = %+v, want %+v", got, want)
	}
	md := strings.Split(NarrationMarkdown(narration), "\n\n")
	if len(md) != 3 {
		t.Fatalf("NarrationMarkdown has %d paragraphs, want 3: %q", len(md), md)
	}
	for i, p := range md {
		if quoted := strings.HasPrefix(p, "> "); quoted != want[i].Aside {
			t.Errorf("Markdown paragraph %d quoted: %v, want %v: %q", i+1, quoted, want[i].Aside, p)
		}
	}
	// A paragraph that merely mentions the mark later on is no aside.
	if p := Paragraphs("Say it: If you know the Python client: no."); p[0].Aside {
		t.Errorf("a paragraph not starting with the mark is an aside: %+v", p)
	}
}
