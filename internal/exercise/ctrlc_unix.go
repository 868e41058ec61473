//go:build !windows

package exercise

import (
	"os"
	"os/exec"
)

// ctrlCable prepares cmd so that sendCtrlC reaches it: nothing to do where
// there are signals.
func ctrlCable(*exec.Cmd) {}

// sendCtrlC sends the program SIGINT, what Ctrl-C sends.
func sendCtrlC(p *os.Process) error { return p.Signal(os.Interrupt) }
