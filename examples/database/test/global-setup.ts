import { kcpGlobalSetup, type ProvidedKcp } from "@kcp-mesh/sdk/testing";

// One real kcp for this example's tests (built or reused by the SDK harness; KCP_BIN to point at one).
export const { setup, teardown } = kcpGlobalSetup();

declare module "vitest" {
  export interface ProvidedContext {
    kcp: ProvidedKcp;
  }
}
