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
import { join, resolve } from "node:path";
import type { KubeClient } from "@kcp-mesh/sdk";
import {
  createServiceAccountIdentity,
  DEFAULT_KCP_VERSION,
  freePorts,
  type KcpInstance,
  providerIdentityRules,
  startKcp,
  waitForEndpointSliceUrls,
} from "@kcp-mesh/sdk/testing";
import { CONTENDERS, type ContenderSpec, REPO_ROOT } from "./contenders.js";
import { parseArgs } from "./lib/args.js";
import { latencyStages, type ReconcileStart, type SteadySample } from "./lib/latency-stages.js";
import {
  type Contender,
  cpuOfTree,
  memoryOfTree,
  RssSampler,
  resetHighWaterMark,
  startContender,
} from "./lib/proc.js";
import { objectKey } from "./lib/reconcile-starts.js";
import {
  type Figures,
  missingFigures,
  renderTable,
  round,
  type Summary,
  summariseRounds,
} from "./lib/report.js";
import { StatusTracker } from "./lib/tracker.js";
import { wallClockAnchor } from "./lib/wall-clock.js";
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

const args = parseArgs(process.argv.slice(2), [
  "smoke",
  "workspaces",
  "objects",
  "contenders",
  "repeat",
  "setup-concurrency",
  "provider-concurrency",
  "steady-objects",
  "steady-rate",
  "steady-seconds",
  "burst-objects",
  "churn-rate",
  "churn-seconds",
  "sync-timeout",
  "no-relist",
  "out",
]);
const smoke = args.has("smoke");
const num = (name: string, env: string, dflt: number) => {
  const v = Number(args.get(name) ?? process.env[env] ?? dflt);
  if (!Number.isFinite(v)) throw new Error(`--${name} (or ${env}) must be a number`);
  return v;
};
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
  /** Rounds of every contender; each round starts the order one contender later (ceiling, go, sdk, ...). */
  repeat: Math.max(1, num("repeat", "BENCH_REPEAT", 1)),
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
// `--contenders` also sets the order of the first round.
if (wanted) contenders.sort((a, b) => wanted.indexOf(a.name) - wanted.indexOf(b.name));
const resultsDir = resolve(REPO_ROOT, args.get("out") ?? "bench/results");
const runDir = mkdtempSync(join(tmpdir(), "mesh-bench-"));

// ---------------------------------------------------------------------------------------------
// Figures

const MiB = 1024 * 1024;
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
const rounds: { order: string; results: Record<string, Figures> }[] = [];

/** CPU seconds so far of the contender and of kcp (the one running now). */
const cpuNow = (pid: number) => ({ self: cpuOfTree(pid), kcp: cpuOfTree(env.kcp.pid) });

