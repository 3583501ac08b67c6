import type { BuildOptions } from "esbuild";

/**
 * The esbuild options of the README's "Bundling a provider", in one place for the test that holds
 * the SDK to them (bundle.test.ts) and the benchmark that measures a bundled import
 * (bench/import-cost.ts). Not exported from the package. client-node stays outside: it loads on
 * demand, only for exec and auth-provider kubeconfigs. The banner gives the CommonJS dependencies
 * (pino, prom-client, rxjs) the `require` they use inside an ES module.
 */
export const PROVIDER_BUNDLE = {
  bundle: true,
  platform: "node",
  format: "esm",
  external: ["@kubernetes/client-node"],
  banner: {
    js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
} as const satisfies BuildOptions;
