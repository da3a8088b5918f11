package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/strata-go/strata/provider"
)

func TestOriginOf(t *testing.T) {
	rule := provider.OriginRule{Kind: "consul key", Prefix: "services/orders/", Sep: "/"}
	source := provider.Origin{Kind: "consul key", Ref: "services/orders/"}
	data := map[string]any{
		"db":    map[string]any{"max_conns": "20", "pool": map[string]any{"size": "4"}},
		"port":  "8080",
		"a.b":   "dotted segment",
		"empty": map[string]any{},
		"null":  nil,
	}
	dotted := provider.Origin{Kind: "consul key", Ref: "services/orders/a.b"}
	tests := []struct {
		name    string
		rule    provider.OriginRule
		origins map[string]provider.Origin
		key     string
		want    provider.Origin
	}{
		{"a top-level leaf by the rule", rule, nil, "port",
			provider.Origin{Kind: "consul key", Ref: "services/orders/port"}},
		{"a nested leaf by the rule", rule, nil, "db.max_conns",
			provider.Origin{Kind: "consul key", Ref: "services/orders/db/max_conns"}},
		{"a deeper leaf by the rule", rule, nil, "db.pool.size",
			provider.Origin{Kind: "consul key", Ref: "services/orders/db/pool/size"}},
		{"a nil leaf by the rule", rule, nil, "null",
			provider.Origin{Kind: "consul key", Ref: "services/orders/null"}},
		{"a map is not a leaf", rule, nil, "db", source},
		{"an empty map is not a leaf", rule, nil, "empty", source},
		{"a missing key", rule, nil, "db.min_conns", source},
		{"a path through a leaf", rule, nil, "port.number", source},
		{"a path below a missing map", rule, nil, "cache.ttl", source},
		{"an empty key", rule, nil, "", source},
		{"a dotted segment without an entry", rule, nil, "a.b", source},
		{"a dotted segment by its entry", rule, map[string]provider.Origin{"a.b": dotted}, "a.b", dotted},
		{"an entry wins over the rule", rule, map[string]provider.Origin{"port": dotted}, "port", dotted},
		{"no rule", provider.OriginRule{}, nil, "port", source},
		{"no rule, an entry", provider.OriginRule{}, map[string]provider.Origin{"port": dotted}, "port", dotted},
		{"a rule with a dot separator", provider.OriginRule{Kind: "x", Prefix: "p:", Sep: "."}, nil, "db.max_conns",
			provider.Origin{Kind: "x", Ref: "p:db.max_conns"}},
		{"a rule with no prefix", provider.OriginRule{Kind: "etcd key", Sep: "/"}, nil, "db.pool.size",
			provider.Origin{Kind: "etcd key", Ref: "db/pool/size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := provider.Snapshot{Data: data, Origins: tt.origins, OriginRule: tt.rule, Source: source}
			assert.Equal(t, tt.want, s.OriginOf(tt.key))
		})
	}
}

func TestOriginRuleOrigin(t *testing.T) {
	tests := []struct {
		rule provider.OriginRule
		key  string
		want string
	}{
		{provider.OriginRule{Kind: "consul key", Prefix: "app/", Sep: "/"}, "a.b.c", "consul key app/a/b/c"},
		{provider.OriginRule{Kind: "consul key", Prefix: "app/", Sep: "/"}, "a", "consul key app/a"},
		{provider.OriginRule{Kind: "k", Prefix: "", Sep: "::"}, "a.b", "k a::b"},
		{provider.OriginRule{Kind: "k", Prefix: "x.", Sep: "."}, "a.b", "k x.a.b"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.rule.Origin(tt.key).String())
		})
	}
}

// TestOriginRuleComparable: two rules built apart from the same values are
// equal, so snapshots of one layer read twice carry the same rule.
func TestOriginRuleComparable(t *testing.T) {
	prefix := []byte("app/")
	a := provider.OriginRule{Kind: "consul key", Prefix: string(prefix), Sep: "/"}
	b := provider.OriginRule{Kind: "consul key", Prefix: "app/", Sep: "/"}
	assert.True(t, a == b)
	assert.False(t, a == provider.OriginRule{Kind: "consul key", Prefix: "other/", Sep: "/"})
	assert.True(t, provider.SameContent(provider.Snapshot{OriginRule: a}, provider.Snapshot{OriginRule: b}))
}
