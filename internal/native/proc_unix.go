//go:build unix

package native

import "syscall"

// supported: brokers run natively wherever there is a Java and a POSIX
// process model.
func supported() error { return nil }

// ownSession starts a node in a session of its own, so it outlives whoever
// started it (kafka-native, the runner) and the terminal's Ctrl-C.
func ownSession() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }

// terminate asks the node to shut down cleanly: Kafka flushes its logs on
// SIGTERM.
func terminate(pid int) { signalGroup(pid, syscall.SIGTERM) }

// kill ends the node at once.
func kill(pid int) { signalGroup(pid, syscall.SIGKILL) }

// signalGroup signals the whole group the broker leads (Setsid), falling
// back to the process alone if it does not lead one.
func signalGroup(pid int, sig syscall.Signal) {
	if err := syscall.Kill(-pid, sig); err != nil {
		_ = syscall.Kill(pid, sig)
	}
}
