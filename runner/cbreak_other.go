//go:build !linux && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package main

import "os"

// cbreak: keys arrive a line at a time here (a key, then Enter).
func cbreak(*os.File) (func(), error) { return func() {}, nil }
