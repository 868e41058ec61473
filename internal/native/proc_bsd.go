//go:build unix && !linux

package native

import (
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// alive sends signal 0: macOS and the BSDs have no /proc. A zombie still
// answers, but every node this process starts is reaped by its Wait, and
// init reaps the others.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// cmdline returns the arguments pid was started with, nil if it is gone.
// ps joins them with spaces, so an argument holding a space is split: the
// ones matched here (kafka.Kafka and its server.properties under the work
// folder) hold none unless the folder's path does.
func cmdline(pid int) []string {
	if !alive(pid) {
		return nil
	}
	out, err := exec.Command("ps", "-ww", "-o", "args=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return nil
	}
	return strings.Fields(string(out))
}
