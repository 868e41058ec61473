package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/partition"
)

// deliveredPartitions runs `runner produce` with args and returns the
// partition of each delivery report.
func deliveredPartitions(t *testing.T, addr, p string, args ...string) ([]int, string) {
	t.Helper()
	cmd, out, errb := runner(t, nil, append([]string{"produce", "--brokers", addr, "--topic-prefix", p}, args...)...)
	if code := exitCode(t, cmd, 30*time.Second); code != 0 {
		t.Fatalf("produce %v: exit %d\n%s\n%s", args, code, out, errb)
	}
	var parts []int
	for _, r := range deliveredRE.FindAllStringSubmatch(out.String(), -1) {
		n, _ := strconv.Atoi(r[2])
		parts = append(parts, n)
	}
	return parts, out.String()
}

// `produce --key USER` puts every order of that user on one partition: the
// one the Java client would choose (murmur2, the default lesson 8
// recommends), librdkafka's (crc32) or Sarama's (hash), computed here from
// the published algorithms. round-robin ignores the key.
func TestProduceKeyLandsOnOnePartition(t *testing.T) {
	addr := testBroker(t)
	p := prefix()
	const user = "Ada Lovelace"
	key := []byte(user)
	for _, c := range []struct {
		args []string
		want int
		said string
	}{
		{[]string{"--key", user}, partition.JavaPartition(key, 3), `keyed by "Ada Lovelace", placed by the murmur2 balancer`},
		{[]string{"--key", user, "--balancer", "murmur2"}, partition.JavaPartition(key, 3), "murmur2"},
		{[]string{"--key", user, "--balancer", "crc32"}, partition.LibrdkafkaPartition(key, 3), "crc32"},
		{[]string{"--key", user, "--balancer", "hash"}, partition.SaramaPartition(key, 3), "hash"},
	} {
		parts, out := deliveredPartitions(t, addr, p, append(c.args, "--count", "4")...)
		if len(parts) != 4 {
			t.Fatalf("%v: %d delivery reports, want 4:\n%s", c.args, len(parts), out)
		}
		for _, got := range parts {
			if got != c.want {
				t.Errorf("%v: orders on partitions %v, want all on %d", c.args, parts, c.want)
				break
			}
		}
		if !strings.Contains(out, c.said) || strings.Count(out, `"user":"Ada Lovelace"`) != 4 {
			t.Errorf("%v: the output does not say %q or the orders are not Ada's:\n%s", c.args, c.said, out)
		}
	}
	for _, args := range [][]string{{"--key", user, "--balancer", "round-robin"}, {"--balancer", "hash"}} {
		parts, out := deliveredPartitions(t, addr, p, append(args, "--count", "3")...)
		if fmt.Sprint(sortedInts(parts)) != "[0 1 2]" {
			t.Errorf("%v: three orders on %v, want one per partition (round-robin):\n%s", args, parts, out)
		}
	}
}

func sortedInts(xs []int) []int {
	out := append([]int{}, xs...)
	sort.Ints(out)
	return out
}

// kcat (librdkafka) places keys as kafka.CRC32Balancer does by default, and
// as kafka.Murmur2Balancer does with partitioner=murmur2_random: the same
// partition as `runner produce --key K --balancer crc32|murmur2`.
func TestKcatPlacesKeysAsOurBalancers(t *testing.T) {
	kcat := kcatPath(t)
	addr := testBroker(t)
	users := []string{"SKOURI Youssef", "Ada Lovelace", "Alan Turing", "Grace Hopper", "Linus Torvalds"}
	for _, c := range []struct {
		balancer string
		kcatArgs []string
		want     func([]byte, int) int
	}{
		{"crc32", nil, partition.LibrdkafkaPartition},
		{"murmur2", []string{"-X", "topic.partitioner=murmur2_random"}, partition.JavaPartition},
	} {
		p := prefix()
		ours := map[string]int{}
		for _, u := range users {
			parts, out := deliveredPartitions(t, addr, p, "--key", u, "--balancer", c.balancer)
			if len(parts) != 1 {
				t.Fatalf("produce --key %q: %s", u, out)
			}
			ours[u] = parts[0]
		}
		var lines strings.Builder
		for _, u := range users {
			fmt.Fprintf(&lines, "%s:from kcat\n", u)
		}
		produce := exec.Command(kcat, append([]string{"-b", addr, "-P", "-t", p + "orders", "-K:"}, c.kcatArgs...)...)
		produce.Stdin = strings.NewReader(lines.String())
		if out, err := produce.CombinedOutput(); err != nil {
			t.Fatalf("kcat -P: %v\n%s", err, out)
		}
		out, err := exec.Command(kcat, "-b", addr, "-C", "-t", p+"orders", "-e", "-q", "-f", "%k\t%p\t%s\n").CombinedOutput()
		if err != nil {
			t.Fatalf("kcat -C: %v\n%s", err, out)
		}
		seen := 0
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Split(l, "\t")
			if len(f) != 3 || f[2] != "from kcat" {
				continue
			}
			seen++
			got, _ := strconv.Atoi(f[1])
			if want := c.want([]byte(f[0]), 3); got != want || got != ours[f[0]] {
				t.Errorf("%s: kcat put %q on %d; the published algorithm says %d, runner produce --balancer %s put it on %d",
					c.balancer, f[0], got, want, c.balancer, ours[f[0]])
			}
		}
		if seen != len(users) {
			t.Errorf("%s: kcat read back %d of its %d records:\n%s", c.balancer, seen, len(users), out)
		}
	}
}

