import { kcpGlobalSetup, type ProvidedKcp, startFakeKcp } from "@kcp-mesh/sdk/testing";

/**
 * One kcp for the whole integration run: test files share it and isolate themselves by workspace
 * (each file uses its own workspace names). MESH_TEST_SERVER=fake runs the same files against the
 * in-process fake kcp instead (`startFakeKcp`).
 */
export const { setup, teardown } = kcpGlobalSetup(
  process.env.MESH_TEST_SERVER === "fake" ? { start: () => startFakeKcp() } : {},
);

declare module "vitest" {
  export interface ProvidedContext {
    kcp: ProvidedKcp;
  }
}
