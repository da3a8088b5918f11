package strata_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/strata-go/strata"

// TestImportRules keeps the package boundaries of DESIGN.md true: the core
// stays free of backend dependencies, and only provider/consul talks to
// Consul.
func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps=false", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", "./...").CombinedOutput()
	require.NoError(t, err, string(out))

	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, ":")
		imports[pkg] = strings.Fields(deps)
	}
	require.Contains(t, imports, module+"/provider", "go list output must include the packages under test")

	for pkg, deps := range imports {
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		for _, dep := range deps {
			if dep == "github.com/hashicorp/consul/api" && library(rel) {
				assert.Equal(t, "provider/consul", rel, "only provider/consul may import consul/api")
			}
			if !strings.HasPrefix(dep, module) {
				assert.Truef(t, externalAllowed(rel, dep), "%s must not import %s", orRoot(rel), dep)
				continue
			}
			target := strings.TrimPrefix(strings.TrimPrefix(dep, module), "/")
			assert.Truef(t, allowed(rel, target), "%s must not import %s", orRoot(rel), orRoot(target))
		}
	}
}

// allowed reports whether package from may import package to (both
// relative to the module root; "" is the root package).
func allowed(from, to string) bool {
	switch {
	case strings.HasPrefix(from, "examples/"):
		return true
	case from == "cli":
		// The command line runs the application's own type through the
		// root, like an example does.
		return !strings.HasPrefix(to, "examples/")
	case from == "reload":
		// The engine runs layers; it knows nothing of decoding.
		return to == "provider"
	case from == "internal/decode":
		// Behind decoder: the same rule as decoder.
		return strings.HasPrefix(to, "internal/")
	case from == "internal/keys", from == "internal/fielderr", from == "internal/limits":
		// The shared leaves decoder and validate build on.
		return false
	case strings.HasPrefix(from, "internal/"):
		return to != "" && !strings.HasPrefix(to, "examples/")
	case from == "":
		return to != "" && !strings.HasPrefix(to, "examples/")
	case from == "provider":
		return false
	case strings.HasPrefix(from, "provider/"):
		return to == "provider"
	case from == "decoder", from == "validate":
		return strings.HasPrefix(to, "internal/") // DESIGN.md: shared key paths, limits
	}
	return !strings.HasPrefix(to, "examples/") && to != ""
}

// externalAllowed reports whether package from may import dep, a package
// outside the module: test libraries only where tests are written for
// others (provider/providertest) or for ourselves (internal/), and nothing
// but the standard library in provider, which every layer imports, and in
// provider/memory, which users put in their tests.
func externalAllowed(from, dep string) bool {
	std := !strings.Contains(strings.Split(dep, "/")[0], ".")
	testLib := dep == "testing" || dep == "go.uber.org/goleak" ||
		strings.HasPrefix(dep, "github.com/stretchr/testify/")
	switch {
	case linkedInternal(from):
		return !testLib
	case strings.HasPrefix(from, "internal/"), strings.HasPrefix(from, "examples/"):
		return true
	case from == "provider":
		// The contract and the helpers every backend shares: a
		// third party's layer imports it, so it brings no dependency
		// (callers pass their own parser to ParseDocument).
		return std && !testLib
	case from == "provider/providertest":
		return std || testLib
	case from == "provider/memory":
		return std && !testLib
	}
	return !testLib
}

// linkedInternal reports whether rel is an internal package the library
// itself is built from (not a test harness), which must not pull test
// libraries into users' binaries.
func linkedInternal(rel string) bool {
	switch rel {
	case "internal/keys", "internal/fielderr", "internal/limits", "internal/decode":
		return true
	}
	return false
}

// library reports whether rel is a package users import (not a test
// harness or an example).
func library(rel string) bool {
	return !strings.HasPrefix(rel, "internal/") && !strings.HasPrefix(rel, "examples/")
}

func orRoot(rel string) string {
	if rel == "" {
		return "strata (root)"
	}
	return rel
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		from, to string
		want     bool
	}{
		{"", "decoder", true},
		{"", "provider", true},
		{"provider/consul", "provider", true},
		{"provider/consul", "internal/keys", false},
		{"provider/consul", "", false},
		{"provider/file", "provider/env", false},
		{"reload", "provider", true},
		{"reload", "decoder", false},
		{"internal/keys", "provider", false},
		{"validate", "internal/fielderr", true},
		{"decoder", "internal/decode", true},
		{"internal/decode", "internal/keys", true},
		{"internal/decode", "provider", false},
		{"decoder", "provider", false},
		{"validate", "decoder", false},
		{"decoder", "internal/limits", true},
		{"provider", "decoder", false},
		{"examples/quickstart", "", true},
		{"cli", "", true},
		{"cli", "provider/consul", true},
		{"cli", "examples/quickstart", false},
		{"internal/consultest", "provider", true},
		{"internal/consultest", "", false},
		{"bench", "", false},
		{"provider/providertest", "provider", true},
		{"provider/providertest", "provider/memory", false},
		{"provider/memory", "provider", true},
		{"provider/memory", "provider/providertest", false},
	}
	for _, tt := range tests {
		assert.Equalf(t, tt.want, allowed(tt.from, tt.to), "%q -> %q", tt.from, tt.to)
	}
}

func TestExternalAllowed(t *testing.T) {
	tests := []struct {
		from, dep string
		want      bool
	}{
		{"provider/providertest", "testing", true},
		{"provider/providertest", "go.uber.org/goleak", true},
		{"provider/providertest", "github.com/stretchr/testify/assert", true},
		{"provider/providertest", "context", true},
		{"provider/providertest", "github.com/knadh/koanf/v2", false},
		{"provider", "encoding/json", true},
		{"provider", "github.com/knadh/koanf/parsers/yaml", false},
		{"provider", "testing", false},
		{"provider/memory", "sync", true},
		{"provider/memory", "testing", false},
		{"provider/memory", "github.com/knadh/koanf/maps", false},
		{"provider/consul", "github.com/hashicorp/consul/api", true},
		{"provider/consul", "testing", false},
		{"", "go.uber.org/goleak", false},
		{"reload", "github.com/stretchr/testify/require", false},
		{"internal/keys", "testing", false},
		{"internal/consultest", "testing", true},
		{"examples/quickstart", "testing", true},
	}
	for _, tt := range tests {
		assert.Equalf(t, tt.want, externalAllowed(tt.from, tt.dep), "%q -> %q", tt.from, tt.dep)
	}
}
