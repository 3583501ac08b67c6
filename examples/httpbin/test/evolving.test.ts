import { resolve } from "node:path";
import { KubeClient, type KubeObject, selfSignedCertificate, serveConversionWebhook } from "@kcp-mesh/sdk";
import { apply, bindExport, bootstrapProvider, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { HttpBin } from "../api/index.js";
import { createHttpBinProvider } from "../src/provider.js";

const EXPORT = "httpbin.examples.kcp-mesh.io";
const ALPHA = `/apis/${EXPORT}/v1alpha1/namespaces/default/httpbins`;
const BETA = `/apis/${EXPORT}/v1beta1/namespaces/default/httpbins`;
type Bin = KubeObject & { spec: Record<string, unknown>; status?: { url?: string; phase?: string } };

// The README's "Evolving your API" on real kcp: the export first published without the conversion
// webhook, an object stored as v1alpha1, then bootstrap again with the webhook. The object already
// stored reads as v1beta1 (message -> response.body), and one written as v1beta1 reaches the
// provider, which still reconciles the storage version v1alpha1.
describe("HttpBin v1beta1 beside v1alpha1", () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const admin = KubeClient.fromKubeConfig({ path: inject("kcp").kubeconfigPath }).forWorkspace("root");
  const tls = selfSignedCertificate({ hosts: ["127.0.0.1"] });
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
    admin.close();
  });

  it("serves objects already stored as v1alpha1 in v1beta1 once the webhook converts, and back", async () => {
    const bootstrap = (conversionWebhook?: { url: string; caBundle: string }) =>
      bootstrapProvider(admin, {
        workspace: `root:hb-versions-${suffix}:provider`,
        deployDir: resolve(import.meta.dirname, "../deploy"),
        identityName: "httpbin-provider",
        ...(conversionWebhook && { conversionWebhook }),
      });
    const first = await bootstrap();
    const consumer = admin.forWorkspace(
      (await createWorkspace(admin, `root:hb-versions-${suffix}:consumer`)).path,
    );
    await bindExport(consumer, { path: first.workspace.path, name: EXPORT });
    await waitFor("httpbins served", () => consumer.get(ALPHA).catch(() => undefined));
    await apply(consumer, [
      {
        apiVersion: `${EXPORT}/v1alpha1`,
        kind: "HttpBin",
        metadata: { name: "stored", namespace: "default" },
        spec: { message: "from before" },
      },
    ]);
    // Without the webhook kcp only rewrites apiVersion: in v1beta1 the message is pruned.
    expect((await consumer.get<Bin>(`${BETA}/stored`))?.spec).toEqual({});

    const webhook = await serveConversionWebhook({ resources: [HttpBin], tls });
    cleanup.push(() => webhook.close());
    const second = await bootstrap({ url: webhook.url, caBundle: tls.cert });
    const app = createHttpBinProvider({
      kubeconfig: { yaml: second.identity.kubeconfig },
      logger: pino({ level: "silent" }),
      metricsPort: 0,
      handleSignals: false,
    });
    cleanup.push(async () => {
      await app.provider.stop();
      await app.servers.closeAll();
    });
    await app.provider.start();

    // The binding follows the export to the new schema; the stored object converts on read.
    const beta = await waitFor("stored object converted", async () => {
      const o = await consumer.get<Bin>(`${BETA}/stored`);
      return (o?.spec.response as { body?: string })?.body === "from before" ? o : undefined;
    });
    expect(beta.spec).toEqual({ response: { body: "from before" } });

    await apply(consumer, [
      {
        apiVersion: `${EXPORT}/v1beta1`,
        kind: "HttpBin",
        metadata: { name: "new", namespace: "default" },
        spec: { response: { body: "written as v1beta1" } },
      },
    ]);
    const ready = await waitFor("new ready", async () => {
      const o = await consumer.get<Bin>(`${BETA}/new`);
      return o?.status?.phase === "Ready" ? o : undefined;
    });
    expect(await (await fetch(ready.status!.url!)).text()).toContain("written as v1beta1");
    expect((await consumer.get<Bin>(`${ALPHA}/new`))?.spec).toEqual({ message: "written as v1beta1" });
  });
});
