//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// cbreak makes a terminal pass each key at once and unechoed, as raw mode
// does, but keeps its output as it was (a newline still returns the
// carriage) and Ctrl-C a signal. It returns how to restore the terminal.
func cbreak(f *os.File) (func(), error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, termiosGet)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= unix.ICANON | unix.ECHO
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, termiosSet, &t); err != nil {
		return nil, err
	}
	return func() { unix.IoctlSetTermios(fd, termiosSet, old) }, nil
}
