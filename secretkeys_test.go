package strata

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSecretPatterns: Options.Secrets names subtrees by dotted keys, with
// "*" for any one map key or list item and "[*]"/"[N]" as list syntax.
func TestSecretPatterns(t *testing.T) {
	patterns := []string{"extra.api_key", "plugins.*.secret_key", "webhooks[*].token", "pinned[1]"}
	tests := []struct {
		key  string
		want bool
	}{
		{"extra.api_key", true},
		{"extra.api_key.nested", true},
		{"extra.api_keys", false},
		{"extra", false},
		{"plugins.s3.secret_key", true},
		{"plugins.s3.region", false},
		{"plugins.secret_key", false},
		{"webhooks[0].token", true},
		{"webhooks.3.token", true},
		{"webhooks[0].url", false},
		{"pinned[1]", true},
		{"pinned[0]", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, matchesSecretPattern(patterns, tt.key), tt.key)
	}
	assert.False(t, matchesSecretPattern(nil, "anything"))
	assert.False(t, matchesSecretPattern([]string{"", "."}, "anything"), "an empty pattern names nothing")
}

// TestCursorMatchesKeyMatching: stepping a cursor key by key agrees with
// matching the whole dotted key, including map keys that contain dots.
func TestCursorMatchesKeyMatching(t *testing.T) {
	c, err := newConfig[deepCfg](Options{Secrets: []string{"deep.a.b", "deep.*.token", "deep.list[*].pw"}}, nil)
	assert.NoError(t, err)
	root := c.rootCursor()
	assert.True(t, root.key("dsn").secret, "tagged field")
	assert.True(t, root.key("deep").key("a.b").secret, "a map key with a dot reads as the dotted key")
	assert.True(t, root.key("deep").key("x").key("token").secret)
	assert.False(t, root.key("deep").key("x").key("other").secret)
	assert.True(t, root.key("deep").key("list").item(3).key("pw").secret)
	assert.False(t, root.key("deep").key("list").item(3).key("user").secret)
	assert.True(t, root.key("deep").key("x").key("token").key("below").secret, "a secret subtree stays secret")
}
