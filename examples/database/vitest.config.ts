import { defineConfig } from "vitest/config";

// Used when this example runs on its own (a fork); inside the SDK repository the root config runs
// these tests against the repository's shared kcp.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
