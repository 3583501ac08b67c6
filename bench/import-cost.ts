/**
 * What a provider pays at import: for the SDK's entry points and each of its dependencies, a fresh
 * pinned-Node process imports it alone, and reports the time the import took and its RSS after it
 * (and a bare process's, for the difference). Each is measured `--runs` times (default 5); the
 * median goes into `bench/results/import-cost-<timestamp>.json` and a table on stdout. Run the
 * benchmark (or `npm run build`) first: the SDK is imported from its dist/, as in production.
 *
 * One more row, `@kcp-mesh/sdk bundled`, imports the SDK and its dependencies bundled by esbuild
 * into one file (client-node left out: it loads on demand), which is what a provider that bundles
 * itself for its container pays: most of the unbundled import is Node's module loader going
 * through a few hundred files. Both are measured once more with Node's compile cache warm
 * (`NODE_COMPILE_CACHE`), as an image that ships the cache would start.
 *
 *   npx tsx --conditions=source bench/import-cost.ts [--runs 5]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { PROVIDER_BUNDLE } from "../packages/sdk/src/bundle-recipe.js";
import { REPO_ROOT } from "./contenders.js";
import { parseArgs } from "./lib/args.js";
import { summarise } from "./lib/report.js";

const args = parseArgs(process.argv.slice(2), ["runs"]);
const runs = Number(args.get("runs") ?? 5);
const MODULES = [
  "@kcp-mesh/sdk",
  "@kcp-mesh/sdk/api",
  "@kubernetes/client-node",
  "rxjs",
  "zod",
  "prom-client",
  "pino",
  "yaml",
  "js-yaml",
  "@marcbachmann/cel-js",
  "@opentelemetry/api",
];

/**
 * One fresh process: the time from spawning it to its script's first line (`boot`, wall clock on
 * both sides: `performance.now()` there would count only from Node's time origin, which Node sets
 * a few milliseconds into its start), and `[ms, rssBytes]` after importing `module` (nothing for
 * the bare process).
 */
function measure(
  module: string | undefined,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): { ms: number; rss: number; boot: number } {
  const code = `const boot=Date.now()-${Date.now()};${
    module
      ? `const t=performance.now();await import(${JSON.stringify(module)});` +
        "const ms=performance.now()-t;globalThis.gc?.();" +
        "process.stdout.write(JSON.stringify({ms,boot,rss:process.memoryUsage().rss}))"
      : "globalThis.gc?.();process.stdout.write(JSON.stringify({ms:0,boot,rss:process.memoryUsage().rss}))"
  }`;
  const out = execFileSync(process.execPath, ["--expose-gc", ...extra, "--input-type=module", "-e", code], {
    cwd: join(REPO_ROOT, "packages/sdk"),
    encoding: "utf8",
    env,
  });
  return JSON.parse(out) as { ms: number; rss: number; boot: number };
}

/**
 * The files an import loads, per package, counted by a module hook in a separate process (the hook
 * slows loading, so this run is not timed): most of an import's time is Node's loader going
 * through files one by one, so the count says where start-up goes.
 */
const hooks = join(mkdtempSync(join(tmpdir(), "import-cost-hooks-")), "count.mjs");
writeFileSync(
  hooks,
  'import { registerHooks } from "node:module";\n' +
    "globalThis.__files = new Set();\n" +
    "registerHooks({ load(url, context, next) { globalThis.__files.add(url); return next(url, context); } });\n",
);
function filesOf(module: string): { files: number; files_by_package: Record<string, number> } {
  const code =
    `await import(${JSON.stringify(module)});const by={};` +
    "for(const u of globalThis.__files){if(u.startsWith('node:'))continue;" +
    "const m=u.match(/node_modules\\/((@[^/]+\\/)?[^/]+)/);" +
    "const k=m?m[1]:u.includes('/packages/sdk/')?'@kcp-mesh/sdk':'(other)';by[k]=(by[k]??0)+1}" +
    "process.stdout.write(JSON.stringify(by))";
  const out = execFileSync(process.execPath, ["--import", hooks, "--input-type=module", "-e", code], {
    cwd: join(REPO_ROOT, "packages/sdk"),
    encoding: "utf8",
  });
  const by = JSON.parse(out) as Record<string, number>;
  const sorted = Object.fromEntries(Object.entries(by).sort((a, b) => b[1] - a[1]));
  return { files: Object.values(by).reduce((a, b) => a + b, 0), files_by_package: sorted };
}

