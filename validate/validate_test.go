package validate

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type rules struct {
	Req      string            `validate:"required"`
	ReqPtr   *int              `validate:"required"`
	MinInt   int               `validate:"min=1"`
	MaxInt   int               `validate:"max=500"`
	Gte      float64           `validate:"gte=0.5"`
	Lte      int               `validate:"lte=10"`
	Gt       int               `validate:"gt=0"`
	Lt       uint              `validate:"lt=3"`
	LenInt   int               `validate:"len=3"`
	Eq       int               `validate:"eq=7"`
	Ne       string            `validate:"ne=x"`
	MinStr   string            `validate:"min=3"`
	MaxStr   string            `validate:"max=2"`
	LenStr   string            `validate:"len=4"`
	MinList  []string          `validate:"min=2"`
	MaxMap   map[string]int    `validate:"max=1"`
	GtList   []int             `validate:"gt=1"`
	LtStr    string            `validate:"lt=2"`
	OneOf    string            `validate:"oneof=a b c"`
	OneOfInt int               `validate:"oneof=1 2"`
	HostPort string            `validate:"hostname_port"`
	URL      string            `validate:"url"`
	Email    string            `validate:"email"`
	IP       string            `validate:"ip"`
	CIDR     string            `validate:"cidr"`
	UUID     string            `validate:"uuid"`
	Hostname string            `validate:"hostname"`
	MinDur   time.Duration     `validate:"min=1s"`
	GtDur    time.Duration     `validate:"gt=0"`
	MaxDur   time.Duration     `validate:"max=1000000000"`
	Pass     string            `validate:"eqfield=Confirm"`
	Confirm  string            `config:"confirm_pass"`
	Low      int               `validate:"ltfield=High"`
	High     int               `validate:"nefield=Eq"`
	Mode     string            `validate:"required_if=Ne z"`
	Other    string            `validate:"startswith=pre"`
	Dive     map[string]string `validate:"dive,oneof=on off"`
	Hosts    []string          `validate:"dive,ip"`
}

func validRules() *rules {
	one := 1
	return &rules{
		Req: "x", ReqPtr: &one, MinInt: 1, MaxInt: 1, Gte: 1, Lte: 1, Gt: 1, Lt: 1, LenInt: 3, Eq: 7, Ne: "y",
		MinStr: "abc", MaxStr: "ab", LenStr: "abcd", MinList: []string{"a", "b"}, GtList: []int{1, 2},
		OneOf: "a", OneOfInt: 1, HostPort: "localhost:80", URL: "https://x.org", Email: "a@b.org",
		IP: "::1", CIDR: "10.0.0.0/8", UUID: "4b2c8c8e-2a57-4a1b-9f6e-0d7a1c8a1b2c", Hostname: "db",
		MinDur: time.Second, GtDur: 1, MaxDur: time.Second, Low: 1, High: 2, Other: "prefix",
	}
}

func TestValidPasses(t *testing.T) {
	assert.NoError(t, New(Options{}).Struct(validRules()))
}

