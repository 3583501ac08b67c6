/**
 * Sharding benchmark: the same workload reconciled by 1 and by 3 sharded replicas of an SDK
 * provider (`createProvider({ sharding })`), each replica a process of its own.
 *
 *   npx tsx --conditions=source bench/sharding.ts                              # W=100 N=10,000, 1 and 3 replicas
 *   npx tsx --conditions=source bench/sharding.ts --workspaces 30 --objects 1500 --replicas 1,3
 *
 * Figures per replica count: `sync_s` (spawn of the replicas until every object's status
 * carries this run's tag: each run writes `status.phase = Ready-<run>`, so no status needs
 * clearing between runs), RSS per replica after the sync (VmRSS of the process; tsx's esbuild child left out,
 * the tsx loader itself counted: about 65 MiB more than compiled JavaScript), owned workspaces
 * per replica, and Lease writes per second of the whole group, from the replicas'
 * `kcp_mesh_sharding_lease_writes_total` over `--window` seconds after the sync. Results go to
 * `bench/results/sharding-<timestamp>.json`.
 *
 * With `--replica <name>` this file is one replica (the driver spawns itself that way).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createProvider, defineResource, type KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import {
  createServiceAccountIdentity,
  providerIdentityRules,
  startKcp,
  stopProcessGroup,
  waitForEndpointSliceUrls,
} from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { z } from "zod";
import { parseArgs } from "./lib/args.js";
import { memoryOfTree } from "./lib/proc.js";
import { runWildcardWatch } from "./lib/wildcard-watch.js";
import { API, createWorkload, EXPORT, PLURAL, progress } from "./lib/workload.js";

const args = parseArgs(process.argv.slice(2), [
  "workspaces",
  "objects",
  "replicas",
  "window",
  "replica",
  "kubeconfig",
  "group",
  "metrics-port",
]);

/** One sharded replica: writes what the bench's other providers write, and serves /metrics. */
async function replica(): Promise<void> {
  const Thing = defineResource({
    group: "harness.example.io",
    kind: "Thing",
    plural: "things",
    scope: "Namespaced",
    versions: {
      v1alpha1: {
        spec: z.object({ color: z.string().optional(), counter: z.int().optional() }),
        status: z.object({
          phase: z.string().optional(),
          observedGeneration: z.int().optional(),
          seen: z.int().optional(),
        }),
      },
    },
  });
  const provider = createProvider({
    kubeconfig: args.get("kubeconfig")!,
    export: EXPORT,
    metricsPort: Number(args.get("metrics-port")),
    metricsHost: "127.0.0.1",
    logger: pino({ level: process.env.LOG_LEVEL ?? "warn" }),
    sharding: { identity: args.get("replica")!, group: args.get("group")! },
  });
  provider.reconcile(
    Thing,
    async (t) => ({
      status: {
        observedGeneration: t.metadata.generation ?? 0,
        phase: `Ready-${args.get("group")}`,
        ...(t.spec.counter !== undefined && { seen: t.spec.counter }),
      },
    }),
    { readyCondition: false },
  );
  await provider.start();
}

interface Figures {
  replicas: number;
  sync_s: number;
  rss_after_sync_mb: number[];
  owned_workspaces: number[];
  lease_writes_per_s: number;
  lease_window_s: number;
}

