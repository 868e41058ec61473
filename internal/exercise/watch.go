package exercise

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// settle is how long a save must be quiet before it counts: editors write a
// file in several steps (a temporary file, a rename, a chmod).
const settle = 100 * time.Millisecond

// Saves sends on the returned channel each time file is saved, once per
// save, until ctx ends. It watches the file's folder, not the file: an
// editor that saves by renaming a new file over the old one replaces what
// a watch on the file would follow.
func Saves(ctx context.Context, file string) (<-chan struct{}, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", file, err)
	}
	if err := w.Add(filepath.Dir(file)); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch %s: %w", file, err)
	}
	saves := make(chan struct{})
	go func() {
		defer w.Close()
		var quiet <-chan time.Time // set while a save settles
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if filepath.Base(ev.Name) == filepath.Base(file) && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
					quiet = time.After(settle)
				}
			case <-w.Errors:
			case <-quiet:
				quiet = nil
				select {
				case saves <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return saves, nil
}
