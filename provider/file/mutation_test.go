package file_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/provider/file"
)

// TestMaxSizeBoundary: MaxSize is the largest size accepted, so a file of
// exactly MaxSize bytes loads complete and one byte more is refused (found
// by mutation testing, MUTATION.md: off-by-one limits passed every test).
func TestMaxSizeBoundary(t *testing.T) {
	const content = "a: 1234567" // a read one byte short changes the value
	tests := []struct {
		name    string
		maxSize int64
		wantErr string
	}{
		{name: "exactly MaxSize", maxSize: int64(len(content))},
		{name: "one byte over", maxSize: int64(len(content)) - 1, wantErr: "larger than 9 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
			snap, err := file.New(path, file.Options{MaxSize: tt.maxSize}).Load(context.Background())
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"a": 1234567}, snap.Data)
		})
	}
}

// TestYAMLTypeErrorHidesValuesWithBackticks: a YAML type error quotes the
// offending value in backticks; the message must not keep any part of it,
// even when the value itself contains a backtick or is empty (found while
// reading the mutants of stripQuoted, MUTATION.md).
func TestYAMLTypeErrorHidesValuesWithBackticks(t *testing.T) {
	tests := []struct {
		name, content, secret string
	}{
		{name: "backtick inside", content: "ab`cdef\n", secret: "cdef"},
		{name: "backtick first", content: "\"`xyz\"\n", secret: "xyz"},
		{name: "plain", content: "hunter2\n", secret: "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			_, err := file.New(path, file.Options{}).Load(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "cannot unmarshal !!str value into")
			assert.NotContains(t, err.Error(), tt.secret)
		})
	}
}
