package decode

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type dbConfig struct {
	DSN      string `config:"dsn" secret:"true"`
	MaxConns int    `config:"max_conns" default:"10"`
}

type tlsConfig struct {
	Cert string `default:"/etc/cert.pem"`
}

type base struct {
	Region string `default:"eu"`
}

type server struct {
	Name string
	Port uint16
}

type appConfig struct {
	base     `config:",squash"`
	Listen   string        `config:"listen" default:":8080"`
	Timeout  time.Duration `default:"5s"`
	Hosts    []string      `default:"a, b"`
	DB       dbConfig      `config:"db"`
	TLS      *tlsConfig
	Features map[string]bool
	Tenants  map[string]dbConfig
	Servers  []server
	Skipped  string `config:"-"`
	//lint:ignore U1000 an unexported field the decoder must skip
	internal int
}

func newDecoder(t testing.TB, typ reflect.Type, opts Options) *Decoder {
	t.Helper()
	d, err := New(typ, opts)
	require.NoError(t, err)
	return d
}

func TestNewSchema(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[appConfig](), reflect.TypeFor[*appConfig]()} {
		d := newDecoder(t, typ, Options{})
		assert.Equal(t, []string{"db.dsn", "db.max_conns", "features", "hosts", "listen", "region", "servers", "tenants", "timeout", "tls.cert"}, d.Keys())
		assert.Equal(t, []string{"features", "tenants"}, d.Maps())
		assert.Equal(t, map[string]any{
			"listen":  ":8080",
			"timeout": "5s",
			"hosts":   "a, b",
			"region":  "eu",
			"db":      map[string]any{"max_conns": "10"},
			"tls":     map[string]any{"cert": "/etc/cert.pem"},
		}, d.Defaults())
		assert.Equal(t, map[string]string{
			"listen":       "appConfig.Listen",
			"timeout":      "appConfig.Timeout",
			"hosts":        "appConfig.Hosts",
			"region":       "appConfig.base.Region",
			"db.max_conns": "appConfig.DB.MaxConns",
			"tls.cert":     "appConfig.TLS.Cert",
		}, d.DefaultRefs())
	}
}

func TestAnonymousRootType(t *testing.T) {
	var cfg struct {
		Port int `default:"80"`
	}
	d := newDecoder(t, reflect.TypeOf(&cfg), Options{})
	assert.Equal(t, map[string]string{"port": "Config.Port"}, d.DefaultRefs())
	_, err := d.Decode(d.Defaults(), &cfg)
	require.NoError(t, err)
	assert.Equal(t, 80, cfg.Port)
}

func TestNewReturnsCopies(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	d.Defaults()["db"].(map[string]any)["max_conns"] = "99"
	d.Keys()[0] = "changed"
	d.Maps()[0] = "changed"
	d.DefaultRefs()["listen"] = "changed"
	assert.Equal(t, "10", d.Defaults()["db"].(map[string]any)["max_conns"])
	assert.Equal(t, "db.dsn", d.Keys()[0])
	assert.Equal(t, "features", d.Maps()[0])
	assert.Equal(t, "appConfig.Listen", d.DefaultRefs()["listen"])
}

