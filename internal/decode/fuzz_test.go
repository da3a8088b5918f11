package decode

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary values to every kind of field. Decode must not
// panic, must return nil or Errors, and must never show a secret value.
// The seeds run as a normal test.
func FuzzDecode(f *testing.F) {
	f.Add("max_conns", "10", int64(3), 1.5, true)
	f.Add("", "", int64(0), 0.0, false)
	f.Add("x.y", "a,b,,c", int64(-1), math.Copysign(0, -1), false)
	f.Add("[0]", "5 parsecs", int64(1)<<62, 1e300, true)
	f.Add("features[beta]", "\xff\x00", int64(-1)<<63, 2.5e9, false)
	f.Add(strings.Repeat("k", 200), strings.Repeat("v", 200), int64(70000), 3.0, true)
	f.Add("f32", "NaN", int64(1), math.NaN(), false)    // non-finite floats are refused, never panic
	f.Add("ratio", "-Inf", int64(2), math.Inf(1), true) // ditto through lists and maps

	app := newDecoder(f, reflect.TypeFor[appConfig](), Options{})
	all := newDecoder(f, reflect.TypeFor[allTypes](), Options{})
	sec := newDecoder(f, reflect.TypeFor[secretConfig](), Options{})
	f.Fuzz(func(t *testing.T, key, value string, n int64, fl float64, b bool) {
		data := map[string]any{
			key:      value,
			"listen": n,
			"hosts":  value,
			"db":     map[string]any{"max_conns": value, key: fl},
			"tls":    map[any]any{key: b, n: value},
			"features": map[string]any{
				key: value, "n": n,
			},
			"servers": []any{map[string]any{"port": n, "name": fl}, value, nil},
			"timeout": fl,
		}
		check := func(d *Decoder, out any) {
			unused, err := d.Decode(data, out)
			if err != nil {
				if _, ok := err.(Errors); !ok {
					t.Fatalf("error %T is not Errors: %v", err, err)
				}
			}
			if !slices.IsSorted(unused) {
				t.Fatalf("unused keys not sorted: %q", unused)
			}
		}
		check(app, new(appConfig))
		for _, k := range all.Keys() {
			data[k] = value
		}
		data["d"], data["i8"], data["f32"], data["u"] = n, fl, n, fl
		check(all, new(allTypes))

		planted := "S3CR3T-" + value
		_, err := sec.Decode(map[string]any{
			"token": planted, "port": planted, "timeout": planted,
			"creds": map[string]any{"pass": planted, "addr": planted},
			"keys":  map[string]any{key: planted}, "list": planted,
		}, new(secretConfig))
		if err != nil && strings.Contains(err.Error(), "S3CR3T-") {
			t.Fatalf("secret shown: %v", err)
		}
	})
}

func BenchmarkDecode1000Keys(b *testing.B) {
	d := newDecoder(b, reflect.TypeFor[appConfig](), Options{})
	tenants := map[string]any{}
	for i := range 250 {
		tenants["t"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26))] = map[string]any{"dsn": "postgres://x", "max_conns": "10"}
	}
	features := map[string]any{}
	for i := range 500 {
		features["f"+string(rune('a'+i%26))+string(rune('a'+i/26%26))] = "true"
	}
	data := map[string]any{"listen": ":1", "timeout": "5s", "tenants": tenants, "features": features, "hosts": "a,b,c"}
	b.ReportAllocs()
	for b.Loop() {
		var cfg appConfig
		if _, err := d.Decode(data, &cfg); err != nil {
			b.Fatal(err)
		}
	}
}
