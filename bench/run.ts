/**
 * The benchmark driver: a local kcp, W consumer workspaces with N Things, and the same workload
 * against each contender (bench/contenders.ts), each a separate process. Prints a table of the figures
 * with ratios to the Go provider and to the ceiling, and writes them as JSON to bench/results/.
 *
 *   npx tsx --conditions=source bench/run.ts [--smoke] [--workspaces W] [--objects N] [--contenders go,ceiling]
 *
 * See bench/README.md for the phases and what each figure means.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import type { KubeClient } from "@kcp-mesh/sdk";
import {
  createServiceAccountIdentity,
  DEFAULT_KCP_VERSION,
  freePorts,
  type KcpInstance,
  startKcp,
  waitForEndpointSliceUrls,
} from "@kcp-mesh/sdk/testing";
import { CONTENDERS, type ContenderSpec, REPO_ROOT } from "./contenders.js";
import { parseArgs } from "./lib/args.js";
import { type Contender, memoryOfTree, RssSampler, resetHighWaterMark, startContender } from "./lib/proc.js";
import { StatusTracker } from "./lib/tracker.js";
import {
  API,
  bumpCounter,
  clearStatus,
  createWorkload,
  EXPORT,
  NAMESPACE,
  objectPath,
  PLURAL,
  pool,
  progress,
  retry,
  type Setup,
  thing,
} from "./lib/workload.js";

// ---------------------------------------------------------------------------------------------
// Options

const args = parseArgs(process.argv.slice(2));
const smoke = args.has("smoke");
const num = (name: string, env: string, dflt: number) => Number(args.get(name) ?? process.env[env] ?? dflt);
const W = num("workspaces", "BENCH_W", smoke ? 3 : 100);
const N = num("objects", "BENCH_N", smoke ? 60 : 10_000);
const opts = {
  workspaces: W,
  objects: N,
  setupConcurrency: num("setup-concurrency", "BENCH_SETUP_CONCURRENCY", 32),
  providerConcurrency: num("provider-concurrency", "BENCH_PROVIDER_CONCURRENCY", 10),
  steadyObjects: Math.min(N, num("steady-objects", "BENCH_STEADY_OBJECTS", smoke ? 30 : 500)),
  steadyRate: num("steady-rate", "BENCH_STEADY_RATE", smoke ? 10 : 50),
  steadySeconds: num("steady-seconds", "BENCH_STEADY_SECONDS", smoke ? 5 : 30),
  burstObjects: Math.min(N, num("burst-objects", "BENCH_BURST_OBJECTS", smoke ? 60 : 2000)),
  churnRate: num("churn-rate", "BENCH_CHURN_RATE", smoke ? 10 : 50),
  churnSeconds: num("churn-seconds", "BENCH_CHURN_SECONDS", smoke ? 5 : 20),
  relist: !args.has("no-relist"),
  syncTimeoutMs: num("sync-timeout", "BENCH_SYNC_TIMEOUT", smoke ? 120 : 900) * 1000,
};
const wanted = (args.get("contenders") ?? process.env.BENCH_CONTENDERS)?.split(",").map((s) => s.trim());
for (const w of wanted ?? []) {
  if (!CONTENDERS.some((c) => c.name === w)) throw new Error(`unknown contender ${w}`);
}
const contenders: ContenderSpec[] = [];
const skipped: Record<string, string> = {};
for (const c of CONTENDERS) {
  if (wanted && !wanted.includes(c.name)) continue;
  const why = c.unavailable();
  if (why && wanted) throw new Error(`contender ${c.name} cannot run: ${why}`);
  if (why) skipped[c.name] = why;
  else contenders.push(c);
}
const resultsDir = join(REPO_ROOT, args.get("out") ?? "bench/results");
const runDir = mkdtempSync(join(tmpdir(), "mesh-bench-"));

// ---------------------------------------------------------------------------------------------
// Figures

type Figures = Record<string, number | boolean | string | undefined>;

/** name, unit, and whether a lower value is better; the order of the table. */
const FIGURES: [string, string, "lower" | "higher" | "info"][] = [
  ["sync_s", "s", "lower"],
  ["sync_from_started_s", "s", "lower"],
  ["startup_s", "s", "lower"],
  ["sync_objects_per_s", "obj/s", "higher"],
  ["rss_after_sync_mb", "MiB", "lower"],
  ["rss_per_object_b", "B", "lower"],
  ["rss_marginal_per_object_b", "B", "lower"],
  ["heap_after_sync_mb", "MiB", "lower"],
  ["heap_per_object_b", "B", "lower"],
  ["rss_peak_sync_mb", "MiB", "lower"],
  ["steady_p50_ms", "ms", "lower"],
  ["steady_p99_ms", "ms", "lower"],
  ["steady_achieved_per_s", "upd/s", "higher"],
  ["burst_updates_per_s", "upd/s", "higher"],
  ["burst_p99_ms", "ms", "lower"],
  ["churn_settle_s", "s", "lower"],
  ["churn_cache_matches", "", "info"],
  ["relist_peak_rss_mb", "MiB", "lower"],
  ["relist_recover_s", "s", "lower"],
];

