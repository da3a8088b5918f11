package etcd

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStrataModuleHasNoEtcd keeps the promise of this module's own go.mod:
// a program that uses strata without this layer downloads neither the etcd
// client nor gRPC, because the strata module's graph holds neither.
func TestStrataModuleHasNoEtcd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-m", "all")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), "github.com/strata-go/strata\n", "go list ran in the strata module")
	for _, line := range strings.Split(string(out), "\n") {
		for _, heavy := range []string{"go.etcd.io/", "google.golang.org/grpc "} {
			assert.Falsef(t, strings.HasPrefix(line, heavy), "the strata module requires %s", line)
		}
	}
}

// TestImportsOnlyProvider keeps DESIGN.md's rule for this module too, which
// the strata module's import test cannot see: of strata, the layer imports
// the provider package only. The go tool would allow strata's internal
// packages here (the import path is below the module root), but this
// module is released on its own, and an internal package gives no stable
// API across strata versions.
func TestImportsOnlyProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	imports := strings.Fields(string(out))
	require.Contains(t, imports, "go.etcd.io/etcd/client/v3", "go list listed this package's imports")
	for _, dep := range imports {
		if dep == "github.com/strata-go/strata" || strings.HasPrefix(dep, "github.com/strata-go/strata/") {
			assert.Equal(t, "github.com/strata-go/strata/provider", dep, "provider/etcd may import only strata's provider package")
		}
	}
}
