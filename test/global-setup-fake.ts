import { type FakeKcpInstance, startFakeKcp } from "@kcp-mesh/sdk/testing";
import type { TestProject } from "vitest/node";

/**
 * The `fake` project's server: the in-process fake kcp, started in milliseconds, provided to the
 * test files exactly as `global-setup.ts` provides the real one.
 */
let kcp: FakeKcpInstance | undefined;

export async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  kcp = await startFakeKcp();
  process.stderr.write(`[test] fake kcp ready at ${kcp.baseUrl} in ${Date.now() - started} ms\n`);
  project.provide("kcp", {
    baseUrl: kcp.baseUrl,
    kubeconfigPath: kcp.kubeconfigPath,
    rootDir: kcp.rootDir,
    port: kcp.port,
    pid: kcp.pid,
  });
}

export async function teardown(): Promise<void> {
  await kcp?.stop();
}
