import { defineConfig } from "vitest/config";

// The first hour of a provider team, from npm pack tarballs (`npm run test:first-hour`; CI runs it
// with PACK_DIR set by scripts/pack.sh, which the example forks reuse). Not part of `npm test`.
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