func TestMessages(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*rules)
		key    string
		rule   string
		msg    string
	}{
		{"required", func(r *rules) { r.Req = "" }, "req", "required", "is required"},
		{"required pointer", func(r *rules) { r.ReqPtr = nil }, "req_ptr", "required", "is required"},
		{"min number", func(r *rules) { r.MinInt = 0 }, "min_int", "min", "must be at least 1, got 0"},
		{"max number", func(r *rules) { r.MaxInt = 501 }, "max_int", "max", "must be at most 500, got 501"},
		{"gte float", func(r *rules) { r.Gte = 0.25 }, "gte", "gte", "must be at least 0.5, got 0.25"},
		{"lte", func(r *rules) { r.Lte = 11 }, "lte", "lte", "must be at most 10, got 11"},
		{"gt", func(r *rules) { r.Gt = 0 }, "gt", "gt", "must be greater than 0, got 0"},
		{"lt", func(r *rules) { r.Lt = 3 }, "lt", "lt", "must be less than 3, got 3"},
		{"len number", func(r *rules) { r.LenInt = 2 }, "len_int", "len", "must be 3, got 2"},
		{"eq", func(r *rules) { r.Eq = 6 }, "eq", "eq", "must be 7, got 6"},
		{"min string", func(r *rules) { r.MinStr = "é" }, "min_str", "min", "must have at least 3 characters, got 1"},
		{"max string", func(r *rules) { r.MaxStr = "abc" }, "max_str", "max", "must have at most 2 characters, got 3"},
		{"len string", func(r *rules) { r.LenStr = "a" }, "len_str", "len", "must have exactly 4 characters, got 1"},
		{"min list", func(r *rules) { r.MinList = []string{"a"} }, "min_list", "min", "must have at least 2 items, got 1"},
		{"max map", func(r *rules) { r.MaxMap = map[string]int{"a": 1, "b": 2} }, "max_map", "max", "must have at most 1 entries, got 2"},
		{"gt list", func(r *rules) { r.GtList = nil }, "gt_list", "gt", "must have more than 1 items, got 0"},
		{"lt string", func(r *rules) { r.LtStr = "ab" }, "lt_str", "lt", "must have fewer than 2 characters, got 2"},
		{"oneof", func(r *rules) { r.OneOf = "x" }, "one_of", "oneof", `must be one of a b c, got "x"`},
		{"oneof int", func(r *rules) { r.OneOfInt = 3 }, "one_of_int", "oneof", "must be one of 1 2, got 3"},
		{"hostname_port", func(r *rules) { r.HostPort = "x" }, "host_port", "hostname_port", `must be host:port, got "x"`},
		{"url", func(r *rules) { r.URL = "nope" }, "url", "url", `must be a URL, got "nope"`},
		{"email", func(r *rules) { r.Email = "nope" }, "email", "email", `must be an email address, got "nope"`},
		{"ip", func(r *rules) { r.IP = "1.2.3" }, "ip", "ip", `must be an IP address, got "1.2.3"`},
		{"cidr", func(r *rules) { r.CIDR = "10.0.0.1" }, "cidr", "cidr", `must be a CIDR network (e.g. 10.0.0.0/8), got "10.0.0.1"`},
		{"uuid", func(r *rules) { r.UUID = "x" }, "uuid", "uuid", `must be a UUID, got "x"`},
		{"hostname", func(r *rules) { r.Hostname = "a b" }, "hostname", "hostname", `must be a hostname, got "a b"`},
		{"min duration", func(r *rules) { r.MinDur = 500 * time.Millisecond }, "min_dur", "min", "must be at least 1s, got 500ms"},
		{"gt duration", func(r *rules) { r.GtDur = 0 }, "gt_dur", "gt", "must be greater than 0s, got 0s"},
		{"max duration in ns", func(r *rules) { r.MaxDur = time.Minute }, "max_dur", "max", "must be at most 1s, got 1m0s"},
		{"eqfield", func(r *rules) { r.Pass = "a" }, "pass", "eqfield", "must equal confirm_pass"},
		{"ltfield", func(r *rules) { r.Low = 3 }, "low", "ltfield", "must be less than high"},
		{"nefield", func(r *rules) { r.High = 7 }, "high", "nefield", "must differ from eq"},
		{"required_if", func(r *rules) { r.Ne = "z" }, "mode", "required_if", "is required (required_if=Ne z)"},
		{"ne string", func(r *rules) { r.Ne = "x" }, "ne", "ne", `must not be x, got "x"`},
		{"fallback", func(r *rules) { r.Other = "post" }, "other", "startswith", `failed rule startswith=pre, got "post"`},
		{"dive map", func(r *rules) { r.Dive = map[string]string{"beta": "maybe"} }, "dive.beta", "oneof", `must be one of on off, got "maybe"`},
		{"dive list", func(r *rules) { r.Hosts = []string{"::1", "x"} }, "hosts[1]", "ip", `must be an IP address, got "x"`},
	}
	v := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRules()
			tt.modify(r)
			err := v.Struct(r)
			var errs Errors
			require.ErrorAs(t, err, &errs)
			require.Len(t, errs, 1, err.Error())
			assert.Equal(t, FieldError{Key: tt.key, Rule: tt.rule, Message: tt.msg}, *errs[0])
			assert.Equal(t, tt.key+": "+tt.msg, err.Error())
		})
	}
}