var generationRE = regexp.MustCompile(`group \S+, generation (\d+): (?:this member reads \S+ partitions \[([0-9 ]*)\]|(no partition))`)

// generationsOf returns what a `consume --group` process said it was
// assigned, by generation.
func generationsOf(out string) map[int][]int {
	gens := map[int][]int{}
	for _, m := range generationRE.FindAllStringSubmatch(out, -1) {
		g, _ := strconv.Atoi(m[1])
		ps := []int{}
		for _, f := range strings.Fields(m[2]) {
			n, _ := strconv.Atoi(f)
			ps = append(ps, n)
		}
		gens[g] = ps
	}
	return gens
}

// The three-terminal demo, with two members: each `consume --group` prints
// the partitions it was given when it joins and after each rebalance; two
// members share the three partitions, and when one stops (Ctrl-C) the other
// takes all three.
func TestConsumeGroupPrintsAssignments(t *testing.T) {
	addr := testBroker(t)
	p := prefix()
	args := []string{"consume", "--group", "kitchen", "--brokers", addr, "--topic-prefix", p}
	a, aout, aerr := runner(t, nil, args...)
	waitFor(t, aout, "this member reads "+p+"orders partitions [0 1 2]", 30*time.Second)
	b, bout, berr := runner(t, nil, args...)

	deadline := time.Now().Add(30 * time.Second)
	shared := -1
	for shared < 0 {
		ga, gb := generationsOf(aout.String()), generationsOf(bout.String())
		for g, pb := range gb {
			pa, ok := ga[g]
			if ok && len(pa) > 0 && len(pb) > 0 && fmt.Sprint(sortedInts(append(append([]int{}, pa...), pb...))) == "[0 1 2]" {
				shared = g
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the two members never shared the partitions\nA:\n%s\n%s\nB:\n%s\n%s", aout, aerr, bout, berr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.Process.Signal(os.Interrupt)
	if code := exitCode(t, b, 10*time.Second); code != exitInterrupted {
		t.Errorf("member B: exit %d after Ctrl-C\n%s", code, berr)
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		taken := false
		for g, ps := range generationsOf(aout.String()) {
			taken = taken || (g > shared && fmt.Sprint(ps) == "[0 1 2]")
		}
		if taken {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after B left, A never took every partition back:\n%s", aout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	a.Process.Signal(os.Interrupt)
	if code := exitCode(t, a, 10*time.Second); code != exitInterrupted {
		t.Errorf("member A: exit %d after Ctrl-C\n%s", code, aerr)
	}
}

// Ctrl-C while producing keyed orders, and in a group member: closed,
// said, exit 130 within 2 s, as for the other commands.
func TestCtrlCKeyedProduceAndGroupMember(t *testing.T) {
	addr := testBroker(t)
	for _, tc := range []struct {
		args    []string
		waitFor string
		said    string
	}{
		{[]string{"produce", "--count", "200000", "--key", "Ada Lovelace"}, "Delivered to", "producer closed"},
		{[]string{"consume", "--group", "kitchen"}, "this member reads", "consumer closed"},
	} {
		cmd, out, errb := runner(t, nil, append(tc.args, "--brokers", addr, "--topic-prefix", prefix())...)
		waitFor(t, out, tc.waitFor, 30*time.Second)
		cmd.Process.Signal(os.Interrupt)
		start := time.Now()
		if code := exitCode(t, cmd, 5*time.Second); code != exitInterrupted {
			t.Errorf("%v: exit code %d, want 130\n%s", tc.args, code, errb)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%v: %v to exit after Ctrl-C", tc.args, d)
		}
		if !strings.Contains(out.String(), tc.said) || strings.Contains(errb.String(), "panic") {
			t.Errorf("%v: did not say %q, or panicked:\n%s\n%s", tc.args, tc.said, tail(out.String()), errb)
		}
	}
}
