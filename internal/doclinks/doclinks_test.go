package doclinks

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Cases from github-slugger's test/fixtures.json (what GitHub computes), and
// headings of this project's own Markdown.
func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"alpha":                        "alpha",
		"bravoCharlieDelta":            "bravocharliedelta",
		"heading with a - dash":        "heading-with-a---dash",
		"heading with an _ underscore": "heading-with-an-_-underscore",
		"heading with a period.txt":    "heading-with-a-periodtxt",
		"exchange.bind_headers(exchange, routing [, bindCallback])": "exchangebind_headersexchange-routing--bindcallback",
		"apostrophe’s should be trimmed":                            "apostrophes-should-be-trimmed",
		"I ♥ unicode":                                               "i--unicode",
		"en–dash":                                                   "endash",
		"😄 - an emoji":                                              "---an-emoji",
		"Привет non-latin 你好":                                       "привет-non-latin-你好",
		"a\u2028b":                                                  "ab",
		"½ and Ⅻ":                                                   "-and-ⅻ",
		"Lesson 0 · The broker: Kafka in KRaft mode":                "lesson-0--the-broker-kafka-in-kraft-mode",
		"Use your class's own cluster (TLS, SASL)":                  "use-your-classs-own-cluster-tls-sasl",
		"Now you: exercises":                                        "now-you-exercises",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnchors(t *testing.T) {
	md := strings.Join([]string{
		"# Echo", "## echo", "### echo 1", "## echo-1", "## Echo",
		"## Foxtrot-1", "## foxtrot", "## foxtrot",
		"## `--config` and [a link](x.md), **bold** _em_ snake_case \\_x ##",
		"```sh", "# a shell comment, not a heading", "```",
		"A setext", "heading", "---",
		"- a list item", "---",
		`<a id="lesson-3"></a>`,
		"`<a id=\"in-code\"></a>`",
	}, "\n")
	want := []string{
		"echo", "echo-1", "echo-1-1", "echo-1-2", "echo-2",
		"foxtrot-1", "foxtrot", "foxtrot-2",
		"--config-and-a-link-bold-em-snake_case-_x",
		"a-setext-heading",
		"lesson-3",
	}
	got := Anchors(md)
	for _, w := range want {
		if !got[w] {
			t.Errorf("no anchor %q; got %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d anchors %v, want %d %v", len(got), got, len(want), want)
	}
}

func TestLinks(t *testing.T) {
	md := strings.Join([]string{
		"# Title", // 1
		"See [the cluster](docs/cluster.md#top) and",          // 2
		"[a link whose text",                                  // 3
		"breaks](#a-heading \"a title\"), ![img](<a b.png>).", // 4
		"`[not a link](code.md)` and ``[nor](this.md)``",      // 5
		"",                       // 6
		"```md",                  // 7
		"[in a fence](fence.md)", // 8
		"```",                    // 9
		"[ref]: ../other.md",     // 10
		`<a href="x.go#L3">x</a> [ext](https://example.com) [with (parens)](f(1).md)`, // 11
	}, "\n")
	want := []Link{
		{2, "docs/cluster.md#top"}, {4, "#a-heading"}, {4, "a b.png"},
		{11, "https://example.com"}, {11, "f(1).md"}, {10, "../other.md"}, {11, "x.go#L3"},
	}
	if got := Links(md); !reflect.DeepEqual(got, want) {
		t.Errorf("Links:\n got %v\nwant %v", got, want)
	}
}

// A tree with one of each breakage: Check names the file, the line, the
// link and what is wrong.
func TestCheck(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("README.md", strings.Join([]string{
		"# Top",
		"[ok](docs/a.md#a-chapter) [ok](#top) [ok](docs/) [ok](main.go#L2) [ok](https://x.y/z)",
		"[gone](#no-such) [moved](docs/b.md)",
		"[case](docs/a.md#A-Chapter) [folder](docs/#x) [go](main.go#L9) [go](main.go#func)",
		"[out](../elsewhere.md)",
	}, "\n"))
	write("docs/a.md", "# A chapter\n\nBack to [the top](../README.md#top), [lost](../README.md#gone).\n")
	write("main.go", "package main\n\nfunc main() {}\n")

	problems, err := Check(root, []string{"README.md", "docs/a.md"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		"README.md:3: (#no-such) no heading or id in README.md makes #no-such",
		"README.md:3: (docs/b.md) no file or folder docs/b.md",
		"README.md:4: (docs/a.md#A-Chapter) no heading or id in docs/a.md makes #A-Chapter (anchors are lowercase: #a-chapter)",
		"README.md:4: (docs/#x) #x on a folder: a folder has no anchors",
		"README.md:4: (main.go#L9) #L9: main.go has 3 lines",
		"README.md:4: (main.go#func) #func on main.go: a file that is not Markdown has only line anchors (#L12)",
		"README.md:5: (../elsewhere.md) leaves the repository: GitHub cannot show it",
		"docs/a.md:3: (../README.md#gone) no heading or id in README.md makes #gone",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Check:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}