type inner struct {
	Port int `validate:"min=1"`
}

type embedded struct {
	Region string `validate:"required"`
}

type server struct {
	Name string `validate:"required"`
	TLS  *inner
}

type nested struct {
	embedded `config:",squash"`
	Named    embedded
	DB       inner            `config:"db"`
	Ptr      *inner           `config:"ptr"`
	Servers  []server         `validate:"dive"`
	ByName   map[string]inner `validate:"dive"`
	Grid     [][]int          `validate:"dive,dive,min=1"`
	Hidden   inner            `config:"-"`
	YAMLName inner            `yaml:"yaml_name"`
}

func TestKeys(t *testing.T) {
	cfg := &nested{
		Ptr:      &inner{},
		Servers:  []server{{Name: "a", TLS: &inner{Port: 1}}, {TLS: &inner{}}},
		ByName:   map[string]inner{"x.y": {}},
		Grid:     [][]int{{1, 0}},
		Named:    embedded{Region: "r"},
		DB:       inner{Port: 1},
		Hidden:   inner{Port: 1},
		YAMLName: inner{},
	}
	cfg.Region = ""
	want := []string{"by_name.x.y.port", "grid[0][1]", "ptr.port", "region", "servers[1].name", "servers[1].tls.port", "yaml_name.port"}
	err := New(Options{}).Struct(cfg)
	assert.Equal(t, want, keys(t, err))

	// A FieldKey that reads the yaml tag, as the root passes the decoder's.
	yamlKey := func(f reflect.StructField) string {
		if f.Anonymous {
			return ""
		}
		if k, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); k != "" {
			return k
		}
		if f.Tag.Get("config") == "-" {
			return ""
		}
		return strings.ToLower(f.Name)
	}
	err = New(Options{FieldKey: yamlKey}).Struct(cfg)
	assert.Equal(t, []string{"byname.x.y.port", "grid[0][1]", "ptr.port", "region", "servers[1].name", "servers[1].tls.port", "yaml_name.port"}, keys(t, err))

	cfg.Hidden.Port = 0
	err = New(Options{}).Struct(cfg)
	assert.Contains(t, keys(t, err), "Hidden.port", "a field without a key is named by its Go name")
}

func keys(t *testing.T, err error) []string {
	t.Helper()
	var errs Errors
	require.ErrorAs(t, err, &errs)
	var out []string
	for _, e := range errs {
		out = append(out, e.Key)
	}
	return out
}

func TestAnonymousRootAndValue(t *testing.T) {
	cfg := struct {
		Port int `validate:"min=1"`
	}{}
	v := New(Options{})
	assert.EqualError(t, v.Struct(&cfg), "port: must be at least 1, got 0")
	assert.EqualError(t, v.Struct(cfg), "port: must be at least 1, got 0", "a struct value works too")
}

type secretCfg struct {
	Pass   string            `validate:"min=40"`
	Token  string            `validate:"oneof=a b"`
	URL    string            `validate:"url"`
	Other  string            `validate:"startswith=x"`
	Num    int               `validate:"max=1"`
	Keys   map[string]string `validate:"dive,len=1"`
	Plain  string            `validate:"url"`
	PassTo string            `validate:"eqfield=Pass"`
}

func TestSecretsRedacted(t *testing.T) {
	const planted = "hunter2-planted-secret"
	secret := map[string]bool{"pass": true, "token": true, "url": true, "other": true, "num": true, "keys.k": true, "pass_to": true}
	v := New(Options{IsSecret: func(k string) bool { return secret[k] }})
	err := v.Struct(&secretCfg{Pass: planted, Token: planted, URL: planted, Other: planted, Num: 22222, Keys: map[string]string{"k": planted}, Plain: "visible", PassTo: "x"})
	var errs Errors
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs, 8)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.NotContains(t, err.Error(), "22222")
	assert.NotContains(t, err.Error(), "got 22", "not even a secret's length")
	for _, e := range errs {
		switch e.Key {
		case "plain":
			assert.Equal(t, `must be a URL, got "visible"`, e.Message)
		case "pass_to":
			assert.Equal(t, "must equal pass", e.Message)
		default:
			assert.True(t, strings.HasSuffix(e.Message, " (secret value redacted)"), e.Message)
		}
	}
}

