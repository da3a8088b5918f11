package consul

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider"
)

// rawList sends the recursive List request consul/api sends and returns the
// answer's status, ACL-filter header and body.
func rawList(t *testing.T, a *consultest.Agent, prefix, token string) (int, string, []byte) {
	t.Helper()
	u := url.URL{Scheme: "http", Host: a.Addr, Path: "/v1/kv/" + prefix, RawQuery: "recurse"}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u.String(), nil)
	require.NoError(t, err)
	req.Header.Set("X-Consul-Token", token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("X-Consul-Results-Filtered-By-ACLs"), body
}

// TestDecodeListMatchesConsulAPI decodes the same real Consul answers with
// decodeList and with consul/api + buildTree: unusual keys, empty, null,
// binary and flagged values, an ACL-filtered answer and a 404.
func TestDecodeListMatchesConsulAPI(t *testing.T) {
	a := consultest.Start(t, consultest.Options{ACL: true})
	admin := a.Client(t)
	binary := []byte{0, 1, 0xfe, 0xff, '"', '\\', '\n', 0x80}
	puts := []*api.KVPair{
		{Key: "dl/unicode/ключ/ü", Value: []byte("värde ✓")},
		{Key: "dl/with space/a b", Value: []byte(" padded ")},
		{Key: "dl/pct%20/x%2Fy", Value: []byte("%")},
		{Key: "dl/q?x=1&y", Value: []byte("?")},
		{Key: "dl/empty", Value: []byte{}},
		{Key: "dl/null"}, // no body: Consul answers "Value": null
		{Key: "dl/flags", Value: []byte("f"), Flags: 42},
		{Key: "dl/binary", Value: binary},
		{Key: "dl/html", Value: []byte("<a href='x'>&amp;</a>")},
		{Key: "dl/big", Value: []byte(strings.Repeat("0123456789", 10000))},
		{Key: "dl/folder/"},
		{Key: "dl/secret/hidden", Value: []byte("s")},
	}
	for _, kv := range puts {
		_, err := admin.KV().Put(kv, nil)
		require.NoError(t, err)
	}
	reader, _ := a.CreateToken(t, `key_prefix "dl/" { policy = "read" } key_prefix "dl/secret/" { policy = "deny" }`)

	tests := []struct {
		name, prefix, token string
		status              int
		filtered            string
	}{
		{name: "all keys", prefix: "dl/", token: a.Token, status: 200},
		{name: "unicode prefix", prefix: "dl/unicode/", token: a.Token, status: 200},
		{name: "prefix with ? and %", prefix: "dl/q?", token: a.Token, status: 200},
		{name: "acl filtered", prefix: "dl/", token: reader, status: 200, filtered: "true"},
		{name: "missing prefix", prefix: "nothing-here/", token: a.Token, status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, filtered, body := rawList(t, a, tt.prefix, tt.token)
			require.Equal(t, tt.status, status, "%s", body)
			assert.Equal(t, tt.filtered, filtered)

			c, err := api.NewClient(&api.Config{Address: a.Addr, Token: tt.token})
			require.NoError(t, err)
			pairs, meta, err := c.KV().List(tt.prefix, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.filtered == "true", meta.ResultsFilteredByACLs)
			want, wantOrigins, err := buildTree(tt.prefix, pairs)
			require.NoError(t, err)

			if status == http.StatusNotFound {
				// A 404 has no entries to decode: the read path makes it
				// an empty layer before any decoding (rule 3).
				assert.Empty(t, pairs)
				return
			}
			got, gotOrigins, err := decodeTree(tt.prefix, string(body), nil)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			assert.Equal(t, wantOrigins, gotOrigins)
		})
	}
	t.Run("binary value byte for byte", func(t *testing.T) {
		_, _, body := rawList(t, a, "dl/binary", a.Token)
		got, _, err := decodeTree("dl/", string(body), nil)
		require.NoError(t, err)
		assert.Equal(t, string(binary), got["binary"])
	})
}

