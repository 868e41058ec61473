package main

import (
	"context"
	"fmt"
	"time"
)

// pace waits d between two steps of an unattended run (--pace), so a class
// can read. On a terminal it counts down where everyone sees it, and a key
// press (when stdin is a terminal too) cuts the wait short; without a
// terminal it just sleeps. Ctrl-C ends it at once.
func (u unattended) pace(ctx context.Context) error {
	if u.wait <= 0 {
		return nil
	}
	if cols, _ := u.out.Size(); cols == 0 {
		select {
		case <-ctx.Done():
			return errInterrupted
		case <-time.After(u.wait):
			return nil
		}
	}
	u.out.Hold() // a delivery report would break the countdown's line
	defer u.out.Release()
	var keys keySource = noKeys{}
	hint := ""
	if u.in != nil && isTerminal(u.in) {
		if k, err := openKeys(u.in); err == nil {
			keys, hint = k, " · any key: now"
			defer k.close()
		}
	}
	defer u.out.Status("")
	deadline := time.Now().Add(u.wait)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		secs := (left + time.Second - 1) / time.Second
		u.out.Status(fmt.Sprintf("  ⏵ next in %d s%s", secs, hint))
		tick := left - (secs-1)*time.Second // until the count changes
		pressed, err := keys.wait(ctx, tick)
		if err != nil {
			return err
		}
		if pressed {
			return nil
		}
	}
}

// keySource tells whether a key was pressed.
type keySource interface {
	// wait waits up to d for a key; Ctrl-C (or ctx) is errInterrupted.
	wait(ctx context.Context, d time.Duration) (bool, error)
	// key waits for a key and returns its first byte (an escape sequence's
	// other bytes are dropped); Ctrl-C (or ctx) is errInterrupted.
	key(ctx context.Context) (byte, error)
	close()
}

// noKeys is a keyboard nobody uses: the wait is just time.
type noKeys struct{}

func (noKeys) wait(ctx context.Context, d time.Duration) (bool, error) {
	select {
	case <-ctx.Done():
		return false, errInterrupted
	case <-time.After(d):
		return false, nil
	}
}

func (noKeys) key(ctx context.Context) (byte, error) {
	<-ctx.Done()
	return 0, errInterrupted
}

func (noKeys) close() {}
