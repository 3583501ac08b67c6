import { describe, expect, it } from "vitest";
import type { Lease } from "./leases.js";
import { Observations } from "./observations.js";
import { LeaseNames } from "./peers.js";

const lease = (name: string, version: string, holder: string, seconds = 10): Lease => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name, resourceVersion: version },
  spec: { holderIdentity: holder, leaseDurationSeconds: seconds },
});

describe("Lease expiry as observed", () => {
  it("counts a Lease seen for the first time as just renewed, whatever its renewTime says", () => {
    const seen = new Observations();
    const l = {
      ...lease("a", "1", "r1"),
      spec: { holderIdentity: "r1", leaseDurationSeconds: 10, renewTime: "2001-01-01T00:00:00.000000Z" },
    };
    seen.observe([l], 1_000);
    expect(seen.held(l, 10_999)).toBe(true);
    expect(seen.held(l, 11_000)).toBe(false);
  });

  it("restarts the clock only when the Lease changed", () => {
    const seen = new Observations();
    seen.observe([lease("a", "1", "r1")], 0);
    seen.observe([lease("a", "1", "r1")], 8_000);
    expect(seen.held(lease("a", "1", "r1"), 10_500)).toBe(false);
    seen.observe([lease("a", "2", "r1")], 10_500);
    expect(seen.held(lease("a", "2", "r1"), 20_000)).toBe(true);
  });

  it("treats a released Lease (empty holder) as free at once", () => {
    const seen = new Observations();
    seen.observe([lease("a", "3", "")], 0);
    expect(seen.held(lease("a", "3", ""), 1)).toBe(false);
  });
});

describe("Lease names", () => {
  it("turns any identity into a DNS-1123 name, keeping identities that clean up alike apart", () => {
    const names = new LeaseNames("widgets.example.io");
    const a = names.peer("Node_1:4242");
    const b = names.peer("node-1-4242");
    for (const n of [a, b, names.bucket(7)]) expect(n).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    expect(a).not.toBe(b);
    expect(names.bucket(7)).toBe("widgets.example.io-bucket-7");
  });

  it("keeps the group label within 63 characters", () => {
    expect(new LeaseNames("x".repeat(200)).group.length).toBeLessThanOrEqual(63);
  });
});
