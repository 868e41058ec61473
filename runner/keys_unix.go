//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// terminalKeys reads single key presses from a terminal in raw mode, without
// blocking: it polls, so that no goroutine is left reading stdin afterwards
// to steal the next key a prompt wants.
type terminalKeys struct {
	f     *os.File
	state *term.State
}

func openKeys(f *os.File) (keySource, error) {
	state, err := term.MakeRaw(int(f.Fd()))
	if err != nil {
		return nil, err
	}
	return &terminalKeys{f: f, state: state}, nil
}

func (k *terminalKeys) close() { term.Restore(int(k.f.Fd()), k.state) }

func (k *terminalKeys) wait(ctx context.Context, d time.Duration) (bool, error) {
	deadline := time.Now().Add(d)
	fds := []unix.PollFd{{Fd: int32(k.f.Fd()), Events: unix.POLLIN}}
	for {
		if ctx.Err() != nil {
			return false, errInterrupted
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false, nil
		}
		n, err := unix.Poll(fds, int(min(left, 100*time.Millisecond)/time.Millisecond)+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false, err
		}
		if n == 0 {
			continue
		}
		buf := make([]byte, 16)
		m, err := k.f.Read(buf)
		if err != nil {
			return false, err
		}
		for _, b := range buf[:m] {
			if b == 3 { // Ctrl-C: raw mode makes it a key, not a signal
				return false, errInterrupted
			}
		}
		return m > 0, nil
	}
}
