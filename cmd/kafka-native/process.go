package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
)

// findJava prefers JAVA_HOME, as Kafka's own scripts do.
func findJava() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		java := filepath.Join(home, "bin", "java")
		if _, err := os.Stat(java); err == nil {
			return java, nil
		}
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", errors.New("java is not installed (Kafka needs Java 17; apt-get install openjdk-17-jre-headless)")
	}
	return java, nil
}

var javaVersion = regexp.MustCompile(`version "(?:1\.)?(\d+)`)

// checkJavaVersion fails early with a clear message: Kafka 4 brokers need
// Java 17, 3.x runs on 8 and newer.
func checkJavaVersion(ctx context.Context, java, kafkaVersion string) error {
	out, err := exec.CommandContext(ctx, java, "-version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("run %s -version: %w", java, err)
	}
	m := javaVersion.FindSubmatch(out)
	if m == nil {
		return nil // unknown format: let the JVM speak for itself
	}
	have, _ := strconv.Atoi(string(m[1]))
	need := 8
	if kafkaMajor(kafkaVersion) >= 4 {
		need = 17
	}
	if have < need {
		return fmt.Errorf("Kafka %s needs Java %d or newer, %s is Java %d", kafkaVersion, need, java, have)
	}
	return nil
}

// startAndWait starts the broker detached and returns once it answers. If it
// dies or never answers, it is stopped and its log shown, so a failed up
// leaves no process behind.
func startAndWait(ctx context.Context, l layout, wait time.Duration, java, classpath, logFlag, version, clusterID string) error {
	started := time.Now()
	cmd, exited, err := startBroker(l, java, classpath, logFlag)
	if err != nil {
		return err
	}
	fmt.Printf("Started Kafka %s (pid %d), waiting for it on %s...\n", version, cmd.Process.Pid, bootstrap)
	if err := waitReady(ctx, wait, exited, clusterID); err != nil {
		if alive(cmd.Process.Pid) {
			_ = stopProcess(context.Background(), cmd.Process.Pid, 20*time.Second)
		}
		os.Remove(l.pid)
		return fmt.Errorf("%w\n%s", err, logTails(l))
	}
	fmt.Printf("Kafka %s is up on %s (pid %d) after %.1fs; logs in %s; stop it with: go run ./cmd/kafka-native down\n",
		version, bootstrap, cmd.Process.Pid, time.Since(started).Seconds(), l.logs)
	return nil
}

// startBroker runs kafka.Kafka in its own session so it outlives this
// command and the terminal's Ctrl-C. exited is closed when it ends while we
// still watch it.
func startBroker(l layout, java, classpath, logFlag string) (*exec.Cmd, <-chan struct{}, error) {
	out, err := os.OpenFile(l.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", l.out, err)
	}
	defer out.Close() // the child keeps its own copy
	cmd := exec.Command(java, "-Xmx512m", "-Xms256m", "-Djava.awt.headless=true", logFlag,
		"-Dkafka.logs.dir="+l.logs, "-cp", classpath, "kafka.Kafka", l.props)
	cmd.Dir = l.data
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start %s: %w", java, err)
	}
	if err := os.WriteFile(l.pid, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		_ = cmd.Process.Kill()
		return nil, nil, fmt.Errorf("write pid file: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	return cmd, exited, nil
}

// waitReady polls the broker with Kafka requests until it answers, it exits,
// the wait runs out or the user interrupts.
func waitReady(parent context.Context, wait time.Duration, exited <-chan struct{}, clusterID string) error {
	ctx, cancel := context.WithTimeout(parent, wait)
	defer cancel()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		select {
		case <-exited:
			return errors.New("the broker exited during startup")
		case <-ctx.Done():
			if parent.Err() != nil {
				return errors.New("interrupted while waiting for the broker")
			}
			return fmt.Errorf("the broker did not answer on %s within %s (last error: %v)", bootstrap, wait, last)
		case <-tick.C:
			if last = probe(ctx, bootstrap, clusterID); last == nil {
				return nil
			}
		}
	}
}

// probe sends ApiVersions and Metadata. Metadata lists a broker only once it
// has registered with the controller, i.e. once clients can really use it;
// the cluster id proves it is our broker, not another one on the same port.
// kafka.Client negotiates protocol versions with the broker, so the probe
// keeps working as Kafka retires old request versions (4.0 removed many).
func probe(ctx context.Context, addr, clusterID string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	transport := &kafka.Transport{DialTimeout: time.Second}
	defer transport.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(addr), Transport: transport}
	if _, err := client.ApiVersions(ctx, &kafka.ApiVersionsRequest{}); err != nil {
		return fmt.Errorf("ApiVersions: %w", err)
	}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return fmt.Errorf("Metadata: %w", err)
	}
	if len(meta.Brokers) == 0 {
		return errors.New("no broker registered yet")
	}
	if clusterID != "" && meta.ClusterID != clusterID {
		return fmt.Errorf("%s belongs to cluster %s, not to ours (%s)", addr, meta.ClusterID, clusterID)
	}
	return nil
}

// stopProcess asks the broker's process group to shut down cleanly (Kafka
// flushes its logs on SIGTERM) and kills it when that takes too long.
func stopProcess(ctx context.Context, pid int, grace time.Duration) error {
	fmt.Printf("Stopping broker (pid %d)...\n", pid)
	signalGroup(pid, syscall.SIGTERM)
	if waitExit(ctx, pid, grace) {
		return nil
	}
	fmt.Printf("Broker still running after %s, killing it\n", grace)
	signalGroup(pid, syscall.SIGKILL)
	if waitExit(ctx, pid, 5*time.Second) {
		return nil
	}
	return fmt.Errorf("broker (pid %d) did not die after SIGKILL", pid)
}

// signalGroup signals the whole group the broker leads (Setsid), falling
// back to the process alone if it does not lead one.
func signalGroup(pid int, sig syscall.Signal) {
	if err := syscall.Kill(-pid, sig); err != nil {
		_ = syscall.Kill(pid, sig)
	}
}

func waitExit(ctx context.Context, pid int, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if !alive(pid) {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return !alive(pid)
}

// alive reads /proc rather than sending signal 0: after down the broker is
// no child of ours, and a zombie nobody reaps yet still takes signals.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses, which may hold spaces.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// isOurBroker tells whether pid runs kafka.Kafka with our server.properties.
func isOurBroker(pid int, props string) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !alive(pid) {
		return false
	}
	args := strings.Split(string(cmdline), "\x00")
	return contains(args, "kafka.Kafka") && contains(args, props)
}

// brokerPIDs finds our broker by pid file and, in case that file was lost,
// by scanning /proc for kafka.Kafka started with our server.properties.
func brokerPIDs(l layout) []int {
	var pids []int
	if pid, ok := runningPID(l); ok {
		pids = append(pids, pid)
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || contains(pids, pid) {
			continue
		}
		if isOurBroker(pid, l.props) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func contains[T comparable](items []T, x T) bool {
	for _, i := range items {
		if i == x {
			return true
		}
	}
	return false
}

// logTails shows why a start failed: the JVM's output and the broker log.
func logTails(l layout) string {
	var b strings.Builder
	for _, f := range []string{l.out, filepath.Join(l.logs, "server.log")} {
		data, err := os.ReadFile(f)
		if err != nil || len(data) == 0 {
			continue
		}
		fmt.Fprintf(&b, "--- last lines of %s ---\n%s\n", f, tail(string(data), 30))
	}
	return b.String()
}
