package strata

import (
	"log/slog"
	"time"

	"github.com/strata-go/strata/internal/decode"
)

// Options tunes Load. The zero value means defaults, so the common case
// needs none: Load(ctx, layers...) is LoadWith(ctx, Options{}, layers...).
type Options struct {
	// Logger receives one record per applied change (listing changed keys,
	// never secret values), per rejected change, and per layer outage and
	// recovery. Nil means silent. Layers that log themselves (they
	// implement provider.LoggerUser) log here too unless given their own.
	Logger *slog.Logger

	// Strict makes keys that the config type does not declare an error
	// (the load fails, a reload is rejected). By default they are logged
	// as warnings and listed in Status.Unknown.
	Strict bool

	// OnError hears every rejected reload and every layer outage (once per
	// outage, not per retry). It is called from the reload goroutine,
	// never concurrently; it must not block for long.
	OnError func(error)

	// OnApply hears every applied change with the list of changed keys. It
	// is called from the reload goroutine after the new value is published
	// and before OnChange callbacks run.
	OnApply func(Change)

	// Debounce delays applying an update by this long so that changes to
	// several layers close together are applied once. Zero applies at once.
	Debounce time.Duration

	// TagName is the struct tag naming keys; default "config". Set it to
	// "yaml" or "json" for structs that already carry those tags.
	TagName string

	// Secrets lists extra dotted keys (and the subtrees below them) whose
	// values are secret, in addition to fields tagged secret:"true". A
	// segment "*" matches any one map key or list item, and "[*]" or "[N]"
	// after a name reads the same as ".*" or ".N":
	// "plugins.*.secret_key", "webhooks[*].token".
	Secrets []string

	// Converters decode strings into types of the application's own,
	// before the built-in conversions (numbers, durations, lists,
	// encoding.TextUnmarshaler). Create each with Convert.
	Converters []Converter
}

// Converter turns a string, which is what Consul and the environment
// deliver, into a value of one type. Create it with Convert.
type Converter = decode.Converter

// Convert returns a Converter that decodes every string bound for a field
// of type T (or *T), default tags included, with fn. fn's error is reported
// with the key, the layer and the value — never a secret value — like any
// other decoding problem. fn must be safe for concurrent use.
func Convert[T any](fn func(string) (T, error)) Converter { return decode.Convert(fn) }

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}
