package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

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
		{[]string{"--frobnicate"}, "flag provided but not defined: -frobnicate"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"produce", "--count", "0"}, "--count must be at least 1"},
		{[]string{"--all", "--lesson", "1"}, "--all and --lesson exclude each other"},
		{[]string{"list", "extra"}, `unexpected argument "extra"`},
		{[]string{"--topic-prefix", "ada!"}, "Kafka names take only letters"},
		{[]string{"produce", "--balancer", "fnv"}, `unknown balancer "fnv" (balancers: round-robin, hash, murmur2, crc32)`},
		{[]string{"produce", "--key", ""}, "--key needs a user"},
		{[]string{"consume", "--key", "ada"}, "flag provided but not defined: -key"},
		{[]string{"consume", "--balancer", "hash"}, "flag provided but not defined: -balancer"},
		{[]string{"--step", "2"}, "--step goes with one --lesson"},
		{[]string{"--lesson", "2,3", "--step", "2"}, "--step goes with one --lesson"},
		{[]string{"--lesson", "2", "--step", "9"}, "--step 9: lesson 2 has steps 1 to 4"},
		{[]string{"--pace", "3s"}, "--pace paces an unattended run: add --yes"},
		{[]string{"--pace", "-3s", "--yes"}, "a wait cannot be negative"},
		{[]string{"--notebook", "x", "--transcript", "x"}, "name the same file"},
		{[]string{"reset", "--lesson", "1"}, "flag provided but not defined: -lesson"},
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
	for _, want := range []string{"go run ./runner --all --yes", "consume --partition 0 --offset 50", "-brokers", "-embedded", "-topic-prefix"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, errb.String())
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
