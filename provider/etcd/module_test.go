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