async function driver(): Promise<void> {
  const W = Number(args.get("workspaces") ?? "100");
  const N = Number(args.get("objects") ?? "10000");
  const counts = (args.get("replicas") ?? "1,3").split(",").map(Number);
  const windowS = Number(args.get("window") ?? "30");
  const runDir = mkdtempSync(join(tmpdir(), "bench-sharding-"));
  progress(`sharding bench W=${W} N=${N} replicas=${counts.join(",")} (state in ${runDir})`);
  const kcp = await startKcp({ rootDir: join(runDir, "kcp") });
  const results: Figures[] = [];
  try {
    const root = kcp.admin();
    const server = root.withBaseUrl(kcp.baseUrl);
    const setup = await createWorkload(root, server, { workspaces: W, objects: N, concurrency: 8 });
    const providerWs = root.forWorkspace(setup.provider.path);
    const [vwUrl] = (await waitForEndpointSliceUrls(providerWs, EXPORT)) as [string];
    const kubeconfig = join(runDir, "provider.kubeconfig");
    await createServiceAccountIdentity(providerWs, {
      name: "bench-sharded-provider",
      rules: providerIdentityRules(EXPORT),
      kubeconfigPath: kubeconfig,
    });
    const vw = root.withBaseUrl(vwUrl);
    const phases = new PhaseCounter(vw);
    await phases.until(`the driver's watch to see all ${N} objects`, () => phases.size === N, 300_000);
    progress(`workload ready: ${W} workspaces, ${N} objects`);
    for (const n of counts) {
      results.push(await runReplicas(n, kubeconfig, phases, N, windowS));
      const r = results.at(-1)!;
      progress(
        `${n} replica(s): sync ${r.sync_s.toFixed(1)} s, RSS ${r.rss_after_sync_mb.join("/")} MiB, owned ${r.owned_workspaces.join("/")}, ${r.lease_writes_per_s.toFixed(2)} Lease writes/s`,
      );
    }
    phases.stop();
    vw.close();
  } finally {
    await kcp.stop();
  }
  const out = {
    benchmark: "sharding",
    workspaces: W,
    objects: N,
    note: "replicas run from TypeScript through tsx (about 65 MiB of RSS more than compiled JavaScript); sharding defaults: 32 buckets, 15 s lease, 5 s renewal",
    results,
  };
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `sharding-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log("| replicas | sync_s | RSS per replica (MiB) | owned workspaces | Lease writes/s |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const r of results) {
    console.log(
      `| ${r.replicas} | ${r.sync_s.toFixed(1)} | ${r.rss_after_sync_mb.join(" / ")} | ${r.owned_workspaces.join(" / ")} | ${r.lease_writes_per_s.toFixed(2)} |`,
    );
  }
  progress(`wrote ${file}`);
}

async function runReplicas(
  n: number,
  kubeconfig: string,
  phases: PhaseCounter,
  total: number,
  windowS: number,
): Promise<Figures> {
  const group = `bench-${n}-${Date.now().toString(36)}`;
  const ports = Array.from({ length: n }, (_, i) => 19_400 + n * 10 + i);
  const t0 = performance.now();
  const children = ports.map((port, i) =>
    spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        fileURLToPath(import.meta.url),
        "--replica",
        `r${i + 1}`,
        "--group",
        group,
        "--kubeconfig",
        kubeconfig,
        "--metrics-port",
        String(port),
      ],
      { detached: true, stdio: ["ignore", "inherit", "inherit"] },
    ),
  );
  try {
    await phases.until(
      `${n} replica(s) to write every status`,
      () => phases.count(`Ready-${group}`) === total,
      900_000,
    );
    const syncS = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 2_000));
    const rss = children.map((c) => Math.round(memoryOfTree(c.pid!).rss / 2 ** 20));
    const before = await Promise.all(ports.map((p) => metric(p, "kcp_mesh_sharding_lease_writes_total")));
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const after = await Promise.all(ports.map((p) => metric(p, "kcp_mesh_sharding_lease_writes_total")));
    const elapsedS = (performance.now() - w0) / 1000;
    const owned = await Promise.all(ports.map((p) => metric(p, "kcp_mesh_sharding_owned_workspaces")));
    const writes = after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0);
    return {
      replicas: n,
      sync_s: syncS,
      rss_after_sync_mb: rss,
      owned_workspaces: owned,
      lease_writes_per_s: writes / elapsedS,
      lease_window_s: Math.round(elapsedS),
    };
  } finally {
    await Promise.all(children.map((c) => stopProcessGroup(c.pid!)));
  }
}

/** The sum of every series of one metric of a replica's /metrics. */
async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(" ").at(-1));
  }
  return sum;
}

/** The driver's wildcard watch: how many objects show each `status.phase`. */
class PhaseCounter {
  private readonly phaseOf = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private readonly abort = new AbortController();
  private changed: (() => void) | undefined;

  constructor(vw: KubeClient) {
    const key = (o: KubeObject) => `${o.metadata.annotations?.["kcp.io/cluster"]}/${o.metadata.name}`;
    const put = (o: KubeObject) => {
      this.remove(key(o));
      const phase = String((o as { status?: { phase?: string } }).status?.phase ?? "");
      this.phaseOf.set(key(o), phase);
      this.counts.set(phase, (this.counts.get(phase) ?? 0) + 1);
    };
    void runWildcardWatch({
      client: vw,
      path: `/clusters/*${API}/${PLURAL}`,
      signal: this.abort.signal,
      timeoutSeconds: 120,
      onListed: (items) => {
        for (const k of [...this.phaseOf.keys()]) this.remove(k);
        for (const o of items) put(o);
        this.changed?.();
      },
      onEvent: (ev) => {
        if (ev.type === "DELETED") this.remove(key(ev.object));
        else put(ev.object);
        this.changed?.();
      },
    });
  }

  get size(): number {
    return this.phaseOf.size;
  }

  count(phase: string): number {
    return this.counts.get(phase) ?? 0;
  }

  async until(what: string, pred: () => boolean, timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 500);
        this.changed = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }

  stop(): void {
    this.abort.abort();
  }

  private remove(k: string): void {
    const phase = this.phaseOf.get(k);
    if (phase === undefined) return;
    this.phaseOf.delete(k);
    this.counts.set(phase, (this.counts.get(phase) ?? 1) - 1);
  }
}

// Last: the class above must be initialised before the driver uses it.
if (args.has("replica")) await replica();
else await driver();
