package main

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/output"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func newPlain(w io.Writer) *output.Printer { return output.New(w, false) }

func lines(n int, prefix string) []string {
	var l []string
	for i := range n {
		l = append(l, fmt.Sprintf("%s%d", prefix, i))
	}
	return l
}

// A tall cell is cut into screens: the narration, then the code on a screen
// of its own unless it fits after the narration.
func TestPaginate(t *testing.T) {
	for _, tc := range []struct {
		text, code, size int
		want             []int // lines per page
	}{
		{5, 5, 23, []int{10}},
		{10, 17, 23, []int{10, 17}},
		{10, 45, 23, []int{10, 23, 22}},
		{30, 2, 23, []int{23, 9}},
		{10, 24, 23, []int{10, 22, 2}}, // not 23 and 1: "└─ output" alone
		{10, 47, 23, []int{10, 23, 22, 2}},
	} {
		pages := paginate(output.CellView{Text: lines(tc.text, "t"), Code: lines(tc.code, "c")}, tc.size)
		var got []int
		var all []string
		for _, p := range pages {
			got = append(got, len(p))
			all = append(all, p...)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("text %d code %d on %d: pages %v, want %v", tc.text, tc.code, tc.size, got, tc.want)
		}
		if want := append(lines(tc.text, "t"), lines(tc.code, "c")...); strings.Join(all, ",") != strings.Join(want, ",") {
			t.Errorf("lines lost or reordered: %v", all)
		}
	}
}

func TestClip(t *testing.T) {
	if got := clip("3 · Produce with a delivery report", 20); got != "3 · Produce with a …" || output.Width(got) != 20 {
		t.Errorf("clip = %q", got)
	}
	if got := clip("short", 20); got != "short" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("no screen", 0); got != "no screen" {
		t.Errorf("clip = %q", got)
	}
}

func TestNextUp(t *testing.T) {
	menu := []menuEntry{{place: place{Lesson: 0}, done: true}, {place: place{Lesson: 1}, done: true}, {place: place{Lesson: 2}}}
	if got := nextUp(menu); got != 2 {
		t.Errorf("nextUp = %d, want the first lesson not done", got)
	}
	resume := append([]menuEntry{{place: place{Lesson: 3, Step: 2}}}, menu...)
	if got := nextUp(resume); got != 0 {
		t.Errorf("nextUp = %d, want the resume entry", got)
	}
}

func TestQuizMarkdown(t *testing.T) {
	l := lessons.Lesson{Number: 9, Quiz: []lessons.Question{{Ask: "Where?", Choices: []string{"here", "there"}, Answer: 1, Why: "Because."}}}
	want := "**Check your understanding: lesson 9**\n\n1. Where?\n   - here\n   - **there** ✔\n\n   *Why:* Because.\n"
	if got := quizMarkdown(nil, l); got != want {
		t.Errorf("quizMarkdown =\n%s\nwant\n%s", got, want)
	}
}
