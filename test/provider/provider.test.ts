import {
  type Condition,
  createProvider,
  getCondition,
  type KubeApiError,
  KubeClient,
  type KubeObject,
  type KubeRequest,
  type Provider,
} from "@kcp-mesh/sdk";
import { apply, createServiceAccountIdentity, providerIdentityRules, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_API, THINGS_EXPORT, type ThingsSetup, thing } from "../support/things.js";
import { Thing } from "../support/things-api.js";

type ThingObject = KubeObject & {
  spec: { color: string };
  status?: { phase?: string; note?: string; observedGeneration?: number; conditions?: Condition[] };
};

// The whole provider (slice -> watch -> store -> queue -> handler -> status) on real kcp, running
// as a service account that holds only the rights a provider identity gets.
describe("createProvider on real kcp, as a least-privilege identity", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  let provider: Provider;
  const seen: string[] = [];
  const cleaned: string[] = [];
  let flaky = true;

  const consumer = (i: number) => root.forWorkspace(setup.consumers[i]!.path);
  const read = (i: number, name: string) =>
    consumer(i).get<ThingObject>(`${THINGS_API}/namespaces/default/things/${name}`);
  const until = (what: string, i: number, name: string, ok: (t: ThingObject) => boolean) =>
    waitFor(what, async () => {
      const t = await read(i, name);
      return t && ok(t) ? t : undefined;
    });
  const ready = (t: ThingObject | undefined) => getCondition(t?.status?.conditions, "Ready");

  beforeAll(async () => {
    setup = await setupThings(root, `root:prov-${uniqueSuffix()}`, ["a", "b"]);
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "things-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
    provider = createProvider({
      kubeconfig: { yaml: identity.kubeconfig },
      export: THINGS_EXPORT,
      logger: pino({ level: "silent" }),
      metricsPort: 0,
      handleSignals: false,
    });
    provider.reconcile(
      Thing,
      async (t, ctx) => {
        seen.push(`${ctx.workspace}/${t.metadata.name}@${t.metadata.generation}`);
        if (t.spec.color === "flaky" && flaky) throw new Error("backend unavailable");
        return {
          status: {
            phase: `Ready-${t.spec.color}`,
            observedGeneration: t.metadata.generation ?? 0,
            ...(t.spec.color === "red" && { note: "red is warm" }),
          },
        };
      },
      {
        finalize: async (t, ctx) => {
          cleaned.push(`${ctx.workspace}/${t.metadata.name}`);
        },
        backoff: { baseMs: 100, maxMs: 1000 },
      },
    );
    await provider.start();
  });

  afterAll(async () => {
    await provider?.stop();
    root.close();
  });

  it("reconciles a new object and the consumer sees its status", async () => {
    await apply(consumer(0), [thing("t1", "red")]);
    const t = await until("t1 ready", 0, "t1", (o) => o.status?.phase === "Ready-red");
    expect(ready(t)).toMatchObject({ status: "True", observedGeneration: 1 });
    expect(t.status?.observedGeneration).toBe(1);
  });

  it("reconciles again with the new generation after an update", async () => {
    await apply(consumer(0), [thing("t1", "green")]);
    const t = await until("t1 at generation 2", 0, "t1", (o) => o.status?.phase === "Ready-green");
    expect(t.status?.observedGeneration).toBe(2);
    expect(ready(t)?.observedGeneration).toBe(2);
  });

  it("keeps same-named objects of two workspaces independent", async () => {
    await apply(consumer(0), [thing("twin", "red")]);
    await apply(consumer(1), [thing("twin", "blue")]);
    const a = await until("twin a", 0, "twin", (o) => o.status?.phase !== undefined);
    const b = await until("twin b", 1, "twin", (o) => o.status?.phase !== undefined);
    expect([a.status?.phase, b.status?.phase]).toEqual(["Ready-red", "Ready-blue"]);
  });

  it("reports an object that fails the zod schema as InvalidSpec, naming the field, and serves the rest", async () => {
    await apply(consumer(1), [thing("purple", "purple" as string), thing("fine", "green")]);
    const bad = await until("purple invalid", 1, "purple", (o) => ready(o)?.reason === "InvalidSpec");
    expect(ready(bad)?.status).toBe("False");
    expect(ready(bad)?.message).toMatch(/^spec\.color: /);
    await until("fine ready", 1, "fine", (o) => o.status?.phase === "Ready-green");
    expect(seen.some((s) => s.endsWith("/purple@1"))).toBe(false);
  });

  it("retries a failing handler with backoff and recovers once the fault clears", async () => {
    await apply(consumer(0), [thing("flaky", "flaky")]);
    const failed = await until("flaky failed", 0, "flaky", (o) => ready(o)?.reason === "ReconcileError");
    expect(ready(failed)?.message).toBe("backend unavailable");
    flaky = false;
    await until(
      "flaky recovered",
      0,
      "flaky",
      (o) => o.status?.phase === "Ready-flaky" && ready(o)?.status === "True",
    );
  });

  /**
   * Holds the provider's next status write of one object until `first` (another writer's write)
   * is done, and records the outcome of every status write of the provider for that object.
   */
  const holdProviderStatusWrite = (name: string, first: () => Promise<unknown>) => {
    const original = KubeClient.prototype.request;
    const held = { done: false, outcomes: [] as number[] };
    const spy = vi.spyOn(KubeClient.prototype, "request").mockImplementation(async function (
      this: KubeClient,
      req: KubeRequest,
    ) {
      const providerWrite =
        req.method === "PATCH" &&
        req.path.endsWith(`/things/${name}/status`) &&
        req.query?.fieldManager === `${THINGS_EXPORT}-provider`;
      if (!providerWrite) return original.call(this, req);
      if (!held.done) {
        held.done = true;
        await first();
      }
      try {
        const out = await original.call(this, req);
        held.outcomes.push(200);
        return out;
      } catch (err) {
        held.outcomes.push((err as KubeApiError).status ?? -1);
        throw err;
      }
    } as typeof original);
    return { held, release: () => spy.mockRestore() };
  };
  const statusWrite = (i: number, name: string, manager: string, status: Record<string, unknown>) =>
    consumer(i).request({
      method: "PATCH",
      path: `${THINGS_API}/namespaces/default/things/${name}/status`,
      query: { fieldManager: manager },
      body: { status },
      contentType: "application/merge-patch+json",
    });

  it("lands its status despite a conflicting write made while its own write is on the way", async () => {
    await apply(consumer(1), [thing("contended", "red")]);
    await until("contended ready", 1, "contended", (o) => o.status?.note === "red is warm");
    // Hold the provider's next status write, and let another writer change the status first: it
    // removes the note that the provider (the object turns blue) is about to remove as well.
    const { held, release } = holdProviderStatusWrite("contended", () =>
      statusWrite(1, "contended", "intruder", { note: null }),
    );
    try {
      await apply(consumer(1), [thing("contended", "blue")]);
      const t = await until("contended blue", 1, "contended", (o) => o.status?.phase === "Ready-blue");
      expect(t.status?.observedGeneration).toBe(2);
      expect(t.status?.note).toBeUndefined();
      expect(ready(t)).toMatchObject({ status: "True", observedGeneration: 2 });
      // The conflict happened: the write prepared before the other writer's change was refused,
      // and the provider wrote again from a fresh view, within the same reconcile.
      expect(held.done).toBe(true);
      expect(held.outcomes).toHaveLength(2);
      expect([409, 422]).toContain(held.outcomes[0]);
      expect(held.outcomes[1]).toBe(200);
    } finally {
      release();
    }
    // A field another writer owns is kept: its note survives the provider's next write.
    await consumer(1).request({
      method: "PATCH",
      path: `${THINGS_API}/namespaces/default/things/contended/status`,
      query: { fieldManager: "intruder", force: true },
      body: {
        apiVersion: "harness.example.io/v1alpha1",
        kind: "Thing",
        metadata: { name: "contended", namespace: "default" },
        status: { note: "mine" },
      },
      contentType: "application/apply-patch+yaml",
    });
    await apply(consumer(1), [thing("contended", "green")]);
    const t = await until("contended green", 1, "contended", (o) => o.status?.phase === "Ready-green");
    expect(t.status?.note).toBe("mine");
    expect(t.status?.observedGeneration).toBe(3);
  });

  // The first status write must not replace a status another writer created just before it.
  it("keeps a status field another writer set just before the provider's first status write", async () => {
    const { held, release } = holdProviderStatusWrite("racy", () =>
      statusWrite(1, "racy", "intruder", { note: "mine" }),
    );
    try {
      await apply(consumer(1), [thing("racy", "blue")]);
      const t = await until("racy blue", 1, "racy", (o) => o.status?.phase === "Ready-blue");
      expect(held.done).toBe(true);
      expect(t.status?.note).toBe("mine");
    } finally {
      release();
    }
  });

  it("runs cleanup on delete, then lets the object go", async () => {
    await apply(consumer(0), [thing("doomed", "red")]);
    const t = await until("doomed ready", 0, "doomed", (o) => o.status?.phase === "Ready-red");
    expect(t.metadata.finalizers).toEqual(["harness.example.io/things"]);
    await consumer(0).request({ method: "DELETE", path: `${THINGS_API}/namespaces/default/things/doomed` });
    await waitFor("doomed gone", async () => ((await read(0, "doomed")) === undefined ? true : undefined));
    expect(cleaned).toContain(`${setup.consumers[0]!.id}/doomed`);
  });

  it("never writes the consumer's spec: its field manager owns only status and finalizers", async () => {
    const t = await consumer(0).request<KubeObject>({
      path: `${THINGS_API}/namespaces/default/things/t1`,
      query: { showManagedFields: true },
    });
    const ours = (
      t.metadata.managedFields as { manager: string; fieldsV1: Record<string, unknown> }[]
    ).filter((m) => m.manager === `${THINGS_EXPORT}-provider`);
    expect(ours.length).toBeGreaterThan(0);
    for (const m of ours) {
      const top = Object.keys(m.fieldsV1);
      expect(top.every((f) => f === "f:status" || f === "f:metadata")).toBe(true);
      if (m.fieldsV1["f:metadata"])
        expect(Object.keys(m.fieldsV1["f:metadata"] as object)).toEqual(["f:finalizers"]);
    }
  });

  it("serves metrics with the workspace label, healthz, and readyz once synced", async () => {
    const base = `http://127.0.0.1:${provider.healthPort}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const wsA = setup.consumers[0]!.id;
    expect(metrics).toMatch(
      new RegExp(
        `controller_runtime_reconcile_total\\{controller="things",result="success",workspace="${wsA}"\\} \\d+`,
      ),
    );
    expect(metrics).toMatch(
      new RegExp(
        `kcp_mesh_cached_objects\\{resource="things.harness.example.io/v1alpha1",workspace="${wsA}"\\} \\d+`,
      ),
    );
    expect(metrics).toContain("workqueue_depth");
    expect(metrics).toMatch(/kcp_mesh_engaged_workspaces\{export="harness.example.io"\} 2/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
