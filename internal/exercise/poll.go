package exercise

import (
	"context"
	"time"
)

// pollUntil calls ok every interval until it returns true, limit has
// passed, ctx is done or stop is closed (a nil stop never is), and says
// whether ok returned true. Each call of ok runs to its end: the wait ends
// between two calls, never in the middle of one.
func pollUntil(ctx context.Context, limit, every time.Duration, stop <-chan struct{}, ok func() bool) bool {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if ok() {
			return true
		}
		if !time.Now().Before(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-stop:
			return false
		case <-tick.C:
		}
	}
}
