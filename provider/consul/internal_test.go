package consul

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"maps"
	"math"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/reliability"
	"github.com/strata-go/strata/provider"
)

func pairs(kv ...string) api.KVPairs {
	var out api.KVPairs
	for i := 0; i < len(kv); i += 2 {
		out = append(out, &api.KVPair{Key: kv[i], Value: []byte(kv[i+1])})
	}
	return out
}

// TestBuildTree: the tree, and each leaf's origin as the layer's snapshot
// gives it (OriginOf). Origins are stored only for keys with a '.' in a
// segment, which the rule (treeRule) cannot name: a 10,000-key layer
// without dots holds no origin per key.
func TestBuildTree(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pairs   api.KVPairs
		want    map[string]any
		origins map[string]string // every leaf's origin (Ref)
		stored  []string          // the dotted keys with an origin of their own
		errs    []string          // substrings of the error
	}{
		{name: "empty", want: map[string]any{}, origins: map[string]string{}},
		{
			name:  "nesting",
			pairs: pairs("p/db/max_conns", "7", "p/db/host", "h", "p/name", "n"),
			want:  map[string]any{"db": map[string]any{"max_conns": "7", "host": "h"}, "name": "n"},
			origins: map[string]string{
				"db.max_conns": "p/db/max_conns", "db.host": "p/db/host", "name": "p/name",
			},
		},
		{
			name:    "folder keys ignored",
			pairs:   pairs("p/", "", "p/db/", "", "p/db/x", "1"),
			want:    map[string]any{"db": map[string]any{"x": "1"}},
			origins: map[string]string{"db.x": "p/db/x"},
		},
		{
			name:    "keys outside the prefix ignored",
			pairs:   pairs("q/x", "1", "p/x", "2"),
			want:    map[string]any{"x": "2"},
			origins: map[string]string{"x": "p/x"},
		},
		{
			name:  "dotted segments stored",
			pairs: pairs("p/limits/a.b", "1", "p/c.d/e", "2", "p/limits/f", "3"),
			want: map[string]any{
				"limits": map[string]any{"a.b": "1", "f": "3"},
				"c.d":    map[string]any{"e": "2"},
			},
			origins: map[string]string{"limits.a.b": "p/limits/a.b", "c.d.e": "p/c.d/e", "limits.f": "p/limits/f"},
			stored:  []string{"c.d.e", "limits.a.b"},
		},
		{name: "leaf then folder", pairs: pairs("p/a", "1", "p/a/b", "2"), errs: []string{`"p/a"`, `"p/a/b"`}},
		{name: "folder then leaf", pairs: pairs("p/a/b", "2", "p/a", "1"), errs: []string{`"p/a"`, `"p/a/b"`}},
		{name: "deep conflict", pairs: pairs("p/a/b", "1", "p/a/b/c/d", "2"), errs: []string{`"p/a/b"`, `"p/a/b/c/d"`}},
		{name: "empty segment", pairs: pairs("p/a//b", "1"), errs: []string{`"p/a//b"`, "empty path segment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, origins, err := buildTree("p/", tc.pairs)
			if tc.errs != nil {
				require.Error(t, err)
				for _, s := range tc.errs {
					assert.ErrorContains(t, err, s)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, data)
			assert.ElementsMatch(t, tc.stored, slices.Collect(maps.Keys(origins)), "only dotted segments are stored")
			snap := provider.Snapshot{Data: data, Origins: origins, OriginRule: treeRule("p/"), Source: provider.Origin{Kind: originKind, Ref: "p/"}}
			for k, ref := range tc.origins {
				assert.Equal(t, provider.Origin{Kind: originKind, Ref: ref}, snap.OriginOf(k), k)
			}
		})
	}
}

// A key with more segments than provider.MaxDepth would nest the tree
// deeper than any other layer may; it is refused at once, before building
// a level, so a key of 30,000 segments costs no more than its split.
func TestBuildTreeDepthLimit(t *testing.T) {
	deepest := "p/" + strings.Repeat("a/", provider.MaxDepth-1) + "b"
	data, _, err := buildTree("p/", pairs(deepest, "1"))
	require.NoError(t, err)
	assert.NoError(t, provider.CheckDepth(data), "buildTree and CheckDepth must agree on the limit")

	for _, segs := range []int{provider.MaxDepth + 1, 30000} {
		key := "p/" + strings.Repeat("a/", segs-1) + "b"
		_, _, err := buildTree("p/", pairs(key, "s3cret"))
		require.Error(t, err, "%d segments", segs)
		var de *provider.DepthError
		assert.ErrorAs(t, err, &de)
		assert.ErrorContains(t, err, "deeper than")
		assert.Less(t, len(err.Error()), 400, "the error quotes a shortened key")
		assert.NotContains(t, err.Error(), "s3cret")
	}
	reliability.Record(t, "consul/deep-tree")
}

