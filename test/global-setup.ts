import { kcpGlobalSetup, type ProvidedKcp } from "@kcp-mesh/sdk/testing";

/**
 * One kcp for the whole integration run: test files share it and isolate themselves by workspace
 * (each file uses its own workspace names).
 */
export const { setup, teardown } = kcpGlobalSetup();

declare module "vitest" {
  export interface ProvidedContext {
    kcp: ProvidedKcp;
  }
}
