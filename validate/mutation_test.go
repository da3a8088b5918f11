package validate

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestEdgesFromMutation pins boundaries that mutation testing found
// untested (MUTATION.md): a value exactly at the length limit is shown
// whole, a field inside an array of structs keeps its configured key, and
// a plural acronym followed by another word keeps its "s".
func TestEdgesFromMutation(t *testing.T) {
	t.Run("truncate", func(t *testing.T) {
		tests := []struct {
			in   string
			n    int
			want string
		}{
			{"éé", 2, "éé"},
			{"ééé", 2, "éé…"},
			{"", 0, ""},
		}
		for _, tt := range tests {
			assert.Equal(t, tt.want, truncate(tt.in, tt.n), "truncate(%q, %d)", tt.in, tt.n)
		}
	})
	t.Run("array of structs keeps field keys", func(t *testing.T) {
		type pin struct {
			Num int `config:"number" validate:"min=1"`
		}
		cfg := &struct {
			Pins [2]pin `validate:"dive"`
		}{Pins: [2]pin{{Num: 1}, {Num: 0}}}
		assert.Equal(t, []string{"pins[1].number"}, keys(t, New(Options{}).Struct(cfg)))
	})
}
