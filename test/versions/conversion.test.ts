import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "@kcp-mesh/codegen";
import {
  type ConversionWebhook,
  createProvider,
  getCondition,
  type KubeObject,
  type Provider,
  selfSignedCertificate,
  serveConversionWebhook,
} from "@kcp-mesh/sdk";
import { inVersion, PRESERVE_ANNOTATION_PREFIX } from "@kcp-mesh/sdk/api";
import {
  apply,
  bindExport,
  bootstrapProvider,
  createWorkspace,
  type WorkspaceRef,
  waitFor,
} from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, kcpEnv, uniqueSuffix } from "../support/kcp.js";
import binsApi, { Bin } from "./bins-api.js";

const GROUP = "versions.example.io";
const ALPHA = `/apis/${GROUP}/v1alpha1/namespaces/default/bins`;
const BETA = `/apis/${GROUP}/v1beta1/namespaces/default/bins`;

type BinObject = KubeObject & { spec: Record<string, unknown>; status?: Record<string, unknown> };

function kubectl(workspace: string, ...args: string[]): Promise<string> {
  const server = `${kcpEnv().baseUrl}/clusters/${workspace}`;
  return new Promise((resolve, reject) =>
    execFile(
      "kubectl",
      ["--kubeconfig", kcpEnv().kubeconfigPath, "--server", server, ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
}

// Several versions of one published resource on real kcp v0.32.3. kcp there stores APIConversions
// but runs only the conversion strategies None and Webhook, so mesh-codegen's APIConversion is
// served through the SDK's conversion webhook, which runs the same declared rules.
describe("a resource with two versions and conversion rules, on real kcp", () => {
  const root = adminClient();
  const base = `root:versions-${uniqueSuffix()}`;
  const deployDir = mkdtempSync(join(tmpdir(), "versions-deploy-"));
  let webhook: ConversionWebhook;
  let consumer: WorkspaceRef;
  let provider: Provider;
  const seen: string[] = [];
  const c = () => root.forWorkspace(consumer.path);

  beforeAll(async () => {
    const tls = selfSignedCertificate({ hosts: ["127.0.0.1"] });
    webhook = await serveConversionWebhook({ resources: [Bin], tls });
    const result = generate(binsApi);
    for (const [name, text] of Object.entries(result.files)) writeFileSync(join(deployDir, name), text);
    const bootstrapped = await bootstrapProvider(root, {
      workspace: `${base}:provider`,
      deployDir,
      identityName: "bins-provider",
      conversionWebhook: { url: webhook.url, caBundle: tls.cert },
    });
    consumer = await createWorkspace(root, `${base}:consumer`);
    await bindExport(c(), { path: bootstrapped.workspace.path, name: binsApi.name });
    await waitFor("bins served in the consumer", async () =>
      c()
        .get(ALPHA)
        .catch(() => undefined),
    );

    // The provider works in v1beta1, whatever version consumers write.
    provider = createProvider({
      kubeconfig: { yaml: bootstrapped.identity.kubeconfig },
      export: binsApi.name,
      logger: pino({ level: "silent" }),
      metricsPort: 0,
      handleSignals: false,
    });
    provider.reconcile(inVersion(Bin, "v1beta1"), async (bin, ctx) => {
      seen.push(`${ctx.workspace}/${bin.metadata.name} ${bin.apiVersion} ${JSON.stringify(bin.spec)}`);
      const { port, path } = bin.spec.listen;
      return { status: { endpoint: `http://127.0.0.1:${port}${path}` } };
    });
    await provider.start();
  });

  afterAll(async () => {
    await provider?.stop();
    await webhook?.close();
    root.close();
    rmSync(deployDir, { recursive: true, force: true });
  });

  it("reads an object created as v1alpha1 as v1beta1 with converted fields, and back without loss", async () => {
    await apply(c(), [
      {
        apiVersion: `${GROUP}/v1alpha1`,
        kind: "Bin",
        metadata: { name: "made-alpha", namespace: "default" },
        spec: { port: 8080, path: "/get", timeoutSeconds: 45, owner: "ann" },
      },
    ]);
    const beta = await c().get<BinObject>(`${BETA}/made-alpha`);
    expect(beta?.apiVersion).toBe(`${GROUP}/v1beta1`);
    // The moved fields, the CEL transformation, the shared field; v1alpha1's names are pruned.
    expect(beta?.spec).toEqual({ listen: { port: 8080, path: "/get" }, timeout: "45s", owner: "ann" });
    const alpha = await c().get<BinObject>(`${ALPHA}/made-alpha`);
    expect(alpha?.spec).toEqual({ port: 8080, path: "/get", timeoutSeconds: 45, owner: "ann" });

    // Written back as v1beta1 (a full update of what was read), it reads as v1alpha1 exactly as
    // before. The provider writes status meanwhile: read again on a conflict.
    await waitFor("a PUT as v1beta1", async () => {
      const latest = await c().get<BinObject>(`${BETA}/made-alpha`);
      return c()
        .request({ method: "PUT", path: `${BETA}/made-alpha`, body: latest })
        .then(() => true)
        .catch((err: { status?: number }) => {
          if (err.status === 409) return undefined;
          throw err;
        });
    });
    const again = await c().get<BinObject>(`${ALPHA}/made-alpha`);
    expect(again?.spec).toEqual(alpha?.spec);
  });

  it("keeps a v1beta1-only field through the storage version in the preserve annotation", async () => {
    await apply(c(), [
      {
        apiVersion: `${GROUP}/v1beta1`,
        kind: "Bin",
        metadata: { name: "made-beta", namespace: "default" },
        spec: { listen: { port: 9090, path: "/x" }, timeout: "5s", tier: "paid" },
      },
    ]);
    const alpha = await c().get<BinObject>(`${ALPHA}/made-beta`);
    expect(alpha?.spec).toEqual({ port: 9090, path: "/x", timeoutSeconds: 5 });
    expect(alpha?.metadata.annotations?.[`${PRESERVE_ANNOTATION_PREFIX}v1beta1`]).toBe(
      JSON.stringify({ "spec.tier": "paid" }),
    );
    const beta = await c().get<BinObject>(`${BETA}/made-beta`);
    expect(beta?.spec).toEqual({ listen: { port: 9090, path: "/x" }, timeout: "5s", tier: "paid" });
    expect(beta?.metadata.annotations?.[`${PRESERVE_ANNOTATION_PREFIX}v1beta1`]).toBeUndefined();
  });

  it("lets a provider reconciling v1beta1 see objects written as v1alpha1; its status shows in both versions", async () => {
    const alpha = await waitFor("made-alpha reconciled", async () => {
      const o = await c().get<BinObject>(`${ALPHA}/made-alpha`);
      return o?.status?.url ? o : undefined;
    });
    expect(alpha.status?.url).toBe("http://127.0.0.1:8080/get");
    expect(getCondition(alpha.status?.conditions as never, "Ready")?.status).toBe("True");
    const beta = await c().get<BinObject>(`${BETA}/made-alpha`);
    expect(beta?.status?.endpoint).toBe("http://127.0.0.1:8080/get");
    expect(
      seen.some((s) => s.includes('/made-alpha versions.example.io/v1beta1 {"listen":{"port":8080')),
    ).toBe(true);
  });

  it("answers kubectl get at either version", async () => {
    const beta = JSON.parse(
      await kubectl(consumer.path, "get", `bins.v1beta1.${GROUP}`, "made-alpha", "-o", "json"),
    );
    const alpha = JSON.parse(
      await kubectl(consumer.path, "get", `bins.v1alpha1.${GROUP}`, "made-alpha", "-o", "json"),
    );
    expect([beta.apiVersion, beta.spec.listen.port]).toEqual([`${GROUP}/v1beta1`, 8080]);
    expect([alpha.apiVersion, alpha.spec.port]).toEqual([`${GROUP}/v1alpha1`, 8080]);
    const table = await kubectl(consumer.path, "get", `bins.v1beta1.${GROUP}`);
    expect(table).toMatch(/^NAME\s+AGE\n/);
    expect(table).toMatch(/\nmade-alpha\s/);
  });
});

// What kcp v0.32.3 does with the APIConversion alone (strategy None): it accepts and stores it, but
// converts by rewriting apiVersion only, so the fields v1beta1 names differently are pruned.
describe("kcp v0.32.3 with the APIConversion alone", () => {
  const root = adminClient();
  afterAll(() => root.close());

  it("stores the APIConversion but does not run it", async () => {
    const base = `root:versions-none-${uniqueSuffix()}`;
    const provider = await createWorkspace(root, `${base}:provider`);
    const objects = generate(binsApi).objects as KubeObject[];
    expect(objects.map((o) => o.kind)).toContain("APIConversion");
    await apply(root.forWorkspace(provider.path), objects);
    const consumer = await createWorkspace(root, `${base}:consumer`);
    const c = root.forWorkspace(consumer.path);
    await bindExport(c, { path: provider.path, name: binsApi.name });
    await waitFor("bins served", async () => c.get(ALPHA).catch(() => undefined));
    await apply(c, [
      {
        apiVersion: `${GROUP}/v1alpha1`,
        kind: "Bin",
        metadata: { name: "lost", namespace: "default" },
        spec: { port: 8080 },
      },
    ]);
    const beta = await c.get<BinObject>(`${BETA}/lost`);
    // Only apiVersion changed: every field v1alpha1 names differently is pruned in v1beta1.
    expect(beta?.spec).toEqual({});
    const name = objects.find((o) => o.kind === "APIConversion")!.metadata.name;
    const stored = await root
      .forWorkspace(provider.path)
      .get<KubeObject>(`/apis/apis.kcp.io/v1alpha1/apiconversions/${name}`);
    expect(stored?.metadata.name).toBe(name);
  });
});
