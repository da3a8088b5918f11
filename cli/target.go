package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// plan is what diff and publish show and apply, whichever Consul mode.
type plan struct {
	Changes   []consul.Change
	Unchanged int
	Version   string // the version a versioned publish creates
	empty     bool
	layer     provider.Provider
	apply     func(context.Context) error
}

// target is a Consul layer diff and publish write to.
type target struct {
	layer     provider.Provider // the layer as the application lists it
	tree      *consul.Provider
	versioned *consul.Versioned
}

func (t target) name() string { return t.layer.Name() }

func (t target) plan(ctx context.Context, desired map[string]any, opts consul.PlanOptions) (*plan, error) {
	if t.versioned != nil {
		vp, err := t.versioned.Plan(ctx, desired, opts)
		if err != nil {
			return nil, err
		}
		return &plan{Changes: vp.Changes, Unchanged: vp.Unchanged, Version: vp.Version, empty: vp.Empty(), layer: vp.Layer(), apply: vp.Apply}, nil
	}
	p, err := t.tree.Plan(ctx, desired, opts)
	if err != nil {
		return nil, err
	}
	return &plan{Changes: p.Changes, Unchanged: p.Unchanged, empty: p.Empty(), layer: p.Layer(), apply: p.Apply}, nil
}

// target finds the Consul layer to publish to: the only one, or the one
// Options.Layer names.
func (r *runner[T]) target() (target, error) {
	var found []target
	for _, l := range r.layers {
		t := target{layer: l}
		switch c := l.(type) {
		case *consul.Provider:
			t.tree = c
		case *consul.Versioned:
			t.versioned = c
		default:
			continue
		}
		if r.opts.Layer == "" || l.Name() == r.opts.Layer {
			found = append(found, t)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && r.opts.Layer != "":
		return target{}, fmt.Errorf("no Consul layer named %q", r.opts.Layer)
	case len(found) == 0:
		return target{}, errors.New("no Consul layer to publish to")
	}
	return target{}, errors.New("several Consul layers: set Options.Layer to the one to publish to")
}

// withLayer returns the application's layers with the target replaced by
// l: the stack the service will load once the change is applied.
func (r *runner[T]) withLayer(t target, l provider.Provider) []provider.Provider {
	layers := make([]provider.Provider, len(r.layers))
	for i, x := range r.layers {
		layers[i] = x
		if x == t.layer {
			layers[i] = l
		}
	}
	return layers
}
