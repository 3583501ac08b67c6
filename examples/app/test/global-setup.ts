import { type KcpInstance, startKcp } from "@kcp-mesh/sdk/testing";
import type { TestProject } from "vitest/node";

// One real kcp for this example's tests (built or reused by the SDK harness; KCP_BIN to point at one).
let kcp: KcpInstance | undefined;

export async function setup(project: TestProject): Promise<void> {
  kcp = await startKcp();
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
