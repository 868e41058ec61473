package doclinks

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// root is the repository's root, two folders up from this package.
const root = "../.."

// projectDocs are the Markdown files a reader follows links through: the
// README, CONTRIBUTING.md, the generated LESSONS.md and the chapters in docs/.
func projectDocs(t *testing.T) []string {
	t.Helper()
	chapters, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"README.md", "CONTRIBUTING.md", "LESSONS.md"}
	for _, c := range chapters {
		files = append(files, "docs/"+filepath.Base(c))
	}
	return files
}

// Every relative link of the project's Markdown names a file of the
// repository, and every #anchor a heading or id of the file it points to,
// as GitHub computes them. A failure lists each broken link as file:line.
func TestProjectLinksResolve(t *testing.T) {
	files := projectDocs(t)
	problems, err := Check(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s", p)
	}
	if len(problems) > 0 {
		t.Logf("%d broken link(s) in %s; anchors follow GitHub's rules (lower case, punctuation dropped, each space a '-')",
			len(problems), strings.Join(files, ", "))
	}
}

// Every chapter in docs/ is linked from the README, so none is an orphan a
// newcomer cannot find.
func TestEveryChapterLinkedFromReadme(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, l := range Links(string(b)) {
		p, _, _ := strings.Cut(l.Target, "#")
		linked[filepath.ToSlash(filepath.Clean(p))] = true
	}
	var orphans []string
	for _, f := range projectDocs(t) {
		if strings.HasPrefix(f, "docs/") && !linked[f] {
			orphans = append(orphans, f)
		}
	}
	sort.Strings(orphans)
	for _, f := range orphans {
		t.Errorf("%s is not linked from README.md: add a line for it under the README's chapters", f)
	}
}
