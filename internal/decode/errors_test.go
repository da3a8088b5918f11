package decode

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/fielderr"
)

func TestErrorsType(t *testing.T) {
	errs := fielderr.Sorted(Errors{{Key: "b", Message: "two"}, {Key: "", Message: "whole"}, {Key: "a", Message: "one"}})
	assert.Equal(t, "whole; a: one; b: two", errs.Error())
	var fe *FieldError
	require.ErrorAs(t, errs, &fe)
	assert.Equal(t, "whole", fe.Error())
	assert.Len(t, errs.Unwrap(), 3)
	assert.ErrorIs(t, errs, errs[2])
}

func TestCollectsEveryError(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	var cfg appConfig
	unused, err := d.Decode(map[string]any{
		"timeout":  "soon",
		"db":       map[string]any{"max_conns": "ten", "max_con": 1},
		"features": map[string]any{"b": "maybe", "a": "nope", "c": "true"},
		"servers":  []any{map[string]any{"port": "http"}, map[string]any{"port": 70000}},
		"tls":      "on",
	}, &cfg)
	var errs Errors
	require.ErrorAs(t, err, &errs)
	assert.Equal(t, []string{"db.max_con"}, unused)
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	assert.Equal(t, []string{
		`db.max_conns: "ten" is not an int`,
		`features.a: "nope" is not a bool (true/false)`,
		`features.b: "maybe" is not a bool (true/false)`,
		`servers[0].port: "http" is not an unsigned int`,
		`servers[1].port: 70000 overflows uint16`,
		`timeout: "soon" is not a duration (e.g. 5s, 250ms)`,
		`tls: expected a map, got string`,
	}, got)
}

type secretConfig struct {
	Token   string        `secret:"true"`
	Port    int           `secret:"true"`
	Timeout time.Duration `secret:"true"`
	Creds   struct {
		User string
		Pass int
		Addr netip.Addr
	} `secret:"true"`
	Keys  map[string]int `secret:"true"`
	List  []int          `secret:"true"`
	Plain int
}

func TestSecretsNeverShown(t *testing.T) {
	const planted = "hunter2-planted-secret"
	d := newDecoder(t, reflect.TypeFor[secretConfig](), Options{})
	var cfg secretConfig
	_, err := d.Decode(map[string]any{
		"token":   map[string]any{"x": planted},
		"port":    planted,
		"timeout": planted,
		"creds":   map[string]any{"pass": planted, "addr": planted},
		"keys":    map[string]any{"a": planted},
		"list":    "1," + planted,
		"plain":   "visible",
	}, &cfg)
	var errs Errors
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs, 8)
	assert.NotContains(t, err.Error(), planted)
	assert.NotContains(t, err.Error(), "hunter2")
	for _, e := range errs {
		if e.Key == "plain" {
			assert.Equal(t, `"visible" is not an int`, e.Message)
			continue
		}
		if e.Key == "token" {
			assert.Equal(t, "expected a string, got map", e.Message)
			continue
		}
		assert.Contains(t, e.Message, "(secret value redacted)", e.Key)
	}
	assert.Contains(t, err.Error(), "port: value is not an int (secret value redacted)")
	assert.Contains(t, err.Error(), "creds.addr: value is not a valid netip.Addr (secret value redacted)")
	assert.Contains(t, err.Error(), "keys.a: value is not an int (secret value redacted)")
	assert.Contains(t, err.Error(), "list[1]: value is not an int (secret value redacted)")

	type secretDefault struct {
		Port int `secret:"true" default:"hunter2"`
	}
	_, err = New(reflect.TypeFor[secretDefault](), Options{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.Contains(t, err.Error(), "port: value is not an int (secret value redacted)")
}

func TestLongValuesTruncated(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[allTypes](), Options{})
	long := strings.Repeat("x", 100) + "END"
	var out allTypes
	_, err := d.Decode(map[string]any{"i": long, "addr": long}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `i: "`+strings.Repeat("x", 64)+`…" is not an int`)
	assert.NotContains(t, err.Error(), "END")

	assert.Equal(t, "ab…", truncate("abc", 2))
	assert.Equal(t, "éé…", truncate("ééé", 2))
	assert.Equal(t, "abc", truncate("abc", 3))
}

