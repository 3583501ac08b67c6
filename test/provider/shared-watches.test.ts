import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "@kcp-mesh/codegen";
import { createProvider, type KubeObject, type Provider, relatedWatch } from "@kcp-mesh/sdk";
import { apply, bindExport, bootstrapProvider, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import trioApi, { Alpha, Beta, Gamma, TRIO_EXPORT } from "../support/trio-api.js";

const API = "/apis/trio.example.io/v1alpha1";
type TrioObject = KubeObject & {
  spec: { partner?: string };
  status?: { seen?: number; partnerSeen?: boolean };
};

// One provider, three resources and two related watches on resources it already reconciles: it
// must hold one endpoint-slice watch, one APIBinding watch per endpoint and one watch per resource
// and endpoint, and a related watch must read the same cache that triggers reconciles.
describe("a provider with three resources and two related watches", () => {
  const root = adminClient();
  const base = `root:trio-${uniqueSuffix()}`;
  let provider: Provider;
  let consumer: ReturnType<typeof root.forWorkspace>;
  const gammaRuns = new Map<string, number>();
  const obj = (kind: string, name: string, partner?: string): KubeObject => ({
    apiVersion: "trio.example.io/v1alpha1",
    kind,
    metadata: { name, namespace: "default" },
    spec: partner ? { partner } : {},
  });

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "trio-"));
    mkdirSync(join(dir, "deploy"));
    for (const [f, text] of Object.entries(generate(trioApi).files))
      writeFileSync(join(dir, "deploy", f), text);
    const boot = await bootstrapProvider(root, {
      workspace: `${base}:provider`,
      deployDir: join(dir, "deploy"),
      identityName: "trio-provider",
    });
    const ws = await createWorkspace(root, `${base}:consumer`);
    consumer = root.forWorkspace(ws.path);
    await bindExport(consumer, { path: boot.workspace.path, name: TRIO_EXPORT });
    provider = createProvider({
      kubeconfig: { yaml: boot.identity.kubeconfig },
      export: TRIO_EXPORT,
      logger: pino({ level: "silent" }),
      handleSignals: false,
      metricsPort: 0,
    });
    // An Alpha reports whether its partner Beta exists, read from the provider's Beta cache; a
    // Beta change reconciles the Alpha it names (a related watch on a reconciled resource).
    provider.reconcile(
      Alpha,
      async (a) => {
        const partner = a.spec.partner;
        const beta = partner
          ? provider.store(Beta).get({
              workspace: a.metadata.annotations!["kcp.io/cluster"]!,
              namespace: "default",
              name: partner,
            })
          : undefined;
        return { status: { partnerSeen: beta !== undefined } };
      },
      {
        related: [
          // Typed: `beta` is an Item of Beta's storage version.
          relatedWatch(Beta, (beta) =>
            provider
              .store(Alpha)
              .list({ workspace: beta.workspace })
              .filter((x) => x.valid && x.object.spec.partner === beta.name),
          ),
        ],
      },
    );
    provider.reconcile(Beta, async () => ({ status: { seen: 1 } }));
    provider.reconcile(
      Gamma,
      async (g, ctx) => {
        gammaRuns.set(g.metadata.name!, (gammaRuns.get(g.metadata.name!) ?? 0) + 1);
        if (g.spec.partner) ctx.enqueue({ namespace: "default", name: g.spec.partner });
        return { status: { seen: 1 } };
      },
      {
        related: [relatedWatch(Alpha, () => [])],
      },
    );
    await provider.start();
    await waitFor("caches synced", async () => (provider.synced ? true : undefined));
  });

  afterAll(async () => {
    await provider?.stop();
    root.close();
  });

  it("holds one watch per resource and endpoint, one APIBinding watch and one slice watch", async () => {
    await apply(consumer, [obj("Gamma", "g1")]);
    await waitFor("g1 reconciled", async () => {
      const g = await consumer.get<TrioObject>(`${API}/namespaces/default/gammas/g1`);
      return g?.status?.seen === 1 ? true : undefined;
    });
    expect(provider.stats.watchers()).toEqual({
      "apiexportendpointslices.apis.kcp.io/v1alpha1": 1,
      "apibindings.apis.kcp.io/v1alpha2": 1,
      "alphas.trio.example.io/v1alpha1": 1,
      "betas.trio.example.io/v1alpha1": 1,
      "gammas.trio.example.io/v1alpha1": 1,
    });
    const metrics = await (await fetch(`http://127.0.0.1:${provider.healthPort}/metrics`)).text();
    expect(metrics).toContain('kcp_mesh_watches{resource="apibindings.apis.kcp.io/v1alpha2"} 1');
    expect(metrics).toContain('kcp_mesh_watches{resource="alphas.trio.example.io/v1alpha1"} 1');
  });

  it("a related change reconciles through the shared cache the handler reads", async () => {
    await apply(consumer, [obj("Alpha", "a1", "b1")]);
    await waitFor("a1 without its partner", async () => {
      const a = await consumer.get<TrioObject>(`${API}/namespaces/default/alphas/a1`);
      return a?.status?.partnerSeen === false ? true : undefined;
    });
    await apply(consumer, [obj("Beta", "b1")]);
    // Only the related watch can wake a1: its own spec did not change.
    await waitFor("a1 sees its partner", async () => {
      const a = await consumer.get<TrioObject>(`${API}/namespaces/default/alphas/a1`);
      return a?.status?.partnerSeen === true ? true : undefined;
    });
  });

  it("a handler reconciles another object with ctx.enqueue, and anyone with provider.enqueue", async () => {
    await apply(consumer, [obj("Gamma", "g3")]);
    await waitFor("g3 reconciled", async () => ((gammaRuns.get("g3") ?? 0) >= 1 ? true : undefined));
    const before = gammaRuns.get("g3")!;
    await apply(consumer, [obj("Gamma", "g2", "g3")]);
    await waitFor("g3 reconciled again, asked by g2", async () =>
      gammaRuns.get("g3")! > before ? true : undefined,
    );
    const id = (await consumer.get<TrioObject>(`${API}/namespaces/default/gammas/g3`))!.metadata.annotations![
      "kcp.io/cluster"
    ]!;
    const asked = gammaRuns.get("g3")!;
    provider.enqueue(Gamma, { workspace: id, namespace: "default", name: "g3" });
    await waitFor("g3 reconciled a third time", async () =>
      gammaRuns.get("g3")! > asked ? true : undefined,
    );
  });
});