const MiB = 1024 * 1024;
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The run

interface Env {
  kcp: KcpInstance;
  server: KubeClient; // admin, base URL = server root
  vw: KubeClient; // admin, base URL = the export's virtual workspace
  vwUrl: string;
  tracker: StatusTracker;
  setup: Setup;
  kubeconfig: string; // least-privilege identity of the provider
}

let env!: Env;
/** Every write sets spec.counter to a new value, so status.seen tells which write a status answers. */
let counterSeq = 1;

async function main(): Promise<void> {
  progress(`W=${W} N=${N} contenders=${contenders.map((c) => c.name).join(",")} (state in ${runDir})`);
  for (const [c, why] of Object.entries(skipped)) progress(`skipping contender ${c}: ${why}`);
  // Build what the contenders need before timing anything.
  for (const c of contenders) c.command({ kubeconfig: "", export: "", concurrency: 1, debugAddr: "" });

  const started = performance.now();
  const kcp = await startKcp({ rootDir: join(runDir, "kcp") });
  progress(
    `kcp ready at ${kcp.baseUrl} in ${((performance.now() - started) / 1000).toFixed(1)}s (log ${kcp.logFile})`,
  );
  const results: Record<string, Figures> = {};
  let current = kcp;
  try {
    const root = kcp.admin();
    const server = root.withBaseUrl(kcp.baseUrl);
    const setupStart = performance.now();
    const setup = await createWorkload(root, server, {
      workspaces: W,
      objects: N,
      concurrency: opts.setupConcurrency,
    });
    const setupS = (performance.now() - setupStart) / 1000;
    const providerWs = root.forWorkspace(setup.provider.path);
    const [vwUrl] = (await waitForEndpointSliceUrls(providerWs, EXPORT)) as [string];
    const identityFile = join(runDir, "provider.kubeconfig");
    await createServiceAccountIdentity(providerWs, {
      name: "bench-provider",
      rules: [
        {
          apiGroups: ["apis.kcp.io"],
          resources: ["apiexportendpointslices"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["apis.kcp.io"],
          resources: ["apiexports/content"],
          resourceNames: [EXPORT],
          verbs: ["*"],
        },
      ],
      kubeconfigPath: identityFile,
    });
    const vw = root.withBaseUrl(vwUrl);
    const tracker = new StatusTracker(() => env.vw, `/clusters/*${API}/${PLURAL}`);
    env = { kcp, server, vw, vwUrl, tracker, setup, kubeconfig: identityFile };
    await tracker.start();
    await tracker.until(`the driver's watch to see all ${N} objects`, () => tracker.size === N, 120_000);
    progress(
      `workload ready in ${setupS.toFixed(1)}s: ${W} workspaces, ${N} objects; virtual workspace ${vwUrl}`,
    );

    for (const spec of contenders) {
      progress(`--- contender ${spec.name}: ${spec.description}`);
      results[spec.name] = await runContender(spec);
      current = env.kcp; // a forced relist restarts kcp
    }
    tracker.stop();

    const report = buildReport(results, setupS);
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${renderTable(report)}\n`);
    progress(`results written to ${file}`);
  } finally {
    await (env?.kcp ?? current).stop();
  }
}

async function runContender(spec: ContenderSpec): Promise<Figures> {
  const { tracker } = env;
  const f: Figures = {};
  if (spec.kind === "provider" && tracker.withStatus > 0) {
    // Every provider starts from objects without status, as fresh objects are.
    await clearStatus(env.vw, tracker.keys(), opts.setupConcurrency);
    await tracker.until("all status cleared", () => tracker.withStatus === 0, 120_000);
  }
  const [port] = await freePorts(1);
  const debug = `127.0.0.1:${port}`;
  const logFile = join(runDir, `${spec.name}.log`);
  const cmd = spec.command({
    kubeconfig: env.kubeconfig,
    export: EXPORT,
    concurrency: opts.providerConcurrency,
    debugAddr: debug,
  });
  const proc = startContender(cmd, { cwd: REPO_ROOT, logFile });
  const sampler = new RssSampler(proc.pid, proc.startedAt);
  try {
    const startedLine = await proc.waitForLine(/^started/, 60_000);
    const rssStart = sampler.sample();
    f.startup_s = startedLine.atMs / 1000;

    // Initial sync.
    if (spec.kind === "provider") {
      const syncMs = await tracker.until(
        `${spec.name} to write status of all ${N} objects`,
        () => tracker.done === N,
        opts.syncTimeoutMs,
        () => progress(`${spec.name}: ${tracker.done}/${N} objects have status`),
      );
      void syncMs;
      f.sync_s = (performance.now() - proc.startedAt) / 1000;
    } else {
      const line = await proc.waitForLine(/^synced \d+/, opts.syncTimeoutMs);
      const n = Number(line.line.split(" ")[1]);
      if (n !== N) throw new Error(`${spec.name} synced ${n} objects, expected ${N}`);
      f.sync_s = line.atMs / 1000;
    }
    const ownSynced = proc.lines.find((l) => l.line.startsWith("synced"));
    if (ownSynced) f.own_synced_line_s = round(ownSynced.atMs / 1000, 3);
    f.sync_from_started_s = f.sync_s - f.startup_s;
    f.sync_objects_per_s = N / f.sync_s;
    f.rss_peak_sync_mb = sampler.max / MiB;
    progress(`${spec.name}: initial sync ${f.sync_s.toFixed(2)}s`);

    // Memory with everything cached (settled).
    await sleep(2000);
    const heap = await getJson<{ heapBytes: number }>(`http://${debug}/memory`);
    const rss = sampler.sample();
    f.rss_after_sync_mb = rss / MiB;
    f.rss_per_object_b = rss / N;
    f.rss_marginal_per_object_b = (rss - rssStart) / N;
    f.rss_at_start_mb = rssStart / MiB;
    if (heap) {
      f.heap_after_sync_mb = heap.heapBytes / MiB;
      f.heap_per_object_b = heap.heapBytes / N;
    }

    if (spec.kind === "provider") {
      Object.assign(f, await steadyState(spec.name));
      Object.assign(f, await burst(spec.name));
      Object.assign(f, await churn(spec.name, debug));
    }
    if (opts.relist) Object.assign(f, await forcedRelist(spec, proc));
    if (proc.exited() !== null) throw new Error(`${spec.name} exited with ${proc.exited()} (log ${logFile})`);
  } finally {
    sampler.stop();
    await proc.stop();
  }
  for (const [k, v] of Object.entries(f)) if (typeof v === "number") f[k] = round(v, 3);
  return f;
}

/** Updates K objects at a fixed rate; latency from the write's answer to status written for that generation. */
async function steadyState(name: string): Promise<Figures> {
  const { tracker, server, setup } = env;
  const targets = setup.objects.slice(0, opts.steadyObjects);
  const total = Math.round(opts.steadyRate * opts.steadySeconds);
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let writeErrors = 0;
  const t0 = performance.now();
  progress(
    `${name}: steady state, ${opts.steadyRate} updates/s for ${opts.steadySeconds}s over ${targets.length} objects`,
  );
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / opts.steadyRate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const o = targets[i % targets.length]!;
    const counter = counterSeq++;
    pending.push(
      (async () => {
        const w0 = performance.now();
        try {
          const gen = await bumpCounter(server, o.ws.id, o.name, counter);
          latencies.push(await tracker.expect(`${o.ws.id}/${NAMESPACE}/${o.name}`, gen, w0));
        } catch {
          writeErrors++;
        }
      })(),
    );
  }
  const lastWrite = performance.now();
  await Promise.race([Promise.all(pending), sleep(60_000)]);
  const end = performance.now();
  latencies.sort((a, b) => a - b);
  return {
    steady_offered_per_s: opts.steadyRate,
    steady_writes: total,
    steady_completed: latencies.length,
    steady_write_errors: writeErrors,
    steady_achieved_per_s: latencies.length / ((Math.max(end, lastWrite) - t0) / 1000),
    steady_p50_ms: percentile(latencies, 50),
    steady_p99_ms: percentile(latencies, 99),
    steady_max_ms: latencies.at(-1),
  };
}

