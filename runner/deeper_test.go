package main

import (
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

// Lesson 0 on a terminal: the first order in three steps, then the deeper
// steps, marked as such, which the prompt after step 3 offers to skip; the
// lesson then ends as a lesson does (its summary). After step 2, whose next
// step is not deeper, there is no such choice.
func TestDeeperStepsAreMarkedAndSkippable(t *testing.T) {
	addr := testBroker(t)
	// Tall enough for each of the three cells: each runs once shown.
	l := startLearnerSized(t, 140, 60, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "0")
	l.expect("Step 1/9 · Connect to Kafka and make a stream for the orders", 1)
	l.expect("created topic: ", 1)
	l.expect("Next?", 1)
	l.press(enter)
	l.expect("Step 2/9 · Send one order and get its delivery report", 1)
	l.expect("Delivered to ", 1)
	l.expect("Next?", 2)
	if strings.Contains(l.text(), "Skip the deeper") {
		t.Errorf("the prompt after step 2 offers to skip deeper steps:\n%s", l.visible())
	}
	// Enter again if the first was lost (seen once on a loaded machine);
	// one that arrives while step 3 runs is dropped, as every key then.
	for try := 0; !strings.Contains(l.text(), "Step 3/9"); try++ {
		if try == 3 {
			t.Fatalf("three Enters did not start step 3; screen:\n%s", l.visible())
		}
		l.press(enter)
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !strings.Contains(l.text(), "Step 3/9"); {
			time.Sleep(50 * time.Millisecond)
		}
	}
	l.expect("Step 3/9 · Read the order back by its partition and offset", 1)
	l.expect("Received order: ", 1)
	l.expect("Next?", 3)
	l.expect("Skip the deeper steps 4–9: on to the end of the lesson", 1)
	l.press("Skip the deeper" + enter) // survey filters the choices as you type
	l.expect("Lesson 0 done", 1)
	if strings.Contains(l.text(), "Step 4/9") {
		t.Errorf("a deeper step ran after the learner skipped them:\n%s", l.text())
	}
	// The summary and the quiz are of what ran: the deeper steps' points
	// and their questions (steps 4 and 7) are left out.
	l0, _ := lessons.Find(0)
	if !strings.Contains(l.text(), "reading removes nothing") {
		t.Errorf("the summary of the first three steps is missing:\n%s", l.text())
	}
	if strings.Contains(l.text(), "controller quorum, not by ZooKeeper") {
		t.Errorf("the summary names what the skipped deeper steps taught:\n%s", l.text())
	}
	l.expect("2 questions about the deeper steps you skipped left out", 1)
	l.expect("Check your understanding: lesson 0, 1 question", 1)
	l.expect("1/1 · "+l0.Quiz[0].Ask, 1)
	if l0.Quiz[0].Step != 3 || l0.Quiz[1].Step != 4 || l0.Quiz[2].Step != 7 {
		t.Errorf("lesson 0's quiz is about steps %d, %d, %d; this test expects 3, 4, 7", l0.Quiz[0].Step, l0.Quiz[1].Step, l0.Quiz[2].Step)
	}
	l.press("\x03") // Ctrl-C at the question
	exitCode(t, l.cmd, 10*time.Second)

	// Started at a deeper step, its title says so, and the choice is there.
	l = startLearnerSized(t, 140, 60, progressFile(t), "--brokers", addr, "--topic-prefix", prefix(), "--lesson", "0", "--step", "4", "--no-quiz")
	l.expect("Step 4/9 · Connect and list the brokers (deeper)", 1)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(l.text(), "Next?"); {
		if time.Now().After(deadline) {
			t.Fatalf("no prompt after step 4; screen:\n%s", l.text())
		}
		if strings.HasSuffix(strings.TrimSpace(l.visible()), "press a key to go on, q: to the end ──") {
			l.press(" ") // the output is paged
		}
		time.Sleep(50 * time.Millisecond)
	}
	l.expect("Skip the deeper steps 5–9: on to the end of the lesson", 1)
	l.press("Quit" + enter)
	if code := exitCode(t, l.cmd, 10*time.Second); code != 0 {
		t.Errorf("exit code %d; screen:\n%s", code, l.visible())
	}
}
