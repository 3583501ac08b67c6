import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * What the `fake` project runs: the conformance suite, the examples' tests, and the runtime's tests
 * that are quick and need nothing but the API. Every other integration test but the harness's own
 * (real processes, shards, restarts) passes against the fake too:
 * `MESH_TEST_SERVER=fake npm run test:integration -- <files>`.
 */
const FAKE_TESTS = [
  "test/conformance/**/*.test.ts",
  "examples/*/test/**/*.test.ts",
  "test/virtual-workspace.test.ts",
  "test/controller.test.ts",
  "test/status-writer.test.ts",
  "test/runtime/watch.test.ts",
  "test/runtime/claimed.test.ts",
  "test/provider/provider.test.ts",
  "test/provider/triggers.test.ts",
];

/** Examples' tests that need what only a real kcp does (see the README's "Tests without kcp"). */
const KCP_ONLY_EXAMPLE_TESTS = ["examples/httpbin/test/evolving.test.ts"];

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  // Tests run against the TypeScript sources of the workspace packages, never a stale dist/.
  resolve: {
    alias: [
      { find: /^@kcp-mesh\/sdk$/, replacement: src("./packages/sdk/src/index.ts") },
      { find: /^@kcp-mesh\/sdk\/(.+)$/, replacement: src("./packages/sdk/src/$1/index.ts") },
      { find: /^@kcp-mesh\/codegen$/, replacement: src("./packages/codegen/src/index.ts") },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "examples/*/src/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
          // One kcp serves the whole run; files share it through the harness state it writes.
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The same protocol tests, and the runtime's and examples' tests that need nothing but the
          // API, against the in-process fake kcp (startFakeKcp): seconds, no kcp binary.
          name: "fake",
          include: FAKE_TESTS,
          // Conversion between API versions (webhooks) is kcp's alone: not in the fake.
          exclude: [...configDefaults.exclude, ...KCP_ONLY_EXAMPLE_TESTS],
          globalSetup: ["test/global-setup-fake.ts"],
          env: { MESH_TEST_SERVER: "fake" },
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
