//go:build !unix

package main

import (
	"errors"
	"os"
)

// openKeys: no key presses here; the countdown runs to its end.
func openKeys(*os.File) (keySource, error) { return nil, errors.New("no key presses on this system") }
