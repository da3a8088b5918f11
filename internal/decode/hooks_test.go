package decode

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// level is a custom encoding.TextUnmarshaler with an int kind.
type level int

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "low":
		*l = 1
	case "high":
		*l = 2
	default:
		return fmt.Errorf("unknown level %q", b)
	}
	return nil
}

type allTypes struct {
	I       int
	I8      int8
	I16     int16
	I32     int32
	I64     int64
	U       uint
	U8      uint8
	U16     uint16
	U32     uint32
	U64     uint64
	F32     float32
	F64     float64
	B       bool
	S       string
	D       time.Duration
	Strs    []string
	Ints    []int
	Durs    []time.Duration
	Arr     [2]int
	Bytes   []byte
	IP      net.IP
	Addr    netip.Addr
	Level   level
	Levels  []level
	When    time.Time
	Ptr     *int
	Any     any
	Flags   map[string]bool
	ByNum   map[int]string
	Nested  struct{ X int }
	PNested *struct{ X int }
	C       complex128
}

func TestConversions(t *testing.T) {
	five := 5
	tests := []struct {
		key   string
		value any
		want  any // the field's value after decoding
	}{
		{"i", "42", 42},
		{"i", " 42 ", 42},
		{"i", "010", 10},
		{"i", "-7", -7},
		{"i", 42, 42},
		{"i", 42.0, 42},
		{"i", uint(5), 5},
		{"i8", "127", int8(127)},
		{"i8", "-128", int8(-128)},
		{"i16", "32767", int16(32767)},
		{"i32", int64(-2147483648), int32(-2147483648)},
		{"i64", "9223372036854775807", int64(math.MaxInt64)},
		{"u", "7", uint(7)},
		{"u", 7, uint(7)},
		{"u", 7.0, uint(7)},
		{"u8", "255", uint8(255)},
		{"u16", uint64(65535), uint16(65535)},
		{"u32", "4294967295", uint32(math.MaxUint32)},
		{"u64", "18446744073709551615", uint64(math.MaxUint64)},
		{"u64", uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{"f32", "1.5", float32(1.5)},
		{"f32", 2, float32(2)},
		{"f64", "2.5e3", 2500.0},
		{"f64", uint8(3), 3.0},
		{"f64", float32(0.5), 0.5},
		{"f32", float64(math.MaxFloat32), float32(math.MaxFloat32)}, // ±Inf: nonfinite_test.go
		{"b", "true", true},
		{"b", "1", true},
		{"b", " F ", false},
		{"b", true, true},
		{"s", "x", "x"},
		{"s", 42, "42"},
		{"s", uint(3), "3"},
		{"s", 1.5, "1.5"},
		{"s", true, "true"},
		{"d", "5s", 5 * time.Second},
		{"d", "1h30m", 90 * time.Minute},
		{"d", " 250ms ", 250 * time.Millisecond},
		{"d", 1000000000, time.Second},
		{"d", 2e9, 2 * time.Second},
		{"strs", "a, b ,c", []string{"a", "b", "c"}},
		{"strs", "", []string{}},
		{"strs", "  ", []string{}},
		{"strs", "solo", []string{"solo"}},
		{"strs", []any{"x", "y"}, []string{"x", "y"}},
		{"strs", []string{"x"}, []string{"x"}},
		{"ints", "1,2,3", []int{1, 2, 3}},
		{"ints", 7, []int{7}},
		{"ints", []any{1, "2", 3.0}, []int{1, 2, 3}},
		{"durs", "1s,2m", []time.Duration{time.Second, 2 * time.Minute}},
		{"arr", "1,2", [2]int{1, 2}},
		{"bytes", "hi", []byte("hi")},
		{"ip", "10.0.0.1", net.ParseIP("10.0.0.1")},
		{"addr", "::1", netip.MustParseAddr("::1")},
		{"level", "high", level(2)},
		{"level", 1, level(1)},
		{"levels", "low,high", []level{1, 2}},
		{"when", "2024-01-02T03:04:05Z", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"ptr", "5", &five},
		{"any", "x", "x"},
		{"any", map[any]any{"k": 1}, map[string]any{"k": 1}},
		{"flags", map[string]any{"beta": "true", "old": false}, map[string]bool{"beta": true, "old": false}},
		{"flags", map[any]any{"on": "true", 1: true}, map[string]bool{"on": true, "1": true}},
		{"flags", map[string]string{"x": "false"}, map[string]bool{"x": false}},
		{"by_num", map[string]any{"1": "one", "20": 20}, map[int]string{1: "one", 20: "20"}},
		{"nested", map[string]any{"x": "3"}, struct{ X int }{3}},
		{"p_nested", map[string]any{"x": "4"}, &struct{ X int }{4}},
		{"c", complex(1, 2), complex(1, 2)},
		{"i", nil, 0},
	}
	d := newDecoder(t, reflect.TypeFor[allTypes](), Options{})
	byKey := map[string]string{}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[allTypes]()) {
		byKey[d.FieldKey(f)] = f.Name
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s=%#v", tt.key, tt.value), func(t *testing.T) {
			var out allTypes
			unused, err := d.Decode(map[string]any{tt.key: tt.value}, &out)
			require.NoError(t, err)
			assert.Empty(t, unused)
			name, ok := byKey[tt.key]
			require.True(t, ok, "no field for key %s", tt.key)
			assert.Equal(t, tt.want, reflect.ValueOf(out).FieldByName(name).Interface())
		})
	}
}

