import { type KcpInstance, startKcp } from "@kcp-mesh/sdk/testing";
import type { TestProject } from "vitest/node";

/**
 * One kcp for the whole integration run: starting kcp takes ~15 s, so test files share it and
 * isolate themselves by workspace instead (each file uses its own workspace names).
 */
let kcp: KcpInstance | undefined;

export async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  kcp = await startKcp();
  process.stderr.write(
    `[test] kcp ready at ${kcp.baseUrl} in ${Date.now() - started} ms (log: ${kcp.logFile})\n`,
  );
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

declare module "vitest" {
  export interface ProvidedContext {
    kcp: { baseUrl: string; kubeconfigPath: string; rootDir: string; port: number; pid: number };
  }
}