func TestBuildTreeValuesNeverInErrors(t *testing.T) {
	_, _, err := buildTree("p/", pairs("p/a", "s3cret", "p/a/b", "s3cret"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}

func TestParseDocument(t *testing.T) {
	for _, tc := range []struct {
		name, format, doc string
		want              map[string]any
		errs              []string
		hidden            string
	}{
		{name: "blank", format: "json", doc: " \n", want: map[string]any{}},
		{name: "yaml null", format: "yaml", doc: "~\n", want: map[string]any{}},
		{name: "non-string keys", format: "yaml", doc: "a:\n  1: x\n  true: y\n",
			want: map[string]any{"a": map[string]any{"1": "x", "true": "y"}}},
		{name: "nested in a list", format: "yaml", doc: "l:\n  - 1: x\n",
			want: map[string]any{"l": []any{map[string]any{"1": "x"}}}},
		{name: "toml local date", format: "toml", doc: "d = 1979-05-27\n", want: map[string]any{"d": "1979-05-27"}},
		{name: "yaml scalar", format: "yaml", doc: "topsecret", errs: []string{"malformed yaml"}, hidden: "topsecret"},
		{name: "yaml list", format: "yaml", doc: "- topsecret\n", errs: []string{"malformed yaml"}, hidden: "topsecret"},
		{name: "bad json", format: "json", doc: `{"a": topsecret}`, errs: []string{"malformed json"}, hidden: "topsecret"},
		{name: "bad toml", format: "toml", doc: "a = topsecret\n", errs: []string{"malformed toml"}, hidden: "topsecret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDocument(tc.format, []byte(tc.doc))
			if tc.errs != nil {
				require.Error(t, err)
				for _, s := range tc.errs {
					assert.ErrorContains(t, err, s)
				}
				assert.NotContains(t, err.Error(), tc.hidden)
				reliability.Record(t, "consul/bad-document")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestClassify(t *testing.T) {
	refused := &url.Error{Op: "Get", URL: "http://127.0.0.1:1/v1/kv/a", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	for _, tc := range []struct {
		name   string
		err    error
		class  Class
		status int
	}{
		{"no leader", api.StatusError{Code: 500, Body: "No cluster leader"}, ClassUnavailable, 500},
		{"rpc error", api.StatusError{Code: 500, Body: "rpc error making call: EOF"}, ClassUnavailable, 500},
		{"bad gateway", api.StatusError{Code: 502, Body: "proxy"}, ClassUnavailable, 502},
		{"forbidden", api.StatusError{Code: 403, Body: "Permission denied"}, ClassPermission, 403},
		{"acl not found", api.StatusError{Code: 403, Body: "ACL not found"}, ClassPermission, 403},
		{"acl not found as 500", api.StatusError{Code: 500, Body: "rpc error: ACL not found"}, ClassPermission, 500},
		{"too many", api.StatusError{Code: 429, Body: "Your IP is issuing too many concurrent connections"}, ClassRateLimited, 429},
		{"bad key", api.StatusError{Code: 400, Body: "Invalid key"}, ClassBadRequest, 400},
		{"connection refused", refused, ClassUnavailable, 0},
		{"deadline", &url.Error{Op: "Get", Err: context.DeadlineExceeded}, ClassUnavailable, 0},
		{"unknown CA", &url.Error{Op: "Get", Err: x509.UnknownAuthorityError{}}, ClassTLS, 0},
		{"verification", &url.Error{Op: "Get", Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}, ClassTLS, 0},
		{"client certificate rejected", &url.Error{Op: "Get", Err: &net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")}}, ClassTLS, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			class, status := classify(tc.err)
			assert.Equal(t, tc.class, class)
			assert.Equal(t, tc.status, status)
		})
	}
}

func TestErrorTextNamesLayerAndAddressButNoToken(t *testing.T) {
	const token = "9f0c1d7e-planted-token"
	p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1", Token: token}, Datacenters: []string{"dc2"}})
	err := p.fail("dc2", api.StatusError{Code: 500, Body: "proxy echoed X-Consul-Token: " + token + strings.Repeat(" x", 200)})
	msg := err.Error()
	assert.Contains(t, msg, "consul app/@dc2")
	assert.Contains(t, msg, "http://127.0.0.1:1")
	assert.Contains(t, msg, "dc dc2")
	assert.NotContains(t, msg, token)
	assert.Less(t, len(msg), 400, "a huge body is cut")

	var pe *provider.Error
	require.ErrorAs(t, err, &pe)
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "consul app/@dc2", ce.Layer)
	assert.Equal(t, "dc2", ce.Datacenter)
	assert.Equal(t, 500, ce.Status)
}

// TestSameContent: what the watcher counts as the same content (rule 1),
// whatever the key order; nil and empty are the same, NaN is NaN.
func TestSameContent(t *testing.T) {
	a := map[string]any{"x": "1", "db": map[string]any{"host": "h", "port": "1"}, "f": math.NaN(), "l": []any{"a", map[string]any{"b": "c"}}}
	b := map[string]any{"db": map[string]any{"port": "1", "host": "h"}, "x": "1", "f": math.NaN(), "l": []any{"a", map[string]any{"b": "c"}}}
	same, _ := sameMapContent(a, b)
	assert.True(t, same, "key order does not matter")
	same, _ = sameMapContent(nil, map[string]any{})
	assert.True(t, same, "nil and empty are the same content")
	for _, other := range []map[string]any{
		{"x": "1", "db": map[string]any{"host": "h", "port": "2"}},
		{"x": "1", "db": map[string]any{"host": "h"}},
		{"x": 1, "db": map[string]any{"host": "h", "port": "1"}},
		{"x": "1", "db.host": "h", "db.port": "1"},
		{"x": []any{"1"}, "db": map[string]any{"host": "h", "port": "1"}},
		{"x": "1", "db": map[string]any{"host": "h", "port": "1"}, "f": 1.0, "l": []any{"a", map[string]any{"b": "c"}}},
		{"x": "1", "db": map[string]any{"host": "h", "port": "1"}, "f": math.NaN(), "l": []any{"a", map[string]any{"b": "d"}}},
	} {
		same, _ := sameMapContent(a, other)
		assert.False(t, same, "%v", other)
		same, _ = shareTree(a, other)
		assert.False(t, same, "%v", other)
	}
}

func TestRetryDelays(t *testing.T) {
	unavailable := (&Provider{}).failClass("", ClassUnavailable, 0, errors.New("down"))
	denied := (&Provider{}).failClass("", ClassPermission, 403, errors.New("ACL not found"))
	for _, tc := range []struct {
		name     string
		backoff  provider.Backoff
		err      error
		min, max time.Duration
	}{
		{"transient", provider.Backoff{Min: 10 * time.Millisecond, Max: 200 * time.Millisecond}, unavailable, 5 * time.Millisecond, 200 * time.Millisecond},
		{"permission, short max", provider.Backoff{Min: 10 * time.Millisecond, Max: 200 * time.Millisecond}, denied, 200 * time.Millisecond, 250 * time.Millisecond},
		{"permission, default", provider.Backoff{}, denied, 30 * time.Second, 38 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1"}, Backoff: tc.backoff})
			var emitted int
			w := p.newWatcher(provider.Snapshot{}, func(provider.Event) { emitted++ })
			seen := make(map[time.Duration]bool)
			for range 30 {
				d := w.failed(tc.err)
				assert.GreaterOrEqual(t, d, tc.min)
				assert.LessOrEqual(t, d, tc.max)
				seen[d] = true
			}
			assert.Greater(t, len(seen), 1, "delays are jittered")
			assert.Equal(t, 1, emitted, "one error event for a run of identical failures")
		})
	}
}

func TestNewWatcherSeeding(t *testing.T) {
	p := New(Options{Prefix: "app/", Config: &api.Config{Address: "127.0.0.1:1"}, Datacenters: []string{"dc1", "dc2"}})
	for _, tc := range []struct {
		name  string
		last  provider.Snapshot
		dc    int
		index uint64
	}{
		{"nothing delivered", provider.Snapshot{}, 0, 0},
		{"preferred dc", provider.Snapshot{Version: "42", Data: map[string]any{}, Info: map[string]string{"datacenter": "dc1"}}, 0, 42},
		{"failed over", provider.Snapshot{Version: "42", Data: map[string]any{}, Info: map[string]string{"datacenter": "dc2"}}, 1, 42},
		{"unknown dc", provider.Snapshot{Version: "42", Data: map[string]any{}, Info: map[string]string{"datacenter": "dc9"}}, 0, 0},
		{"stale", provider.Snapshot{Version: "42", Stale: true, Data: map[string]any{}, Info: map[string]string{"datacenter": "dc1"}}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := p.newWatcher(tc.last, func(provider.Event) {})
			assert.Equal(t, tc.dc, w.dc)
			assert.Equal(t, tc.index, w.index)
		})
	}
}