func TestLongValuesTruncated(t *testing.T) {
	long := strings.Repeat("x", 100) + "END"
	err := New(Options{}).Struct(&struct {
		URL string `validate:"url"`
	}{URL: long})
	require.Error(t, err)
	assert.Equal(t, `url: must be a URL, got "`+strings.Repeat("x", 64)+`…"`, err.Error())
	assert.Equal(t, "éé…", truncate("ééé", 2))
}

type valueMethod struct {
	N int `validate:"min=1"`
}

func (c valueMethod) Validate() error {
	return errors.Join(
		&FieldError{Key: "n", Message: "from a value receiver"},
		errors.New("plain error"),
		Errors{{Key: "a", Rule: "custom", Message: "in Errors"}, nil},
		(*FieldError)(nil),
	)
}

type pointerMethod struct{ mode string }

func (c *pointerMethod) Validate() error {
	switch c.mode {
	case "panic":
		panic("user bug")
	case "nil-field-error":
		var fe *FieldError
		return fe
	case "ok":
		return nil
	}
	return fmt.Errorf("mode %q: %w", c.mode, &FieldError{Key: "wrapped"})
}

func TestValidateMethod(t *testing.T) {
	v := New(Options{})
	err := v.Struct(&valueMethod{})
	var errs Errors
	require.ErrorAs(t, err, &errs)
	got := make([]FieldError, len(errs))
	for i, e := range errs {
		got[i] = *e
	}
	assert.Equal(t, []FieldError{
		{Key: "", Rule: "Validate", Message: "plain error"},
		{Key: "a", Rule: "custom", Message: "in Errors"},
		{Key: "n", Rule: "min", Message: "must be at least 1, got 0"},
		{Key: "n", Rule: "Validate", Message: "from a value receiver"},
	}, got, "tags and method both reported, sorted by key")

	assert.Error(t, v.Struct(valueMethod{}), "value receiver on a struct value")

	tests := []struct {
		mode string
		want string
	}{
		{"ok", ""},
		{"nil-field-error", ""},
		{"panic", "Validate panicked: user bug"},
		{"other", `mode "other": wrapped: `},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			err := v.Struct(&pointerMethod{mode: tt.mode})
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.want)
			var errs Errors
			require.ErrorAs(t, err, &errs)
			assert.Equal(t, "Validate", errs[0].Rule)
		})
	}
	// A pointer-receiver method is found from a struct value as well.
	assert.EqualError(t, v.Struct(pointerMethod{mode: "panic"}), "Validate panicked: user bug")
}

func TestBadInput(t *testing.T) {
	v := New(Options{})
	var nilPtr *rules
	type badTag struct {
		N int `validate:"no_such_rule"`
	}
	for name, in := range map[string]any{"nil": nil, "nil pointer": nilPtr, "int": 5, "pointer to int": new(int), "bad tag": &badTag{}} {
		t.Run(name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = v.Struct(in) })
			var errs Errors
			require.ErrorAs(t, err, &errs)
			assert.Equal(t, "invalid", errs[0].Rule)
			assert.True(t, strings.HasPrefix(err.Error(), "validate: "), err.Error())
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	v := New(Options{})
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for range 8 {
		wg.Go(func() { results <- v.Struct(&rules{}) })
	}
	wg.Wait()
	close(results)
	first := ""
	for err := range results {
		require.Error(t, err)
		if first == "" {
			first = err.Error()
		}
		assert.Equal(t, first, err.Error())
	}
}

func TestErrorsType(t *testing.T) {
	errs := Errors{{Message: "whole"}, {Key: "b", Message: "two"}}
	assert.Equal(t, "whole; b: two", errs.Error())
	assert.Len(t, errs.Unwrap(), 2)
	assert.ErrorIs(t, errs, errs[1])
}

