// `npm run bootstrap`: sets up the provider's workspace (schemas, export, RBAC, a provider identity
// and its kubeconfig). Idempotent: run it as often as you like.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { KubeClient, selfSignedCertificate } from "@kcp-mesh/sdk";
import { bootstrapProvider } from "@kcp-mesh/sdk/testing";

const { values } = parseArgs({
  options: {
    "admin-kubeconfig": {
      type: "string",
      default: process.env.ADMIN_KUBECONFIG ?? "../../.kcp/admin.kubeconfig",
    },
    workspace: { type: "string", default: "root:providers:httpbin" },
    out: { type: "string" },
    // kcp v0.32 does not run APIConversions: with this port, the schema asks the provider's
    // conversion webhook (https://127.0.0.1:<port>/convert) to convert between v1alpha1 and v1beta1.
    "conversion-webhook-port": { type: "string" },
  },
});
const adminPath = resolve(values["admin-kubeconfig"]);
const out = resolve(values.out ?? join(dirname(adminPath), "providers", "httpbin.kubeconfig"));
const webhookPort = values["conversion-webhook-port"];
let webhook: { url: string; cert: string; key: string } | undefined;
if (webhookPort !== undefined) {
  // One self-signed certificate per provider state directory, reused on later runs (a new one
  // would give the schema a new name each time).
  const cert = join(dirname(out), "httpbin-webhook.crt");
  const key = join(dirname(out), "httpbin-webhook.key");
  if (!existsSync(cert) || !existsSync(key)) {
    const tls = selfSignedCertificate({ hosts: ["127.0.0.1"] });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(cert, tls.cert);
    writeFileSync(key, tls.key, { mode: 0o600 });
  }
  webhook = { url: `https://127.0.0.1:${Number(webhookPort)}/convert`, cert, key };
}
const admin = KubeClient.fromKubeConfig({ path: adminPath }).forWorkspace("root");
const result = await bootstrapProvider(admin, {
  workspace: values.workspace,
  deployDir: resolve(import.meta.dirname, "../deploy"),
  identityName: "httpbin-provider",
  kubeconfigPath: out,
  ...(webhook && { conversionWebhook: { url: webhook.url, caBundle: readFileSync(webhook.cert, "utf8") } }),
});
admin.close();
console.log(`provider workspace ${result.workspace.path} ready (${result.applied.length} objects applied)`);
console.log(`provider identity ${result.identity.username}: kubeconfig written to ${out}`);
if (webhook) {
  console.log(`conversions: kcp calls ${webhook.url} (the provider serves it)`);
  console.log(
    `run the provider: PROVIDER_KUBECONFIG=${out} CONVERSION_WEBHOOK_PORT=${webhookPort} CONVERSION_WEBHOOK_CERT=${webhook.cert} CONVERSION_WEBHOOK_KEY=${webhook.key} npm start`,
  );
} else console.log(`run the provider: PROVIDER_KUBECONFIG=${out} npm start`);
