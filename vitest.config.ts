import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

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
    ],
  },
});
