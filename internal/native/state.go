package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// state is what Up started, persisted as data/state.json.
type state struct {
	Version   string      `json:"version"`
	ClusterID string      `json:"cluster_id"`
	Compose   string      `json:"compose"` // the file the nodes' settings come from
	Nodes     []nodeState `json:"nodes"`   // in node-id order
	// Voters are the node ids of the KRaft controller quorum
	// (controller.quorum.voters); none when the file names no fixed voters.
	Voters []int `json:"voters,omitempty"`
	// Services are what up --registry and up --connect started beside
	// the nodes.
	Services []serviceState `json:"services,omitempty"`
}

// nodeState is everything needed to start a node again without the compose
// file or Maven: its command line is replayed as it was.
type nodeState struct {
	ID        int      `json:"id"`
	Service   string   `json:"service"`   // its compose service, e.g. kafka-2
	Addr      string   `json:"addr"`      // for clients on this machine
	Listeners string   `json:"listeners"` // its listeners property: the ports to check before a start
	Dir       string   `json:"dir"`       // data/node-<id>
	Command   []string `json:"command"`   // java and its arguments
}

// nodeFiles names the files of one node.
type nodeFiles struct {
	dir, props, pid, out, logs, logDirs string
}

func (n nodeState) files() nodeFiles { return filesIn(n.Dir) }

func filesIn(dir string) nodeFiles {
	return nodeFiles{
		dir:     dir,
		props:   filepath.Join(dir, "server.properties"),
		pid:     filepath.Join(dir, "kafka.pid"),
		out:     filepath.Join(dir, "kafka.out"),  // the JVM's own stdout/stderr
		logs:    filepath.Join(dir, "logs"),       // log4j output
		logDirs: filepath.Join(dir, "kraft-logs"), // log.dirs: topics and metadata
	}
}

func dataDir(dir string) string         { return filepath.Join(dir, "data") }
func statePath(dir string) string       { return filepath.Join(dataDir(dir), "state.json") }
func nodeDir(dir string, id int) string { return filepath.Join(dataDir(dir), "node-"+strconv.Itoa(id)) }

func (st state) ids() []int {
	ids := make([]int, 0, len(st.Nodes))
	for _, n := range st.Nodes {
		ids = append(ids, n.ID)
	}
	return ids
}

func (st state) addrs() []string {
	addrs := make([]string, 0, len(st.Nodes))
	for _, n := range st.Nodes {
		addrs = append(addrs, n.Addr)
	}
	return addrs
}

func readState(dir string) (state, error) {
	var st state
	b, err := os.ReadFile(statePath(dir))
	if errors.Is(err, os.ErrNotExist) {
		return st, fmt.Errorf("%w in %s (start one with: go run ./cmd/kafka-native up --nodes 3)", ErrNoCluster, dir)
	}
	if err != nil {
		return st, fmt.Errorf("read the native cluster's state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("read the native cluster's state %s: %w (run kafka-native down, then up)", statePath(dir), err)
	}
	if len(st.Nodes) == 0 {
		return st, fmt.Errorf("the native cluster's state %s lists no node (run kafka-native down, then up)", statePath(dir))
	}
	return st, nil
}

// write stores the state through a temporary file, so a reader never sees
// half of it.
func (st state) write(dir string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the cluster's state: %w", err)
	}
	path := statePath(dir)
	if err := os.WriteFile(path+".tmp", append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write the cluster's state: %w", err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return fmt.Errorf("write the cluster's state: %w", err)
	}
	return nil
}
