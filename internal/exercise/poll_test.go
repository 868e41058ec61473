package exercise

import (
	"context"
	"testing"
	"time"
)

func TestPollUntil(t *testing.T) {
	ctx := context.Background()
	calls := 0
	if !pollUntil(ctx, time.Second, time.Millisecond, nil, func() bool { calls++; return calls == 3 }) || calls != 3 {
		t.Errorf("true on the third call: got calls=%d", calls)
	}

	calls = 0
	start := time.Now()
	if pollUntil(ctx, 50*time.Millisecond, 10*time.Millisecond, nil, func() bool { calls++; return false }) {
		t.Error("never true: pollUntil said true")
	}
	if waited := time.Since(start); waited < 50*time.Millisecond || calls < 2 {
		t.Errorf("gave up after %v and %d calls, want the whole 50ms limit and several calls", waited, calls)
	}

	stop := make(chan struct{})
	close(stop)
	calls = 0
	if pollUntil(ctx, time.Hour, time.Hour, stop, func() bool { calls++; return false }) || calls != 1 {
		t.Errorf("a closed stop: want false after one call, got calls=%d", calls)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	calls = 0
	if pollUntil(cancelled, time.Hour, time.Hour, nil, func() bool { calls++; return false }) || calls != 1 {
		t.Errorf("a done context: want false after one call, got calls=%d", calls)
	}
}
