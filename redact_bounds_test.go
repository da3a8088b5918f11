package strata

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider"
)

// TestSecretValuesFromTheShortestScrubbed: a secret value of minSecretLen
// characters is scrubbed from error text; a shorter one is not (replacing
// one- or two-character values everywhere would garble every message).
func TestSecretValuesFromTheShortestScrubbed(t *testing.T) {
	type cfg struct {
		Short string `config:"short" secret:"true"`
		Three string `config:"three" secret:"true"`
	}
	c, err := newConfig[cfg](Options{}, nil)
	if !assert.NoError(t, err) {
		return
	}
	secrets := c.secretValues([]provider.Snapshot{{Data: map[string]any{"short": "ab", "three": "xyz"}}})
	assert.Equal(t, []string{"xyz"}, secrets)
}

// deepErr wraps the next error n times, and quotes nothing itself.
type deepErr struct{ next error }

func (e *deepErr) Error() string { return "wrapper" }
func (e *deepErr) Unwrap() error { return e.next }

// TestScrubErrorWalksErrorTreesToTheDepthLimit: an error tree is searched
// for quoted secrets down to maxErrorDepth levels of wrapping; one deeper
// is scrubbed without looking, since nothing vouches for it.
func TestScrubErrorWalksErrorTreesToTheDepthLimit(t *testing.T) {
	chain := func(levels int) error {
		var err error = errors.New("bottom")
		for range levels - 1 {
			err = &deepErr{err}
		}
		return err
	}
	secrets := []string{"s3cret"}
	for _, tt := range []struct {
		levels   int
		scrubbed bool
		joined   bool // the chain hangs below an errors.Join, one level down
	}{
		{maxErrorDepth + 1, false, false}, // depths 0..maxErrorDepth are read
		{maxErrorDepth + 2, true, false},
		{maxErrorDepth, false, true},
		{maxErrorDepth + 1, true, true},
	} {
		t.Run(fmt.Sprint(tt.levels, tt.joined), func(t *testing.T) {
			err := chain(tt.levels)
			if tt.joined {
				err = errors.Join(err)
			}
			got := scrubError(err, secrets)
			if tt.scrubbed {
				assert.NotSame(t, err, got)
				assert.EqualError(t, got, err.Error())
			} else {
				assert.Same(t, err, got, "nothing quotes a secret: the error itself, so errors.As keeps working")
			}
		})
	}
}

// TestSecretsAreScrubbedLongestFirst: a secret that contains another is
// replaced whole; replacing the shorter one first would leave the rest of
// the longer one in the text.
func TestSecretsAreScrubbedLongestFirst(t *testing.T) {
	type cfg struct {
		Short string `config:"short" secret:"true"`
		Long  string `config:"long" secret:"true"`
	}
	c, err := newConfig[cfg](Options{}, nil)
	if !assert.NoError(t, err) {
		return
	}
	secrets := c.secretValues([]provider.Snapshot{{Data: map[string]any{"short": "abc", "long": "abc-and-more"}}})
	assert.Equal(t, []string{"abc-and-more", "abc"}, secrets)
	assert.Equal(t, "got [redacted] and [redacted]", scrub("got abc-and-more and abc", secrets))
}
