package consultest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Version is the Consul release scripts/consul.sh builds and Binary looks for
// in the cache.
const Version = "1.14.11"

// Binary returns the path of the consul binary to run: $STRATA_CONSUL_BIN,
// else the cache scripts/consul.sh fills
// ($STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata, else ~/.cache/strata,
// then consul/<Version>/consul), else `consul` on PATH.
//
// When none is found it skips the test with instructions, unless $CI is
// non-empty, where it fails it: a green CI run always ran the Consul tests.
// It only reads the environment.
func Binary(t testing.TB) string {
	t.Helper()
	path, tried := findBinary(os.Getenv, exec.LookPath)
	if path != "" {
		return path
	}
	msg := "consultest: no consul binary found (tried " + tried +
		"); build it with `make consul` (scripts/consul.sh) or set STRATA_CONSUL_BIN"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + "; CI is set, so a missing binary is a failure")
	}
	t.Skip(msg)
	return ""
}

// findBinary implements Binary's search with the environment injected.
// It returns the path, or "" and a description of what it tried.
func findBinary(getenv func(string) string, lookPath func(string) (string, error)) (path, tried string) {
	if p := getenv("STRATA_CONSUL_BIN"); p != "" {
		if isExecutable(p) {
			return p, ""
		}
		// An explicit setting that does not work must not silently fall
		// back to another binary.
		return "", "STRATA_CONSUL_BIN=" + p
	}
	var candidates []string
	if p := cachedBinary(getenv); p != "" {
		candidates = append(candidates, p)
		if isExecutable(p) {
			return p, ""
		}
	}
	if p, err := lookPath("consul"); err == nil {
		return p, ""
	}
	return "", strings.Join(append(candidates, "consul on PATH"), ", ")
}

// cachedBinary mirrors the cache location in scripts/consul.sh.
func cachedBinary(getenv func(string) string) string {
	root := getenv("STRATA_CACHE_DIR")
	if root == "" {
		base := getenv("XDG_CACHE_HOME")
		if base == "" {
			home := getenv("HOME")
			if home == "" {
				return ""
			}
			base = filepath.Join(home, ".cache")
		}
		root = filepath.Join(base, "strata")
	}
	return filepath.Join(root, "consul", Version, "consul")
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
