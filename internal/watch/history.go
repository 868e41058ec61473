package watch

import (
	"slices"
	"time"
)

// foldWithin is how close two batches of new records in one topic must be
// to be told as one: records that keep coming make one line that grows,
// not a line per poll that pushes everything else off the screen.
const foldWithin = 5 * time.Second

// History is the recent changes as the live picture shows them: newest
// first, at most Keep of them, and the records arriving in a topic folded
// into one line while they keep coming ("orders: +120 records in 14s").
type History struct {
	Keep    int
	changes []Change
}

// Add records the changes of one poll.
func (h *History) Add(changes []Change) {
	batch := make([]Change, 0, len(changes))
	for _, c := range changes {
		if c.Topic != "" {
			if i := slices.IndexFunc(h.changes, func(o Change) bool {
				return o.Topic == c.Topic && c.At.Sub(o.At) <= foldWithin
			}); i >= 0 {
				old := h.changes[i]
				h.changes = slices.Delete(h.changes, i, i+1)
				added := make(map[int32]int64, len(old.Added)+len(c.Added))
				for id, n := range old.Added {
					added[id] += n
				}
				for id, n := range c.Added {
					added[id] += n
				}
				c.Added, c.Since = added, old.Since
				c.Text = recordsText(c)
			}
		}
		batch = append(batch, c)
	}
	h.changes = append(batch, h.changes...)
	if h.Keep > 0 && len(h.changes) > h.Keep {
		h.changes = h.changes[:h.Keep]
	}
}

// Changes returns the changes, newest first.
func (h *History) Changes() []Change { return h.changes }