const MiB = 1024 * 1024;
const rows: Record<
  string,
  {
    import_ms: number;
    /** Node's own boot, process start to the script's first line (the bare row). */
    boot_ms?: number;
    rss_mb: number;
    rss_over_bare_mb: number;
    files?: number;
    files_by_package?: Record<string, number>;
  }
> = {};
const sample = (name: string, fn: () => { ms: number; rss: number; boot: number }) => {
  const got = Array.from({ length: runs }, fn);
  return {
    name,
    ms: summarise(got.map((g) => g.ms))!.median,
    boot: summarise(got.map((g) => g.boot))!.median,
    rss: summarise(got.map((g) => g.rss / MiB))!.median,
  };
};
const bare = sample("(bare node)", () => measure(undefined));
rows[bare.name] = {
  import_ms: 0,
  boot_ms: Math.round(bare.boot * 10) / 10,
  rss_mb: bare.rss,
  rss_over_bare_mb: 0,
};
const tsx = sample("(bare node with --import tsx)", () => measure(undefined, ["--import", "tsx"]));
rows[tsx.name] = {
  import_ms: 0,
  rss_mb: tsx.rss,
  rss_over_bare_mb: Math.round((tsx.rss - bare.rss) * 10) / 10,
};
for (const m of MODULES) {
  const s = sample(m, () => measure(m));
  rows[m] = {
    import_ms: Math.round(s.ms),
    rss_mb: Math.round(s.rss * 10) / 10,
    rss_over_bare_mb: Math.round((s.rss - bare.rss) * 10) / 10,
    ...filesOf(m),
  };
}

{
  // The same import, of one esbuild bundle made as the README says.
  const dir = mkdtempSync(join(tmpdir(), "import-cost-"));
  const entry = join(dir, "entry.mjs");
  writeFileSync(entry, 'export * from "@kcp-mesh/sdk";\n');
  const outfile = join(dir, "sdk.bundle.mjs");
  await build({
    entryPoints: [entry],
    absWorkingDir: join(REPO_ROOT, "packages/sdk"),
    nodePaths: [join(REPO_ROOT, "node_modules")],
    ...PROVIDER_BUNDLE,
    outfile,
    logLevel: "warning",
  });
  const s = sample("@kcp-mesh/sdk bundled", () => measure(pathToFileURL(outfile).href));
  rows[s.name] = {
    import_ms: Math.round(s.ms),
    rss_mb: Math.round(s.rss * 10) / 10,
    rss_over_bare_mb: Math.round((s.rss - bare.rss) * 10) / 10,
    ...filesOf(pathToFileURL(outfile).href),
  };

  // Both again with Node's on-disk compile cache (NODE_COMPILE_CACHE), filled by one run first, as
  // a container image would ship it: V8 then skips parsing and compiling what it compiled before.
  for (const [name, module] of [
    ["@kcp-mesh/sdk, compile cache warm", "@kcp-mesh/sdk"],
    ["@kcp-mesh/sdk bundled, compile cache warm", pathToFileURL(outfile).href],
  ] as const) {
    const env = { ...process.env, NODE_COMPILE_CACHE: mkdtempSync(join(tmpdir(), "compile-cache-")) };
    measure(module, [], env);
    const c = sample(name, () => measure(module, [], env));
    rows[c.name] = {
      import_ms: Math.round(c.ms),
      rss_mb: Math.round(c.rss * 10) / 10,
      rss_over_bare_mb: Math.round((c.rss - bare.rss) * 10) / 10,
    };
  }
}

const lines = [
  `node ${process.version}, ${runs} fresh processes each, median; RSS after a forced GC`,
  `bare node's boot, process start to the script's first line: ${rows[bare.name]!.boot_ms} ms`,
  "| import | time (ms) | RSS (MiB) | RSS over bare node (MiB) | files loaded |",
  "| --- | --- | --- | --- | --- |",
  ...Object.entries(rows).map(
    ([m, r]) =>
      `| ${m} | ${r.import_ms} | ${r.rss_mb} | ${r.rss_over_bare_mb} | ${r.files ?? "-"}${
        r.files_by_package && Object.keys(r.files_by_package).length > 1
          ? ` (${Object.entries(r.files_by_package)
              .slice(0, 6)
              .map(([p, n]) => `${p} ${n}`)
              .join(", ")})`
          : ""
      } |`,
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);
const dir = join(REPO_ROOT, "bench/results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `import-cost-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ startedAt: new Date().toISOString(), node: process.version, runs, imports: rows }, null, 2)}\n`,
);
process.stderr.write(`written to ${file}\n`);
