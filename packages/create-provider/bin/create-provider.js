#!/usr/bin/env node
// `npm init @kcp-mesh/provider <dir>` runs this on the machine's Node (>= 20.16). An installed package
// runs the compiled dist/main.js; a checkout of the repository runs src/main.ts through tsx.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = new URL("../dist/main.js", import.meta.url);
const installed = fileURLToPath(import.meta.url)
  .split(/[\\/]/)
  .includes("node_modules");
if (installed && existsSync(dist)) {
  await import(dist.href);
} else {
  const src = fileURLToPath(new URL("../src/main.ts", import.meta.url));
  const child = spawnSync(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), src, ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  if (child.error) throw child.error;
  process.exit(child.status ?? 1);
}
