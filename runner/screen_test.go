package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// At 80 columns, a lesson of `list` that wraps goes on under its title,
// whether it is marked done (✓) or not.
func TestListWrapsUnderTheTitle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	done := `{"done":"2026-01-01T00:00:00Z"}`
	file := `{"version":1,"learners":{"scr":{"lessons":{"0":` + done + `,"1":` + done + `,"8":` + done + `}}}}`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	l := startLearnerSized(t, 80, 24, []string{progressEnv + "=" + path}, "list", "--topic-prefix", "scr")
	l.expect("Exercises passed", 1)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	head := regexp.MustCompile(`^(✓ |  )\d+  `)
	var marked, wrapped int
	indent := 0
	for _, line := range strings.Split(strings.ReplaceAll(l.text(), "\r", ""), "\n") {
		if line == "" || strings.HasPrefix(line, "Exercises passed") {
			indent = 0
			continue
		}
		if m := head.FindString(line); m != "" {
			indent = len([]rune(m))
			if strings.HasPrefix(m, "✓") {
				marked++
			}
			continue
		}
		if indent == 0 {
			continue // not a lesson's line
		}
		wrapped++
		if n := len(line) - len(strings.TrimLeft(line, " ")); n != indent {
			t.Errorf("a continuation indented %d, not %d (under the title): %q", n, indent, line)
		}
	}
	if marked != 3 || wrapped == 0 {
		t.Errorf("%d lessons marked done (want 3), %d continuation lines (want some):\n%s", marked, wrapped, l.text())
	}
}
