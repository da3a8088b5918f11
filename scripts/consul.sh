#!/usr/bin/env bash
# Builds the pinned Consul release from the Go module proxy into a cache
# outside the repository, and prints the binary's path on stdout.
#
# Why build: these machines have no Consul package and no network except the
# Go module proxy. 1.14.11 is the newest MPL-licensed release whose module
# graph the proxy serves in full (see ../shared/CONSUL.md).
#
# Progress goes to stderr so callers can capture the path with $(...).
set -euo pipefail

version="${CONSUL_VERSION:-1.14.11}"
cache_root="${STRATA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/strata}"
dest="$cache_root/consul/$version"
bin="$dest/consul"

if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
	echo "$bin"
	exit 0
fi

mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "consul: building $version into $dest (first time only; several minutes on 2 cores)" >&2
cd "$work"
cat >go.mod <<MOD
module strata.local/consulbuild

go 1.22

require (
	github.com/hashicorp/consul v$version
	github.com/hashicorp/consul/api v1.18.1
	github.com/hashicorp/consul/proto-public v0.2.1
	github.com/hashicorp/consul/sdk v0.13.0
)
MOD
cat >tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/hashicorp/consul"
GO

# The module graph is large; report each stage so a slow first build never
# looks like a hang.
echo "consul: resolving modules" >&2
GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod tidy >&2
echo "consul: compiling (this is the slow part)" >&2
start=$(date +%s)
GOFLAGS=-mod=mod GOTOOLCHAIN=local go build -trimpath -o "$work/consul" github.com/hashicorp/consul >&2 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	sleep 30
	kill -0 "$pid" 2>/dev/null && echo "consul: still compiling ($(( $(date +%s) - start ))s)" >&2
done
wait "$pid"
mv "$work/consul" "$bin.tmp"
mv "$bin.tmp" "$bin"
echo "consul: built $("$bin" version | head -1) in $(( $(date +%s) - start ))s" >&2
echo "$bin"
