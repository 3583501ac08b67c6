import { defineResource, type KubeObject, validateObject } from "@kcp-mesh/sdk";
import { apply } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Condition, getCondition } from "../packages/sdk/src/controller/conditions.js";
import { Controller } from "../packages/sdk/src/controller/controller.js";
import { PendingError } from "../packages/sdk/src/controller/errors.js";
import type { CachedEntry } from "../packages/sdk/src/controller/reconcile-types.js";
import { type ObjectRef, objectKey } from "../packages/sdk/src/runtime/item.js";
import { waitFor } from "../packages/sdk/src/util/wait.js";
import { adminClient, uniqueSuffix } from "./support/kcp.js";
import { setupThings, THINGS, THINGS_API, type ThingsSetup, thing } from "./support/things.js";

// The controller layer on real kcp, fed by a deliberately simple polling cache so that it is
// tested on its own; the streaming runtime feeds it in production. The cache validates what it
// lists against a zod definition of the Thing API, as the runtime's store does.
type Thing = KubeObject & { spec: { color: string }; status?: { phase?: string; conditions?: Condition[] } };

/** The colors this test's handler knows; kcp accepts any string, so others are invalid objects. */
const ThingApi = defineResource({
  group: "harness.example.io",
  kind: "Thing",
  plural: "things",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      spec: z.object({ color: z.enum(["red", "green", "blue", "flaky", "slow", "waiting"]) }),
      status: z.object({ phase: z.string().optional() }),
    },
  },
});

