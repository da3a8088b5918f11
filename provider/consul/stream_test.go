package consul_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/consul/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-go/strata/internal/consultest"
	"github.com/strata-go/strata/provider"
	"github.com/strata-go/strata/provider/consul"
)

// TestStreamedReadsAgreeWithConsulAPI follows one prefix with two layers:
// one whose client New built (its List answers are decoded by strata's
// streaming decoder, and a watcher patches the delivered tree) and one
// given the caller's *api.Client (consul/api decodes, the tree is built
// whole). After each change, value, deletion, addition, a key with unusual
// characters, both deliver the same data, origins and version.
func TestStreamedReadsAgreeWithConsulAPI(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	kv := a.Client(t).KV()
	put := func(k, v string) {
		t.Helper()
		_, err := kv.Put(&api.KVPair{Key: k, Value: []byte(v)}, nil)
		require.NoError(t, err)
	}
	for i := range 50 {
		put(fmt.Sprintf("agree/keys/k%03d", i), fmt.Sprint(i))
	}
	put("agree/db/host", "h")
	put("agree/db/port", "5432")
	put("agree/ünï cödé/ä b", "x")
	put("agree/limits/a.b", "1")

	streamed := consul.New(fast(consul.Options{Prefix: "agree/", Config: a.Config()}))
	plain := consul.New(fast(consul.Options{Prefix: "agree/", Client: a.Client(t)}))
	type follower struct {
		name string
		ev   *events
	}
	var followers []follower
	for _, f := range []struct {
		name string
		p    *consul.Provider
	}{{"streamed", streamed}, {"consul/api", plain}} {
		snap, err := load(t, f.p)
		require.NoError(t, err, f.name)
		ev, _ := watch(t, f.p, snap)
		followers = append(followers, follower{f.name, ev})
	}
	steps := []struct {
		name  string
		do    func()
		check func(provider.Event) bool
	}{
		{"a value", func() { put("agree/db/port", "6432") }, hasValue("db.port", "6432")},
		{"a value deep in a big folder", func() { put("agree/keys/k025", "changed") }, hasValue("keys.k025", "changed")},
		{"a deletion", func() {
			_, err := kv.Delete("agree/keys/k007", nil)
			require.NoError(t, err)
		}, func(ev provider.Event) bool {
			_, ok := lookup(ev.Snapshot.Data, "keys.k007")
			return ev.Snapshot != nil && !ok
		}},
		{"an addition", func() { put("agree/new/leaf", "n") }, hasValue("new.leaf", "n")},
		{"an unusual key's value", func() { put("agree/ünï cödé/ä b", "y") }, hasValue("ünï cödé.ä b", "y")},
		{"a dotted key's value", func() { put("agree/limits/a.b", "2") }, func(ev provider.Event) bool {
			if ev.Snapshot == nil {
				return false
			}
			limits, _ := ev.Snapshot.Data["limits"].(map[string]any)
			return limits["a.b"] == "2"
		}},
	}
	for _, st := range steps {
		st.do()
		var got []provider.Event
		for _, f := range followers {
			got = append(got, f.ev.next(t, f.name+" sees "+st.name, func(ev provider.Event) bool {
				return ev.Snapshot != nil && st.check(ev)
			}))
		}
		assert.Equalf(t, got[1].Snapshot.Data, got[0].Snapshot.Data, "data after %s", st.name)
		assert.Equalf(t, got[1].Snapshot.Origins, got[0].Snapshot.Origins, "origins after %s", st.name)
		assert.Equalf(t, got[1].Snapshot.OriginRule, got[0].Snapshot.OriginRule, "origin rule after %s", st.name)
		assert.Equalf(t, "consul key agree/limits/a.b", got[0].Snapshot.OriginOf("limits.a.b").String(), "a dotted key's origin after %s", st.name)
		assert.Equalf(t, got[1].Snapshot.Version, got[0].Snapshot.Version, "version after %s", st.name)
	}
}

// TestStreamedWatcherSharesUnchangedSubtrees: after one value changes, the
// streamed watcher's new tree holds the previous snapshot's maps wherever
// nothing changed (the root's reload skips them by identity), and a new
// map only on the changed value's path.
func TestStreamedWatcherSharesUnchangedSubtrees(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	kv := a.Client(t).KV()
	for _, k := range []string{"share/a/x", "share/a/y", "share/b/deep/z", "share/c"} {
		_, err := kv.Put(&api.KVPair{Key: k, Value: []byte("1")}, nil)
		require.NoError(t, err)
	}
	p := consul.New(fast(consul.Options{Prefix: "share/", Config: a.Config()}))
	snap, err := load(t, p)
	require.NoError(t, err)
	ev, _ := watch(t, p, snap)
	_, err = kv.Put(&api.KVPair{Key: "share/a/x", Value: []byte("2")}, nil)
	require.NoError(t, err)
	next := ev.next(t, "the change", hasValue("a.x", "2")).Snapshot

	same := func(a, b any) bool { return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() }
	assert.True(t, same(snap.Data["b"], next.Data["b"]), "b is unchanged: the delivered map")
	assert.False(t, same(snap.Data["a"], next.Data["a"]), "a changed: a new map")
	assert.Equal(t, "1", snap.Data["a"].(map[string]any)["x"], "the delivered snapshot is never modified")
	assert.Equal(t, "1", next.Data["a"].(map[string]any)["y"])
}

