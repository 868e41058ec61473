package main

import (
	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// progressFile gives a test a progress file of its own.
func progressFile(t *testing.T) []string {
	return []string{progressEnv + "=" + filepath.Join(t.TempDir(), "progress.json")}
}

// A learner answers lesson 2's quiz (one wrong answer, whose step they run
// again, then two right), quits in the middle of lesson 3, and comes back:
// the menu marks lesson 2 done with its score and offers to resume lesson 3
// where it stopped; list says the same; reset forgets it.
func TestQuizThenResumeAfterQuitting(t *testing.T) {
	addr := testBroker(t)
	env, p := progressFile(t), prefix()
	l := startLearner(t, env, "--brokers", addr, "--topic-prefix", p, "--lesson", "2")
	for i := 1; i <= 4; i++ {
		l.expect("Next?", i)
		l.press(enter)
	}
	l.expect("Check your understanding: lesson 2, 3 questions", 1)
	l.expect("1/3 · The producer sends an order as JSON", 1)
	l.expect("Answer:", 1)
	l.press(enter) // a): wrong
	l.expect("✖ Not quite: the answer is \"It stores and delivers them as they are, without looking inside\"", 1)
	l.expect("To Kafka a record's value is bytes", 1) // why
	l.expect("Run step 2 again · Encode it: JSON, then bytes", 1)
	l.press(enter) // run it again: step 1 first, quietly
	l.expect("Step 2 again, in a fresh run of lesson 2: the program starts its state anew; what the broker holds stays.", 1)
	l.expect("Step 2 needs what step 1 makes: running it first, quietly.", 1)
	l.expect("length in bytes: ", 2)
	l.expect("2/3 · Why are the JSON fields named", 1)
	l.press(down + enter) // b): right
	l.expect("✔ Right. encoding/json writes a field under its Go name", 1)
	l.expect("3/3 · A record holds", 1)
	l.press(down + enter)
	l.expect("✔ Lesson 2 quiz: 2 of 3 right.", 1)
	l.expect("Now you: exercise 2?", 1)
	l.press(down + enter) // Later: go on
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d after the quiz", code)
	}
	if strings.Count(l.text(), "Step 1/4") != 1 {
		t.Errorf("step 1 was shown again, though it ran quietly:\n%s", l.text())
	}

	// Lesson 3: two steps, then Quit. 60 rows: step 1's cell, its output
	// and the prompt's nine lines (Glossary among them) fit unpaged.
	l = startLearnerSized(t, 140, 60, env, "--brokers", addr, "--topic-prefix", p, "--lesson", "3")
	l.expect("Next?", 1)
	l.press(enter)
	l.expect("Step 2/4 · Send three orders", 1)
	l.expect("Next?", 2)
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d after Quit", code)
	}

	// Back again: the menu.
	l = startLearner(t, env, "--brokers", addr, "--topic-prefix", p)
	l.expect("Which lesson?", 1)
	l.expect("Quit", 1)
	time.Sleep(200 * time.Millisecond)
	screen := l.visible()
	for _, want := range []string{
		"> ▶ Resume lesson 3 at step 3 · Produce with a delivery report", // first, and chosen
		"✓ 2 · JSON serialization: an order becomes bytes  quiz 2/3",
		"  3 · Produce with a delivery report",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("menu lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "✓ 3 ·") || strings.Contains(screen, "✓ 1 ·") {
		t.Errorf("a lesson not played is marked done:\n%s", screen)
	}
	l.press(enter) // resume
	l.expect("Step 3 needs what step 1 makes: running it first, quietly.", 1)
	l.expect("Step 3/4 · Close: the flush", 1)
	l.expect("Next?", 1)
	if strings.Contains(l.text(), "Step 1/4") || strings.Contains(l.text(), "Step 2/4") {
		t.Errorf("steps run quietly were shown:\n%s", l.text())
	}
	l.press("\x03")
	if code := exitCode(t, l.cmd, 5*time.Second); code != exitInterrupted {
		t.Errorf("Ctrl-C: exit code %d", code)
	}

	// list (no terminal) shows the same, step 3 having run since; reset
	// forgets it.
	cmd, out, errb := runner(t, env, "list", "--topic-prefix", p)
	if code := exitCode(t, cmd, 10*time.Second); code != 0 {
		t.Fatalf("list: exit %d %s", code, errb)
	}
	for _, want := range []string{"✓ 2  JSON serialization", "quiz 2/3", "Stopped in lesson 3 at step 4",
		"--lesson 3 --step 4 --topic-prefix " + p} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	cmd, out, _ = runner(t, env, "reset", "--topic-prefix", p)
	if code := exitCode(t, cmd, 10*time.Second); code != 0 || !strings.Contains(out.String(), "forgotten") {
		t.Fatalf("reset: exit %d %s", code, out)
	}
	cmd, out, _ = runner(t, env, "list", "--topic-prefix", p)
	exitCode(t, cmd, 10*time.Second)
	if strings.Contains(out.String(), "✓") || strings.Contains(out.String(), "Stopped") {
		t.Errorf("list after reset:\n%s", out)
	}
}