// TestDecodeListBadAnswers: an answer that is not a List answer is an
// error naming the key, never a panic or a partial tree.
func TestDecodeListBadAnswers(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"not json", "<html>", "decoding the list answer"},
		{"object", `{"Key":"a"}`, "want an array"},
		{"truncated", `[{"Key":"p/a","Value":"YQ=="}`, "decoding the list answer"},
		{"bad base64", `[{"Key":"p/a","Value":"!!"}]`, `key "p/a": value is not base64`},
		{"number value", `[{"Key":"p/a","Value":1}]`, `key "p/a": value is not a base64 string`},
		{"empty body", ``, "decoding the list answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, origins, err := decodeTree("p/", tt.body, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Nil(t, data)
			assert.Nil(t, origins)
		})
	}
	t.Run("escaped base64 and null answer", func(t *testing.T) {
		data, _, err := decodeTree("p/", `[{"Key":"p/a","Value":"\u0059Q=="},{"Key":"p/b","Value":null}]`, nil)
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"a": "a", "b": ""}, data)
		data, _, err = decodeTree("p/", `null`, nil)
		require.NoError(t, err)
		assert.Equal(t, map[string]any{}, data)
	})
}

// BenchmarkListDecode decodes the same real List answer (10, 1,000 and
// 10,000 keys): "consulapi-only" is the raw loop's share (consul/api's
// decoding into []*api.KVPair), "consulapi" adds buildTree (strata's read
// path with a caller's Options.Client), "stream" is decodeList then
// buildTreeFrom (the path of a client New built), and "stream-hint" is
// decodeList given the delivered tree, as a watcher's reads are.
func BenchmarkListDecode(b *testing.B) {
	a := consultest.Start(b, consultest.Options{})
	for _, n := range []int{10, 1000, 10000} {
		prefix := "ld" + strconv.Itoa(n) + "/keys/"
		seed := map[string]string{}
		for i := range n {
			seed[prefix+"k"+strconv.Itoa(100000+i)] = "value-" + strconv.Itoa(i)
			if len(seed) == 64 || i == n-1 {
				a.Txn(b, seed)
				seed = map[string]string{}
			}
		}
		resp, err := http.Get((&url.URL{Scheme: "http", Host: a.Addr, Path: "/v1/kv/" + prefix, RawQuery: "recurse"}).String())
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		keys := "/keys=" + strconv.Itoa(n)
		b.Run("consulapi-only"+keys, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var pairs api.KVPairs
				if err := json.NewDecoder(bytes.NewReader(body)).Decode(&pairs); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("consulapi"+keys, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var pairs api.KVPairs
				if err := json.NewDecoder(bytes.NewReader(body)).Decode(&pairs); err != nil {
					b.Fatal(err)
				}
				if _, _, err := buildTree(prefix, pairs); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("stream"+keys, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				l, err := decodeList(bytes.NewReader(body), prefix, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, _, err := buildTreeFrom(prefix, l); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("stream-hint"+keys, func(b *testing.B) {
			tree, _, err := decodeTree(prefix, string(body), nil)
			if err != nil {
				b.Fatal(err)
			}
			hint := newBuiltTree(prefix, tree)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeList(bytes.NewReader(body), prefix, hint); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// decodeTree is decodeList then buildTreeFrom, as a read's snapshot does.
func decodeTree(prefix, body string, hint *builtTree) (map[string]any, map[string]provider.Origin, error) {
	l, err := decodeList(strings.NewReader(body), prefix, hint)
	if err != nil {
		return nil, nil, err
	}
	return buildTreeFrom(prefix, l)
}

// TestDecodeListReusesTheHintsStrings: an entry whose key names a leaf of
// the hint tree holding its value reuses the leaf's string (no allocation,
// and a later comparison by pointer); any other value is decoded afresh.
// Values are longer than a byte: Go shares one-byte strings anyway.
// The answer's keys are substrings of one string, and the tree built from
// them keeps none of it.
func TestDecodeListReusesTheHintsStrings(t *testing.T) {
	first := `[{"Key":"p/a","Value":"b25l"},{"Key":"p/d/b","Value":"dHdv"},{"Key":"p\/c","Value":null}]`
	hint, _, err := decodeTree("p/", first, nil)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"a": "one", "d": map[string]any{"b": "two"}, "c": ""}, hint)

	// p/d/b's value changes; p/e is new, with the value of p/a.
	second := `[{"Key":"p/a","Value":"b25l"},{"Key":"p\/d/b","Value":"c2l4"},{"Key":"p/c","Value":null},{"Key":"p/e","Value":"b25l"},{"Key":"q/a","Value":"b25l"}]`
	got, err := decodeList(strings.NewReader(second), "p/", newBuiltTree("p/", hint))
	require.NoError(t, err)
	require.Equal(t, listOf("p/a=one", "p/d/b=six", "p/c=", "p/e=one", "q/a=one"), got)
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	assert.True(t, same(hint["a"].(string), got.vals[0]), "an unchanged value is the leaf's string")
	assert.False(t, same(hint["d"].(map[string]any)["b"].(string), got.vals[1]), "a changed value is new")
	assert.False(t, same(hint["a"].(string), got.vals[3]), "an equal value under another key is new")
	assert.False(t, same(hint["a"].(string), got.vals[4]), "a key outside the prefix is not looked up")
	for i := 1; i < len(got.keys); i++ {
		assert.Equal(t, unsafe.Add(unsafe.Pointer(unsafe.StringData(got.keys[i-1])), len(got.keys[i-1])),
			unsafe.Pointer(unsafe.StringData(got.keys[i])), "key %d follows key %d in the answer's one string", i, i-1)
	}
	tree, _, err := buildTreeFrom("p/", got)
	require.NoError(t, err)
	lo := uintptr(unsafe.Pointer(unsafe.StringData(got.keys[0])))
	lastKey := got.keys[len(got.keys)-1]
	hi := uintptr(unsafe.Pointer(unsafe.StringData(lastKey))) + uintptr(len(lastKey))
	assert.False(t, keysIn(tree, lo, hi), "the tree keeps no part of the answer's keys")

	// Another tree, or none, only costs reuse.
	for _, h := range []*builtTree{nil, newBuiltTree("p/", nil), newBuiltTree("p/", map[string]any{"a": map[string]any{"x": "one"}}), newBuiltTree("p/", map[string]any{"d": "x"})} {
		got, err = decodeList(strings.NewReader(second), "p/", h)
		require.NoError(t, err)
		assert.Equal(t, listOf("p/a=one", "p/d/b=six", "p/c=", "p/e=one", "q/a=one"), got)
	}
}

// TestDecodeListFieldsInAnyOrder: the decoder does not depend on the order
// of an entry's fields, skips unknown ones of every JSON kind, and names
// the key in a value error even when the value comes first.
func TestDecodeListFieldsInAnyOrder(t *testing.T) {
	got, err := decodeList(strings.NewReader(`[{"Value":"MQ==","Extra":{"a":[1,true,null]},"Key":"p/a","Flags":7}]`), "p/", nil)
	require.NoError(t, err)
	assert.Equal(t, listOf("p/a=1"), got)

	_, err = decodeList(strings.NewReader(`[{"Value":"!!","Key":"p/a"}]`), "p/", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `key "p/a": value is not base64`)

	for _, body := range []string{`[1]`, `[{"Key":1}]`, `[{"Key":"p/a"} {"Key":"p/b"}]`, `[{"Key":"p/a","Key":"p/b"}]`} {
		_, err := decodeList(strings.NewReader(body), "p/", nil)
		assert.Errorf(t, err, "%s", body)
	}
}

// keysIn reports whether a map key of tree, at any depth, points into the
// memory [lo, hi).
func keysIn(tree map[string]any, lo, hi uintptr) bool {
	for k, v := range tree {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(k))); p >= lo && p < hi {
			return true
		}
		if sub, ok := v.(map[string]any); ok && keysIn(sub, lo, hi) {
			return true
		}
	}
	return false
}

// TestDecodeListWithAHintAllocatesPerAnswer: given the delivered tree of
// the same keys and values, decoding allocates a fixed number of times
// whatever the number of keys (the slices are sized from the hint, the
// keys are one string, the values the tree's), not once per key.
func TestDecodeListWithAHintAllocatesPerAnswer(t *testing.T) {
	allocs := func(n int) float64 {
		var body strings.Builder
		body.WriteString("[")
		keyBytes := 0
		for i := range n {
			if i > 0 {
				body.WriteString(",")
			}
			v := base64.StdEncoding.EncodeToString([]byte("value-" + strconv.Itoa(i)))
			k := fmt.Sprintf("p/d%d/k%05d", i%10, i)
			keyBytes += len(k)
			fmt.Fprintf(&body, `{"Key":%q,"Value":%q,"Flags":0}`, k, v)
		}
		body.WriteString(`,{"Key":"p/d0/","Value":null}]`)
		tree, _, err := decodeTree("p/", body.String(), nil)
		require.NoError(t, err)
		hint := newBuiltTree("p/", tree)
		require.Equal(t, n, hint.leaves)
		require.Equal(t, keyBytes, hint.keyBytes)
		return testing.AllocsPerRun(5, func() {
			if _, err := decodeList(strings.NewReader(body.String()), "p/", hint); err != nil {
				t.Error(err)
			}
		})
	}
	small, large := allocs(100), allocs(3000)
	assert.LessOrEqual(t, large, small+3, "%v allocations for 3000 keys, %v for 100", large, small)
}