func TestNewErrors(t *testing.T) {
	type badDefaultInt struct {
		DB struct {
			MaxConns int `default:"abc"`
		}
	}
	type badDefaultBool struct {
		On bool `default:"maybe"`
	}
	type badDefaultDuration struct {
		Wait time.Duration `default:"5"`
	}
	type badDefaultList struct {
		Ports []int `default:"1,x"`
	}
	type defaultOnStruct struct {
		DB dbConfig `default:"x"`
	}
	type squashScalar struct {
		N int `config:",squash"`
	}
	type dupKey struct {
		A int `config:"x"`
		B int `config:"x"`
	}
	type dottedKey struct {
		A int `config:"db.host"`
	}
	type badSecret struct {
		A string `secret:"yes"`
	}
	//lint:ignore U1000 a type only New inspects
	type selfSquash struct {
		*selfSquash `config:",squash"`
	}
	tests := []struct {
		name string
		typ  reflect.Type
		opts Options
		want []string
	}{
		{"nil type", nil, Options{}, []string{"not a struct"}},
		{"int", reflect.TypeFor[int](), Options{}, []string{"int is not a struct"}},
		{"pointer to int", reflect.TypeFor[*int](), Options{}, []string{"not a struct"}},
		{"bad int default", reflect.TypeFor[badDefaultInt](), Options{}, []string{`db.max_conns: "abc" is not an int (default tag on badDefaultInt.DB.MaxConns)`}},
		{"bad bool default", reflect.TypeFor[badDefaultBool](), Options{}, []string{`on: "maybe" is not a bool`}},
		{"bad duration default", reflect.TypeFor[badDefaultDuration](), Options{}, []string{`wait: "5" is not a duration`}},
		{"bad list default", reflect.TypeFor[badDefaultList](), Options{}, []string{`ports[1]: "x" is not an int`}},
		{"default on struct", reflect.TypeFor[defaultOnStruct](), Options{}, []string{"db", "default tag needs a value field"}},
		{"squash scalar", reflect.TypeFor[squashScalar](), Options{}, []string{"N", "needs a struct"}},
		{"self squash", reflect.TypeFor[selfSquash](), Options{}, []string{"into itself"}},
		{"duplicate key", reflect.TypeFor[dupKey](), Options{}, []string{"A and B", `"x"`}},
		{"dotted key", reflect.TypeFor[dottedKey](), Options{}, []string{`"db.host"`, "nest a struct"}},
		{"bad secret tag", reflect.TypeFor[badSecret](), Options{}, []string{`secret tag "yes"`}},
		{"nil hook", reflect.TypeFor[appConfig](), Options{Hooks: []mapstructure.DecodeHookFunc{nil}}, []string{"hook 0"}},
		{"bad hook", reflect.TypeFor[appConfig](), Options{Hooks: []mapstructure.DecodeHookFunc{func(int) {}}}, []string{"hook 0", "func(int)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(tt.typ, tt.opts)
			require.Error(t, err)
			assert.Nil(t, d)
			assert.True(t, strings.HasPrefix(err.Error(), "decoder: "), err.Error())
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestNewBadDefaultIsErrors(t *testing.T) {
	type cfg struct {
		A int  `default:"x"`
		B bool `default:"y"`
	}
	_, err := New(reflect.TypeFor[cfg](), Options{})
	var errs Errors
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs, 2)
	assert.Equal(t, "a", errs[0].Key)
	assert.Equal(t, "b", errs[1].Key)
}

func TestFieldKey(t *testing.T) {
	type fields struct {
		Tagged   int `config:"custom,omitempty"`
		MaxConns int
		HTTPPort int
		DBName   string
		ID       string
		Skip     int `config:"-"`
		base     `config:",squash"`
		YAMLOnly int `yaml:"yaml_only"`
		//lint:ignore U1000 an unexported field the decoder must skip
		hidden int
	}
	typ := reflect.TypeFor[fields]()
	want := map[string]string{
		"Tagged": "custom", "MaxConns": "max_conns", "HTTPPort": "http_port", "DBName": "db_name",
		"ID": "id", "Skip": "", "base": "", "YAMLOnly": "yaml_only", "hidden": "",
	}
	d := &Decoder{tagNames: []string{"config"}, squashOpt: "squash"}
	for name, key := range want {
		f, ok := typ.FieldByName(name)
		require.True(t, ok, name)
		if name == "YAMLOnly" {
			key = "yaml_only" // snake_case of the Go name, the yaml tag is not read
		}
		assert.Equal(t, key, d.FieldKey(f), name)
	}
	y := &Decoder{tagNames: []string{"yaml"}, squashOpt: "inline"}
	f, _ := typ.FieldByName("YAMLOnly")
	assert.Equal(t, "yaml_only", y.FieldKey(f))
	f, _ = typ.FieldByName("Tagged")
	assert.Equal(t, "tagged", y.FieldKey(f))
}

func TestDecodeOutArgument(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	var wrong struct{ X int }
	var nilPtr *appConfig
	for name, out := range map[string]any{"nil": nil, "value": appConfig{}, "nil pointer": nilPtr, "other type": &wrong} {
		t.Run(name, func(t *testing.T) {
			_, err := d.Decode(map[string]any{}, out)
			var errs Errors
			require.ErrorAs(t, err, &errs)
			assert.Contains(t, err.Error(), "decoder: out must be a non-nil *decode.appConfig")
		})
	}
}

func TestDecodeReplacesWholeAndKeepsWhatDecodedOnError(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	cfg := appConfig{Listen: "old", Skipped: "kept?", DB: dbConfig{MaxConns: 7}}
	_, err := d.Decode(map[string]any{"listen": "new", "db": map[string]any{"max_conns": "x"}}, &cfg)
	require.Error(t, err)
	assert.Equal(t, "new", cfg.Listen, "fields that decoded are set on error")
	assert.Zero(t, cfg.DB.MaxConns, "the failed field is zero, not the old value")
	assert.Empty(t, cfg.Skipped, "replaced whole, not merged")

	_, err = d.Decode(map[string]any{"db": map[string]any{"max_conns": "3"}}, &cfg)
	require.NoError(t, err)
	assert.Equal(t, appConfig{DB: dbConfig{MaxConns: 3}}, cfg, "replaced whole on success")
}

func TestDecodeWithDefaults(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	var cfg appConfig
	_, err := d.Decode(d.Defaults(), &cfg)
	require.NoError(t, err)
	assert.Equal(t, ":8080", cfg.Listen)
	assert.Equal(t, 5*time.Second, cfg.Timeout)
	assert.Equal(t, []string{"a", "b"}, cfg.Hosts)
	assert.Equal(t, "eu", cfg.Region)
	assert.Equal(t, 10, cfg.DB.MaxConns)
	require.NotNil(t, cfg.TLS)
	assert.Equal(t, "/etc/cert.pem", cfg.TLS.Cert)
}

func TestDecodeNested(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	var cfg appConfig
	unused, err := d.Decode(map[string]any{
		"region":   "us",
		"tls":      map[string]any{"cert": "c.pem"},
		"features": map[string]any{"beta": "true", "old": false},
		"tenants":  map[string]any{"acme": map[string]any{"dsn": "x", "max_conns": "4"}},
		"servers":  []any{map[string]any{"name": "a", "port": "80"}, map[any]any{"name": "b", "port": 443}},
		"skipped":  "ignored",
	}, &cfg)
	require.NoError(t, err)
	assert.Equal(t, []string{"skipped"}, unused)
	assert.Equal(t, "us", cfg.Region)
	require.NotNil(t, cfg.TLS)
	assert.Equal(t, "c.pem", cfg.TLS.Cert)
	assert.Equal(t, map[string]bool{"beta": true, "old": false}, cfg.Features)
	assert.Equal(t, map[string]dbConfig{"acme": {DSN: "x", MaxConns: 4}}, cfg.Tenants)
	assert.Equal(t, []server{{"a", 80}, {"b", 443}}, cfg.Servers)
	assert.Empty(t, cfg.Skipped)
}

func TestDecodeUnused(t *testing.T) {
	type withRemain struct {
		Known int
		Rest  map[string]any `config:",remain"`
	}
	type cfg struct {
		appConfig `config:",squash"`
		Sub       withRemain
		Any       any
	}
	d := newDecoder(t, reflect.TypeFor[cfg](), Options{})
	var out cfg
	unused, err := d.Decode(map[string]any{
		"listen":   ":1",
		"lisen":    ":2",
		"db":       map[string]any{"max_con": "1", "dsn": "x"},
		"tls":      map[string]any{"crt": "x"},
		"features": map[string]any{"anything": "true", "goes": "false"},
		"tenants":  map[string]any{"acme": map[string]any{"dns": "typo"}},
		"servers":  []any{map[string]any{"name": "a"}, map[string]any{"nme": "b"}, "junk"},
		"sub":      map[string]any{"known": 1, "whatever": 2},
		"any":      map[string]any{"free": "form"},
		"Listen":   "case matters",
	}, &out)
	require.ErrorContains(t, err, "servers[2]: expected a map, got string")
	assert.Equal(t, []string{"Listen", "db.max_con", "lisen", "servers[1].nme", "tenants.acme.dns", "tls.crt"}, unused)
	assert.Equal(t, ":1", out.Listen, "fields that decoded are set despite the error")
}

func TestAlternateTagName(t *testing.T) {
	type inner struct {
		Port int `yaml:"port"`
	}
	type yamlCfg struct {
		inner    `yaml:",inline"`
		MaxConns int      `yaml:"maxConns" default:"3"`
		Hosts    []string `yaml:"hosts,omitempty"`
		Plain    string
	}
	d := newDecoder(t, reflect.TypeFor[yamlCfg](), Options{TagName: "yaml"})
	assert.Equal(t, []string{"hosts", "maxConns", "plain", "port"}, d.Keys())
	var out yamlCfg
	unused, err := d.Decode(map[string]any{"maxConns": "7", "port": "80", "hosts": "a,b", "plain": "p", "max_conns": 1}, &out)
	require.NoError(t, err)
	assert.Equal(t, []string{"max_conns"}, unused)
	assert.Equal(t, yamlCfg{inner: inner{Port: 80}, MaxConns: 7, Hosts: []string{"a", "b"}, Plain: "p"}, out)

	type jsonCfg struct {
		A int `json:"a_key"`
		B int `config:"b_key"`
	}
	d = newDecoder(t, reflect.TypeFor[jsonCfg](), Options{TagName: "json, config"})
	assert.Equal(t, []string{"a_key", "b_key"}, d.Keys())
}

type node struct {
	Value    int `default:"1"`
	Next     *node
	Children []node
	ByName   map[string]*node
}

func TestRecursiveType(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[node](), Options{})
	assert.Equal(t, []string{"by_name", "children", "next", "value"}, d.Keys())
	assert.Equal(t, map[string]any{"value": "1"}, d.Defaults())
	var n node
	unused, err := d.Decode(map[string]any{
		"value":    "1",
		"next":     map[string]any{"value": "2", "next": map[string]any{"value": "3", "nxt": 1}},
		"children": []any{map[string]any{"value": "4"}},
		"by_name":  map[string]any{"x": map[string]any{"value": "5", "vale": 0}},
	}, &n)
	require.NoError(t, err)
	assert.Equal(t, []string{"by_name.x.vale", "next.next.nxt"}, unused)
	require.NotNil(t, n.Next)
	require.NotNil(t, n.Next.Next)
	assert.Equal(t, 3, n.Next.Next.Value)
	assert.Equal(t, 4, n.Children[0].Value)
	assert.Equal(t, 5, n.ByName["x"].Value)

	_, err = d.Decode(map[string]any{"next": map[string]any{"next": map[string]any{"value": "x"}}}, &n)
	assert.EqualError(t, err, `next.next.value: "x" is not an int`)
}

func TestUserHooks(t *testing.T) {
	words := func(from, to reflect.Type, data any) (any, error) {
		if s, ok := data.(string); ok && to.Kind() == reflect.Int && s == "ten" {
			return "10", nil
		}
		return data, nil
	}
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{Hooks: []mapstructure.DecodeHookFunc{mapstructure.DecodeHookFuncType(words)}})
	var cfg appConfig
	_, err := d.Decode(map[string]any{"db": map[string]any{"max_conns": "ten"}}, &cfg)
	require.NoError(t, err)
	assert.Equal(t, 10, cfg.DB.MaxConns)

	failing := func(from, to reflect.Kind, data any) (any, error) {
		if to == reflect.Int {
			return nil, errors.New("no ints today")
		}
		return data, nil
	}
	_, err = New(reflect.TypeFor[appConfig](), Options{Hooks: []mapstructure.DecodeHookFunc{failing}})
	assert.ErrorContains(t, err, "db.max_conns: no ints today (default tag on appConfig.DB.MaxConns)", "hooks apply to defaults")
	type hooked struct {
		N      int
		Secret int `secret:"true"`
	}
	d = newDecoder(t, reflect.TypeFor[hooked](), Options{Hooks: []mapstructure.DecodeHookFunc{failing}})
	var h hooked
	_, err = d.Decode(map[string]any{"n": "1", "secret": "2"}, &h)
	assert.EqualError(t, err, "n: no ints today; secret: invalid value (secret value redacted)",
		"a hook's error text may quote the value: not shown for a secret key")

	nilling := func(from, to reflect.Value) (any, error) { return nil, nil }
	d = newDecoder(t, reflect.TypeFor[appConfig](), Options{Hooks: []mapstructure.DecodeHookFunc{nilling}})
	cfg = appConfig{}
	_, err = d.Decode(map[string]any{"db": map[string]any{"max_conns": "1"}}, &cfg)
	require.NoError(t, err)
	assert.Zero(t, cfg.DB.MaxConns)

	panicking := func(from, to reflect.Kind, data any) (any, error) {
		if data == "boom" {
			panic("boom")
		}
		return data, nil
	}
	d = newDecoder(t, reflect.TypeFor[appConfig](), Options{Hooks: []mapstructure.DecodeHookFunc{panicking}})
	_, err = d.Decode(map[string]any{"listen": "boom"}, &cfg)
	var errs Errors
	require.ErrorAs(t, err, &errs)
	assert.EqualError(t, err, "decoder: panic while decoding: boom")
}

func TestIsSecret(t *testing.T) {
	type creds struct {
		User string
		Pass string `secret:"true"`
	}
	type cfg struct {
		DB     dbConfig
		Creds  *creds
		Vault  creds    `secret:"true"`
		Tokens []string `secret:"true"`
		Users  []creds  `config:"users"`
		ByName map[string]creds
		Keys   map[string]string `secret:"true"`
		Grid   [][]string
		Plain  string
	}
	d := newDecoder(t, reflect.TypeFor[cfg](), Options{})
	for key, want := range map[string]bool{
		"db.dsn": true, "db.max_conns": false, "db": false,
		"creds.pass": true, "creds.user": false,
		"vault": true, "vault.user": true, "vault.anything": true,
		"tokens": true, "tokens[0]": true,
		"users[1].pass": true, "users[1].user": false, "users.pass": false,
		"by_name.x.pass": true, "by_name.x.user": false, "by_name[x].pass": true,
		"keys.a": true, "grid[0][1]": false,
		"plain": false, "nope": false, "plain.below": false, "": false, "[0]": false,
	} {
		assert.Equal(t, want, d.IsSecret(key), key)
	}
}

func TestConfigKey(t *testing.T) {
	d := newDecoder(t, reflect.TypeFor[appConfig](), Options{})
	for in, want := range map[string]string{
		"db.max_conns":          "db.max_conns",
		"features[beta]":        "features.beta",
		"features[a.b]":         "features.a.b",
		"features[x]y]":         "features.x]y",
		"tenants[acme].dsn":     "tenants.acme.dsn",
		"servers[0].port":       "servers[0].port",
		"hosts[2]":              "hosts[2]",
		"unknown[3].x":          "unknown[3].x",
		"listen[0]":             "listen[0]",
		"features[unterminated": "features.[unterminated", // never produced by mapstructure
	} {
		assert.Equal(t, want, d.configKey(in), in)
	}
}
