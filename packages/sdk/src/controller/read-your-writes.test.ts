import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { rvAtLeast, WriteTracker } from "./read-your-writes.js";

describe("WriteTracker", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const at = (rv: string) => ({ object: { metadata: { resourceVersion: rv } } });

  it("returns at once when nothing was written or the cache is already there", async () => {
    const t = new WriteTracker();
    expect(
      await t.fresh(
        "k",
        () => at("5"),
        1_000,
        () => undefined,
      ),
    ).toEqual(at("5"));
    t.wrote("k", "7");
    expect(
      await t.fresh(
        "k",
        () => at("8"),
        1_000,
        () => undefined,
      ),
    ).toEqual(at("8"));
  });

  it("waits until the cache shows the last write, woken by observed()", async () => {
    const t = new WriteTracker();
    let cached = at("6");
    t.wrote("k", "7");
    let done = false;
    const p = t
      .fresh(
        "k",
        () => cached,
        5_000,
        () => undefined,
      )
      .then((e) => {
        done = true;
        return e;
      });
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(false);
    cached = at("7");
    t.observed("k");
    expect(await p).toEqual(at("7"));
  });

  it("gives up after the timeout with what the cache has, and says which version it waited for", async () => {
    const t = new WriteTracker();
    t.wrote("k", "9");
    const timedOut: string[] = [];
    const p = t.fresh(
      "k",
      () => at("8"),
      1_000,
      (want) => timedOut.push(want),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await p).toEqual(at("8"));
    expect(timedOut).toEqual(["9"]);
  });

  it("a deleted object does not wait; forgetPrefix drops a workspace's keys", async () => {
    const t = new WriteTracker();
    t.wrote("ws1/ns/a", "9");
    expect(
      await t.fresh(
        "ws1/ns/a",
        () => undefined,
        1_000,
        () => undefined,
      ),
    ).toBeUndefined();
    t.forgetPrefix("ws1/");
    expect(
      await t.fresh(
        "ws1/ns/a",
        () => at("1"),
        1_000,
        () => undefined,
      ),
    ).toEqual(at("1"));
  });

  it("compares etcd revisions numerically", () => {
    expect(rvAtLeast("10", "9")).toBe(true);
    expect(rvAtLeast("9", "10")).toBe(false);
    expect(rvAtLeast(undefined, "1")).toBe(false);
    expect(rvAtLeast("abc", "abc")).toBe(true);
  });
});
