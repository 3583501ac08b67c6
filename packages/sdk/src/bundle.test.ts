import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";
import { afterAll, expect, test } from "vitest";
import { PROVIDER_BUNDLE } from "./bundle-recipe.js";

// The README tells providers they may bundle themselves into one file for their container (start-up
// is then a fraction of Node's module loading): this holds the SDK to it. The runtime imports a few
// rxjs and prom-client files by path, which only works bundled if those imports are static.
const dir = mkdtempSync(join(tmpdir(), "sdk-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sdk = fileURLToPath(new URL("./index.ts", import.meta.url));

/** Bundles `body` (with the SDK's names in scope) as the README says, and runs it where no node_modules are. */
async function bundleAndRun(
  name: string,
  user: string,
  body: string[],
): Promise<{ stdout: string; metafile: Metafile }> {
  const entry = join(dir, `${name}.ts`);
  const outfile = join(dir, `${name}.mjs`);
  writeFileSync(
    entry,
    [
      `import { createProvider, KubeClient } from ${JSON.stringify(sdk)};`,
      "const yaml = [",
      "  'apiVersion: v1', 'kind: Config', 'current-context: c',",
      "  'clusters: [{name: k, cluster: {server: \"https://127.0.0.1:1\"}}]',",
      `  ${JSON.stringify(`users: [{name: u, user: ${user}}]`)},`,
      "  'contexts: [{name: c, context: {cluster: k, user: u}}]',",
      "].join('\\n');",
      ...body,
    ].join("\n"),
  );
  const result = await build({
    entryPoints: [entry],
    ...PROVIDER_BUNDLE,
    outfile,
    logLevel: "silent",
    metafile: true,
  });
  const { stdout } = await promisify(execFile)(process.execPath, [outfile], { cwd: dir, timeout: 30_000 });
  return { stdout, metafile: result.metafile };
}

test("the SDK bundled by esbuild into one ESM file creates a provider and renders its metrics", async () => {
  const { stdout, metafile } = await bundleAndRun("provider", "{token: t}", [
    'const provider = createProvider({ kubeconfig: { yaml }, export: "widgets.example.io", handleSignals: false });',
    "process.stdout.write(await provider.metrics.registry.metrics());",
  ]);
  const inputs = Object.keys(metafile.inputs);
  // Bundled, not left for Node to resolve at run time from a directory that has no node_modules.
  expect(inputs.some((i) => i.includes("prom-client/lib/counter.js"))).toBe(true);
  expect(inputs.some((i) => i.includes("rxjs/dist/cjs/internal/Observable.js"))).toBe(true);
  expect(stdout).toContain("# TYPE controller_runtime_reconcile_total counter");
  expect(stdout).toContain("# TYPE kcp_mesh_engaged_workspaces gauge");
}, 60_000);

test("a bundled provider with an exec kubeconfig and no client-node says what to install", async () => {
  const { stdout } = await bundleAndRun(
    "exec",
    "{exec: {apiVersion: client.authentication.k8s.io/v1, command: echo}}",
    [
      "try {",
      "  await KubeClient.fromKubeConfig({ yaml }).request({ path: '/api' });",
      "} catch (err) {",
      "  process.stdout.write(String(err.message));",
      "}",
    ],
  );
  expect(stdout).toContain("this kubeconfig needs @kubernetes/client-node");
  expect(stdout).toContain("install it next to the provider");
}, 60_000);
