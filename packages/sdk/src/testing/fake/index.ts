export type { FailNextOptions, FakeKcpFaults } from "./faults.js";
export { type FakeKcpInstance, type StartFakeKcpOptions, startFakeKcp } from "./fake-kcp.js";
