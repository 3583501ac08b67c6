/**
 * `npm start`: a local kcp with a small Platform Mesh-like tree, ready to poke with kubectl.
 * A provider workspace publishes an API, two consumer workspaces bind it and hold sample objects.
 * Idempotent: a second run reuses kcp and everything in it.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { KubeClient } from "@kcp-mesh/sdk";
import { apply, bindExport, createWorkspace, waitForEndpointSliceUrls } from "@kcp-mesh/sdk/testing";
import { up } from "./kcp.js";

const root = resolve(import.meta.dirname, "..");
const kubeconfig = join(process.env.KCP_STATE_DIR ?? join(root, ".kcp"), "admin.kubeconfig");
const PROVIDER = "root:providers:harness";
const CONSUMERS = ["root:orgs:acme:team-a", "root:orgs:acme:team-b"];
const EXPORT = "harness.example.io";

await up();
const admin = KubeClient.fromKubeConfig({ path: kubeconfig }).forWorkspace("root");
console.log(`creating ${PROVIDER} and its API ...`);
await createWorkspace(admin, PROVIDER);
await apply(
  admin.forWorkspace(PROVIDER),
  readFileSync(join(root, "test/fixtures/things-provider.yaml"), "utf8"),
);
for (const path of CONSUMERS) {
  console.log(`creating ${path}, binding ${EXPORT}, creating a sample Thing ...`);
  await createWorkspace(admin, path);
  const consumer = admin.forWorkspace(path);
  await bindExport(consumer, { path: PROVIDER, name: EXPORT });
  await apply(consumer, [
    {
      apiVersion: "harness.example.io/v1alpha1",
      kind: "Thing",
      metadata: { name: "sample", namespace: "default" },
      spec: { color: path.endsWith("a") ? "red" : "blue" },
    },
  ]);
}
const [url] = await waitForEndpointSliceUrls(admin.forWorkspace(PROVIDER), EXPORT);
admin.close();
const k = `kubectl --kubeconfig ${kubeconfig}`;
console.log(`
Ready. What is there:
  ${PROVIDER}   publishes the APIExport ${EXPORT} (kind Thing)
${CONSUMERS.map((c) => `  ${c}    binds it and holds a Thing "sample"`).join("\n")}

Poke it:
  ${k} get workspaces   # children of root
  ${k} --server=https://127.0.0.1:${new URL(url!).port}/clusters/root:orgs:acme:team-a get things -A
  ${k} --server=${url}/clusters/'*' get things -A   # the provider's view: every bound workspace

Stop kcp with: npm run kcp:down`);
