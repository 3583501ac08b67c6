import { kcpGlobalSetup, type ProvidedKcp, startFakeKcp } from "@kcp-mesh/sdk/testing";

// This example's tests run against the SDK's in-process fake kcp (no Go, no kcp binary, starts in
// milliseconds); MESH_TEST_SERVER=kcp runs them against a real kcp (built or reused by the SDK
// harness; KCP_BIN to point at one). The SDK's conformance suite holds the fake to real kcp.
export const { setup, teardown } = kcpGlobalSetup(
  process.env.MESH_TEST_SERVER === "kcp" ? {} : { start: () => startFakeKcp() },
);

declare module "vitest" {
  export interface ProvidedContext {
    kcp: ProvidedKcp;
  }
}
