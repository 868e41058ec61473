package main

import (
	"go/scanner"
	"go/token"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// The page shows what the terminal shows: the printer's coloured text,
// its ANSI colours turned into classes that name what they mean (the
// printer gives each meaning its colour), and the step's code highlighted
// by Go's own scanner.

// sgrClass is the class of each ANSI colour the printer and the watch use.
var sgrClass = map[int]string{
	1: "bold", 2: "dim",
	31: "red", 32: "green", 33: "yellow", 35: "magenta", 36: "cyan",
}

// ansiHTML turns text with ANSI colour codes into escaped HTML with spans.
func ansiHTML(s string) string {
	var b strings.Builder
	var open []string
	flush := func() {
		if len(open) > 0 {
			b.WriteString("</span>")
		}
	}
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		s = s[i+2:]
		end := strings.IndexByte(s, 'm')
		if end < 0 {
			break // a cut sequence: drop it
		}
		codes := s[:end]
		s = s[end+1:]
		flush()
		for _, c := range strings.Split(codes, ";") {
			n, err := strconv.Atoi(c)
			switch {
			case err != nil || n == 0 || c == "":
				open = nil
			case n == 22:
				open = without(open, "bold", "dim")
			case n == 39:
				open = without(open, "red", "green", "yellow", "magenta", "cyan")
			case sgrClass[n] != "":
				open = append(open, sgrClass[n])
			}
		}
		if len(open) > 0 {
			b.WriteString(`<span class="` + strings.Join(open, " ") + `">`)
		}
	}
	flush()
	return b.String()
}

func without(classes []string, drop ...string) []string {
	var keep []string
	for _, c := range classes {
		if !strings.Contains(" "+strings.Join(drop, " ")+" ", " "+c+" ") {
			keep = append(keep, c)
		}
	}
	return keep
}

// goHTML highlights Go code: keywords, strings, numbers and comments.
func goHTML(code string) string {
	src := []byte(code)
	fset := token.NewFileSet()
	file := fset.AddFile("step.go", -1, len(src))
	var sc scanner.Scanner
	sc.Init(file, src, nil, scanner.ScanComments)
	var b strings.Builder
	last := 0
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		if off < last || (tok == token.SEMICOLON && lit == "\n") {
			continue
		}
		class := ""
		switch {
		case tok == token.COMMENT:
			class = "tok-comment"
		case tok.IsKeyword():
			class = "tok-keyword"
		case tok == token.STRING || tok == token.CHAR:
			class = "tok-string"
		case tok == token.INT || tok == token.FLOAT:
			class = "tok-number"
		}
		if class == "" {
			continue
		}
		text := lit
		if text == "" {
			text = tok.String()
		}
		end := min(off+len(text), len(src))
		b.WriteString(html.EscapeString(code[last:off]))
		b.WriteString(`<span class="` + class + `">` + html.EscapeString(code[off:end]) + `</span>`)
		last = end
	}
	b.WriteString(html.EscapeString(code[last:]))
	return b.String()
}

// backticked is `code` in a narration.
var backticked = regexp.MustCompile("`([^`\n]+)`")

// narrationHTML lays a narration out as the terminal does: its paragraphs,
// an aside apart, `code` in a code font.
func narrationHTML(text string) string {
	var b strings.Builder
	for _, para := range lessons.Paragraphs(text) {
		esc := backticked.ReplaceAllString(html.EscapeString(para.Text), "<code>$1</code>")
		if para.Aside {
			b.WriteString(`<p class="aside">` + esc + "</p>")
			continue
		}
		b.WriteString("<p>" + esc + "</p>")
	}
	return b.String()
}