func TestHelpers(t *testing.T) {
	assert.Equal(t, "1s", durationParam("1s"))
	assert.Equal(t, "1.5s", durationParam("1500000000"))
	assert.Equal(t, "x", durationParam("x"))
	assert.Equal(t, 0, length(5))

	v := New(Options{})
	key, _, _ := v.configKey(reflect.TypeFor[nested](), "nested.Unknown[3].x")
	assert.Equal(t, "Unknown[3].x", key)
	assert.Equal(t, "Gone", v.siblingKey("", reflect.TypeFor[nested](), "Gone"))
	assert.Equal(t, "X", v.siblingKey("", reflect.TypeFor[int](), "X"))
	assert.Equal(t, "db", v.siblingKey("", reflect.TypeFor[nested](), "DB"))
	assert.Equal(t, "p.Hidden", v.siblingKey("p", reflect.TypeFor[nested](), "Hidden"))
}

func TestFormatRules(t *testing.T) {
	type formats struct {
		HTTPURL  string `validate:"http_url"`
		URI      string `validate:"uri"`
		IPv4     string `validate:"ipv4"`
		IPv6     string `validate:"ipv6"`
		CIDRv4   string `validate:"cidrv4"`
		CIDRv6   string `validate:"cidrv6"`
		UUID4    string `validate:"uuid4"`
		FQDN     string `validate:"fqdn"`
		RFC1123  string `validate:"hostname_rfc1123"`
		File     string `validate:"file"`
		Dir      string `validate:"dir"`
		Alpha    string `validate:"alpha"`
		Alphanum string `validate:"alphanum"`
		Numeric  string `validate:"numeric"`
		Boolean  string `validate:"boolean"`
		JSON     string `validate:"json"`
		Lower    string `validate:"lowercase"`
		Upper    string `validate:"uppercase"`
		Gtf      int    `validate:"gtfield=Ref"`
		Gtef     int    `validate:"gtefield=Ref"`
		Ltef     int    `validate:"ltefield=Neg"`
		Ref      int
		Neg      int
		Items    []int  `validate:"eq=2"`
		Cap      string `validate:"eq=ABC"`
	}
	bad := "not valid/ !"
	in := formats{HTTPURL: bad, URI: bad, IPv4: bad, IPv6: bad, CIDRv4: bad, CIDRv6: bad, UUID4: bad, FQDN: bad,
		RFC1123: bad, File: "/no/such/file", Dir: "/no/such/dir", Alpha: bad, Alphanum: bad, Numeric: bad, Boolean: bad,
		JSON: bad, Lower: "ABC", Upper: "abc", Ref: 1, Neg: -1, Items: []int{1}, Cap: "abc"}
	err := New(Options{}).Struct(&in)
	var errs Errors
	require.ErrorAs(t, err, &errs)
	got := map[string]string{}
	for _, e := range errs {
		got[e.Key] = e.Message
		assert.NotContains(t, e.Message, "failed rule", e.Key)
	}
	assert.Len(t, errs, 23)
	assert.Equal(t, `must be an http(s) URL, got "not valid/ !"`, got["httpurl"])
	assert.Equal(t, `must be an existing directory, got "/no/such/dir"`, got["dir"])
	assert.Equal(t, "must be greater than ref", got["gtf"])
	assert.Equal(t, "must be at least ref", got["gtef"])
	assert.Equal(t, "must be at most neg", got["ltef"])
	assert.Equal(t, "must have exactly 2 items, got 1", got["items"])
	assert.Equal(t, `must be ABC, got "abc"`, got["cap"])
}

func TestNamedSquashedField(t *testing.T) {
	type cfg struct {
		Base  embedded `config:",squash"`
		Inner inner    `yaml:",inline"`
	}
	err := New(Options{}).Struct(&cfg{})
	assert.Equal(t, []string{"inner.port", "region"}, keys(t, err), "the default FieldKey reads only the config tag")

	yamlKey := func(f reflect.StructField) string {
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if opts == "inline" || f.Tag.Get("config") == ",squash" {
			return ""
		}
		if name == "" {
			return strings.ToLower(f.Name)
		}
		return name
	}
	err = New(Options{FieldKey: yamlKey}).Struct(&cfg{})
	assert.Equal(t, []string{"port", "region"}, keys(t, err))
}