/** Updates B objects as fast as the driver can write (bounded concurrency); status-written throughput. */
async function burst(name: string): Promise<Figures> {
  const { tracker, server, setup } = env;
  const targets = setup.objects.slice(0, opts.burstObjects);
  const latencies: number[] = [];
  progress(`${name}: burst, ${targets.length} updates at concurrency ${opts.setupConcurrency}`);
  const t0 = performance.now();
  const waits: Promise<void>[] = [];
  await pool("burst writes", targets, opts.setupConcurrency, async (o) => {
    const w0 = performance.now();
    const gen = await bumpCounter(server, o.ws.id, o.name, counterSeq++);
    waits.push(
      tracker.expect(`${o.ws.id}/${NAMESPACE}/${o.name}`, gen, w0).then((l) => {
        latencies.push(l);
      }),
    );
  });
  const writesMs = performance.now() - t0;
  await Promise.race([Promise.all(waits), sleep(120_000)]);
  const ms = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return {
    burst_updates: targets.length,
    burst_completed: latencies.length,
    burst_writes_s: writesMs / 1000,
    burst_updates_per_s: latencies.length / (ms / 1000),
    burst_p50_ms: percentile(latencies, 50),
    burst_p99_ms: percentile(latencies, 99),
  };
}

/**
 * Creates, updates and deletes objects at a fixed rate (creates and deletes on their own `churn-*`
 * objects, so the base set stays as it was for the next contender), waits until the provider has
 * written status of every live object, and compares the provider's cache (GET /cache) with a fresh list.
 */
