package main

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// TestPageColoursPassAA checks every pair of text and background colour the
// page's stylesheet uses against WCAG 2's AA contrast for text (4.5:1).
func TestPageColoursPassAA(t *testing.T) {
	css, err := webFiles.ReadFile("web/app.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	grounds := map[string]string{"page": vars["bg"], "panel": vars["panel"], "output": "#fbfbfc", "notice": "#fdf0ef"}
	for _, g := range []string{"output", "notice"} { // literal in the stylesheet: keep them there
		if !regexp.MustCompile(`background: ` + grounds[g]).Match(css) {
			t.Errorf("the %s background %s is no longer in app.css: update this test", g, grounds[g])
		}
	}
	for _, fg := range []string{"fg", "muted", "magenta", "green", "red", "cyan", "yellow"} {
		for name, bg := range grounds {
			if vars[fg] == "" {
				t.Fatalf("no --%s in app.css", fg)
			}
			if c := contrast(vars[fg], bg); c < 4.5 {
				t.Errorf("--%s (%s) on the %s (%s): contrast %.2f, AA needs 4.5", fg, vars[fg], name, bg, c)
			}
		}
	}
	for _, pair := range [][2]string{{vars["accent-fg"], vars["accent"]}, {"#ffffff", vars["red"]}, {vars["focus"], vars["bg"]}} {
		if c := contrast(pair[0], pair[1]); c < 4.5 {
			t.Errorf("%s on %s: contrast %.2f, AA needs 4.5", pair[0], pair[1], c)
		}
	}
}

// contrast is WCAG 2's contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}
