// `npm run bootstrap`: sets up the provider's workspace (schemas, export, RBAC, a provider identity
// and its kubeconfig). Idempotent: run it as often as you like.
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { KubeClient } from "@kcp-mesh/sdk";
import { bootstrapProvider } from "@kcp-mesh/sdk/testing";

const { values } = parseArgs({
  options: {
    "admin-kubeconfig": {
      type: "string",
      default: process.env.ADMIN_KUBECONFIG ?? "../../.kcp/admin.kubeconfig",
    },
    workspace: { type: "string", default: "root:providers:database" },
    out: { type: "string" },
  },
});
const adminPath = resolve(values["admin-kubeconfig"]);
const out = resolve(values.out ?? join(dirname(adminPath), "providers", "database.kubeconfig"));
const admin = KubeClient.fromKubeConfig({ path: adminPath }).forWorkspace("root");
const result = await bootstrapProvider(admin, {
  workspace: values.workspace,
  deployDir: resolve(import.meta.dirname, "../deploy"),
  identityName: "database-provider",
  kubeconfigPath: out,
});
admin.close();
console.log(`provider workspace ${result.workspace.path} ready (${result.applied.length} objects applied)`);
console.log(`provider identity ${result.identity.username}: kubeconfig written to ${out}`);
console.log(`run the provider: PROVIDER_KUBECONFIG=${out} npm start`);
