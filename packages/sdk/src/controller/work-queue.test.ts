import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WorkQueue } from "./work-queue.js";

interface Key {
  ws: string;
  name: string;
}

const newQueue = (observer = {}) =>
  new WorkQueue<Key>({
    id: (k) => `${k.ws}/${k.name}`,
    workspace: (k) => k.ws,
    backoff: { baseMs: 10, maxMs: 1000 },
    observer,
  });

const k = (ws: string, name: string): Key => ({ ws, name });

/** Drains the ready keys without blocking. */
async function drain(q: WorkQueue<Key>): Promise<string[]> {
  const out: string[] = [];
  while (q.depth > 0) {
    const key = await q.get();
    out.push(`${key!.ws}/${key!.name}`);
    q.done(key!);
  }
  return out;
}

describe("WorkQueue", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("an idle worker gets a burst's key once, and the burst is shared round-robin", async () => {
    const q = newQueue();
    const first = q.get();
    const second = q.get();
    // One synchronous burst, as a watch chunk or a list's init-done delivers it.
    q.add(k("a", "x"));
    q.add(k("a", "y"));
    q.add(k("a", "x"));
    q.add(k("b", "z"));
    const [one, two] = [await first, await second];
    expect([one, two].map((key) => `${key!.ws}/${key!.name}`)).toEqual(["a/x", "b/z"]);
    q.done(one!);
    q.done(two!);
    // a/x was not marked to run again: only a/y is left.
    expect(await drain(q)).toEqual(["a/y"]);
  });

  it("collapses a burst of adds of one key into one item", async () => {
    const q = newQueue();
    for (let i = 0; i < 100; i++) q.add(k("a", "x"));
    expect(q.depth).toBe(1);
    expect(await drain(q)).toEqual(["a/x"]);
  });

  it("never hands out a key twice at once; adds during processing cause exactly one more run", async () => {
    const q = newQueue();
    q.add(k("a", "x"));
    const first = await q.get();
    q.add(k("a", "x"));
    q.add(k("a", "x"));
    q.add(k("a", "x"));
    expect(q.depth).toBe(0); // held back while processing
    q.done(first!);
    expect(q.depth).toBe(1);
    const second = await q.get();
    expect(second).toEqual(k("a", "x"));
    q.done(second!);
    expect(q.depth).toBe(0);
  });

  it("hands a newly added key straight to a waiting worker", async () => {
    const q = newQueue();
    const waiting = q.get();
    q.add(k("a", "x"));
    expect(await waiting).toEqual(k("a", "x"));
    expect(q.processing).toBe(1);
  });

  it("delays keep the earliest time", async () => {
    const q = newQueue();
    q.addAfter(k("a", "x"), 1000);
    q.addAfter(k("a", "x"), 100);
    q.addAfter(k("a", "x"), 5000);
    await vi.advanceTimersByTimeAsync(99);
    expect(q.depth).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(q.depth).toBe(1);
    await drain(q);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(q.depth).toBe(0); // the later timers were replaced, not kept
  });

  it("an immediate add supersedes a pending delay", async () => {
    const q = newQueue();
    q.addAfter(k("a", "x"), 1000);
    q.add(k("a", "x"));
    expect(await drain(q)).toEqual(["a/x"]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(q.depth).toBe(0);
  });

  it("backs off exponentially per key, capped, and resets on forget", () => {
    const q = newQueue();
    const x = k("a", "x");
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => q.addRateLimited(x))).toEqual([
      10, 20, 40, 80, 160, 320, 640, 1000,
    ]);
    expect(q.addRateLimited(k("a", "y"))).toBe(10); // per key
    q.forget(x);
    expect(q.failures(x)).toBe(0);
    expect(q.addRateLimited(x)).toBe(10);
  });

  it("takes workspaces in turn so a busy workspace cannot starve a quiet one", async () => {
    const q = newQueue();
    for (let i = 0; i < 10_000; i++) q.add(k("busy", `o${i}`));
    q.add(k("quiet", "only"));
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const key = (await q.get())!;
      order.push(key.ws);
      q.done(key);
    }
    expect(order).toEqual(["busy", "quiet", "busy"]);
  });

  it("drops everything of a disengaged workspace, including delayed and in-flight keys", async () => {
    const q = newQueue();
    q.add(k("gone", "a"));
    q.add(k("gone", "b"));
    q.addAfter(k("gone", "c"), 100);
    q.add(k("stays", "z"));
    const first = (await q.get())!;
    expect(first.ws).toBe("gone");
    q.add(first); // dirty while processing
    q.dropWorkspace("gone");
    q.done(first); // must not come back
    await vi.advanceTimersByTimeAsync(200);
    expect(await drain(q)).toEqual(["stays/z"]);
  });

  it("shutDown releases waiting workers and ignores further adds", async () => {
    const q = newQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    q.add(k("a", "x"));
    expect(q.depth).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  it("reports depth and wait time to its observer", async () => {
    const depths: number[] = [];
    const waits: number[] = [];
    const q = newQueue({
      onDepth: (d: number) => depths.push(d),
      onGet: (_ws: string, ms: number) => waits.push(ms),
    });
    q.add(k("a", "x"));
    q.add(k("a", "y"));
    await vi.advanceTimersByTimeAsync(50);
    const key = (await q.get())!;
    q.done(key);
    expect(depths).toEqual([1, 2, 1]);
    expect(waits).toEqual([50]);
  });
});
