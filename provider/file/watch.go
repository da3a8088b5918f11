package file

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/strata-go/strata/provider"
)

// maxWaitFactor bounds how long a stream of events can postpone a reload:
// at most this many debounce periods after the first event of a burst, so a
// directory that never goes quiet (say, one shared with a log file) cannot
// starve the watch.
const maxWaitFactor = 10

// Watch reports changes to the file until ctx is done, then returns
// ctx.Err(). It watches the file's directory, not the file, re-resolving
// symlinks on every change, so it survives in-place writes, rename-over
// saves and Kubernetes ConfigMap symlink swaps. Any event in the directory
// (or in the directory of the symlink's target) starts a debounce period,
// which further events extend up to ten periods in all; then the file is
// re-read and a Snapshot is emitted only if its hash differs from the last
// one delivered (initially last.Version).
//
// A read or parse failure is emitted as an error; the next successful read
// emits the new Snapshot, or a recovery event if the content is unchanged.
// A file that vanishes is given one more debounce period to reappear (as it
// does mid-rename) before the absence is reported. If the directory itself
// vanishes, or cannot be watched, Watch polls for it with provider.Backoff,
// reporting each failed attempt unless the provider is Optional and the
// file is simply absent.
//
// Retries are driven by filesystem events: a file that keeps failing to
// parse is re-read only when something in its directory changes. Watch must
// be called at most once at a time per Provider; it calls emit from the
// goroutine that called Watch, never concurrently, and leaves no goroutine
// behind (it closes its fsnotify watcher before returning).
func (p *Provider) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	w := &watch{
		p:       p,
		emit:    emit,
		dir:     filepath.Dir(p.path),
		version: last.Version,
	}
	return w.run(ctx)
}

// watch is the state of one Watch call; it is owned by that call's
// goroutine.
type watch struct {
	p       *Provider
	emit    func(provider.Event)
	dir     string // the directory holding the path as given
	target  string // the directory of the resolved file, if elsewhere and watched
	version string // Version of the last content delivered
	failing bool   // the last attempt failed
}

func (w *watch) run(ctx context.Context) error {
	var (
		fw  *fsnotify.Watcher
		bo  provider.Backoff
		err error
	)
	defer func() {
		if fw != nil {
			fw.Close()
		}
	}()
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err = nil
		if fw == nil {
			fw, err = fsnotify.NewWatcher()
		}
		if err == nil {
			err = fw.Add(w.dir)
		}
		if err != nil {
			// Still report the file's own state; a missing directory
			// surfaces here as the file not being found.
			snap, rerr := w.p.read(ctx)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if rerr == nil && snap.Version != absentVersion {
				rerr = fmt.Errorf("cannot watch directory %s: %w", w.dir, err)
			}
			w.deliver(snap, rerr)
			if err := provider.Sleep(ctx, bo.Next()); err != nil {
				return err
			}
			continue
		}
		bo.Reset()
		// A re-created directory needs its target watch anew.
		if w.target != "" {
			_ = fw.Remove(w.target)
			w.target = ""
		}
		if err := w.loop(ctx, fw); err != nil {
			return err
		}
	}
}

// loop handles events until ctx is done (returning its error) or the
// watched directory goes away (returning nil, so run re-establishes it).
func (w *watch) loop(ctx context.Context, fw *fsnotify.Watcher) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var (
		armed      bool
		burstStart time.Time
		graced     bool
	)
	schedule := func() {
		now := time.Now()
		if !armed {
			armed, burstStart = true, now
		}
		d := min(w.p.debounce, burstStart.Add(maxWaitFactor*w.p.debounce).Sub(now))
		timer.Reset(max(d, 0))
	}
	// Catch up with whatever happened before the watch was in place, after
	// a debounce period like any change (the file may be mid-write).
	schedule()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-fw.Events:
			if !ok {
				return errors.New("fsnotify closed its event channel")
			}
			if filepath.Clean(ev.Name) == filepath.Clean(w.dir) && ev.Has(fsnotify.Remove|fsnotify.Rename) {
				// The directory itself was removed or moved away; the
				// kernel watch is gone or follows the moved inode.
				_ = fw.Remove(w.dir)
				return nil
			}
			schedule()
		case _, ok := <-fw.Errors:
			if !ok {
				return errors.New("fsnotify closed its error channel")
			}
			// Typically a queue overflow: events were lost, so re-read.
			schedule()
		case <-timer.C:
			armed = false
			snap, err := w.p.read(ctx)
			if ctx.Err() != nil {
				// Closing, not failing: a read cut short is no error.
				return ctx.Err()
			}
			w.follow(fw)
			absent := errors.Is(err, provider.ErrNotFound) || (err == nil && snap.Version == absentVersion)
			if absent && !graced && w.version != absentVersion {
				// Likely mid-rename: look again after one more period.
				graced = true
				schedule()
				continue
			}
			graced = false
			w.deliver(snap, err)
		}
	}
}

// follow keeps a watch on the directory of the file's resolved target when
// the path is a symlink into another directory, so that in-place writes to
// the target are seen. Failures are ignored: the main directory's watch
// still sees the link itself change.
func (w *watch) follow(fw *fsnotify.Watcher) {
	target := ""
	if resolved, err := filepath.EvalSymlinks(w.p.path); err == nil {
		if d := filepath.Dir(resolved); filepath.Clean(d) != filepath.Clean(w.dir) {
			target = d
		}
	}
	if target == w.target {
		return
	}
	if w.target != "" {
		_ = fw.Remove(w.target)
	}
	w.target = ""
	if target != "" && fw.Add(target) == nil {
		w.target = target
	}
}

// deliver emits the outcome of one read according to the Watcher contract.
func (w *watch) deliver(snap provider.Snapshot, err error) {
	switch {
	case err != nil:
		w.failing = true
		w.emit(provider.Event{Err: w.p.wrap(err)})
	case snap.Version != w.version:
		w.version, w.failing = snap.Version, false
		w.emit(provider.Event{Snapshot: &snap})
	case w.failing:
		w.failing = false
		w.emit(provider.Event{})
	}
}
