import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { generate } from "@kcp-mesh/codegen";
import { defineApi } from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  createServiceAccountIdentity,
  createWorkspace,
  parseYamlObjects,
  type WorkspaceRef,
  waitFor,
} from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_EXPORT, thing } from "../support/things.js";
import { Thing } from "../support/things-api.js";

const WORKSPACES = 30;
const LEASE_MS = 8_000;
const RENEW_MS = 1_000;

interface Line {
  msg: string;
  replica?: string;
  workspace?: string;
  started?: number;
  ended?: number;
  previous?: string;
  lease?: string;
}

/** One reconcile as a replica reported it. */
interface Run {
  replica: string;
  workspace: string;
  started: number;
  ended: number;
}

describe("sharding across provider replicas on real kcp", () => {
  const root = adminClient();
  const runs: Run[] = [];
  const lines: Line[] = [];
  const children = new Map<string, ChildProcess>();
  const consumers: WorkspaceRef[] = [];
  let kubeconfigFile = "";
  let vwUrl = "";
  const group = `shard-${uniqueSuffix()}`;

  const start = (replica: string) => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        new URL("../fixtures/sharded-provider-main.ts", import.meta.url).pathname,
      ],
      {
        env: {
          ...process.env,
          PROVIDER_KUBECONFIG: kubeconfigFile,
          REPLICA: replica,
          GROUP: group,
          BUCKETS: "64",
          LEASE_MS: String(LEASE_MS),
          RENEW_MS: String(RENEW_MS),
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    createInterface({ input: child.stdout! }).on("line", (text) => {
      const line = { replica, ...(JSON.parse(text) as Line) };
      lines.push(line);
      if (line.msg === "reconciled") {
        runs.push({ replica, workspace: line.workspace!, started: line.started!, ended: line.ended! });
      }
    });
    children.set(replica, child);
    return child;
  };
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) =>
      child.exitCode !== null || child.signalCode !== null
        ? resolve(child.exitCode)
        : child.on("exit", (code) => resolve(code)),
    );
  /** The replica of each workspace's latest reconcile. */
  const owners = () => {
    const latest = new Map<string, Run>();
    for (const r of runs) if ((latest.get(r.workspace)?.started ?? 0) < r.started) latest.set(r.workspace, r);
    return new Map([...latest].map(([ws, r]) => [ws, r.replica]));
  };
  const runsByWorkspace = () => {
    const byWorkspace = new Map<string, Run[]>();
    for (const r of runs) byWorkspace.set(r.workspace, [...(byWorkspace.get(r.workspace) ?? []), r]);
    return byWorkspace;
  };
  /** Pairs of reconciles of one workspace by two replicas whose intervals overlap. */
  const overlapping = () => {
    const overlaps: string[] = [];
    for (const [ws, list] of runsByWorkspace()) {
      list.sort((a, b) => a.started - b.started);
      for (let i = 1; i < list.length; i++) {
        for (const p of list.slice(0, i)) {
          if (p.replica !== list[i]!.replica && p.ended > list[i]!.started)
            overlaps.push(`${ws}: ${p.replica} and ${list[i]!.replica}`);
        }
      }
    }
    return overlaps;
  };
  /** Waits until every workspace is reconciled and no owner changed for `quietMs`. */
  const settledOwners = async (what: string, quietMs = 4_000) => {
    let last = "";
    let since = Date.now();
    return waitFor(
      what,
      async () => {
        const overlaps = overlapping();
        if (overlaps.length > 0)
          throw new Error(`two replicas reconciled at once: ${overlaps.slice(0, 3).join("; ")}`);
        const now = owners();
        const key = JSON.stringify([...now].sort());
        if (key !== last) {
          last = key;
          since = Date.now();
        }
        return now.size === WORKSPACES && Date.now() - since >= quietMs ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  };

  beforeAll(async () => {
    // The endpoint slice lists the virtual workspace URL once a first workspace bound the export.
    const setup = await setupThings(root, `root:sharding-${uniqueSuffix()}`, ["c0"]);
    await apply(root.forWorkspace(setup.consumers[0]!.path), [thing("t", "red")]);
    consumers.push(...setup.consumers);
    vwUrl = setup.vwUrl;
    const base = setup.provider.path.replace(/:provider$/, "");
    // Workspaces in small parallel batches: 30 one after the other would take most of a minute.
    for (let i = 1; i < WORKSPACES; i += 6) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(6, WORKSPACES - i) }, async (_, j) => {
          const c = await createWorkspace(root, `${base}:c${i + j}`);
          await bindExport(root.forWorkspace(c.path), { path: setup.provider.path, name: THINGS_EXPORT });
          // Discovery can lag the binding's Ready for a moment.
          await waitFor(`Thing served in ${c.path}`, () =>
            apply(root.forWorkspace(c.path), [thing("t", "red")]).then(
              () => true,
              () => undefined,
            ),
          );
          return c;
        }),
      );
      consumers.push(...batch);
    }
    // The provider runs with the role mesh-codegen generates (its Lease rule includes `list`).
    const generated = parseYamlObjects(
      generate(defineApi({ name: THINGS_EXPORT, resources: [Thing] })).files["rbac-provider.yaml"]!,
    );
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "sharded-provider",
      rbac: generated,
      clusterRoles: [generated.find((o) => o.kind === "ClusterRole")!.metadata.name!],
    });
    kubeconfigFile = join(tmpdir(), `sharded-${uniqueSuffix()}.kubeconfig`);
    writeFileSync(kubeconfigFile, identity.kubeconfig);
  });

  afterAll(async () => {
    if (process.env.SHARDING_TEST_LOG) writeFileSync(process.env.SHARDING_TEST_LOG, JSON.stringify(lines));
    for (const child of children.values()) if (child.exitCode === null) child.kill("SIGKILL");
    root.close();
  });

  it("the virtual workspace serves one workspace under /clusters/<cluster>, and no label names the workspace", async () => {
    const vw = root.withBaseUrl(vwUrl);
    try {
      const path = "/apis/harness.example.io/v1alpha1/things";
      type List = {
        items: { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } }[];
      };
      const all = await waitFor("every consumer's Thing through the wildcard", async () => {
        const list = await vw.request<List>({ path: `/clusters/*${path}` });
        return list.items.length === WORKSPACES ? list : undefined;
      });
      const one = await vw.request<List>({ path: `/clusters/${consumers[3]!.id}${path}` });
      expect(one.items).toHaveLength(1);
      expect(one.items[0]!.metadata.annotations?.["kcp.io/cluster"]).toBe(consumers[3]!.id);
      // A label selector could only split the wildcard watch by a label; the workspace is an annotation.
      for (const item of all.items)
        expect(Object.values(item.metadata.labels ?? {})).not.toContain(consumers[3]!.id);
    } finally {
      vw.close();
    }
  });

  it("splits the workspaces, takes over from a killed replica, rebalances to a new one and hands over on SIGTERM, never two at once", async () => {
    expect(consumers).toHaveLength(WORKSPACES);
    for (const r of ["r1", "r2", "r3"]) start(r);

    // 1. Three replicas: every workspace reconciled, by exactly one replica each.
    const three = await settledOwners("three replicas to split the workspaces");
    const share = (m: Map<string, string>, r: string) => [...m.values()].filter((o) => o === r).length;
    for (const r of ["r1", "r2", "r3"]) expect(share(three, r), r).toBeGreaterThan(0);

    // 2. A fourth replica takes roughly a quarter; only workspaces that move to it move, each
    //    released by its old owner first (no expiry involved).
    start("r4");
    await waitFor(
      "r4 to join",
      async () => lines.some((l) => l.replica === "r4" && l.msg === "joined the sharding group") || undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const four = await settledOwners("the replicas to rebalance to r4");
    const moved = [...four].filter(([ws, o]) => three.get(ws) !== o);
    expect(moved.every(([, o]) => o === "r4")).toBe(true);
    expect(moved.length).toBeGreaterThanOrEqual(2);
    expect(moved.length).toBeLessThanOrEqual(15);
    const r4Takes = lines.filter(
      (l) => l.replica === "r4" && l.msg === "took fencing Lease: reconciling its workspaces",
    );
    expect(r4Takes.length).toBeGreaterThan(0);
    expect(r4Takes.every((l) => l.previous === undefined)).toBe(true);

    // 3. SIGKILL r2: its workspaces go to the others within the lease duration + 10 s.
    const killedAt = Date.now();
    children.get("r2")!.kill("SIGKILL");
    const orphaned = [...four].filter(([, o]) => o === "r2").map(([ws]) => ws);
    expect(orphaned.length).toBeGreaterThan(0);
    const takenAt = await waitFor(
      "r2's workspaces to be reconciled by the others",
      async () => {
        const times = orphaned.map(
          (ws) => runs.find((r) => r.workspace === ws && r.replica !== "r2" && r.started > killedAt)?.started,
        );
        return times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : undefined;
      },
      { timeoutMs: LEASE_MS + 30_000, intervalMs: 250 },
    );
    expect(takenAt - killedAt).toBeLessThan(LEASE_MS + 10_000);
    // Taken over from r2 after its Lease expired: r2 released nothing.
    const fromR2 = lines.filter(
      (l) => l.msg === "took fencing Lease: reconciling its workspaces" && l.previous === "r2",
    );
    expect(fromR2.length).toBeGreaterThan(0);
    const afterKill = await settledOwners("three replicas to own everything");
    expect(new Set(afterKill.values())).toEqual(new Set(["r1", "r3", "r4"]));

    // 4. SIGTERM r1: it drains and releases; the others take over well before its Lease would expire.
    const r1 = children.get("r1")!;
    const r1Exited = exited(r1);
    const termAt = Date.now();
    const r1Owned = [...afterKill].filter(([, o]) => o === "r1").map(([ws]) => ws);
    expect(r1Owned.length).toBeGreaterThan(0);
    r1.kill("SIGTERM");
    const handedAt = await waitFor(
      "r1's workspaces to be reconciled by the others after SIGTERM",
      async () => {
        const times = r1Owned.map(
          (ws) => runs.find((r) => r.workspace === ws && r.replica !== "r1" && r.started > termAt)?.started,
        );
        return times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : undefined;
      },
      { timeoutMs: LEASE_MS + 30_000, intervalMs: 250 },
    );
    expect(await r1Exited).toBe(0);
    expect(lines.filter((l) => l.replica === "r1").map((l) => l.msg)).toContain("released fencing Lease");
    const afterTerm = lines.filter(
      (l) =>
        l.replica !== "r1" &&
        l.msg === "took fencing Lease: reconciling its workspaces" &&
        l.previous === "r1",
    );
    expect(afterTerm, "no bucket had to wait for r1's Lease to expire").toEqual([]);
    expect(handedAt - termAt).toBeLessThan(LEASE_MS);
    const last = await settledOwners("r3 and r4 to own everything");
    expect(new Set(last.values())).toEqual(new Set(["r3", "r4"]));

    // 5. At no time did two replicas reconcile one workspace at once.
    const byWorkspace = runsByWorkspace();
    const overlaps = overlapping();
    expect(overlaps).toEqual([]);
    console.log(
      JSON.stringify({
        sharding: {
          reconciles: runs.length,
          shareOfThree: Object.fromEntries(["r1", "r2", "r3"].map((r) => [r, share(three, r)])),
          movedToFourth: moved.length,
          sigkillTakeoverS: (takenAt - killedAt) / 1000,
          sigtermHandoverS: (handedAt - termAt) / 1000,
        },
      }),
    );
    expect(byWorkspace.size).toBe(WORKSPACES);
  }, 240_000);
});