func TestMessageFallbacks(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[secretConfig](), Options{})
	var x int
	pe := &mapstructure.ParseError{Expected: reflect.ValueOf(&x).Elem(), Value: "abc", Err: errors.New("bad")}
	tests := []struct {
		key   string
		cause error
		want  string
	}{
		{"plain", pe, `"abc" is not a valid int`},
		{"port", pe, "invalid value (secret value redacted)"},
		{"plain", nil, "invalid value"},
		{"plain", errors.New(strings.Repeat("e", 300)), strings.Repeat("e", 256) + "…"},
		{"port", errors.New("contains the value"), "invalid value (secret value redacted)"},
		{"plain", fmt.Errorf("wrapped: %w", &kindError{want: "a map", got: "string"}), "expected a map, got string"},
		{"plain", &valueError{value: "v", quote: true, problem: "is odd"}, `"v" is odd`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, d.message(tt.key, tt.cause), tt.want)
	}
	assert.Equal(t, "value is odd (secret value redacted)", (&valueError{value: "v", problem: "is odd"}).Error())
}

func TestTranslate(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	plain := errors.New("plain failure")
	got := d.translate(fmt.Errorf("outer: %w", errors.Join(plain, fmt.Errorf("only wrapper: %w", nil))))
	require.Len(t, got, 2)
	assert.Equal(t, "plain failure", got[0].Message)
	assert.Equal(t, "only wrapper: %!w(<nil>)", got[1].Message)
	assert.Empty(t, d.translate(nil))
}

func TestOddInputs(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	self := map[string]any{}
	self["db"] = self
	var nilMap map[string]any
	var nilPtr *string
	tests := []struct {
		name string
		data map[string]any
		want string // "" for success
	}{
		{"nil map", nilMap, ""},
		{"nil values", map[string]any{"db": nil, "listen": nil, "hosts": nil}, ""},
		{"typed nil pointer", map[string]any{"listen": nilPtr}, ""},
		{"pointer value", map[string]any{"listen": new(string)}, ""},
		{"mixed list", map[string]any{"hosts": []any{"a", 1, true, 2.5, nil}}, ""},
		{"list of maps", map[string]any{"servers": []map[any]any{{"name": "a"}}}, ""},
		{"nested list of lists", map[string]any{"hosts": []any{[]any{"a"}}}, "hosts[0]: expected a string, got list"},
		{"map of strings", map[string]any{"db": map[string]string{"max_conns": "3"}}, ""},
		{"non-string key", map[string]any{"db": map[any]any{[2]int{1, 2}: "x"}}, "db: map key of type [2]int is not a string"},
		{"colliding keys", map[string]any{"features": map[any]any{1: true, "1": true}}, "features.1: key appears twice"},
		{"self reference", self, "nested more than 64 levels deep"},
		{"channel value", map[string]any{"listen": make(chan int)}, "listen: expected a string, got chan int"},
		{"func value", map[string]any{"db": map[string]any{"max_conns": func() {}}}, "db.max_conns: expected an int, got func()"},
		{"struct value", map[string]any{"db": dbConfig{MaxConns: 2}}, ""},
		{"huge key", map[string]any{strings.Repeat("k", 1<<16): 1}, ""},
		{"invalid utf8", map[string]any{"listen": "\xff\xfe", "db": map[string]any{"max_conns": "\xff"}}, `db.max_conns: "\xff" is not an int`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg appConfig
			require.NotPanics(t, func() {
				_, err := d.Decode(tt.data, &cfg)
				if tt.want == "" {
					assert.NoError(t, err)
					return
				}
				var errs Errors
				require.ErrorAs(t, err, &errs)
				assert.Contains(t, err.Error(), tt.want)
			})
		})
	}
}

func TestOverflowHelpers(t *testing.T) {
	// Edge values for the range checks of the int and uint conversions.
	d := newDecoder(t, reflect.TypeFor[allTypes](), Options{})
	var out allTypes
	_, err := d.Decode(map[string]any{"i64": float64(math.MinInt64), "u64": float64(1 << 63)}, &out)
	require.NoError(t, err)
	assert.Equal(t, int64(math.MinInt64), out.I64)
	assert.Equal(t, uint64(1<<63), out.U64)
	_, err = d.Decode(map[string]any{"u64": 2e19}, &out)
	assert.EqualError(t, err, "u64: 2e+19 overflows uint64")
}
