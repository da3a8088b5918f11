package consul

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTokenSourceFile: a changed token file is taken in before the next
// request; an edit that keeps size, time and inode is seen only by the
// forced re-read done after a 403; an empty or missing file keeps the
// token in use.
func TestTokenSourceFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "token")
	write := func(s string) {
		require.NoError(t, os.WriteFile(file, []byte(s), 0o600))
	}
	write("token-a\n")
	s := newTokenSource("token-a", file, true)
	assert.Equal(t, "token-a", s.forRequest())

	write("token-bb\n") // another size: seen whatever the clock's resolution
	assert.Equal(t, "token-bb", s.forRequest(), "a changed file is read before the next request")

	// Same length, same inode, the old modification time: stat sees nothing.
	st, err := os.Stat(file)
	require.NoError(t, err)
	write("token-cc\n")
	require.NoError(t, os.Chtimes(file, st.ModTime(), st.ModTime()))
	assert.Equal(t, "token-bb", s.forRequest(), "precondition: the edit is invisible to stat")
	s.reload(true)
	assert.Equal(t, "token-cc", s.forRequest(), "the forced re-read after a 403 finds it")

	write("  \n")
	assert.Equal(t, "token-cc", s.forRequest(), "an empty file (half written) keeps the token")
	require.NoError(t, os.Remove(file))
	assert.Equal(t, "token-cc", s.forRequest(), "a missing file (mid-rename) keeps the token")

	s.set("token-d")
	assert.Equal(t, "token-d", s.forRequest(), "SetToken wins until the file changes again")
	write("token-e")
	assert.Equal(t, "token-e", s.forRequest())

	scrubbed := s.scrub("a token-a b token-bb c token-cc d token-d e token-e")
	assert.Equal(t, "a [redacted] b [redacted] c [redacted] d [redacted] e [redacted]", scrubbed)
}

// TestTokenSourceScrub: a token containing another is replaced whole, and
// the list of remembered tokens is bounded.
func TestTokenSourceScrub(t *testing.T) {
	t.Parallel()
	s := newTokenSource("abc", "", true, "abcdef")
	assert.Equal(t, "x [redacted] y [redacted]", s.scrub("x abcdef y abc"))

	for i := range 2 * maxSecrets {
		s.set(fmt.Sprintf("rotated-%03d", i))
	}
	assert.Len(t, s.secrets, maxSecrets)
	last := fmt.Sprintf("rotated-%03d", 2*maxSecrets-1)
	assert.Equal(t, "[redacted]", s.scrub(last))
}
