// `npm run bootstrap`: sets up the provider's workspace (schemas, export, RBAC, Marketplace objects,
// a provider identity and its kubeconfig). Idempotent: run it as often as you like.
//
// Two ways in:
// - `--admin-kubeconfig` (default: the local kcp of `npm start`): creates the workspace too.
// - `--provider-kubeconfig <file>`: Platform Mesh's way. The file is what the `Provider` resource's
//   Secret (`<name>-provider-kubeconfig`) holds, a kubeconfig for the provider workspace only.
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { KubeClient } from "@kcp-mesh/sdk";
import { bootstrapProvider, bootstrapProviderWorkspace, type SkippedObject } from "@kcp-mesh/sdk/testing";

const { values } = parseArgs({
  options: {
    "admin-kubeconfig": {
      type: "string",
      default: process.env.ADMIN_KUBECONFIG ?? "../../.kcp/admin.kubeconfig",
    },
    "provider-kubeconfig": { type: "string" },
    workspace: { type: "string", default: "root:providers:database" },
    out: { type: "string" },
  },
});
const deployDir = resolve(import.meta.dirname, "../deploy");
const identityName = "database-provider";
const report = (skipped: SkippedObject[]) => {
  for (const s of skipped) console.log(`not applied: ${s.object}: ${s.reason}`);
};

if (values["provider-kubeconfig"]) {
  const from = resolve(values["provider-kubeconfig"]);
  const out = resolve(values.out ?? join(dirname(from), "database-provider.kubeconfig"));
  const client = KubeClient.fromKubeConfig({ path: from });
  try {
    const result = await bootstrapProviderWorkspace(client, {
      deployDir,
      identityName,
      kubeconfigPath: out,
      onProgress: (line) => console.log(line),
    });
    report(result.skipped);
    console.log(
      `provider workspace ${result.workspace} ready (${result.applied.length} objects applied, export identity ${result.identityHash.slice(0, 12)}...)`,
    );
    console.log(`provider identity ${result.identity.username}: kubeconfig written to ${out}`);
    console.log(`run the provider: PROVIDER_KUBECONFIG=${out} npm start`);
  } finally {
    client.close();
  }
} else {
  const adminPath = resolve(values["admin-kubeconfig"]);
  const out = resolve(values.out ?? join(dirname(adminPath), "providers", "database.kubeconfig"));
  const admin = KubeClient.fromKubeConfig({ path: adminPath }).forWorkspace("root");
  try {
    const result = await bootstrapProvider(admin, {
      workspace: values.workspace,
      deployDir,
      identityName,
      kubeconfigPath: out,
    });
    report(result.skipped);
    console.log(
      `provider workspace ${result.workspace.path} ready (${result.applied.length} objects applied)`,
    );
    console.log(`provider identity ${result.identity.username}: kubeconfig written to ${out}`);
    console.log(`run the provider: PROVIDER_KUBECONFIG=${out} npm start`);
  } finally {
    admin.close();
  }
}
