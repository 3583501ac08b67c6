/**
 * `npm run docs:api`: the API reference from TSDoc (TypeDoc, into .cache/api-docs/html), then a check
 * that every export of every package entry point is documented. Exports undocumented today are
 * listed in scripts/api-docs-baseline.txt, so that their owners can document them; any other
 * undocumented export fails the run (CI). `--update` rewrites the baseline (after documenting some).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const baselineFile = join(root, "scripts", "api-docs-baseline.txt");

interface Reflection {
  name: string;
  kind: number;
  comment?: unknown;
  signatures?: { comment?: unknown }[];
  getSignature?: { comment?: unknown };
  children?: Reflection[];
}

// TypeDoc's ReflectionKind values of what a module exports (re-exports, kind 4194304, are checked
// where they are declared).
const EXPORT_KINDS = new Map([
  [4, "namespace"],
  [8, "enum"],
  [32, "variable"],
  [64, "function"],
  [128, "class"],
  [256, "interface"],
  [2097152, "type"],
]);

const run = spawnSync(process.execPath, [join(root, "node_modules", "typedoc", "bin", "typedoc")], {
  cwd: root,
  stdio: "inherit",
});
if (run.status !== 0) process.exit(run.status ?? 1);

const project = JSON.parse(readFileSync(join(root, ".cache", "api-docs", "api.json"), "utf8")) as Reflection;
const documented = (r: Reflection) =>
  Boolean(r.comment) || Boolean(r.signatures?.some((s) => s.comment)) || Boolean(r.getSignature?.comment);
const undocumented: string[] = [];
let total = 0;
for (const mod of project.children ?? []) {
  for (const r of mod.children ?? []) {
    const kind = EXPORT_KINDS.get(r.kind);
    if (!kind) continue;
    total++;
    if (!documented(r)) undocumented.push(`${mod.name} ${kind} ${r.name}`);
  }
}
undocumented.sort();

if (process.argv.includes("--update")) {
  writeFileSync(
    baselineFile,
    `# Exports without TSDoc, known when the check started (scripts/api-docs.ts). Document them and\n# run npm run docs:api -- --update; never add to this list by hand.\n${undocumented.join("\n")}\n`,
  );
  console.log(`api docs: ${undocumented.length} of ${total} exports undocumented; baseline written`);
  process.exit(0);
}

const baseline = new Set(
  readFileSync(baselineFile, "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#")),
);
const added = undocumented.filter((u) => !baseline.has(u));
const fixed = [...baseline].filter((b) => !undocumented.includes(b));
console.log(
  `api docs: ${total} exports, ${total - undocumented.length} documented, ${undocumented.length - added.length} undocumented from the baseline`,
);
if (fixed.length > 0) {
  console.log(
    `documented since the baseline (npm run docs:api -- --update drops them):\n  ${fixed.join("\n  ")}`,
  );
}
if (added.length > 0) {
  console.error(`exports without TSDoc (write a /** ... */ comment on each):\n  ${added.join("\n  ")}`);
  process.exit(1);
}