/** Runs a phase and adds the contender's and kcp's CPU seconds during it, in total and per 1,000 units. */
async function withCpu(
  pid: number,
  phase: string,
  run: () => Promise<Figures>,
  units?: (f: Figures) => number | undefined,
): Promise<Figures> {
  const before = cpuNow(pid);
  const f = await run();
  const after = cpuNow(pid);
  const self = after.self - before.self;
  const kcp = after.kcp - before.kcp;
  const out: Figures = { ...f, [`cpu_${phase}_s`]: self, [`kcp_cpu_${phase}_s`]: kcp };
  const n = units?.(f);
  if (n) {
    out[`cpu_per_1k_${phase}_s`] = self / (n / 1000);
    out[`kcp_cpu_per_1k_${phase}_s`] = kcp / (n / 1000);
  }
  return out;
}
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
      rules: providerIdentityRules(EXPORT),
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

    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    for (let r = 0; r < opts.repeat; r++) {
      // Rotate the order, so no contender always runs after another's forced kcp restart.
      const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]!);
      const results: Record<string, Figures> = {};
      rounds.push({ order: order.map((c) => c.name).join(","), results });
      for (const spec of order) {
        progress(`--- round ${r + 1}/${opts.repeat}, contender ${spec.name}: ${spec.description}`);
        results[spec.name] = await runContender(spec);
        current = env.kcp; // a forced relist restarts kcp
        // What is done so far is kept should a later contender fail or the run be stopped.
        writeFileSync(file, `${JSON.stringify(buildReport(setupS), null, 2)}\n`);
        progress(`${spec.name} (round ${r + 1}) written to ${file}`);
      }
    }
    tracker.stop();

    const report = buildReport(setupS);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${table(report)}\n`);
    progress(`results written to ${file}`);
    const missing = contenders.flatMap((c) =>
      rounds.flatMap((round, i) =>
        missingFigures(round.results[c.name] ?? {}, c.kind, opts.relist).map(
          (f) => `round ${i + 1}: ${c.name} produced no ${f}`,
        ),
      ),
    );
    if (missing.length) {
      progress(`figures missing:\n  ${missing.join("\n  ")}`);
      process.exitCode = 1;
    }
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
  running = proc;
  const sampler = new RssSampler(proc.pid, proc.startedAt);
  try {
    const startedLine = await proc.waitForLine(/^started/, 60_000);
    const rssStart = sampler.sample();
    f.startup_s = startedLine.atMs / 1000;
    const cpuStart = cpuNow(proc.pid);
    f.cpu_startup_s = cpuStart.self;

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
    const cpuSynced = cpuNow(proc.pid);
    f.cpu_sync_s = cpuSynced.self - cpuStart.self;
    f.kcp_cpu_sync_s = cpuSynced.kcp - cpuStart.kcp;
    f.cpu_per_1k_sync_s = f.cpu_sync_s / (N / 1000);
    f.kcp_cpu_per_1k_sync_s = f.kcp_cpu_sync_s / (N / 1000);
    // The kernel's high-water mark since the process started, as for the relist peak (not a sample).
    f.rss_peak_sync_mb = memoryOfTree(proc.pid).hwm / MiB;
    f.rss_peak_sync_sampled_mb = sampler.max / MiB;
    progress(`${spec.name}: initial sync ${f.sync_s.toFixed(2)}s`);

    // Memory with everything cached (settled).
    await sleep(2000);
    const heap = await getJson<{ heapBytes: number; heapAllocBytes?: number }>(`http://${debug}/memory`);
    const rss = sampler.sample();
    f.rss_after_sync_mb = rss / MiB;
    f.rss_per_object_b = rss / N;
    f.rss_marginal_per_object_b = (rss - rssStart) / N;
    f.rss_at_start_mb = rssStart / MiB;
    if (heap) {
      // Live heap after a forced GC on both sides: Go's HeapAlloc, Node's heapUsed.
      const live = heap.heapAllocBytes ?? heap.heapBytes;
      f.heap_after_sync_mb = live / MiB;
      f.heap_per_object_b = live / N;
    }

    if (spec.kind === "provider") {
      Object.assign(
        f,
        await withCpu(
          proc.pid,
          "steady",
          () => steadyState(spec.name, debug),
          (x) => x.steady_completed as number,
        ),
      );
      // BENCH_CPU_PROF=<dir>: a CPU profile of the burst from contenders that serve /profile (sdk).
      const profileDir = process.env.BENCH_CPU_PROF;
      if (profileDir) await getJson(`http://${debug}/profile/start`);
      Object.assign(
        f,
        await withCpu(
          proc.pid,
          "burst",
          () => burst(spec.name),
          (x) => x.burst_completed as number,
        ),
      );
      if (profileDir) {
        const file = join(profileDir, `${spec.name}-burst-${Date.now()}.cpuprofile`);
        if (await getJson(`http://${debug}/profile/stop?file=${encodeURIComponent(file)}`)) {
          progress(`${spec.name}: CPU profile of the burst in ${file}`);
        }
      }
      Object.assign(
        f,
        await withCpu(
          proc.pid,
          "churn",
          () => churn(spec.name, debug),
          (x) => x.churn_ops as number,
        ),
      );
      const reconciles = N + Number(f.steady_completed) + Number(f.burst_completed);
      const cpu = Number(f.cpu_sync_s) + Number(f.cpu_steady_s) + Number(f.cpu_burst_s);
      const kcpCpu = Number(f.kcp_cpu_sync_s) + Number(f.kcp_cpu_steady_s) + Number(f.kcp_cpu_burst_s);
      f.reconciles_measured = reconciles;
      f.cpu_per_1k_reconciles_s = cpu / (reconciles / 1000);
      f.kcp_cpu_per_1k_reconciles_s = kcpCpu / (reconciles / 1000);
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
async function steadyState(name: string, debug: string): Promise<Figures> {
  const { tracker, server, setup } = env;
  const targets = setup.objects.slice(0, opts.steadyObjects);
  const total = Math.round(opts.steadyRate * opts.steadySeconds);
  const latencies: number[] = [];
  const samples: SteadySample[] = [];
  // Taken per phase: the driver lives for an hour or more (bench/lib/wall-clock.ts).
  const anchor = wallClockAnchor();
  const epochMs = () => anchor + performance.now();
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
        const w0Epoch = anchor + w0;
        try {
          const gen = await bumpCounter(server, o.ws.id, o.name, counter);
          const answeredMs = epochMs();
          const key = objectKey(o.ws.id, NAMESPACE, o.name);
          const latency = await tracker.expect(key, gen, w0);
          latencies.push(latency);
          // The tracker times from w0 on the driver's monotonic clock: w0's wall time plus that.
          samples.push({ key, generation: gen, answeredMs, doneMs: w0Epoch + latency });
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
  const served = await getJson<{ starts: ReconcileStart[] }>(`http://${debug}/reconciles`);
  return {
    ...latencyStages(samples, served?.starts ?? [], percentile),
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
      tracker.expect(objectKey(o.ws.id, NAMESPACE, o.name), gen, w0).then((l) => {
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
        objectKey(o.metadata.annotations["kcp.io/cluster"] ?? "", o.metadata.namespace, o.metadata.name),
        o.metadata.resourceVersion,
      ]),
    );
    const got = new Map(
      cache.items.map((o) => [objectKey(o.cluster, o.namespace, o.name), o.resourceVersion]),
    );
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
  const cpuBefore = cpuOfTree(proc.pid);
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
    await env.tracker.expect(objectKey(o.ws.id, NAMESPACE, o.name), gen, readyAt);
    await env.tracker.until(
      "all objects done after restart",
      () => env.tracker.done === env.tracker.size,
      120_000,
    );
  } else {
    await proc.waitForLine(/^relisted \d+/, 120_000).catch(() => undefined);
  }
  const recoverMs = performance.now() - readyAt;
  const cpuRelist = cpuOfTree(proc.pid) - cpuBefore;
  // The new kcp process from its start: its own start-up is included.
  const kcpCpuRelist = cpuOfTree(env.kcp.pid);
  await sleep(2000);
  const after = memoryOfTree(proc.pid);
  const relisted = proc.lines.slice(linesBefore).some((l) => l.line.startsWith("relisted"));
  return {
    relist_peak_rss_mb: hwmReset ? after.hwm / MiB : undefined,
    relist_rss_before_mb: before.rss / MiB,
    relist_rss_after_mb: after.rss / MiB,
    relist_recover_s: recoverMs / 1000,
    cpu_relist_s: cpuRelist,
    kcp_cpu_relist_s: kcpCpuRelist,
    ...(spec.kind === "reader" && { relist_observed: relisted }),
  };
}

// ---------------------------------------------------------------------------------------------
// Report

interface Report extends Summary {
  startedAt: string;
  command: string;
  sizes: { workspaces: number; objects: number };
  options: typeof opts;
  machine: { cpus: number; memoryGiB: number; node: string; kcp: string };
  setup_s: number;
  skipped: Record<string, string>;
  /** Every round's figures, in the order the contenders ran. */
  rounds: typeof rounds;
}

function buildReport(setupS: number): Report {
  return {
    startedAt: new Date().toISOString(),
    command:
      `${process.env.NODE_OPTIONS ? `NODE_OPTIONS='${process.env.NODE_OPTIONS}' ` : ""}npx tsx --conditions=source bench/run.ts ${process.argv.slice(2).join(" ")}`.trim(),
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
    ...summariseRounds(rounds.map((r) => r.results)),
    rounds,
  };
}

function table(r: Report): string {
  const head =
    `W=${r.sizes.workspaces} N=${r.sizes.objects}, ${r.machine.cpus} cores, node ${r.machine.node}, ` +
    `kcp ${r.machine.kcp}, ${rounds.length} round(s): median (min-max)`;
  const skippedNote = Object.entries(r.skipped)
    .map(([c, why]) => `\n(skipped ${c}: ${why})`)
    .join("");
  return renderTable(head, r, skippedNote);
}

// Stopped by hand (Ctrl-C, SIGTERM): stop the contender and kcp too, which run in their own process
// groups and would outlive the driver. What was measured so far is already written.
let running: Contender | undefined;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    progress(`${sig}: stopping the contender and kcp`);
    void Promise.allSettled([running?.stop(), env?.kcp.stop()]).then(() => process.exit(130));
  });
}

await main();
