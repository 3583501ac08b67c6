import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "@kcp-mesh/codegen";
import { createProvider, defineApi, defineResource, type KubeObject, type Provider } from "@kcp-mesh/sdk";
import { apply, bindExport, bootstrapProvider, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

const EXPORT = "events.example.io";
const Beacon = defineResource({
  group: EXPORT,
  kind: "Beacon",
  plural: "beacons",
  scope: "Namespaced",
  versions: { v1alpha1: { spec: z.object({ note: z.string().max(100) }), status: z.object({}) } },
});
const api = defineApi({
  name: EXPORT,
  resources: [Beacon],
  permissionClaims: [{ group: "", resource: "events", verbs: ["create"] }],
});

interface EventObject extends KubeObject {
  reason?: string;
  message?: string;
  type?: string;
  involvedObject?: { name?: string; kind?: string };
  source?: { component?: string };
}

// ctx.event records Kubernetes Events on the consumer's object where the consumer accepted the
// export's `events` claim, and does nothing (one log line) where it did not.
describe("ctx.event", () => {
  const root = adminClient();
  const base = `root:ev-${uniqueSuffix()}`;
  let provider: Provider;
  let withClaim: ReturnType<typeof root.forWorkspace>;
  let withoutClaim: ReturnType<typeof root.forWorkspace>;
  const lines: { msg: string; workspace?: string }[] = [];
  const beacon = (name: string): KubeObject => ({
    apiVersion: `${EXPORT}/v1alpha1`,
    kind: "Beacon",
    metadata: { name, namespace: "default" },
    spec: { note: "hello" },
  });

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "events-"));
    mkdirSync(join(dir, "deploy"));
    for (const [f, text] of Object.entries(generate(api).files)) writeFileSync(join(dir, "deploy", f), text);
    const boot = await bootstrapProvider(root, {
      workspace: `${base}:provider`,
      deployDir: join(dir, "deploy"),
      identityName: "events-provider",
    });
    const a = await createWorkspace(root, `${base}:accepts`);
    withClaim = root.forWorkspace(a.path);
    await bindExport(
      withClaim,
      { path: boot.workspace.path, name: EXPORT },
      {
        acceptClaims: [{ group: "", resource: "events", verbs: ["create"] }],
      },
    );
    const b = await createWorkspace(root, `${base}:declines`);
    withoutClaim = root.forWorkspace(b.path);
    await bindExport(withoutClaim, { path: boot.workspace.path, name: EXPORT });
    provider = createProvider({
      kubeconfig: { yaml: boot.identity.kubeconfig },
      export: EXPORT,
      handleSignals: false,
      logger: pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) }),
    });
    provider.reconcile(Beacon, async (b, ctx) => {
      await ctx.event("Normal", "Lit", `beacon ${b.metadata.name} lit with note ${b.spec.note}`);
      return {};
    });
    await provider.start();
  });

  afterAll(async () => {
    await provider?.stop();
    root.close();
  });

  it("records an Event on the object that kubectl describe would show", async () => {
    await apply(withClaim, [beacon("b1")]);
    const ev = await waitFor("an event about b1", async () => {
      const list = await withClaim.get<{ items: EventObject[] }>("/api/v1/namespaces/default/events");
      return list?.items.find((e) => e.involvedObject?.name === "b1");
    });
    expect(ev).toMatchObject({
      type: "Normal",
      reason: "Lit",
      message: "beacon b1 lit with note hello",
      involvedObject: { kind: "Beacon", name: "b1" },
      source: { component: `${EXPORT}-provider` },
    });
  });

  it("without the accepted claim: no event, the reconcile goes on, one log line", async () => {
    await apply(withoutClaim, [beacon("b2")]);
    const ws = (await withoutClaim.get<KubeObject>(`/apis/${EXPORT}/v1alpha1/namespaces/default/beacons/b2`))!
      .metadata.annotations!["kcp.io/cluster"];
    await waitFor("the log line", async () =>
      lines.some((l) => l.workspace === ws && l.msg.startsWith("events are not recorded")) ? true : undefined,
    );
    const list = await withoutClaim.get<{ items: EventObject[] }>("/api/v1/namespaces/default/events");
    expect((list?.items ?? []).filter((e) => e.involvedObject?.name === "b2")).toEqual([]);
    const ready = await waitFor("b2 Ready", async () => {
      const o = await withoutClaim.get<
        KubeObject & { status?: { conditions?: { type: string; status: string }[] } }
      >(`/apis/${EXPORT}/v1alpha1/namespaces/default/beacons/b2`);
      return o?.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
    });
    expect(ready).toBeDefined();
  });
});