describe("controller reconcile loop on real kcp", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  const cache = new Map<string, CachedEntry>();
  let polling = false;
  let poller: Promise<void> | undefined;
  const pollErrors: string[] = [];
  let controller: Controller<Thing, { phase: string }>;
  const calls: string[] = [];
  const cleaned: string[] = [];
  let failing = true;
  let waiting = true;

  const keyOf = (o: KubeObject): ObjectRef => ({
    workspace: o.metadata.annotations!["kcp.io/cluster"]!,
    namespace: o.metadata.namespace!,
    name: o.metadata.name!,
  });
  const consumer = (i: number) => root.forWorkspace(setup.consumers[i]!.path);
  const read = (i: number, name: string) =>
    consumer(i).get<Thing>(`${THINGS_API}/namespaces/default/things/${name}`);

  beforeAll(async () => {
    setup = await setupThings(root, `root:ctl-${uniqueSuffix()}`, ["a", "b"]);
    const vw = root.withBaseUrl(setup.vwUrl);
    controller = new Controller<Thing, { phase: string }>({
      name: "things",
      resource: THINGS,
      lookup: (k) => cache.get(objectKey(k)),
      clientFor: () => vw,
      logger: pino({ level: "silent" }),
      concurrency: 4,
      backoff: { baseMs: 50, maxMs: 500 },
      finalize: async (t) => {
        cleaned.push(`${keyOf(t).workspace}/${t.metadata.name}`);
      },
      handler: async (t, ctx) => {
        calls.push(`${ctx.workspace}/${t.metadata.name}@${t.metadata.generation}`);
        if (t.spec.color === "flaky" && failing) throw new Error("backend unavailable");
        if (t.spec.color === "slow") await new Promise((r) => setTimeout(r, 1500));
        if (t.spec.color === "waiting" && waiting)
          throw new PendingError("waiting for the backend to exist", "BackendMissing", 300);
        return { status: { phase: `Ready-${t.spec.color}` } };
      },
    });
    const poll = async () => {
      const list = await vw.request<{ items: Thing[] }>({ path: `/clusters/*${THINGS_API}/things` });
      const seen = new Set<string>();
      for (const o of list.items) {
        const key = keyOf(o);
        const id = objectKey(key);
        seen.add(id);
        const before = cache.get(id);
        const valid = validateObject(ThingApi, o);
        cache.set(id, { object: o, endpoint: setup.vwUrl, ...(!valid.ok && { issues: valid.issues }) });
        if (before?.object.metadata.resourceVersion !== o.metadata.resourceVersion) {
          controller.observed(key);
          controller.enqueue(key);
        }
      }
      for (const id of cache.keys()) if (!seen.has(id)) cache.delete(id);
    };
    // One poll at a time; a failed poll is kept and fails the test that was running.
    const loop = async () => {
      while (polling) {
        await poll().catch((err: Error) => pollErrors.push(err.message));
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    polling = true;
    poller = loop();
    controller.start();
  });

  afterEach(() => {
    // The cache must have been fed the whole time: a test that passed on a stale cache proves little.
    expect(pollErrors).toEqual([]);
  });

  afterAll(async () => {
    polling = false;
    await poller;
    await controller.shutdown(5_000);
    root.close();
  });

  const readyOf = (t: Thing | undefined) => getCondition(t?.status?.conditions, "Ready");

  it("writes the handler's status and a Ready condition with observedGeneration", async () => {
    await apply(consumer(0), [thing("t1", "red")]);
    const t = await waitFor("t1 reconciled", async () => {
      const o = await read(0, "t1");
      return o?.status?.phase === "Ready-red" ? o : undefined;
    });
    expect(readyOf(t)).toMatchObject({ status: "True", reason: "Reconciled", observedGeneration: 1 });
    expect(t.spec).toEqual({ color: "red" });
    expect(t.metadata.finalizers).toContain("harness.example.io/things");
  });

  it("reconciles again with the new generation after a spec update", async () => {
    await apply(consumer(0), [thing("t1", "green")]);
    const t = await waitFor("t1 reconciled at generation 2", async () => {
      const o = await read(0, "t1");
      return o?.status?.phase === "Ready-green" ? o : undefined;
    });
    expect(readyOf(t)?.observedGeneration).toBe(2);
  });

  it("keeps objects of the same name in two workspaces apart", async () => {
    await apply(consumer(0), [thing("same", "red")]);
    await apply(consumer(1), [thing("same", "blue")]);
    const [a, b] = await Promise.all(
      [0, 1].map((i) =>
        waitFor(`same in consumer ${i}`, async () => {
          const o = await read(i, "same");
          return o?.status?.phase ? o : undefined;
        }),
      ),
    );
    expect(a!.status?.phase).toBe("Ready-red");
    expect(b!.status?.phase).toBe("Ready-blue");
  });

  it("reports a handler error in Ready, backs off, and succeeds once the fault clears", async () => {
    await apply(consumer(0), [thing("flaky", "flaky")]);
    const failed = await waitFor("flaky to report its error", async () => {
      const o = await read(0, "flaky");
      return readyOf(o)?.reason === "ReconcileError" ? o : undefined;
    });
    expect(readyOf(failed)).toMatchObject({ status: "False", message: "backend unavailable" });
    const attempts = calls.filter((c) => c.includes("/flaky@")).length;
    await waitFor("a few retries", async () =>
      calls.filter((c) => c.includes("/flaky@")).length > attempts ? true : undefined,
    );
    failing = false;
    const ok = await waitFor("flaky to recover", async () => {
      const o = await read(0, "flaky");
      return readyOf(o)?.status === "True" ? o : undefined;
    });
    expect(ok.status?.phase).toBe("Ready-flaky");
  });

  it("reports a PendingError as Ready=Unknown with its reason and looks again after its delay", async () => {
    await apply(consumer(0), [thing("waiter", "waiting")]);
    const pending = await waitFor("waiter pending", async () => {
      const o = await read(0, "waiter");
      return readyOf(o)?.reason === "BackendMissing" ? o : undefined;
    });
    expect(readyOf(pending)).toMatchObject({
      status: "Unknown",
      message: "waiting for the backend to exist",
    });
    waiting = false;
    await waitFor("waiter ready", async () =>
      readyOf(await read(0, "waiter"))?.status === "True" ? true : undefined,
    );
  });

  it("never calls the handler for an invalid object, says why in Ready, and serves the others", async () => {
    await apply(consumer(1), [thing("bad", "purple"), thing("good", "blue")]);
    const bad = await waitFor("bad to be reported", async () => {
      const o = await read(1, "bad");
      return readyOf(o)?.reason === "InvalidSpec" ? o : undefined;
    });
    // The message is the schema's own issue, naming the field.
    const check = validateObject(ThingApi, bad);
    expect(check.ok).toBe(false);
    const issues = check.ok ? [] : check.issues;
    expect(issues.map((i) => i.path)).toEqual(["spec.color"]);
    expect(readyOf(bad)).toMatchObject({
      status: "False",
      message: issues.map((i) => `${i.path}: ${i.message}`).join("; "),
    });
    expect(readyOf(bad)?.message).toMatch(/^spec\.color: .*red/);
    await waitFor("good reconciled", async () =>
      (await read(1, "good"))?.status?.phase === "Ready-blue" ? true : undefined,
    );
    expect(calls.some((c) => c.endsWith("/bad@1"))).toBe(false);
  });

  it("runs cleanup on delete and removes its finalizer so the object goes away", async () => {
    await apply(consumer(1), [thing("doomed", "red")]);
    await waitFor("doomed reconciled", async () =>
      (await read(1, "doomed"))?.status?.phase ? true : undefined,
    );
    await consumer(1).request({ method: "DELETE", path: `${THINGS_API}/namespaces/default/things/doomed` });
    await waitFor("doomed gone", async () => ((await read(1, "doomed")) === undefined ? true : undefined));
    expect(cleaned).toContain(`${setup.consumers[1]!.id}/doomed`);
  });
});
