package consul

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-go/strata/provider"
)

// Versioned is a Consul layer in versioned mode: content lives under
// immutable version prefixes and one pointer key says which is live, so a
// publish of any size is applied atomically (the pointer flips once) and
// history is free. Under a base prefix B:
//
//	B/current               {"version":"0000000007"}: the pointer
//	B/versions/0000000007/…  one tree per version, never modified
//	B/meta/0000000007       {"version":…,"time":…,"note":…,"keys":…}
//
// The layer watches the pointer with one blocking query (the Provider's
// own watcher, in document mode) and reads a version's tree once per
// pointer change: versions never change, so nothing else needs watching.
// Versioned implements provider.Provider and provider.Watcher; Load and
// Watch may run concurrently. It starts no goroutine of its own.
type Versioned struct {
	pointer *Provider // document mode on B/current
	opts    Options   // as given, Prefix normalised to the base
	base    string
	name    string
	initErr error
}

// Compile-time checks that Versioned implements the provider interfaces.
var (
	_ provider.Provider = (*Versioned)(nil)
	_ provider.Watcher  = (*Versioned)(nil)
)

// Layout of a versioned base prefix.
const (
	pointerKey   = "current"
	versionsDir  = "versions/"
	metaDir      = "meta/"
	versionWidth = 10 // zero-padded, so key order is version order
)

// NewVersioned returns a versioned layer under opts.Prefix (the base).
// Every Options field applies as for New, except Key, Format and
// CacheFile, which versioned mode does not use (a bad Options is reported
// by Load and Watch). Options.Optional makes a base with no pointer yet
// (nothing published) an empty layer instead of provider.ErrNotFound.
func NewVersioned(opts Options) *Versioned {
	base := normalizePrefix(opts.Prefix)
	po := opts
	po.Prefix, po.Key, po.Format, po.CacheFile = "", base+pointerKey, "json", ""
	v := &Versioned{pointer: New(po), opts: opts, base: base}
	v.name = "consul " + base + " (versioned)"
	switch {
	case opts.Prefix == "" || base == "/":
		v.initErr = errors.New("versioned mode needs a Prefix (the base) other than \"/\"")
	case opts.Key != "":
		v.initErr = errors.New("versioned mode takes a Prefix, not a Key")
	}
	return v
}

// Name returns "consul <base> (versioned)".
func (v *Versioned) Name() string { return v.name }

// Load reads the pointer, then the version it names, and returns that
// version's content. Snapshot.Version is the pointer's index and
// Info["config_version"] the live version. A missing pointer is an empty
// layer when Options.Optional is set, provider.ErrNotFound otherwise.
func (v *Versioned) Load(ctx context.Context) (provider.Snapshot, error) {
	if v.initErr != nil {
		return provider.Snapshot{}, v.invalid()
	}
	// Held across both reads, so connections close only after the second.
	defer v.pointer.begin()()
	ps, err := v.pointer.Load(ctx)
	if err != nil {
		return provider.Snapshot{}, v.rename(err)
	}
	return v.follow(ctx, ps)
}

// Watch follows the pointer with the Provider's watcher and delivers the
// content of each version it comes to point at, read once. Errors reading
// a version are reported like any other and the previous content stays.
func (v *Versioned) Watch(ctx context.Context, last provider.Snapshot, emit func(provider.Event)) error {
	if v.initErr != nil {
		return v.invalid()
	}
	// The Emitter reports an outage once, whether the pointer's watcher or
	// retry saw it, and a recovery once.
	em := provider.NewEmitter(last, emit)
	em.SameOutage = func(prev, err error) bool { return outageKey(prev) == outageKey(err) }
	// The watcher dedupes on the pointer's content and blocks on its
	// index: give it the pointer as it was when last was read.
	plast := provider.Snapshot{Version: last.Version, Stale: last.Stale, Info: last.Info}
	if id := last.Info["config_version"]; id != "" {
		plast.Data = map[string]any{"version": id}
	}
	return v.pointer.Watch(ctx, plast, func(ev provider.Event) {
		switch {
		case ev.Err != nil:
			em.Error(v.rename(ev.Err))
		case ev.Snapshot == nil: // the pointer's watcher recovered, unchanged
			if em.Failing() {
				em.Snapshot(em.Last())
			}
		default:
			snap, err := v.follow(ctx, *ev.Snapshot)
			if err != nil {
				snap, err = v.retry(ctx, err, em)
			}
			if err == nil {
				em.Snapshot(snap)
			}
		}
	})
}

