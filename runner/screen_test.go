package main

import (
	"os"
	"os/exec"
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

// sgrCodes are the colour codes of a stream, one list per escape.
var sgrEscape = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

// Nothing is drawn in white (37, 97) or another bright colour (90–99):
// on a light background they cannot be read. Narration is in the
// terminal's own foreground; survey's prompts too.
func TestNoWhiteOrBrightText(t *testing.T) {
	addr := embeddedBroker(t)
	l := startLearner(t, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2", "--no-quiz")
	l.expect("Next?", 1)
	l.press(enter)
	l.expect("Next?", 2)
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
	seen := map[string]bool{}
	for _, m := range sgrEscape.FindAllStringSubmatch(l.screen.String(), -1) {
		for _, code := range strings.Split(m[1], ";") {
			seen[code] = true
			switch code {
			case "37", "97", "90", "91", "92", "93", "94", "95", "96", "99":
				t.Errorf("SGR %s in %q", code, m[0])
			}
		}
	}
	if !seen["1"] || !seen["32"] {
		t.Errorf("no colour at all? codes seen: %v", seen)
	}
}

// At 80 columns, the menu's answer "▶ Resume lesson 8 at step 3 · Keys and
// partitions" does not fit after the question: it is drawn again, broken
// between words, not cut by the terminal's edge ("Keys and p" / "artitions").
func TestChosenResumeLineBreaksBetweenWords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	file := `{"version":1,"learners":{"scr":{"lessons":{"8":{"stopped":{"step":3,"at":"2026-01-01T00:00:00Z"}}}}}}`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := embeddedBroker(t)
	l := startLearnerSized(t, 80, 24, []string{progressEnv + "=" + path}, "--brokers", addr, "--topic-prefix", "scr", "--no-quiz")
	l.expect("Resume lesson 8 at step 3", 1)
	l.press(enter)
	l.expect("━━━ Lesson 8 · Keys and partitions", 1)
	time.Sleep(200 * time.Millisecond)
	screen := l.visible()
	if !regexp.MustCompile(`\? Which lesson\? .*Keys and\s*\n  partitions`).MatchString(screen) {
		t.Errorf("the answer is not broken between words:\n%s", screen)
	}
	for _, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(line, "artitions") {
			t.Errorf("a word cut at the edge: %q\n%s", line, screen)
		}
	}
}

// The menu, redrawn after the window grew, leaves no fragment of itself
// on the screen: each of its lines is there once. It runs in tmux, whose
// screen, like most terminals', brings lines back from its history when it
// grows (the emulation of the other tests does not): survey's count of
// the lines it drew then no longer says where its old prompt ends.
func TestMenuAfterAResizeLeavesNoFragments(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("REQUIRE_TMUX") != "" { // CI installs it: the test must run there
			t.Fatalf("REQUIRE_TMUX is set but tmux is not installed (apt-get install tmux)")
		}
		t.Skip("tmux is not installed")
	}
	addr := embeddedBroker(t)
	socket := "lessons-" + prefix()
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	cmd := progressEnv + "=" + filepath.Join(t.TempDir(), "progress.json") + " " + binary +
		" --brokers " + addr + " --topic-prefix " + prefix() + " --no-quiz; sleep 30"
	// 30 rows: the whole menu fits (at 24 it is paged, and its last line
	// is not on the screen to be counted).
	tmux("new-session", "-d", "-s", "menu", "-x", "80", "-y", "30", "env", "TERM=xterm-256color", "sh", "-c", cmd)
	path := strings.TrimSpace(tmux("display-message", "-p", "#{socket_path}"))
	t.Cleanup(func() {
		exec.Command("tmux", "-L", socket, "kill-server").Run()
		os.Remove(path) // tmux may leave its socket behind
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(tmux("capture-pane", "-p", "-t", "menu"), "✖ Quit") {
		if time.Now().After(deadline) {
			t.Fatalf("no menu: %s", tmux("capture-pane", "-p", "-t", "menu"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	tmux("resize-window", "-t", "menu", "-x", "120", "-y", "40")
	time.Sleep(300 * time.Millisecond)
	tmux("send-keys", "-t", "menu", "Down")
	time.Sleep(500 * time.Millisecond)
	screen := tmux("capture-pane", "-p", "-t", "menu")
	for _, want := range []string{"✖ Quit", "▶ Play every lesson", "Which lesson?"} {
		if n := strings.Count(screen, want); n != 1 {
			t.Errorf("%q %d times on the screen:\n%s", want, n, screen)
		}
	}
}

// At 80×24, lesson 0's steps 7 and 9 take several screens: none of them
// holds only the code frame's closing line.
func TestNoScreenOfOnlyTheFramesEnd(t *testing.T) {
	addr := embeddedBroker(t)
	for _, step := range []string{"7", "9"} {
		l := startLearnerSized(t, 80, 24, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "0", "--step", step, "--no-quiz")
		l.readOnUntil("Press Enter to run it", 1, 0)
		pages := strings.Split(strings.ReplaceAll(l.text(), "\r", ""), "? Press Enter to ")
		if len(pages) < 3 {
			t.Errorf("step %s: %d screens, want several:\n%s", step, len(pages)-1, l.text())
		}
		for i, page := range pages[1 : len(pages)-1] {
			body := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(page, "read on"), "run it"))
			if body == "└─ output" || len(strings.Split(body, "\n")) < 2 {
				t.Errorf("step %s, screen %d holds only %q", step, i+2, body)
			}
		}
	}
}
