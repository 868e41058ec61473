package native

import (
	"errors"
	"os"
	"syscall"
)

// supported: kafka-native runs Kafka's processes the POSIX way (sessions,
// signals, /proc); on Windows the broker comes from Docker Desktop.
func supported() error {
	return errors.New("kafka-native runs Apache Kafka on Linux and macOS only; on Windows start it with Docker Desktop " +
		"(docker compose up -d), or use the embedded broker (go run ./runner --embedded)")
}

func ownSession() *syscall.SysProcAttr { return nil }

// alive and cmdline: no node is ever started here, so none is running.
func alive(int) bool       { return false }
func cmdline(int) []string { return nil }

func terminate(pid int) { kill(pid) }

func kill(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
