// The controller entry point: `npm start` here, or `node dist/src/main.js` in the container.
import { createAppProvider } from "./provider.js";

const kubeconfig = process.env.PROVIDER_KUBECONFIG;
if (!kubeconfig) {
  console.error(
    "Set PROVIDER_KUBECONFIG to the provider identity's kubeconfig (`npm run bootstrap` writes one).",
  );
  process.exit(2);
}
const { provider } = createAppProvider({
  kubeconfig,
  handleSignals: false,
  ...(process.env.METRICS_PORT && { metricsPort: Number(process.env.METRICS_PORT) }),
  ...(process.env.METRICS_HOST && { metricsHost: process.env.METRICS_HOST }),
});
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  // Let running reconciles finish their database calls and status writes, then exit.
  process.once(signal, () => void provider.stop());
}
await provider.start();
