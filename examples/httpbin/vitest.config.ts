import { configDefaults, defineConfig } from "vitest/config";

// Used when this example runs on its own (a fork); inside the SDK repository the root config runs
// these tests against the repository's shared kcp.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Conversion between API versions needs a real kcp: MESH_TEST_SERVER=kcp npm test runs it; the
    // default run is against the SDK's fake kcp (test/global-setup.ts), which does not convert.
    exclude: [
      ...configDefaults.exclude,
      ...(process.env.MESH_TEST_SERVER === "kcp" ? [] : ["test/evolving.test.ts"]),
    ],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
