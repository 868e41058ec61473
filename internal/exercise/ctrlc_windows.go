package exercise

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// ctrlCable starts the program in a process group of its own, the only
// thing a console control event can be sent to other than the whole console.
func ctrlCable(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

// sendCtrlC sends the program's group Ctrl-Break: Windows cannot send
// Ctrl-C to one group, and Go programs see both as os.Interrupt.
func sendCtrlC(p *os.Process) error {
	return windows.GenerateConsoleCtrlEvent(windows.CTRL_BREAK_EVENT, uint32(p.Pid))
}
