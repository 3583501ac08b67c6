import { describe, expect, it } from "vitest";
import { bucketOf, ownerOf } from "./rendezvous.js";

const keys = Array.from({ length: 2000 }, (_, i) => `bucket-${i}`);
const assign = (peers: string[]) => new Map(keys.map((k) => [k, ownerOf(k, peers)]));

describe("rendezvous hashing", () => {
  it("gives every peer a fair share", () => {
    const peers = ["a", "b", "c"];
    const counts = new Map<string, number>();
    for (const owner of assign(peers).values()) counts.set(owner!, (counts.get(owner!) ?? 0) + 1);
    for (const p of peers) {
      expect(counts.get(p)).toBeGreaterThan(2000 / 3 - 120);
      expect(counts.get(p)).toBeLessThan(2000 / 3 + 120);
    }
  });

  it("does not depend on the order the peers are listed in", () => {
    expect(assign(["a", "b", "c"])).toEqual(assign(["c", "a", "b"]));
  });

  it("moves only the keys the new peer wins when one joins (about 1/n)", () => {
    const before = assign(["a", "b", "c"]);
    const after = assign(["a", "b", "c", "d"]);
    let moved = 0;
    for (const k of keys) {
      if (before.get(k) !== after.get(k)) {
        moved++;
        expect(after.get(k)).toBe("d");
      }
    }
    expect(moved).toBeGreaterThan(2000 / 4 - 120);
    expect(moved).toBeLessThan(2000 / 4 + 120);
  });

  it("moves only the leaving peer's keys when one leaves", () => {
    const before = assign(["a", "b", "c"]);
    const after = assign(["a", "c"]);
    for (const k of keys) {
      if (before.get(k) !== "b") expect(after.get(k)).toBe(before.get(k));
      else expect(["a", "c"]).toContain(after.get(k));
    }
  });

  it("has no owner without peers", () => {
    expect(ownerOf("x", [])).toBeUndefined();
  });

  it("puts a workspace in the same bucket every time, spread over all buckets", () => {
    expect(bucketOf("2x7k1cfl0ghm4hrs", 32)).toBe(bucketOf("2x7k1cfl0ghm4hrs", 32));
    const seen = new Set(Array.from({ length: 1000 }, (_, i) => bucketOf(`ws-${i}`, 32)));
    expect(seen.size).toBe(32);
  });
});