async function churn(name: string, debug: string): Promise<Figures> {
  const { tracker, server, setup, vw } = env;
  const live: { ws: string; name: string }[] = [];
  let creates = 0;
  let updates = 0;
  let deletes = 0;
  let errors = 0;
  let rnd = 42;
  const random = () => {
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    return rnd / 0x80000000;
  };
  const total = Math.round(opts.churnRate * opts.churnSeconds);
  progress(
    `${name}: churn, ${opts.churnRate} ops/s for ${opts.churnSeconds}s (create 40%, update 40%, delete 20%)`,
  );
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / opts.churnRate - performance.now();
    if (wait > 0) await sleep(wait);
    const r = random();
    const ws = setup.consumers[Math.floor(random() * setup.consumers.length)]!;
    let op: () => Promise<unknown>;
    if (r < 0.4 || live.length === 0) {
      const o = { ws: ws.id, name: `churn-${name}-${i}` };
      live.push(o);
      creates++;
      op = () =>
        server.request({
          method: "POST",
          path: `/clusters/${o.ws}${API}/namespaces/${NAMESPACE}/${PLURAL}`,
          body: thing(o.name, i),
        });
    } else if (r < 0.8) {
      updates++;
      const useBase = random() < 0.5;
      const o = useBase
        ? {
            ws: setup.objects[i % setup.objects.length]!.ws.id,
            name: setup.objects[i % setup.objects.length]!.name,
          }
        : live[Math.floor(random() * live.length)]!;
      const counter = counterSeq++;
      op = () => bumpCounter(server, o.ws, o.name, counter);
    } else {
      deletes++;
      const o = live.splice(Math.floor(random() * live.length), 1)[0]!;
      op = () => server.request({ method: "DELETE", path: objectPath(o.ws, o.name) });
    }
    inflight.push(
      retry(op, `churn op ${i}`, 3).then(
        () => undefined,
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(inflight);
  const opsEnd = performance.now();
  const settleMs = await tracker
    .until(`${name} to settle after churn`, () => tracker.done === tracker.size, 120_000)
    .catch(() => Number.NaN);
  const f: Figures = {
    churn_ops: total,
    churn_creates: creates,
    churn_updates: updates,
    churn_deletes: deletes,
    churn_errors: errors,
    churn_settle_s: (performance.now() - opsEnd) / 1000,
    churn_settled: !Number.isNaN(settleMs),
  };

  // cache == fresh list: compare keys and resourceVersions (the provider may lag a moment behind).
  let verdict = "no /cache endpoint";
  for (let attempt = 0; attempt < 20; attempt++) {
    const cache = await getJson<{
      items: { cluster: string; namespace: string; name: string; resourceVersion: string }[];
    }>(`http://${debug}/cache`);
    if (!cache) break;
    const fresh = await vw.request<{
      items: {
        metadata: {
          name: string;
          namespace: string;
          resourceVersion: string;
          annotations: Record<string, string>;
        };
      }[];
    }>({ path: `/clusters/*${API}/${PLURAL}` });
    const want = new Map(
      fresh.items.map((o) => [
        `${o.metadata.annotations["kcp.io/cluster"]}/${o.metadata.namespace}/${o.metadata.name}`,
        o.metadata.resourceVersion,
      ]),
    );
    const got = new Map(cache.items.map((o) => [`${o.cluster}/${o.namespace}/${o.name}`, o.resourceVersion]));
    const missing = [...want.keys()].filter((k) => !got.has(k)).length;
    const extra = [...got.keys()].filter((k) => !want.has(k)).length;
    const stale = [...want].filter(([k, rv]) => got.has(k) && got.get(k) !== rv).length;
    f.churn_cache_missing = missing;
    f.churn_cache_extra = extra;
    f.churn_cache_stale = stale;
    verdict = missing + extra + stale === 0 ? "yes" : "no";
    if (verdict === "yes") break;
    await sleep(500);
  }
  f.churn_cache_matches = verdict;

  // Put the base set back as it was: drop the churn objects.
  await pool("churn cleanup", live, opts.setupConcurrency, (o) =>
    server.request({ method: "DELETE", path: objectPath(o.ws, o.name) }).catch(() => undefined),
  );
  await tracker.until("churn objects gone", () => tracker.size === N, 60_000).catch(() => undefined);
  return f;
}

/**
 * Restarts kcp on its data, which ends every watch; the resumed watches' resourceVersions predate the
 * new watch cache, so the contenders relist. Measures the contender's RSS high-water mark from just
 * before the restart until it has written status again, and how long that recovery took.
 */
async function forcedRelist(spec: ContenderSpec, proc: Contender): Promise<Figures> {
  const hwmReset = resetHighWaterMark(proc.pid);
  const before = memoryOfTree(proc.pid);
  progress(`${spec.name}: restarting kcp to force a relist`);
  const { rootDir, port } = env.kcp;
  const linesBefore = proc.lines.length;
  await env.kcp.stop();
  env.kcp = await startKcp({ rootDir, port });
  // kcp writes a new admin token on every start: clients made before the restart get 401 now.
  const root = env.kcp.admin();
  env.server = root.withBaseUrl(env.kcp.baseUrl);
  env.vw = root.withBaseUrl(env.vwUrl);
  const readyAt = performance.now();
  if (spec.kind === "provider") {
    const o = env.setup.objects[0]!;
    const gen = await retry(() => bumpCounter(env.server, o.ws.id, o.name, counterSeq++), "probe write", 20);
    await env.tracker.expect(`${o.ws.id}/${NAMESPACE}/${o.name}`, gen, readyAt);
    await env.tracker.until(
      "all objects done after restart",
      () => env.tracker.done === env.tracker.size,
      120_000,
    );
  } else {
    await proc.waitForLine(/^relisted \d+/, 120_000).catch(() => undefined);
  }
  const recoverMs = performance.now() - readyAt;
  await sleep(2000);
  const after = memoryOfTree(proc.pid);
  const relisted = proc.lines.slice(linesBefore).some((l) => l.line.startsWith("relisted"));
  return {
    relist_peak_rss_mb: hwmReset ? after.hwm / MiB : undefined,
    relist_rss_before_mb: before.rss / MiB,
    relist_rss_after_mb: after.rss / MiB,
    relist_recover_s: recoverMs / 1000,
    ...(spec.kind === "reader" && { relist_observed: relisted }),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

interface Report {
  startedAt: string;
  command: string;
  sizes: { workspaces: number; objects: number };
  options: typeof opts;
  machine: { cpus: number; memoryGiB: number; node: string; kcp: string };
  setup_s: number;
  skipped: Record<string, string>;
  contenders: Record<string, Figures>;
  ratios: Record<string, Record<string, { vs_go?: number; vs_ceiling?: number }>>;
}

function buildReport(results: Record<string, Figures>, setupS: number): Report {
  const ratios: Report["ratios"] = {};
  for (const [name, figs] of Object.entries(results)) {
    ratios[name] = {};
    for (const [fig] of FIGURES) {
      const v = figs[fig];
      if (typeof v !== "number") continue;
      const g = results.go?.[fig];
      const c = results.ceiling?.[fig];
      ratios[name][fig] = {
        ...(typeof g === "number" && g !== 0 && { vs_go: round(v / g, 3) }),
        ...(typeof c === "number" && c !== 0 && { vs_ceiling: round(v / c, 3) }),
      };
    }
  }
  return {
    startedAt: new Date().toISOString(),
    command: `npx tsx --conditions=source bench/run.ts ${process.argv.slice(2).join(" ")}`.trim(),
    sizes: { workspaces: W, objects: N },
    options: opts,
    machine: {
      cpus: cpus().length,
      memoryGiB: round(totalmem() / 1024 ** 3, 1),
      node: process.version,
      kcp: process.env.KCP_BIN
        ? `KCP_BIN=${process.env.KCP_BIN}`
        : (process.env.KCP_VERSION ?? DEFAULT_KCP_VERSION),
    },
    setup_s: round(setupS, 1),
    skipped,
    contenders: results,
    ratios,
  };
}

function renderTable(r: Report): string {
  const rows: string[][] = [["figure", "unit", "better", "contender", "value", "vs go", "vs ceiling"]];
  const fmt = (v: number | boolean | string | undefined) =>
    v === undefined
      ? "-"
      : typeof v === "number"
        ? Math.abs(v) >= 100
          ? v.toFixed(0)
          : v.toPrecision(3)
        : String(v);
  for (const [fig, unit, better] of FIGURES) {
    for (const name of Object.keys(r.contenders)) {
      const v = r.contenders[name]![fig];
      if (v === undefined) continue;
      const ratio = r.ratios[name]?.[fig];
      rows.push([
        fig,
        unit,
        better,
        name,
        fmt(v),
        ratio?.vs_go !== undefined ? `${ratio.vs_go.toFixed(2)}x` : "-",
        ratio?.vs_ceiling !== undefined ? `${ratio.vs_ceiling.toFixed(2)}x` : "-",
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const sep = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  const head = `W=${r.sizes.workspaces} N=${r.sizes.objects}, ${r.machine.cpus} cores, node ${r.machine.node}, kcp ${r.machine.kcp}`;
  const skippedNote = Object.entries(r.skipped)
    .map(([c, why]) => `\n(skipped ${c}: ${why})`)
    .join("");
  return `${head}\n${line(rows[0]!)}\n${sep}\n${rows.slice(1).map(line).join("\n")}${skippedNote}`;
}

await main();
