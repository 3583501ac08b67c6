#!/usr/bin/env bash
# Packs the publishable packages with `npm pack` (each builds itself in prepack) into one folder:
# kcp-mesh-sdk-<v>.tgz, kcp-mesh-codegen-<v>.tgz, kcp-mesh-dev-<v>.tgz, kcp-mesh-create-provider-<v>.tgz.
# The scaffolding test and the example forks install from these, as a team would from the registry.
# Usage: scripts/pack.sh [dir]   (default: .cache/tarballs); prints the folder on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/.cache/tarballs}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -f "$dir"/kcp-mesh-*.tgz
started=$SECONDS
(cd "$root" && npm pack -w packages/sdk -w packages/codegen -w packages/dev -w packages/create-provider \
  --pack-destination "$dir" --silent >/dev/null)
echo "packed $(cd "$dir" && ls kcp-mesh-*.tgz | tr '\n' ' ')in $((SECONDS - started))s" >&2
echo "$dir"