// Between steps, "Previous step" goes back one step and runs it again.
func TestPreviousStep(t *testing.T) {
	addr := testBroker(t)
	l := startLearner(t, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2", "--no-quiz")
	l.expect("Next?", 1)
	if strings.Contains(l.visible(), "Previous step") {
		t.Errorf("step 1 offers a previous step:\n%s", l.visible())
	}
	l.press(enter)
	l.expect("Previous step: 1 · Build an order", 1)
	l.press(down + down + down + enter)
	l.expect("Step 1/4 · Build an order", 2)
	l.expect("Next?", 3)
	l.press(enter)
	l.expect("Step 2/4", 2)
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

// On a small screen a tall step is shown a screenful at a time and runs
// after Enter; output taller than the screen waits for a key; every line
// fits the screen's width.
func TestSmallScreen(t *testing.T) {
	addr := embeddedBroker(t) // the steps it pages through are the emulation's
	l := startLearnerSized(t, 80, 24, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "0", "--step", "4", "--no-quiz")
	l.expect("▶ Step 4/9 · Connect and list the brokers (deeper)", 1)
	l.expect("Press Enter to read on", 1)
	if strings.Contains(l.text(), "Go code that runs now") {
		t.Errorf("the code came before the narration was read")
	}
	l.readOnUntil("Press Enter to run it", 1, 0)
	if strings.Contains(l.text(), "cluster id:") {
		t.Errorf("the step ran before Enter")
	}
	l.press(enter)
	l.expect("cluster id: ", 1)
	l.expect("Next?", 1)
	if !regexp.MustCompile(`(?m)^  bootstrap: `).MatchString(l.visible()) {
		t.Errorf("the output does not start at the margin after Enter:\n%s", l.visible())
	}
	readOn := strings.Count(l.text(), "Press Enter to read on")
	l.press(enter) // step 5: narration, code, run
	l.readOnUntil("Press Enter to run it", 2, readOn)
	l.press(enter)
	l.expect("APIs spoken: ", 1)
	l.expect("Next?", 2)
	readOn = strings.Count(l.text(), "Press Enter to read on")
	l.press(enter) // step 6 is skipped on the embedded broker; step 7's code takes several screens
	l.expect("Step 7/9", 1)
	l.readOnUntil("Press Enter to run it", 3, readOn)
	prompts := strings.Count(l.text(), "Next?  [")
	l.press(enter)
	l.expect("press a key to go on", 1) // the table is taller than the screen
	if strings.Contains(l.text(), "# healthy once") {
		t.Errorf("the output went on past a full screen")
	}
	// A key for each page, until the prompt after the step is drawn.
	for pages := 1; strings.Count(l.text(), "Next?  [") == prompts; {
		l.press(" ")
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(l.text(), "press a key to go on") == pages && strings.Count(l.text(), "Next?  [") == prompts {
			if time.Now().After(deadline) {
				t.Fatalf("the pager did not go on; screen:\n%s", l.text())
			}
			time.Sleep(20 * time.Millisecond)
		}
		pages = strings.Count(l.text(), "press a key to go on")
	}
	l.expect("# healthy once", 1)
	for _, line := range strings.Split(l.visible(), "\n") {
		if w := len([]rune(strings.TrimRight(line, " "))); w > 80 {
			t.Errorf("line of %d columns: %q", w, line)
		}
	}
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d; screen:\n%s", code, l.visible())
	}
}

// Ctrl-C while the runner waits for Enter before a step, or for a key in
// the middle of long output, exits 130 at once, as everywhere.
func TestCtrlCAtTheSmallScreensPauses(t *testing.T) {
	addr := testBroker(t)
	l := startLearnerSized(t, 80, 24, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "0", "--no-quiz")
	l.expect("Press Enter to read on", 1)
	l.press("\x03")
	start := time.Now()
	if code := exitCode(t, l.cmd, 5*time.Second); code != exitInterrupted || time.Since(start) > 2*time.Second {
		t.Errorf("Ctrl-C before a step: exit code %d after %v", code, time.Since(start))
	}

	l = startLearnerSized(t, 80, 24, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "0", "--step", "7", "--no-quiz")
	l.readOnUntil("Press Enter to run it", 1, 0)
	l.press(enter)
	l.expect("press a key to go on", 1)
	l.press("\x03")
	start = time.Now()
	if code := exitCode(t, l.cmd, 5*time.Second); code != exitInterrupted || time.Since(start) > 2*time.Second {
		t.Errorf("Ctrl-C in long output: exit code %d after %v", code, time.Since(start))
	}
}

// --pace with --yes counts down between steps; on a terminal a key press
// ends the wait, and Ctrl-C during it exits 130 at once.
func TestPaceCountdown(t *testing.T) {
	addr := testBroker(t)
	l := startLearner(t, nil, "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2", "--yes", "--pace", "30s")
	l.expect("next in 30 s · any key: now", 1)
	start := time.Now()
	l.press("x")
	l.expect("Step 2/4", 1)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the key press did not cut the wait short: %v", d)
	}
	l.expect("next in 30 s", 2)
	l.press("\x03")
	start = time.Now()
	if code := exitCode(t, l.cmd, 5*time.Second); code != exitInterrupted {
		t.Errorf("Ctrl-C in the countdown: exit code %d, want 130", code)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%v to exit after Ctrl-C", d)
	}
}

