package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/exercise"
	"github.com/kafka-order-lessons/kafka-go-lessons/lessons"
)

func TestBadCommandLinesExitTwoWithUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--lesson", "42"}, "there is no lesson 42"},
		{[]string{"--lesson", "two"}, `"two" is not a lesson number`},
		{[]string{"consume", "--partition", "0", "--offset", "-5"}, `"-5" is not an offset`},
		{[]string{"consume", "--partition", "zero", "--offset", "5"}, `"zero" is not a partition number`},
		{[]string{"consume", "--partition", "0"}, "--partition and --offset go together"},
		{[]string{"--brokers", "localhost"}, `broker address "localhost" is not host:port`},
		{[]string{"--brokers", "localhost:99999"}, "no valid port"},
		{[]string{"--frobnicate"}, "unknown flag: --frobnicate"},
		{[]string{"frobnicate"}, `unknown command "frobnicate" (commands: `},
		{[]string{"chek", "8"}, `unknown command "chek": did you mean check?`},
		{[]string{"check"}, "check needs an exercise, e.g. go run ./runner check 8"},
		{[]string{"check", "99"}, `there is no exercise "99"`},
		{[]string{"hint", "8", "9"}, `unexpected argument "9"`},
		{[]string{"exercise", "--reset"}, "--reset needs an exercise"},
		{[]string{"help", "chek"}, `no help for "chek": it is not a command`},
		{[]string{"completion", "tcsh"}, `no completion for "tcsh" (shells: bash`},
		{[]string{"produce", "--lesson", "3"}, "unknown flag: --lesson\nRun 'go run ./runner produce --help'"},
		{[]string{"produce", "--count", "0"}, "--count must be at least 1"},
		{[]string{"--all", "--lesson", "1"}, "--all and --lesson exclude each other"},
		{[]string{"list", "extra"}, `unexpected argument "extra"`},
		{[]string{"--topic-prefix", "ada!"}, "Kafka names take only letters"},
		{[]string{"produce", "--balancer", "fnv"}, `unknown balancer "fnv" (balancers: round-robin, hash, murmur2, crc32)`},
		{[]string{"produce", "--key", ""}, "--key needs a user"},
		{[]string{"consume", "--key", "ada"}, "unknown flag: --key\nRun 'go run ./runner consume --help'"},
		{[]string{"consume", "--balancer", "hash"}, "unknown flag: --balancer"},
		{[]string{"--step", "2"}, "--step goes with one --lesson"},
		{[]string{"--lesson", "2,3", "--step", "2"}, "--step goes with one --lesson"},
		{[]string{"--lesson", "2", "--step", "9"}, "--step 9: lesson 2 has steps 1 to 4"},
		{[]string{"--pace", "3s"}, "--pace paces an unattended run: add --yes"},
		{[]string{"--pace", "-3s", "--yes"}, "a wait cannot be negative"},
		{[]string{"--notebook", "x", "--transcript", "x"}, "name the same file"},
		{[]string{"reset", "--lesson", "1"}, "unknown flag: --lesson"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, stdio{out: &out, err: &errb})
			if code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errb.String(), tc.want) || !strings.Contains(errb.String(), "--help") {
				t.Errorf("stderr %q lacks %q and a pointer to --help", errb.String(), tc.want)
			}
		})
	}
}

func TestHelpAndList(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, stdio{out: &out, err: &errb}); code != exitOK {
		t.Fatalf("--help exit code %d", code)
	}
	for _, want := range []string{"go run ./runner --all --yes", "consume --partition 0 --offset 50", "--brokers", "--embedded", "--topic-prefix", "--lesson",
		"produce ", "check ", "watch "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"list"}, stdio{out: &out, err: &errb}); code != exitOK {
		t.Fatalf("list exit code %d", code)
	}
	for _, l := range lessons.All() {
		if want := fmt.Sprintf("%d  %s", l.Number, l.Title); !strings.Contains(out.String(), want) {
			t.Errorf("list lacks %q:\n%s", want, out.String())
		}
	}
}

// Each command has its own help: its flags, not another command's.
func TestHelpPerCommand(t *testing.T) {
	for _, tc := range []struct {
		args          []string
		want, notWant []string
	}{
		{[]string{"produce", "--help"}, []string{"go run ./runner produce [flags]", "--key USER", "--balancer B", "--brokers"}, []string{"--lesson", "--group"}},
		{[]string{"help", "consume"}, []string{"--partition P", "--group G", "--for duration"}, []string{"--key", "--pace"}},
		{[]string{"check", "-h"}, []string{"go run ./runner check ID [flags]", "--watch", "--brokers"}, []string{"--spoil"}},
		{[]string{"hint", "--help"}, []string{"--topic-prefix"}, []string{"--brokers"}},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), tc.args, stdio{out: &out, err: &errb}); code != exitOK {
			t.Errorf("%v: exit code %d\n%s", tc.args, code, errb.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v lacks %q:\n%s", tc.args, w, out.String())
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(out.String(), w) {
				t.Errorf("%v shows %q, another command's flag:\n%s", tc.args, w, out.String())
			}
		}
	}
}

// Shell completion: a script for bash, and the exercises' ids after check.
func TestCompletion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"completion", "bash"}, stdio{out: &out, err: &errb}); code != exitOK || !strings.Contains(out.String(), "__start_runner") {
		t.Errorf("completion bash: exit %d, no bash script:\n%.300s", code, out.String())
	}
	out.Reset()
	// What the script asks the program: the words after check.
	if code := run(context.Background(), []string{"__complete", "check", ""}, stdio{out: &out, err: &errb}); code != exitOK {
		t.Fatalf("__complete check: exit %d", code)
	}
	for _, ex := range exercise.All() {
		if !strings.Contains(out.String(), ex.ID+"\t"+ex.Title) {
			t.Errorf("completing check lacks exercise %s:\n%s", ex.ID, out.String())
		}
	}
}
