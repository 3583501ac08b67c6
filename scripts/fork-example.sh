#!/usr/bin/env bash
# Proves an example works outside this repository, as a team's fork would: packs the packages
# (scripts/pack.sh, or the tarballs in PACK_DIR), copies the example to a temporary folder, points
# its dependencies at the tarballs (with the overrides they need), installs, checks deploy/ with
# mesh-codegen, builds, and runs its tests (against the SDK's in-process fake kcp: no Go, no kcp
# binary; MESH_TEST_SERVER=kcp to run them against a real kcp).
# Usage: scripts/fork-example.sh [example ...]   (default: every example)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kcp-mesh-fork-XXXXXX")
trap 'rm -rf "$work"' EXIT
# A fork runs on its team's Node (>= 22.19); here that is the Node this repository pins.
export PATH="$root/node_modules/.bin:$PATH"
echo "node $(node --version)"
examples=("$@")
if [[ ${#examples[@]} -eq 0 ]]; then
  for d in "$root"/examples/*/; do examples+=("$(basename "$d")"); done
fi

# PACK_DIR: tarballs that scripts/pack.sh made already (CI packs once for this and the scaffolding test).
if [[ -n ${PACK_DIR:-} ]] && compgen -G "$PACK_DIR/kcp-mesh-sdk-[0-9]*.tgz" >/dev/null; then
  packs=$PACK_DIR
  echo "==> reusing the tarballs in $packs"
else
  echo "==> packing the packages into $work/packs"
  packs=$(bash "$root/scripts/pack.sh" "$work/packs")
fi
sdk=$(ls "$packs"/kcp-mesh-sdk-[0-9]*.tgz)
codegen=$(ls "$packs"/kcp-mesh-codegen-[0-9]*.tgz)

for ex in "${examples[@]}"; do
  echo "==> $ex: copied out, installed from the tarballs"
  dir="$work/$ex"
  mkdir -p "$dir"
  (cd "$root/examples/$ex" && tar --exclude=node_modules --exclude=dist -cf - .) | (cd "$dir" && tar -xf -)
  # What the examples' READMEs tell a fork to do: the tarballs, the overrides entry they need, and
  # the repository's pinned Node as a devDependency (npm scripts run on it, whatever Node runs npm).
  (cd "$dir" && SDK="$sdk" CODEGEN="$codegen" ROOT_PKG="$root/package.json" node -e '
    const fs = require("node:fs");
    const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const root = JSON.parse(fs.readFileSync(process.env.ROOT_PKG, "utf8"));
    const sdk = `file:${process.env.SDK}`;
    p.dependencies["@kcp-mesh/sdk"] = sdk;
    if (p.devDependencies?.["@kcp-mesh/codegen"]) p.devDependencies["@kcp-mesh/codegen"] = `file:${process.env.CODEGEN}`;
    p.overrides = { "@kcp-mesh/sdk": sdk };
    p.devDependencies = { ...p.devDependencies, node: root.devDependencies.node };
    p.allowScripts = { ...root.allowScripts, ...p.allowScripts };
    fs.writeFileSync("package.json", JSON.stringify(p, null, 2));
  ')
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  echo "==> $ex: mesh-codegen check, build, test"
  (cd "$dir" && npm run --silent check && npx tsc -p tsconfig.json && npm test)
done
echo "==> forks passed: ${examples[*]}"
