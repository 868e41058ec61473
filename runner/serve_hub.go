package main

import (
	"sync"
)

// event is what the page receives on its stream: a step starting, a line of
// its output, its end, the cluster panel redrawn.
type event struct {
	ID   int    `json:"id"`
	Type string `json:"type"` // hello, start, out, end, cluster, progress
	// Cell is the id of the box the output goes to: "s3-2" for lesson 3's
	// step 2, "x-ID" for exercise ID's check.
	Cell   string     `json:"cell,omitempty"`
	Kind   string     `json:"kind,omitempty"` // out: say, value, event, record, warn, block, note
	HTML   string     `json:"html,omitempty"` // out, cluster: escaped, coloured by meaning
	Record *webRecord `json:"record,omitempty"`
	// Status ends a cell: ok, failed, skipped, stopped.
	Status string `json:"status,omitempty"`
	Client string `json:"client,omitempty"` // hello: this stream's id, to name in requests
}

// webRecord is a record's facts, beside the line the learner reads: the page
// keeps them as data attributes (a test reads them there).
type webRecord struct {
	Kind      string `json:"kind"` // delivered, failed, received, skipped
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	Offset    int64  `json:"offset"`
}

// historyKept bounds what a tab opened late is replayed.
const historyKept = 5000

// hub hands every event to every open stream, and keeps the run's history
// so that a second tab sees the same run.
type hub struct {
	mu      sync.Mutex
	next    int
	subs    map[string]chan event
	tabs    map[string]string // stream → the tab (client) it belongs to
	history []event
	cluster *event // the last cluster panel: a new tab gets it at once
}

func newHub() *hub { return &hub{subs: map[string]chan event{}, tabs: map[string]string{}} }

// streamBuffer is how many events a stream may be behind before it is
// closed (its tab reconnects, and is replayed the history).
const streamBuffer = 4096

// send numbers e and hands it to every stream. A stream too slow to keep
// up is closed (its tab reconnects and is replayed the history).
func (h *hub) send(e event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.next++
	e.ID = h.next
	if e.Type == "cluster" {
		h.cluster = &e
	} else {
		h.history = append(h.history, e)
		if len(h.history) > historyKept {
			h.history = append([]event(nil), h.history[len(h.history)-historyKept:]...)
		}
	}
	for id, c := range h.subs {
		select {
		case c <- e:
		default:
			close(c)
			delete(h.subs, id)
			delete(h.tabs, id)
		}
	}
}

// subscribe opens stream id of tab client: what happened so far, then
// what happens.
func (h *hub) subscribe(id, client string) (past []event, live <-chan event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := make(chan event, streamBuffer)
	h.subs[id] = c
	h.tabs[id] = client
	past = append([]event(nil), h.history...)
	if h.cluster != nil {
		past = append(past, *h.cluster)
	}
	return past, c
}

func (h *hub) unsubscribe(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.subs[id]; ok {
		close(c)
		delete(h.subs, id)
		delete(h.tabs, id)
	}
}

// connected says whether tab client has a stream open.
func (h *hub) connected(client string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.tabs {
		if c == client {
			return true
		}
	}
	return false
}

// watched says whether a tab is open: the cluster panel is polled only then.
func (h *hub) watched() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) > 0
}