func TestConversionFailures(t *testing.T) {
	tests := []struct {
		key   string
		value any
		want  string
	}{
		{"i", "ten", `i: "ten" is not an int`},
		{"i", "", `i: "" is not an int`},
		{"i", "0x10", `i: "0x10" is not an int`},
		{"i", 1.5, `i: 1.5 is not an int`},
		{"i", math.NaN(), `i: NaN is not an int`},
		{"i", true, `i: expected an int, got bool`},
		{"i", []any{1}, `i: expected an int, got list`},
		{"i", map[string]any{}, `i: expected an int, got map`},
		{"i", uint64(math.MaxUint64), `i: 18446744073709551615 overflows int`},
		{"i8", "300", `i8: 300 overflows int8`},
		{"i8", 300, `i8: 300 overflows int8`},
		{"i8", int64(-129), `i8: -129 overflows int8`},
		{"i8", uint8(200), `i8: 200 overflows int8`},
		{"i64", "9223372036854775808", `i64: 9223372036854775808 overflows int64`},
		{"i64", 1e19, `i64: 1e+19 overflows int64`},
		{"i16", 1e5, `i16: 100000 overflows int16`},
		{"u", "-1", `u: "-1" is not an unsigned int`},
		{"u", -1, `u: -1 is not an unsigned int`},
		{"u", 1.5, `u: 1.5 is not an unsigned int`},
		{"u", -2.0, `u: -2 is not an unsigned int`},
		{"u", 1e20, `u: 1e+20 overflows uint`},
		{"u", "x", `u: "x" is not an unsigned int`},
		{"u", map[string]any{}, `u: expected an unsigned int, got map`},
		{"u8", "256", `u8: 256 overflows uint8`},
		{"u8", 300, `u8: 300 overflows uint8`},
		{"u8", uint(300), `u8: 300 overflows uint8`},
		{"u8", 300.0, `u8: 300 overflows uint8`},
		{"f32", "x", `f32: "x" is not a number`},
		{"f32", "", `f32: "" is not a number`},
		{"f32", "1e300", `f32: 1e300 overflows float32`},
		{"f32", 1e300, `f32: 1e+300 overflows float32`},
		{"f64", "1e400", `f64: 1e400 overflows float64`},
		{"f64", true, `f64: expected a number, got bool`},
		{"b", "maybe", `b: "maybe" is not a bool (true/false)`},
		{"b", "", `b: "" is not a bool (true/false)`},
		{"b", 1, `b: 1 is not a bool (true/false)`},
		{"b", map[string]any{}, `b: expected a bool (true/false), got map`},
		{"d", "5 parsecs", `d: "5 parsecs" is not a duration (e.g. 5s, 250ms)`},
		{"d", "5", `d: "5" is not a duration (e.g. 5s, 250ms)`},
		{"d", 1.5, `d: 1.5 is not a duration (e.g. 5s, 250ms)`},
		{"d", true, `d: expected a duration (e.g. 5s, 250ms), got bool`},
		{"s", map[string]any{}, `s: expected a string, got map`},
		{"s", []any{"a"}, `s: expected a string, got list`},
		{"strs", map[string]any{"a": 1}, `strs: expected a list, got map`},
		{"ints", "1,x", `ints[1]: "x" is not an int`},
		{"ints", "1,,2", `ints[1]: "" is not an int`},
		{"arr", "1,2,3", `arr: expected source data to have length less or equal to 2, got 3`},
		{"ip", "nope", `ip: "nope" is not a valid net.IP: invalid IP address: nope`},
		{"addr", "nope", `addr: "nope" is not a valid netip.Addr: ParseAddr("nope"): unable to parse IP`},
		{"addr", 5, `addr: 5 is not a valid netip.Addr: ParseAddr("5"): unable to parse IP`},
		{"addr", []any{}, `addr: expected a map, got list`},
		{"level", "medium", `level: "medium" is not a valid decode.level: unknown level "medium"`},
		{"levels", "low,mid", `levels[1]: "mid" is not a valid decode.level: unknown level "mid"`},
		{"when", "yesterday", `when: "yesterday" is not a valid time.Time: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"`},
		{"flags", "beta", `flags: expected a map, got string`},
		{"flags", map[string]any{"beta": "maybe"}, `flags.beta: "maybe" is not a bool (true/false)`},
		{"by_num", map[string]any{"one": "x"}, `by_num.one: "one" is not an int`},
		{"nested", "x", `nested: expected a map, got string`},
		{"nested", map[string]any{"x": "y"}, `nested.x: "y" is not an int`},
		{"p_nested", []any{}, `p_nested: expected a map, got list`},
		{"c", "1+2i", `c: expected complex128, got string`},
	}
	d := newDecoder(t, reflect.TypeFor[allTypes](), Options{})
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s=%#v", tt.key, tt.value), func(t *testing.T) {
			var out allTypes
			_, err := d.Decode(map[string]any{tt.key: tt.value}, &out)
			var errs Errors
			require.ErrorAs(t, err, &errs)
			assert.EqualError(t, err, tt.want)
		})
	}
}
