// Package doclinks checks the project's Markdown as GitHub renders it: every
// relative link names a file or folder of the repository, and every #anchor
// a heading (by GitHub's slug rules) or an HTML id of the file it points to.
// A chapter moved to another file breaks links silently on GitHub; this
// makes it a test failure that names the file, the line and the link.
package doclinks

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Link is a link target as written in a Markdown file, with its line.
type Link struct {
	Line   int
	Target string
}

// Problem is a link that does not resolve.
type Problem struct {
	File string // slash-separated, relative to the root
	Link
	Why string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: (%s) %s", p.File, p.Line, p.Target, p.Why)
}

// Check reads each file (slash-separated, relative to root) and returns the
// links that do not resolve, in file and line order.
func Check(root string, files []string) ([]Problem, error) {
	anchors := map[string]map[string]bool{} // per Markdown file, read once
	anchorsOf := func(rel string) (map[string]bool, error) {
		if a, ok := anchors[rel]; ok {
			return a, nil
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		anchors[rel] = Anchors(string(b))
		return anchors[rel], nil
	}
	var problems []Problem
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		for _, l := range Links(string(b)) {
			why, err := resolve(root, file, l.Target, anchorsOf)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", file, l.Line, err)
			}
			if why != "" {
				problems = append(problems, Problem{File: file, Link: l, Why: why})
			}
		}
	}
	return problems, nil
}

var scheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// resolve says why target, linked from file, does not resolve ("" when it
// does). Links with a scheme (https:, mailto:) are not this check's business.
func resolve(root, file, target string, anchorsOf func(string) (map[string]bool, error)) (string, error) {
	if scheme.MatchString(target) || strings.HasPrefix(target, "//") {
		return "", nil
	}
	p, frag, _ := strings.Cut(target, "#")
	p, _, _ = strings.Cut(p, "?") // ?plain=1 and the like
	p, err := url.PathUnescape(p)
	if err != nil {
		return "a path that is not valid URL escaping: " + err.Error(), nil
	}
	rel := file // "" or "#x" alone: this file
	if p != "" {
		if strings.HasPrefix(p, "/") { // GitHub: relative to the repository's root
			rel = path.Clean(strings.TrimPrefix(p, "/"))
		} else {
			rel = path.Join(path.Dir(file), p)
		}
		if rel == ".." || strings.HasPrefix(rel, "../") {
			return "leaves the repository: GitHub cannot show it", nil
		}
	}
	info, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Sprintf("no file or folder %s", rel), nil
	}
	if frag == "" {
		return "", nil
	}
	if frag, err = url.PathUnescape(frag); err != nil {
		return "an anchor that is not valid URL escaping: " + err.Error(), nil
	}
	if info.IsDir() {
		return fmt.Sprintf("#%s on a folder: a folder has no anchors", frag), nil
	}
	if !strings.HasSuffix(strings.ToLower(rel), ".md") {
		return lineAnchor(root, rel, frag), nil
	}
	a, err := anchorsOf(rel)
	if err != nil {
		return "", err
	}
	if a[frag] {
		return "", nil
	}
	why := fmt.Sprintf("no heading or id in %s makes #%s", rel, frag)
	if a[strings.ToLower(frag)] {
		why += fmt.Sprintf(" (anchors are lowercase: #%s)", strings.ToLower(frag))
	}
	return why, nil
}

var lineRange = regexp.MustCompile(`^L(\d+)(?:-L(\d+))?$`)

// lineAnchor checks #L12 or #L12-L20 on a file GitHub shows as code: the only
// anchors such a file has.
func lineAnchor(root, rel, frag string) string {
	m := lineRange.FindStringSubmatch(frag)
	if m == nil {
		return fmt.Sprintf("#%s on %s: a file that is not Markdown has only line anchors (#L12)", frag, rel)
	}
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return err.Error()
	}
	lines := strings.Count(string(b), "\n")
	if !strings.HasSuffix(string(b), "\n") {
		lines++
	}
	for _, s := range m[1:] {
		if n, _ := strconv.Atoi(s); s != "" && (n < 1 || n > lines) {
			return fmt.Sprintf("#%s: %s has %d lines", frag, rel, lines)
		}
	}
	return ""
}

var (
	fence      = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
	atxHeading = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	setextLine = regexp.MustCompile(`^ {0,3}(=+|-+)[ \t]*$`)
	// [text](target "title") and ![alt](src): the text may hold one level of
	// brackets and line breaks; the target may be <bracketed>.
	inlineLink = regexp.MustCompile(`\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)`)
	refDef     = regexp.MustCompile(`(?m)^ {0,3}\[[^\]]+\]:[ \t]*(<[^<>\n]*>|\S+)`)
	htmlAttr   = regexp.MustCompile(`<[a-zA-Z][^>]*?\s(?:href|src)\s*=\s*"([^"]*)"`)
	htmlID     = regexp.MustCompile(`<[a-zA-Z][^>]*?\s(?:id|name)\s*=\s*"([^"]*)"`)
)

// block is a run of lines outside fenced code, with the line it starts on.
type block struct {
	line  int
	lines []string
}

