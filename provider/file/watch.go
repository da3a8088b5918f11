package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
// re-read. What it emits follows provider.Emitter: a Snapshot only when the
// content (values, and for YAML their lines) differs from the last one
// delivered (initially last), so a write that changes nothing emits
// nothing.
//
// A read or parse failure starts an outage, emitted as one error however
// many retries fail; the first successful read after it emits the new
// Snapshot, or a recovery event if the content is unchanged. A file that
// vanishes is given one more debounce period to reappear (as it does
// mid-rename) before the absence is reported.
//
// While failing, Watch re-reads on a capped, jittered backoff
// (provider.Backoff from the debounce period up to 30 s) as well as on
// events, because an outage can end without an event in the directory (a
// symlink's target appearing in another directory). The same backoff
// re-establishes a directory watch that was lost: the directory removed and
// recreated, or not there yet; an Optional file that is simply absent is
// not a failure. While healthy and watched, it reads on events only.
//
// Watch must be called at most once at a time per Provider; it calls emit
// from the goroutine that called Watch, never concurrently, and leaves no
// goroutine behind (it closes its fsnotify watcher before returning).
func (p *Provider) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	w := newWatch(p, last, emit)
	defer w.close()
	return w.run(ctx)
}

// newWatch returns the state of one Watch call, with no timer running and
// nothing watched yet. The caller must close it.
func newWatch(p *Provider, last provider.Snapshot, emit func(provider.Event)) *watch {
	w := &watch{
		p:     p,
		em:    provider.NewEmitter(last, emit),
		bo:    provider.Backoff{Min: p.debounce},
		dir:   filepath.Dir(p.path),
		burst: time.NewTimer(time.Hour),
		retry: time.NewTimer(time.Hour),
	}
	w.burst.Stop()
	w.retry.Stop()
	return w
}

// watch is the state of one Watch call; it is owned by that call's
// goroutine.
type watch struct {
	p   *Provider
	em  *provider.Emitter
	bo  provider.Backoff
	dir string // the directory holding the path as given

	fw       *fsnotify.Watcher // nil until created, or after fsnotify gave up
	dirInfo  fs.FileInfo       // dir as it was when watched; nil while unwatched
	watchErr error             // why dir is unwatched
	target   string            // the directory of the resolved file, if elsewhere and watched

	burst      *time.Timer // the debounce period of a burst of events
	armed      bool        // burst is running
	burstStart time.Time
	retry      *time.Timer // the next retry, while failing or unwatched
	graced     bool        // the file was just found absent once
}

func (w *watch) close() {
	w.burst.Stop()
	w.retry.Stop()
	if w.fw != nil {
		w.fw.Close()
	}
}

func (w *watch) run(ctx context.Context) error {
	// Catch up with whatever happened before the watch was in place, after
	// a debounce period like any change (the file may be mid-write).
	w.schedule()
	for {
		var (
			events <-chan fsnotify.Event
			errs   <-chan error
		)
		if w.fw != nil {
			events, errs = w.fw.Events, w.fw.Errors
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-events:
			if !ok {
				w.lost()
				continue
			}
			if filepath.Clean(ev.Name) == filepath.Clean(w.dir) && ev.Has(fsnotify.Remove|fsnotify.Rename) {
				// The directory itself was removed or moved away; the
				// kernel watch is gone or follows the moved inode.
				w.unwatch(errors.New("directory was removed or moved"))
			}
			w.schedule()
		case _, ok := <-errs:
			if !ok {
				w.lost()
				continue
			}
			// Typically a queue overflow: events were lost, so re-read.
			w.schedule()
		case <-w.burst.C:
			w.armed = false
			if err := w.attempt(ctx); err != nil {
				return err
			}
		case <-w.retry.C:
			if err := w.attempt(ctx); err != nil {
				return err
			}
		}
	}
}

// schedule starts or extends the debounce period of a burst of events.
func (w *watch) schedule() {
	now := time.Now()
	if !w.armed {
		w.armed, w.burstStart = true, now
	}
	d := min(w.p.debounce, w.burstStart.Add(maxWaitFactor*w.p.debounce).Sub(now))
	w.burst.Reset(max(d, 0))
}

// attempt re-establishes the directory watch if needed, reads the file and
// reports the outcome, then arms the retry timer if the layer is failing or
// unwatched. It returns an error only when ctx is done.
func (w *watch) attempt(ctx context.Context) error {
	w.ensureWatched()
	snap, err := w.p.read(ctx)
	if ctx.Err() != nil {
		// Closing, not failing: a read cut short is no error.
		return ctx.Err()
	}
	w.follow()
	absent := errors.Is(err, provider.ErrNotFound) || (err == nil && snap.Version == absentVersion)
	if absent && !w.graced && !w.em.Failing() && w.em.Last().Version != absentVersion {
		// Likely mid-rename: look again after one more period.
		w.graced = true
		w.schedule()
		return nil
	}
	w.graced = false
	if err == nil && w.dirInfo == nil && snap.Version != absentVersion {
		err = fmt.Errorf("cannot watch directory %s: %w", w.dir, w.watchErr)
	}
	w.em.Report(snap, w.p.wrap(err))
	if w.em.Failing() || w.dirInfo == nil {
		w.retry.Reset(w.bo.Next())
	} else {
		w.bo.Reset()
		w.retry.Stop()
	}
	return nil
}

// ensureWatched creates the fsnotify watcher if there is none and watches
// the directory if it is not watched, or no longer the directory watched
// (removed and recreated without the event being seen). On failure the
// directory stays unwatched and watchErr says why.
func (w *watch) ensureWatched() {
	if w.fw == nil {
		fw, err := fsnotify.NewWatcher()
		if err != nil {
			w.watchErr = err
			return
		}
		w.fw = fw
	}
	// Stat before Add: if the directory is swapped in between, the next
	// attempt sees a mismatch and watches again, never the reverse.
	info, err := os.Stat(w.dir)
	if w.dirInfo != nil {
		if err == nil && os.SameFile(info, w.dirInfo) {
			return
		}
		w.unwatch(errors.New("directory was replaced"))
	}
	if err != nil {
		w.watchErr = err
		return
	}
	if err := w.fw.Add(w.dir); err != nil {
		w.watchErr = err
		return
	}
	w.dirInfo, w.watchErr = info, nil
	// A re-created directory needs its target watched anew too.
	if w.target != "" {
		_ = w.fw.Remove(w.target)
		w.target = ""
	}
}

// unwatch drops the directory watch, which the kernel may already have
// dropped, so that the next attempt establishes it again.
func (w *watch) unwatch(why error) {
	if w.dirInfo == nil {
		return
	}
	_ = w.fw.Remove(w.dir)
	w.dirInfo, w.watchErr = nil, why
}

// lost handles fsnotify closing its channels, which it does only when
// closed: start again with a new watcher at the next attempt.
func (w *watch) lost() {
	w.fw.Close()
	w.fw, w.dirInfo, w.target = nil, nil, ""
	w.watchErr = errors.New("fsnotify closed its channels")
	w.schedule()
}

// follow keeps a watch on the directory of the file's resolved target when
// the path is a symlink into another directory, so that in-place writes to
// the target are seen. Failures are ignored: the main directory's watch
// still sees the link itself change, and while the file cannot be read the
// retries see the rest.
func (w *watch) follow() {
	if w.fw == nil {
		return
	}
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
		_ = w.fw.Remove(w.target)
	}
	w.target = ""
	if target != "" && w.fw.Add(target) == nil {
		w.target = target
	}
}
