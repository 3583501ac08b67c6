#!/usr/bin/env bash
# Builds the benchmark's Go provider from the Go module proxy into a cache folder keyed by a hash of
# go.mod, go.sum and the Go sources, so a later run reuses the binary in milliseconds.
#
# Usage: build.sh         prints the path of the binary on stdout; progress goes to stderr.
# Env:   BENCH_GO_CACHE_DIR   cache root (default: ${XDG_CACHE_HOME:-~/.cache}/mesh-sdk/bench-go-provider).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
started=$SECONDS

say() { printf '[go-provider-build %3ds] %s\n' "$((SECONDS - started))" "$*" >&2; }
die() { printf '[go-provider-build] error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "Go is not installed (or not on PATH). The benchmark's Go provider needs Go >= 1.26:
  install it from your package manager or https://go.dev/dl."

go_version=$(go env GOVERSION)
[[ $go_version =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] >= 26)) ||
  die "the Go provider needs Go >= 1.26 (multicluster-provider v0.8.0 requires it), found $go_version"

# The key covers everything the binary is made from: module files, sources, the toolchain and platform.
key=$(
  cd "$here"
  {
    cat go.mod go.sum
    for f in $(ls ./*.go | LC_ALL=C sort); do echo "== $f"; cat "$f"; done
    echo "$go_version $(go env GOOS) $(go env GOARCH)"
  } | sha256sum | cut -c1-16
)
cache_root=${BENCH_GO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mesh-sdk/bench-go-provider}
out="$cache_root/$key"
bin="$out/go-provider"

if [[ -x $bin && -f "$out/.complete" ]]; then
  say "reusing cached go-provider at $bin"
  echo "$bin"
  exit 0
fi

export CGO_ENABLED=0 GOTOOLCHAIN=local
# go.sum pins every module's hash; the kcp-dev modules need not be in the checksum database.
export GONOSUMDB="github.com/kcp-dev/*${GONOSUMDB:+,$GONOSUMDB}"
# Never rewrite our go.mod/go.sum while building: a missing entry is an error to fix with `go mod tidy`.
export GOFLAGS=-mod=readonly

mkdir -p "$out"
say "building go-provider into $out (first build: ~300 MB of modules, a few minutes on 2 cores)"

modcache=$(go env GOMODCACHE)
( while sleep 20; do say "still downloading modules ($(du -sh "$modcache" 2>/dev/null | cut -f1) in $modcache)"; done ) &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null || true' EXIT
say "downloading modules (go mod download)"
(cd "$here" && go mod download) >&2 || die "go mod download failed (see above)"
kill $heartbeat 2>/dev/null || true

total=$(cd "$here" && go list -deps . | wc -l)
say "compiling $total packages"
progress() {
  local count=0 line
  while IFS= read -r line; do
    if [[ $line == *" "* || $line == *:* ]]; then
      echo "$line" >&2 # a compiler message, not a package name
      continue
    fi
    count=$((count + 1))
    if ((count % 50 == 0)); then say "compiled $count/$total packages"; fi
  done
}
tmp="$bin.tmp.$$"
if ! (cd "$here" && go build -v -trimpath -o "$tmp" . 2>&1) | progress; then
  rm -f "$tmp"
  die "go build failed (see above)"
fi
[[ -x $tmp ]] || die "go build did not produce a binary"
mv "$tmp" "$bin"
date -u +%FT%TZ >"$out/.complete"
say "built $bin"
echo "$bin"
