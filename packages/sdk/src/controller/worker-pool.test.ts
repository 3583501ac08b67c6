import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { WorkQueue } from "./work-queue.js";
import { WorkerPool } from "./worker-pool.js";

const log = pino({ level: "silent" });
const queue = () => new WorkQueue<string>({ id: (k) => k, workspace: (k) => k.split("/")[0]! });

describe("WorkerPool", () => {
  it("runs every key once per add, at most `n` at a time, and drains cleanly when idle", async () => {
    const q = queue();
    let running = 0;
    let peak = 0;
    const done: string[] = [];
    const pool = new WorkerPool({
      queue: q,
      id: (k) => k,
      run: async (k) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        done.push(k);
      },
      log,
    });
    pool.start(2);
    for (const k of ["a/1", "a/2", "b/1", "b/2", "c/1"]) q.add(k);
    await new Promise((r) => setTimeout(r, 100));
    expect(done.sort()).toEqual(["a/1", "a/2", "b/1", "b/2", "c/1"]);
    expect(peak).toBe(2);
    expect(await pool.drain(1_000, 1_000)).toEqual([]);
  });

  it("aborts runs still going after the timeout, and reports those that ignore the abort", async () => {
    const q = queue();
    const aborted: string[] = [];
    const pool = new WorkerPool({
      queue: q,
      id: (k) => k,
      run: (k, signal) =>
        new Promise<void>((resolve) => {
          // "ws/polite" stops when aborted; "ws/stubborn" never settles.
          signal.addEventListener("abort", () => {
            aborted.push(k);
            if (k.endsWith("polite")) resolve();
          });
        }),
      log,
    });
    pool.start(2);
    q.add("ws/polite");
    q.add("ws/stubborn");
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.size).toBe(2);
    const started = Date.now();
    const stuck = await pool.drain(50, 50);
    expect(stuck).toEqual(["ws/stubborn"]);
    expect(aborted.sort()).toEqual(["ws/polite", "ws/stubborn"]);
    // Drain returns after timeout + grace, not when the stubborn run ends (never).
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
