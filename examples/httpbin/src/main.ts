// The controller entry point: `npm start` here, or `node dist/src/main.js` in the container.
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
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    // A second signal does not cut the drain short: it ends by itself (shutdownTimeoutMs + grace).
    if (stopping) return;
    stopping = true;
    // Drain reconciles first, then take the endpoints down with the provider.
    void provider.stop().then(async (r) => {
      await servers.closeAll();
      // Non-zero when a reconcile ignored its abort signal (the provider logged which).
      process.exit(r.clean ? 0 : 1);
    });
  });
}
// start() rejects when the provider cannot work (credentials, export name, permissions); the
// provider has logged why, once.
await provider.start().catch(async () => {
  await servers.closeAll();
  process.exit(1);
});
