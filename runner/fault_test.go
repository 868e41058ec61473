package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kafka-order-lessons/kafka-go-lessons/internal/broker"
)

// The broker goes away while a step runs: the step fails with a clear
// message and the runner exits 1, in a few seconds, without a panic.
func TestBrokerGoesAwayMidStep(t *testing.T) {
	for _, args := range [][]string{
		{"--lesson", "5", "--yes"},
	} {
		b, err := broker.StartEmbedded(1, 0)
		if err != nil {
			t.Fatal(err)
		}
		addr := strings.Join(b.Addrs, ",")
		cmd, out, errb := runner(t, nil, append(args, "--brokers", addr, "--topic-prefix", prefix())...)
		if args[0] == "consume" {
			waitFor(t, out, "Waiting for orders", 20*time.Second)
		} else {
			waitFor(t, out, "Step 2/3", 20*time.Second)
		}
		b.Close()
		start := time.Now()
		code := exitCode(t, cmd, 30*time.Second)
		t.Logf("%v: exit %d %v after the broker closed; stderr:\n%s", args, code, time.Since(start).Round(100*time.Millisecond), errb)
		if code != 1 {
			t.Errorf("%v: exit code %d, want 1\n%s\n%s", args, code, out, errb)
		}
		for _, bad := range []string{"panic", "goroutine "} {
			if strings.Contains(errb.String(), bad) {
				t.Errorf("%v: %q in stderr:\n%s", args, bad, errb)
			}
		}
		if !strings.Contains(errb.String(), "stopped answering") ||
			!strings.Contains(errb.String(), addr) {
			t.Errorf("%v: stderr does not say the broker at %s went away:\n%s", args, addr, errb)
		}
	}
}

// Two learners run the same lessons at once on one broker, with no prefix:
// neither fails on what the other created.
func TestTwoLearnersAtOnce(t *testing.T) {
	addr := testBroker(t)
	p := prefix() // shared by both: the same topic, as two learners without prefixes
	a, aout, aerr := runner(t, nil, "--lesson", "1,3,4,5", "--yes", "--brokers", addr, "--topic-prefix", p)
	b, bout, berr := runner(t, nil, "--lesson", "1,3,4,5", "--yes", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, a, 2*time.Minute); code != 0 {
		t.Errorf("learner A: exit %d\n%s\n%s", code, aout, aerr)
	}
	if code := exitCode(t, b, 2*time.Minute); code != 0 {
		t.Errorf("learner B: exit %d\n%s\n%s", code, bout, berr)
	}
	both := aout.String() + bout.String()
	created := strings.Count(both, "created topic: "+p+"orders") + strings.Count(both, "(topic "+p+"orders is ready: 3 partitions, created now)")
	if created != 1 {
		t.Errorf("the topic was created %d times", created)
	}
}