// blocks splits md into paragraphs (runs of non-blank lines), leaving out
// fenced code: links and headings live only in the blocks.
func blocks(md string) []block {
	var out []block
	var cur *block
	var open string // the fence being inside, "" when outside
	for i, l := range strings.Split(md, "\n") {
		if open != "" {
			if m := fence.FindStringSubmatch(l); m != nil && m[1][0] == open[0] && len(m[1]) >= len(open) &&
				strings.TrimSpace(l[strings.Index(l, m[1])+len(m[1]):]) == "" {
				open = ""
			}
			continue
		}
		if m := fence.FindStringSubmatch(l); m != nil {
			open, cur = m[1], nil
			continue
		}
		if strings.TrimSpace(l) == "" {
			cur = nil
			continue
		}
		if cur == nil {
			out = append(out, block{line: i + 1})
			cur = &out[len(out)-1]
		}
		cur.lines = append(cur.lines, l)
	}
	return out
}

// maskCode blanks the content of inline code spans (keeping line breaks and
// byte offsets), so that a link shown as code is not taken for a link.
func maskCode(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); {
		if b[i] == '\\' && i+1 < len(b) {
			i += 2
			continue
		}
		if b[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(b) && b[i+n] == '`' {
			n++
		}
		closeAt := -1
		for j := i + n; j < len(b); {
			if b[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(b) && b[j+m] == '`' {
				m++
			}
			if m == n {
				closeAt = j
				break
			}
			j += m
		}
		if closeAt < 0 { // a lone run of backticks is literal
			i += n
			continue
		}
		for k := i + n; k < closeAt; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
		i = closeAt + n
	}
	return string(b)
}

// Links returns the links of md outside code: inline links and images,
// reference definitions, and href/src of HTML tags.
func Links(md string) []Link {
	var out []Link
	for _, bl := range blocks(md) {
		text := maskCode(strings.Join(bl.lines, "\n"))
		lineAt := func(off int) int { return bl.line + strings.Count(text[:off], "\n") }
		for _, m := range inlineLink.FindAllStringSubmatchIndex(text, -1) {
			t := strings.TrimSuffix(strings.TrimPrefix(text[m[4]:m[5]], "<"), ">")
			out = append(out, Link{Line: lineAt(m[4]), Target: t})
		}
		for _, m := range refDef.FindAllStringSubmatchIndex(text, -1) {
			t := strings.TrimSuffix(strings.TrimPrefix(text[m[2]:m[3]], "<"), ">")
			out = append(out, Link{Line: lineAt(m[2]), Target: t})
		}
		for _, m := range htmlAttr.FindAllStringSubmatchIndex(text, -1) {
			out = append(out, Link{Line: lineAt(m[2]), Target: text[m[2]:m[3]]})
		}
	}
	return out
}

// Anchors returns every anchor md defines: each heading's slug, numbered as
// GitHub numbers repeats (foo, foo-1, …), and the id or name of HTML tags.
func Anchors(md string) map[string]bool {
	seen := map[string]int{} // github-slugger's occurrences
	out := map[string]bool{}
	add := func(heading string) {
		s := Slug(headingText(heading))
		orig := s
		for _, dup := seen[s]; dup; _, dup = seen[s] {
			seen[orig]++
			s = orig + "-" + strconv.Itoa(seen[orig])
		}
		seen[s] = 0
		out[s] = true
	}
	for _, bl := range blocks(md) {
		var para []string // lines a setext underline would make a heading
		for _, l := range bl.lines {
			if m := atxHeading.FindStringSubmatch(l); m != nil {
				add(m[2])
				para = nil
				continue
			}
			if setextLine.MatchString(l) && len(para) > 0 && !listOrTable(para[0]) {
				add(strings.Join(para, " "))
				para = nil
				continue
			}
			para = append(para, strings.TrimSpace(l))
		}
		for _, m := range htmlID.FindAllStringSubmatch(maskCode(strings.Join(bl.lines, "\n")), -1) {
			out[m[1]] = true
		}
	}
	return out
}

var listStart = regexp.MustCompile(`^\s*(?:[-*+]|\d+[.)])\s|^\s*\|`)

func listOrTable(l string) bool { return listStart.MatchString(l) }

var (
	imageOrLink = regexp.MustCompile(`!?\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\([^)]*\)`)
	htmlTag     = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	underscores = regexp.MustCompile(`(^|[^\p{L}\p{N}_])_+([^_]+?)_+($|[^\p{L}\p{N}_])`)
	escaped     = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])`)
)

// headingText is the text GitHub renders for a heading's Markdown: code
// spans keep their content, links and images their text, emphasis and HTML
// tags go. (A '*' would be dropped by the slug anyway; a '_' would not.)
func headingText(md string) string {
	var b strings.Builder
	for i, part := range strings.Split(md, "`") {
		if i%2 == 1 { // inside a code span: literal
			b.WriteString(part)
			continue
		}
		part = imageOrLink.ReplaceAllString(part, "$1")
		part = htmlTag.ReplaceAllString(part, "")
		part = underscores.ReplaceAllString(part, "$1$2$3")
		part = escaped.ReplaceAllString(part, "$1")
		b.WriteString(part)
	}
	return strings.TrimSpace(b.String())
}

// Slug is GitHub's anchor for a heading's text (github-slugger): lower case,
// then every character dropped but letters, marks, decimal and letter
// numbers, connector punctuation ('_'), '-' and ' ', then each ' ' becomes
// '-'. Nothing is collapsed or trimmed: "A · B" gives "a--b".
func Slug(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-', unicode.IsLetter(r), unicode.IsMark(r), unicode.Is(unicode.Nd, r), unicode.Is(unicode.Nl, r),
			unicode.Is(unicode.Pc, r), unicode.Is(unicode.Other_Alphabetic, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