// retry keeps trying to read the live version after a failure, with the
// layer's backoff, re-reading the pointer each time (it may have moved on),
// until it succeeds or ctx ends. The pointer's watcher already counts the
// pointer as delivered, so without this a failed version read would leave
// the layer on old content until the pointer changed again. em reports
// each error unless it is part of the outage already reported.
func (v *Versioned) retry(ctx context.Context, err error, em *provider.Emitter) (provider.Snapshot, error) {
	b := v.pointer.opts.Backoff
	b.Reset()
	for {
		if ctx.Err() != nil {
			return provider.Snapshot{}, ctx.Err()
		}
		em.Error(err)
		if serr := provider.Sleep(ctx, b.Next()); serr != nil {
			return provider.Snapshot{}, serr
		}
		var ps provider.Snapshot
		if ps, err = v.pointer.Load(ctx); err != nil {
			err = v.rename(err)
			continue
		}
		snap, ferr := v.follow(ctx, ps)
		if ferr == nil {
			return snap, nil
		}
		err = ferr
	}
}

// follow reads the version the pointer snapshot names.
func (v *Versioned) follow(ctx context.Context, ps provider.Snapshot) (provider.Snapshot, error) {
	id, ok := ps.Data["version"].(string)
	if !ok {
		if len(ps.Data) == 0 {
			return ps, nil // Optional and no pointer yet: an empty layer
		}
		return provider.Snapshot{}, provider.WrapError(v.name, v.base+pointerKey,
			fmt.Errorf("consul: the pointer does not name a version (want {\"version\":\"…\"})"))
	}
	if err := validID(id); err != nil {
		return provider.Snapshot{}, provider.WrapError(v.name, v.base+pointerKey, err)
	}
	cs, err := v.content(id).Load(ctx)
	if err != nil {
		return provider.Snapshot{}, v.rename(err)
	}
	info := map[string]string{"config_version": id}
	for k, val := range ps.Info {
		info[k] = val
	}
	cs.Version, cs.Info, cs.Stale = ps.Version, info, ps.Stale || cs.Stale
	return cs, nil
}

// content is a tree layer on one version's prefix, sharing the client.
func (v *Versioned) content(id string) *Provider {
	o := v.opts
	o.Prefix, o.Key, o.Format, o.CacheFile, o.Optional = v.base+versionsDir+id+"/", "", "", "", false
	if v.pointer.client != nil {
		o.Client = v.pointer.client
	}
	return New(o)
}

// rename makes an error name this layer rather than the inner one.
func (v *Versioned) rename(err error) error {
	var pe *provider.Error
	if errors.As(err, &pe) {
		return &provider.Error{Layer: v.name, Key: pe.Key, Err: pe.Err}
	}
	return provider.WrapError(v.name, "", err)
}

func (v *Versioned) invalid() error {
	return provider.WrapError(v.name, "", &Error{Layer: v.name, Class: ClassInvalidOptions, Err: v.initErr})
}

func validID(id string) error {
	if len(id) != versionWidth || strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("consul: %q is not a version (%d digits)", id, versionWidth)
	}
	return nil
}

func formatID(n uint64) string { return fmt.Sprintf("%0*d", versionWidth, n) }

// pointerValue is the pointer key's content.
func pointerValue(id string) []byte {
	b, _ := json.Marshal(map[string]string{"version": id})
	return b
}