// A consumer group member killed with SIGKILL after committing, then
// started again: every order produced with acks=all is printed at least once
// across the two runs.
func TestKilledGroupConsumerMissesNothing(t *testing.T) {
	addr := testBroker(t)
	p := prefix()
	group := []string{"consume", "--group", "order_tracker", "--brokers", addr, "--topic-prefix", p}
	produce := func(n string) []string {
		cmd, out, errb := runner(t, nil, "produce", "--count", n, "--brokers", addr, "--topic-prefix", p)
		if code := exitCode(t, cmd, 30*time.Second); code != 0 {
			t.Fatalf("produce: %d %s", code, errb)
		}
		var ids []string // how the consumer names each delivered record
		for _, r := range deliveredRE.FindAllStringSubmatch(out.String(), -1) {
			ids = append(ids, fmt.Sprintf("(%s [%s] @ offset %s)", r[1], r[2], r[3]))
		}
		return ids
	}
	first, out1, _ := runner(t, nil, group...)
	waitFor(t, out1, "Waiting for orders", 20*time.Second)
	ids := produce("3")
	waitFor(t, out1, "orders [", 30*time.Second) // at least one printed and committed
	first.Process.Kill()                         // SIGKILL: no Close, no goodbye
	first.Wait()
	ids = append(ids, produce("3")...)

	second, out2, err2 := runner(t, nil, append(group, "--for", "40s")...)
	printed := func() string { return out1.String() + out2.String() }
	deadline := time.Now().Add(40 * time.Second)
	for {
		missing := 0
		for _, id := range ids {
			if !strings.Contains(printed(), id) {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d orders never printed\nfirst run:\n%s\nsecond run:\n%s\n%s", missing, len(ids), out1, out2, err2)
		}
		time.Sleep(200 * time.Millisecond)
	}
	second.Process.Signal(os.Interrupt)
	exitCode(t, second, 5*time.Second)
}

// Ctrl-C in the middle of a lesson's poll loop, and while producing: what
// was open is closed, the program says so and exits 130 within 2 s.
func TestCtrlCMidStep(t *testing.T) {
	addr := testBroker(t)
	for _, tc := range []struct {
		args    []string
		waitFor string
		said    string
	}{
		{[]string{"--lesson", "5", "--yes"}, "nothing yet", "readers and writers are closed"},
		{[]string{"produce", "--count", "200000"}, "Delivered to", "producer closed"},
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
		if !strings.Contains(out.String(), tc.said) {
			t.Errorf("%v: did not say %q:\n%s", tc.args, tc.said, tail(out.String()))
		}
		if strings.Contains(errb.String(), "panic") {
			t.Errorf("%v: panic:\n%s", tc.args, errb)
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// A topic that does not exist is named, with those that do; an offset
// before the start of a partition is explained with the valid range.
func TestMissingTopicAndOffsetBeforeTheStart(t *testing.T) {
	addr := testBroker(t)
	p := prefix()
	cmd, _, errb := runner(t, nil, "consume", "--topic", "no-such-topic", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, cmd, 20*time.Second); code != 1 ||
		!strings.Contains(errb.String(), "topic "+p+"no-such-topic does not exist. Existing topics:") {
		t.Errorf("exit %d, stderr:\n%s", code, errb)
	}

	producer, pout, _ := runner(t, nil, "produce", "--count", "9", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, producer, 30*time.Second); code != 0 {
		t.Fatalf("produce: %d", code)
	}
	if n := strings.Count(pout.String(), "["+"0] @ offset "); n != 3 {
		t.Fatalf("want 3 orders in partition 0, got %d:\n%s", n, pout)
	}
	// Delete partition 0's records before offset 2, as retention would,
	// with an independent client (franz-go).
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(addr, ",")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDeleteRecordsRequest()
	rt := kmsg.NewDeleteRecordsRequestTopic()
	rt.Topic = p + "orders"
	rp := kmsg.NewDeleteRecordsRequestTopicPartition()
	rp.Partition, rp.Offset = 0, 2
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = 5000
	shards := cl.RequestSharded(context.Background(), req)
	for _, s := range shards {
		if s.Err != nil {
			t.Fatalf("delete records: %v", s.Err)
		}
		for _, tp := range s.Resp.(*kmsg.DeleteRecordsResponse).Topics {
			for _, pp := range tp.Partitions {
				if err := kerr.ErrorForCode(pp.ErrorCode); err != nil {
					t.Fatalf("delete records of partition %d: %v", pp.Partition, err)
				}
			}
		}
	}
	cmd, out, errb := runner(t, nil, "consume", "--partition", "0", "--offset", "0", "--for", "2s", "--brokers", addr, "--topic-prefix", p)
	if code := exitCode(t, cmd, 20*time.Second); code != 0 {
		t.Fatalf("consume: exit %d %s", code, errb)
	}
	for _, want := range []string{
		"offset 0 is before the start: partition 0 holds offsets 2 to 2, its high watermark is 3.",
		"Starting at 2 instead",
		"orders [0] @ offset 2)",
		"orders: 1",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("consume output lacks %q:\n%s", want, out)
		}
	}
}
