// The controller entry point: `npm start` here, or `node dist/src/main.js` in the container.
import { readFileSync } from "node:fs";
import { serveConversionWebhook } from "@kcp-mesh/sdk";
import { HttpBin } from "../api/index.js";
import { createHttpBinProvider } from "./provider.js";

const kubeconfig = process.env.PROVIDER_KUBECONFIG;
if (!kubeconfig) {
  console.error(
    "Set PROVIDER_KUBECONFIG to the provider identity's kubeconfig (`npm run bootstrap` writes one).",
  );
  process.exit(2);
}
const { provider, servers } = createHttpBinProvider({
  kubeconfig,
  handleSignals: false,
  ...(process.env.METRICS_PORT && { metricsPort: Number(process.env.METRICS_PORT) }),
  ...(process.env.METRICS_HOST && { metricsHost: process.env.METRICS_HOST }),
});
// The conversion webhook kcp calls for v1alpha1 <-> v1beta1 (`npm run bootstrap --
// --conversion-webhook-port <port>` prints these variables).
const webhookPort = process.env.CONVERSION_WEBHOOK_PORT;
const webhook =
  webhookPort === undefined
    ? undefined
    : await serveConversionWebhook({
        resources: [HttpBin],
        port: Number(webhookPort),
        // 0.0.0.0 in a container, where kcp reaches the provider over the network.
        ...(process.env.CONVERSION_WEBHOOK_HOST && { host: process.env.CONVERSION_WEBHOOK_HOST }),
        tls: {
          cert: readFileSync(process.env.CONVERSION_WEBHOOK_CERT ?? "", "utf8"),
          key: readFileSync(process.env.CONVERSION_WEBHOOK_KEY ?? "", "utf8"),
        },
      });
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    // A second signal does not cut the drain short: it ends by itself (shutdownTimeoutMs + grace).
    if (stopping) return;
    stopping = true;
    // Drain reconciles first, then take the endpoints down with the provider.
    void provider.stop().then(async (r) => {
      await servers.closeAll();
      await webhook?.close();
      // Non-zero when a reconcile ignored its abort signal (the provider logged which).
      process.exit(r.clean ? 0 : 1);
    });
  });
}
// start() rejects when the provider cannot work (credentials, export name, permissions); the
// provider has logged why, once.
await provider.start().catch(async () => {
  await servers.closeAll();
  await webhook?.close();
  process.exit(1);
});
