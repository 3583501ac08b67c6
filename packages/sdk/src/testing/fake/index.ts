export { type FakeKcpInstance, type StartFakeKcpOptions, startFakeKcp } from "./fake-kcp.js";
export type { FailNextOptions, FakeKcpFaults } from "./faults.js";
