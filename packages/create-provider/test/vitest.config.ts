import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The first hour of a provider team, from npm pack tarballs (`npm run test:first-hour`; CI runs it
// with PACK_DIR set by scripts/pack.sh, which the example forks reuse). Not part of `npm test`.
export default defineConfig({
  // The test itself reads kcp through the SDK's sources, as the repository's own tests do.
  resolve: {
    alias: [
      { find: /^@kcp-mesh\/sdk$/, replacement: src("../../sdk/src/index.ts") },
      { find: /^@kcp-mesh\/sdk\/(.+)$/, replacement: src("../../sdk/src/$1/index.ts") },
    ],
  },
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