// answerServer stands in for a Consul agent whose List answers are
// produced by answer; every other request gets 404. A real agent cannot
// be made to send a broken body or to cut one short, so these tests use
// an httptest server.
func answerServer(t *testing.T, answer func(w http.ResponseWriter)) *api.Config {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.Query().Has("recurse") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Consul-Index", "7")
		answer(w)
	}))
	t.Cleanup(srv.Close)
	return &api.Config{Address: strings.TrimPrefix(srv.URL, "http://"), Scheme: "http", Token: "tok"}
}

// TestStreamedAnswerThatIsNotAListIsInvalidData_httptest: a 200 whose body
// is not a List answer is an invalid-data error naming the key where
// there is one, and never an empty or partial layer.
func TestStreamedAnswerThatIsNotAListIsInvalidData_httptest(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"an object", `{"Key":"p/a"}`, "want an array"},
		{"bad base64", `[{"Key":"p/a","Value":"!!"}]`, `key "p/a": value is not base64`},
		{"html", `<html>`, "decoding the list answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := answerServer(t, func(w http.ResponseWriter) { _, _ = w.Write([]byte(tt.body)) })
			p := consul.New(consul.Options{Prefix: "p/", Config: cfg})
			snap, err := load(t, p)
			require.Error(t, err)
			assert.Nil(t, snap.Data)
			var ce *consul.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, consul.ClassInvalidData, ce.Class)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestStreamedAnswerCutShortIsUnavailable_httptest: a connection lost in
// the middle of an answer is the request failing (Consul unavailable, to
// be retried), not bad data.
func TestStreamedAnswerCutShortIsUnavailable_httptest(t *testing.T) {
	cfg := answerServer(t, func(w http.ResponseWriter) {
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte(`[{"Key":"p/a","Value":"MQ=="},{"Key":"p/b"`))
		// The handler returns with 1,000 bytes promised: the server
		// closes the connection, and the client reads an unexpected EOF.
	})
	p := consul.New(consul.Options{Prefix: "p/", Config: cfg})
	_, err := load(t, p)
	require.Error(t, err)
	var ce *consul.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, consul.ClassUnavailable, ce.Class, "%v", err)
	assert.False(t, errors.Is(err, provider.ErrNotFound))
}

// TestStreamedDocumentReadsAgreeWithConsulAPI: in document mode too, a
// layer whose client New built (the Get answer decoded by strata) and one
// given the caller's *api.Client (consul/api decodes) read the same
// content, follow the same change, and see the key's deletion alike.
func TestStreamedDocumentReadsAgreeWithConsulAPI(t *testing.T) {
	a := consultest.Start(t, consultest.Options{})
	kv := a.Client(t).KV()
	put := func(doc string) {
		t.Helper()
		_, err := kv.Put(&api.KVPair{Key: "docagree/app.json", Value: []byte(doc)}, nil)
		require.NoError(t, err)
	}
	put(`{"db":{"host":"h","port":5432},"name":"ünï \"quoted\" \u00e9"}`)
	opts := func(o consul.Options) consul.Options {
		o.Key, o.Optional = "docagree/app.json", true
		return fast(o)
	}
	providers := []*consul.Provider{
		consul.New(opts(consul.Options{Config: a.Config()})),
		consul.New(opts(consul.Options{Client: a.Client(t)})),
	}
	var evs []*events
	for _, p := range providers {
		snap, err := load(t, p)
		require.NoError(t, err)
		assert.Equal(t, "ünï \"quoted\" é", snap.Data["name"])
		ev, _ := watch(t, p, snap)
		evs = append(evs, ev)
	}
	put(`{"db":{"host":"h2","port":5432},"name":"n"}`)
	var got []provider.Event
	for _, ev := range evs {
		got = append(got, ev.next(t, "the change", hasValue("db.host", "h2")))
	}
	assert.Equal(t, got[1].Snapshot.Data, got[0].Snapshot.Data)
	assert.Equal(t, got[1].Snapshot.Version, got[0].Snapshot.Version)

	_, err := kv.Delete("docagree/app.json", nil)
	require.NoError(t, err)
	for _, ev := range evs {
		e := ev.next(t, "the deletion", func(ev provider.Event) bool { return ev.Snapshot != nil && len(ev.Snapshot.Data) == 0 })
		assert.Empty(t, e.Snapshot.Data)
	}
}
