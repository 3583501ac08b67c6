// The controller entry point: `npm start` here, or `node dist/src/main.js` in the container.
import { createDatabaseProvider } from "./provider.js";

const kubeconfig = process.env.PROVIDER_KUBECONFIG;
if (!kubeconfig) {
  console.error(
    "Set PROVIDER_KUBECONFIG to the provider identity's kubeconfig (`npm run bootstrap` writes one).",
  );
  process.exit(2);
}
const { provider, servers } = createDatabaseProvider({
  kubeconfig,
  handleSignals: false,
  ...(process.env.METRICS_PORT && { metricsPort: Number(process.env.METRICS_PORT) }),
  ...(process.env.METRICS_HOST && { metricsHost: process.env.METRICS_HOST }),
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    // Drain reconciles first, then take the databases down with the provider. Their Secrets stay:
    // the next provider process reuses the credentials in them.
    void provider.stop().then(() => servers.closeAll());
  });
}
await provider.start();
