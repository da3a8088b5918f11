package keys

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"MaxConns": "max_conns", "HTTPPort": "http_port", "DBName": "db_name", "ID": "id",
		"APIKey": "api_key", "Port2": "port2", "V2API": "v2_api", "Max_Conns": "max_conns",
		"already": "already", "URLs": "urls", "UserIDs": "user_ids", "URLsFor": "urls_for",
		"HTTPSPort": "https_port", "Ünïcode": "ünïcode", "S": "s", "As": "as",
		"UserIDsMap": "user_ids_map", "URLsByHost": "urls_by_host",
	} {
		assert.Equal(t, want, SnakeCase(in), in)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []Step
	}{
		{"a.b", []Step{{Text: "a"}, {Text: "b"}}},
		{"hosts[0].port", []Step{{Text: "hosts"}, {Text: "0", Bracket: true}, {Text: "port"}}},
		{"a.b]", []Step{{Text: "a"}, {Text: "b]"}}},
		{"a[x", []Step{{Text: "a"}, {Text: "[x"}}},
		{"m[k]x][0]", []Step{{Text: "m"}, {Text: "k]x", Bracket: true}, {Text: "0", Bracket: true}}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Split(tt.in), tt.in)
	}
}

func TestDeref(t *testing.T) {
	assert.Nil(t, Deref(nil))
	assert.Equal(t, reflect.TypeFor[int](), Deref(reflect.TypeFor[**int]()))
}

// TestSplitConsecutiveBrackets: "grid[0][1]" is two indexes, not one
// bracket holding "0][1" (found by mutation testing, MUTATION.md).
func TestSplitConsecutiveBrackets(t *testing.T) {
	assert.Equal(t, []Step{{Text: "grid"}, {Text: "0", Bracket: true}, {Text: "1", Bracket: true}}, Split("grid[0][1]"))
}
