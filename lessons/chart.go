package lessons

import (
	"fmt"
	"math"
	"strings"
)

// Bar is one bar of a chart.
type Bar struct {
	Label string
	Value float64
}

// chartWidth is the length of the longest bar, in terminal cells.
const chartWidth = 40

// Bars draws a horizontal bar chart: a title, then one line per bar with
// its label, a bar proportional to its value and the value with its unit.
// Bars are drawn with eighth blocks, so close values still differ.
func Bars(title, unit string, bars ...Bar) string {
	var top float64
	labelWidth := 0
	for _, b := range bars {
		top = math.Max(top, b.Value)
		labelWidth = max(labelWidth, len([]rune(b.Label)))
	}
	var s strings.Builder
	s.WriteString(title)
	for _, b := range bars {
		eighths := 0
		if top > 0 && b.Value > 0 {
			eighths = max(1, int(math.Round(b.Value/top*chartWidth*8)))
		}
		bar := strings.Repeat("█", eighths/8)
		if rest := eighths % 8; rest > 0 {
			bar += string([]rune("▏▎▍▌▋▊▉")[rest-1])
		}
		pad := strings.Repeat(" ", labelWidth-len([]rune(b.Label)))
		fmt.Fprintf(&s, "\n  %s%s │%-*s %s %s", b.Label, pad, chartWidth, bar, Grouped(b.Value), unit)
	}
	return s.String()
}

// Grouped formats a number for a chart: thousands separated by commas
// (12,345), or two decimals below 10 (0.42).
func Grouped(v float64) string {
	if v < 10 && v != math.Trunc(v) {
		return fmt.Sprintf("%.2f", v)
	}
	return GroupDigits(int64(math.Round(v)))
}

// GroupDigits writes n with its thousands separated by commas: 12,345.
func GroupDigits(n int64) string {
	digits := fmt.Sprintf("%d", n)
	var out []byte
	for i := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, digits[i])
	}
	return string(out)
}

// Commented draws settings with their explanations, as a commented file:
// each pair is a setting and what it does. A pair whose setting starts with
// spaces goes on the setting above, one whose explanation does goes on the
// explanation above: the explanation, whole, comes first as one comment,
// then its settings, so that no screen's width can separate a comment's
// halves or put one between the lines of a setting.
func Commented(lines [][2]string) string {
	var b strings.Builder
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && (strings.HasPrefix(lines[j][0], " ") || strings.HasPrefix(lines[j][1], " ")) {
			j++
		}
		var why []string
		for _, l := range lines[i:j] {
			if w := strings.TrimSpace(l[1]); w != "" {
				why = append(why, w)
			}
		}
		fmt.Fprintf(&b, "# %s\n", strings.Join(why, " "))
		for _, l := range lines[i:j] {
			b.WriteString(l[0] + "\n")
		}
		i = j
	}
	return b.String()
}
