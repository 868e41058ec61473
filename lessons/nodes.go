package lessons

import (
	"context"
	"errors"
)

// Node is one broker of the cluster, as the cluster handle sees it.
type Node struct {
	ID   int
	Addr string // host:port for clients
	Up   bool
}

// NodeControl lists the cluster's brokers and stops and starts one of them.
// Stop and Start return once the cluster's metadata shows the change. The
// runner gives a lesson the right one: the embedded emulation, the native
// cluster kafka-native started, or the learner, asked to do it.
type NodeControl interface {
	Nodes(ctx context.Context) ([]Node, error)
	Stop(ctx context.Context, id int) error
	Start(ctx context.Context, id int) error
}

// ErrNotHere says a step cannot do what it shows on this cluster: nobody is
// there to stop a broker in an unattended run, say. The runner reports the
// step as skipped, with the reason.
var ErrNotHere = errors.New("cannot be done here")