var stepHeading = regexp.MustCompile(`▶ Step (\d+)/\d+`)

// --lesson N --step S without a terminal: the steps S needs run quietly
// (one line says so), the earlier ones are not shown, and nothing is
// written to the progress file; --save-progress writes it.
func TestStepFlagUnattended(t *testing.T) {
	addr := testBroker(t)
	path := filepath.Join(t.TempDir(), "progress.json")
	env := []string{progressEnv + "=" + path}
	cmd, out, errb := runner(t, env, "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "2", "--step", "3", "--no-quiz")
	if code := exitCode(t, cmd, 30*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errb)
	}
	s := out.String()
	if !strings.Contains(s, "Step 3 needs what steps 1 and 2 make: running them first, quietly.") {
		t.Errorf("no line about the quiet steps:\n%s", s)
	}
	var shown []string
	for _, m := range stepHeading.FindAllStringSubmatch(s, -1) {
		shown = append(shown, m[1])
	}
	if strings.Join(shown, ",") != "3,4" {
		t.Errorf("steps shown %v, want 3,4:\n%s", shown, s)
	}
	if !strings.Contains(s, "same order: true") {
		t.Errorf("step 3 did not get step 2's bytes:\n%s", s)
	}
	if strings.Contains(s, "Check your understanding") {
		t.Errorf("--no-quiz, yet a quiz:\n%s", s)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("an unattended run wrote the progress file (%v)", err)
	}

	cmd, out, _ = runner(t, env, "--brokers", addr, "--topic-prefix", "saved-", "--lesson", "2", "--save-progress")
	if code := exitCode(t, cmd, 30*time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Check your understanding: lesson 2, 3 questions", " ✔ c) It stores and delivers them", "Why: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("unattended quiz lacks %q:\n%s", want, out)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(raw), `"saved-"`) || !strings.Contains(string(raw), `"done"`) {
		t.Errorf("--save-progress: %v\n%s", err, raw)
	}
}

// A progress file that is not one is reported in one line and ignored.
func TestCorruptProgressFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, out, errb := runner(t, []string{progressEnv + "=" + path}, "list")
	if code := exitCode(t, cmd, 10*time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var warnings []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "progress file") {
			warnings = append(warnings, line)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], path) || !strings.Contains(warnings[0], "ignored") {
		t.Errorf("want one line about the file, got:\n%s", out)
	}
	if !strings.Contains(out.String(), "0  Your first order") {
		t.Errorf("the lessons are not listed:\n%s", out)
	}
}

// readOnUntil presses Enter at each "Press Enter to read on" after the
// first answered ones, until the n-th want is on screen: how many screens a
// cell takes depends on its length.
func (l *learner) readOnUntil(want string, n, answered int) {
	l.t.Helper()
	pages := answered
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(l.text(), want) < n {
		if time.Now().After(deadline) {
			l.t.Fatalf("waited 30 s for %q (#%d); screen:\n%s", want, n, l.text())
		}
		if c := strings.Count(l.text(), "Press Enter to read on"); c > pages {
			pages = c
			l.press(enter)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// embeddedBroker starts an emulation for a test that depends on which steps
// run, whatever broker the other tests use.
func embeddedBroker(t *testing.T) string {
	t.Helper()
	b, err := broker.StartEmbedded(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return strings.Join(b.Addrs, ",")
}
