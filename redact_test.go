package strata

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider"
)

// hiddenField is an error whose text is harmless but whose field holds a
// secret: only %#v or errors.As would show it.
type hiddenField struct{ token string }

func (hiddenField) Error() string { return "request failed" }

// TestScrubError: an error that shows no secret passes through untouched
// (errors.As works as usual); one that does is replaced by a stand-in that
// keeps errors.Is and a scrubbed *provider.Error, and nothing else.
func TestScrubError(t *testing.T) {
	secrets := []string{"hunter2-secret"}

	t.Run("clean error untouched", func(t *testing.T) {
		orig := provider.WrapError("file", "", &fs.PathError{Op: "open", Path: "/etc/app.yaml", Err: fs.ErrNotExist})
		assert.Same(t, orig.(*provider.Error), scrubError(orig, secrets).(*provider.Error))
		var pe *fs.PathError
		assert.ErrorAs(t, scrubError(orig, secrets), &pe)
	})

	tests := []struct {
		name string
		err  error
	}{
		{"in the text", provider.WrapError("consul", "db/dsn", fmt.Errorf("%w: bad value hunter2-secret", provider.ErrNotFound))},
		{"in a joined error", provider.WrapError("consul", "", errors.Join(provider.ErrNotFound, errors.New("hunter2-secret")))},
		{"in a hidden field", provider.WrapError("consul", "", fmt.Errorf("%w: %w", provider.ErrNotFound, hiddenField{token: "hunter2-secret"}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scrubError(tt.err, secrets)
			for _, text := range []string{got.Error(), fmt.Sprintf("%+v", got), fmt.Sprintf("%#v", got)} {
				assert.NotContains(t, text, "hunter2-secret")
			}
			assert.Nil(t, errors.Unwrap(got), "no way back to the original")
			assert.ErrorIs(t, got, provider.ErrNotFound)
			var pe *provider.Error
			require.ErrorAs(t, got, &pe)
			assert.Equal(t, "consul", pe.Layer)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", pe, pe.Err), "hunter2-secret")
			var hf hiddenField
			assert.False(t, errors.As(got, &hf), "other types are not handed out")
		})
	}
}
