package strata

import (
	"context"

	"github.com/strata-go/strata/internal/decode"
	"github.com/strata-go/strata/provider"
)

// defaultsLayer serves the `default:"…"` struct tags as the lowest layer,
// so defaults go through the same merge, decoding and provenance as every
// other value.
type defaultsLayer struct{ dec *decode.Decoder }

func (defaultsLayer) Name() string { return "defaults" }

func (d defaultsLayer) Load(context.Context) (provider.Snapshot, error) {
	refs := d.dec.DefaultRefs()
	origins := make(map[string]provider.Origin, len(refs))
	for key, ref := range refs {
		origins[key] = provider.Origin{Kind: "default tag", Ref: ref}
	}
	return provider.Snapshot{
		Data:    d.dec.Defaults(),
		Version: "static",
		Origins: origins,
		Source:  provider.Origin{Kind: "default tag"},
	}, nil
}
