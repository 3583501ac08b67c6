#!/usr/bin/env node
// An installed package (under node_modules) runs the compiled dist/main.js; a checkout of the
// repository runs src/main.ts through tsx with the "source" export condition, so the SDK and the
// code generator resolve to their sources too.
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
  const args = ["--conditions=source", "--import", import.meta.resolve("tsx"), src, ...process.argv.slice(2)];
  const child = spawnSync(process.execPath, args, { stdio: "inherit" });
  if (child.error) throw child.error;
  if (child.signal) process.kill(process.pid, child.signal);
  process.exit(child.status ?? 1);
}
