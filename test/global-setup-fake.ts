import { kcpGlobalSetup, startFakeKcp } from "@kcp-mesh/sdk/testing";

/**
 * The `fake` project's server: the in-process fake kcp, started in milliseconds and provided to
 * the test files exactly as `global-setup.ts` provides the real one.
 */
export const { setup, teardown } = kcpGlobalSetup({ start: () => startFakeKcp() });
