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
	case strings.HasPrefix(from, "internal/"):
		return to != "" && !strings.HasPrefix(to, "examples/")
	case from == "":
		return to != "" && !strings.HasPrefix(to, "examples/")
	case from == "provider":
		return false
	case strings.HasPrefix(from, "provider/"), from == "reload":
		return to == "provider"
	case from == "decoder", from == "validate":
		return strings.HasPrefix(to, "internal/") // DESIGN.md: shared key paths, limits
	}
	return !strings.HasPrefix(to, "examples/") && to != ""
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
		{"provider/consul", "", false},
		{"provider/file", "provider/env", false},
		{"reload", "provider", true},
		{"reload", "decoder", false},
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
	}
	for _, tt := range tests {
		assert.Equalf(t, tt.want, allowed(tt.from, tt.to), "%q -> %q", tt.from, tt.to)
	}
}
