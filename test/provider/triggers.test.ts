import {
  createProvider,
  defineResource,
  KubeClient,
  type KubeObject,
  type KubeRequest,
  type Provider,
} from "@kcp-mesh/sdk";
import { apply, createServiceAccountIdentity, providerIdentityRules, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_API, THINGS_EXPORT, type ThingsSetup, thing } from "../support/things.js";
import { Thing } from "../support/things-api.js";

type ThingObject = KubeObject & { status?: { phase?: string; note?: string } };

/** The Thing API with the standard `conditions` list declared in its zod status schema. */
const ThingWithConditions = defineResource({
  group: "harness.example.io",
  kind: "Thing",
  plural: "things",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      spec: z.object({ color: z.enum(["red", "green", "blue", "flaky", "slow"]) }),
      status: z.object({
        phase: z.string().optional(),
        note: z.string().optional(),
        observedGeneration: z.number().int().optional(),
        conditions: z
          .array(
            z.object({
              type: z.string(),
              status: z.string(),
              reason: z.string().optional(),
              message: z.string().optional(),
              observedGeneration: z.number().int().optional(),
              lastTransitionTime: z.string().optional(),
            }),
          )
          .optional(),
      }),
    },
  },
});

// What makes the provider reconcile, and what it writes, on real kcp (README: "What triggers a
// reconcile", "An unchanged status is not written").
describe("reconcile triggers and status writes on real kcp", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  let kubeconfig: string;
  const consumer = () => root.forWorkspace(setup.consumers[0]!.path);
  const read = (name: string) =>
    consumer().get<ThingObject>(`${THINGS_API}/namespaces/default/things/${name}`);
  const keyOf = (name: string) => ({ workspace: setup.consumers[0]!.id, namespace: "default", name });

  /** A status write by someone else: a status-only change of the object. Returns its resourceVersion. */
  const pokeStatus = async (name: string, note: string) => {
    const o = await consumer().request<KubeObject>({
      method: "PATCH",
      path: `${THINGS_API}/namespaces/default/things/${name}/status`,
      query: { fieldManager: "someone-else" },
      body: { status: { note } },
      contentType: "application/merge-patch+json",
    });
    return o.metadata.resourceVersion!;
  };
  /** A label change: metadata, not status, so it reconciles. Returns its resourceVersion. */
  const relabel = async (name: string, value: string) => {
    const o = await consumer().request<KubeObject>({
      method: "PATCH",
      path: `${THINGS_API}/namespaces/default/things/${name}`,
      body: { metadata: { labels: { poke: value } } },
      contentType: "application/merge-patch+json",
    });
    return o.metadata.resourceVersion!;
  };

  interface Running {
    provider: Provider;
    /** name@resourceVersion of every object the handler was called with. */
    calls: string[];
    /** The status writes the provider sent for an object (PATCH on /status by its field manager). */
    statusWrites: (name: string) => KubeRequest[];
    /** The object as the provider's cache holds it. */
    cached: (name: string) => { resourceVersion: string } | undefined;
    stop: () => Promise<void>;
  }
  const startProvider = async (
    resource: typeof Thing | typeof ThingWithConditions,
    reconcileOnStatusChange: boolean,
  ): Promise<Running> => {
    const calls: string[] = [];
    const provider = createProvider({
      kubeconfig: { yaml: kubeconfig },
      export: THINGS_EXPORT,
      logger: pino({ level: "silent" }),
      handleSignals: false,
    });
    provider.reconcile(
      resource as typeof Thing,
      async (t) => {
        calls.push(`${t.metadata.name}@${t.metadata.resourceVersion}`);
        return { status: { phase: `Ready-${t.spec.color}` } };
      },
      { reconcileOnStatusChange },
    );
    const requests = vi.spyOn(KubeClient.prototype, "request");
    const stop = async () => {
      await provider.stop();
      requests.mockRestore();
    };
    await provider.start();
    const statusWrites = (name: string) =>
      requests.mock.calls
        .map(([req]) => req as KubeRequest)
        .filter(
          (req) =>
            req.method === "PATCH" &&
            req.path.endsWith(`/things/${name}/status`) &&
            req.query?.fieldManager === `${THINGS_EXPORT}-provider`,
        );
    const cached = (name: string) => provider.store(resource as typeof Thing).get(keyOf(name));
    return { provider, calls, statusWrites, cached, stop };
  };
  const callsOf = (r: Running, name: string) => r.calls.filter((c) => c.startsWith(`${name}@`));
  /** Waits until the provider's cache holds this version of the object (its event was handled). */
  const cacheAt = (r: Running, name: string, rv: string) =>
    waitFor(`the provider's cache to hold ${name}@${rv}`, async () => {
      const item = r.cached(name);
      return item && BigInt(item.resourceVersion) >= BigInt(rv) ? item : undefined;
    });
  const ready = async (name: string, color: string) => {
    const t = await waitFor(`${name} ready`, async () => {
      const o = await read(name);
      return o?.status?.phase === `Ready-${color}` ? o : undefined;
    });
    return t.metadata.resourceVersion!;
  };

  beforeAll(async () => {
    setup = await setupThings(root, `root:trig-${uniqueSuffix()}`, ["a"]);
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "things-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
    kubeconfig = identity.kubeconfig;
  });
  afterAll(() => root.close());

  describe("by default", () => {
    let r: Running;
    beforeAll(async () => {
      r = await startProvider(Thing, false);
    });
    afterAll(() => r?.stop());

    it("a status-only change does not reconcile; a label change does", async () => {
      await apply(consumer(), [thing("quiet", "red")]);
      const written = await ready("quiet", "red");
      // The runtime's own status write is a status-only change as well.
      await cacheAt(r, "quiet", written);
      expect(callsOf(r, "quiet")).toHaveLength(1);

      const poked = await pokeStatus("quiet", "someone was here");
      await cacheAt(r, "quiet", poked);
      // A reconcile of the poked version would have started as the event was handled (a worker is
      // idle), before this check; the label change below shows the handler is still being called.
      const labelled = await relabel("quiet", "1");
      await waitFor("the handler to see the label change", async () =>
        callsOf(r, "quiet").includes(`quiet@${labelled}`) ? true : undefined,
      );
      expect(callsOf(r, "quiet")).not.toContain(`quiet@${poked}`);
      expect(callsOf(r, "quiet")).toHaveLength(2);
    });
  });

  /**
   * Reconciles an object again (a label change) after more than a second, with the handler
   * returning the same status: nothing may be written, and the Ready condition's
   * lastTransitionTime must stay.
   */
  const unchangedStatusIsNotWritten = async (r: Running, name: string) => {
    await apply(consumer(), [thing(name, "blue")]);
    const written = await ready(name, "blue");
    await cacheAt(r, name, written);
    const before = r.statusWrites(name).length;
    expect(before).toBeGreaterThan(0); // the first reconcile's write was seen: the count can move
    const first = await read(name);
    const reconciled = async () => {
      const m = await r.provider.metrics.reconcileTotal.get();
      return m.values
        .filter((v) => v.labels.workspace === setup.consumers[0]!.id)
        .reduce((n, v) => n + v.value, 0);
    };
    const reconcilesBefore = await reconciled();
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a new second for lastTransitionTime
    const labelled = await relabel(name, "1");
    await waitFor("the reconcile of the label change to finish", async () =>
      callsOf(r, name).includes(`${name}@${labelled}`) && (await reconciled()) > reconcilesBefore
        ? true
        : undefined,
    );
    expect(r.statusWrites(name)).toHaveLength(before);
    const after = await read(name);
    expect(after?.metadata.resourceVersion).toBe(labelled);
    expect(after?.status).toEqual(first?.status);
  };

  describe("an unchanged status, with conditions in the zod status schema", () => {
    let r: Running;
    beforeAll(async () => {
      r = await startProvider(ThingWithConditions, false);
    });
    afterAll(() => r?.stop());

    it("is not written again", () => unchangedStatusIsNotWritten(r, "steady"));
  });

  // The usual case: mesh-codegen adds `conditions` to the generated schema, not to the zod one,
  // so the cache must keep the stored conditions or every reconcile would look like a change.
  describe("an unchanged status, with a zod status schema that does not declare conditions", () => {
    let r: Running;
    beforeAll(async () => {
      r = await startProvider(Thing, false);
    });
    afterAll(() => r?.stop());

    it("is not written again", () => unchangedStatusIsNotWritten(r, "steady-plain"));
  });

  describe("with reconcileOnStatusChange: true", () => {
    let r: Running;
    beforeAll(async () => {
      r = await startProvider(Thing, true);
    });
    afterAll(() => r?.stop());

    it("a status-only change reconciles", async () => {
      await apply(consumer(), [thing("chatty", "green")]);
      const written = await ready("chatty", "green");
      await cacheAt(r, "chatty", written);
      const poked = await pokeStatus("chatty", "someone was here");
      await waitFor("the handler to see the status-only change", async () =>
        callsOf(r, "chatty").includes(`chatty@${poked}`) ? true : undefined,
      );
    });
  });
});
