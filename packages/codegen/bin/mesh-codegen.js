#!/usr/bin/env node
// Runs mesh-codegen under tsx, so API modules load as TypeScript without a build step. An installed
// package (under node_modules) runs the compiled dist/main.js; a checkout of the repository runs
// src/main.ts with the "source" export condition, so @kcp-mesh/sdk resolves to its sources as well
// and a stale dist/ from an earlier build is never used.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const installed = fileURLToPath(import.meta.url)
  .split(/[\\/]/)
  .includes("node_modules");
const fromSource = !installed || !existsSync(dist);
const entry = fromSource ? fileURLToPath(new URL("../src/main.ts", import.meta.url)) : dist;
const args = [
  ...(fromSource ? ["--conditions=source"] : []),
  "--import",
  import.meta.resolve("tsx"),
  entry,
  ...process.argv.slice(2),
];
const child = spawnSync(process.execPath, args, { stdio: "inherit" });
if (child.error) throw child.error;
if (child.signal) process.kill(process.pid, child.signal);
process.exit(child.status ?? 1);
