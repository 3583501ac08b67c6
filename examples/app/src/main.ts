// The controller entry point: `npm start` here, or `node dist/src/main.js` in the container.
import { createAppProvider } from "./provider.js";

const kubeconfig = process.env.PROVIDER_KUBECONFIG;
if (!kubeconfig) {
  console.error(
    "Set PROVIDER_KUBECONFIG to the provider identity's kubeconfig (`npm run bootstrap` writes one).",
  );
  process.exit(2);
}
// The SDK handles SIGTERM/SIGINT: running reconciles finish their database calls and status
// writes (or are aborted after the drain timeout), then the process exits.
const { provider } = createAppProvider({
  kubeconfig,
  ...(process.env.METRICS_PORT && { metricsPort: Number(process.env.METRICS_PORT) }),
  ...(process.env.METRICS_HOST && { metricsHost: process.env.METRICS_HOST }),
});
// start() rejects when the provider cannot work; the provider has logged why, once.
await provider.start().catch(() => process.exit(1));
