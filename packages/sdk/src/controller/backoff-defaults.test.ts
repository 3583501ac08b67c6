import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ObjectRef } from "../runtime/item.js";
import type { KubeClient, KubeRequest } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { Controller } from "./controller.js";
import { WorkQueue } from "./work-queue.js";

// The README: "retries with per-object exponential backoff (5 ms doubling to 1000 s, reset on
// success)". Checked with the defaults, i.e. without any `backoff` option.

const MAX_MS = 1_000_000;
/** 5 ms doubling: 5, 10, 20, ... until 1000 s caps it. */
const expectedDelays = (n: number) => Array.from({ length: n }, (_, i) => Math.min(MAX_MS, 5 * 2 ** i));

describe("default retry backoff of the work queue", () => {
  it("starts at 5 ms, doubles, and stops growing at 1000 s", () => {
    const q = new WorkQueue<string>({ id: (k) => k, workspace: () => "ws" });
    const delays = Array.from({ length: 24 }, () => q.addRateLimited("x"));
    expect(delays).toEqual(expectedDelays(24));
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(delays.at(-1)).toBe(MAX_MS);
    expect(delays.filter((d) => d === MAX_MS).length).toBeGreaterThan(3); // capped, not overflowing
    q.shutDown();
  });

  it("is reset by forget (what a successful reconcile calls), and is kept per key", () => {
    const q = new WorkQueue<string>({ id: (k) => k, workspace: () => "ws" });
    for (let i = 0; i < 6; i++) q.addRateLimited("x");
    expect(q.addRateLimited("y")).toBe(5);
    expect(q.failures("x")).toBe(6);
    q.forget("x");
    expect(q.failures("x")).toBe(0);
    expect(q.addRateLimited("x")).toBe(5);
    q.shutDown();
  });
});

describe("default retry backoff of a controller", () => {
  const key: ObjectRef = { workspace: "ws1", namespace: "default", name: "w" };
  let object: KubeObject;
  let outcomes: ("fail" | "ok")[];
  let calls: number[];
  let logs: { msg: string; retryInMs?: number }[];
  let controller: Controller<KubeObject, unknown>;

  beforeEach(() => {
    vi.useFakeTimers();
    object = {
      apiVersion: "example.io/v1",
      kind: "Widget",
      metadata: { name: "w", namespace: "default", generation: 1, resourceVersion: "10" },
    };
    calls = [];
    logs = [];
    outcomes = [];
    // Nothing is written (readyCondition off, no status): the client must not be called at all.
    const client = {
      request: async (req: KubeRequest) => {
        throw new Error(`unexpected request ${req.method ?? "GET"} ${req.path}`);
      },
      forWorkspace: () => client,
    } as unknown as KubeClient;
    controller = new Controller<KubeObject, unknown>({
      name: "widgets",
      resource: { group: "example.io", version: "v1", plural: "widgets", kind: "Widget", namespaced: true },
      lookup: () => ({ object, endpoint: "https://vw.example" }),
      clientFor: () => client,
      readyCondition: false,
      logger: pino(
        { level: "info" },
        { write: (line: string) => void logs.push(JSON.parse(line) as { msg: string; retryInMs?: number }) },
      ),
      handler: async () => {
        calls.push(Date.now());
        if ((outcomes.shift() ?? "ok") === "fail") throw new Error("backend unavailable");
        return {};
      },
    });
    controller.start();
  });

  afterEach(async () => {
    await controller.shutdown(1_000);
    vi.useRealTimers();
  });

  const retryDelays = () =>
    logs.filter((l) => l.msg === "reconcile failed; retrying with backoff").map((l) => l.retryInMs);
  const gaps = () => calls.slice(1).map((t, i) => t - calls[i]!);

  it("retries a failing object after 5, 10, 20, 40 ms, and starts at 5 ms again after a success", async () => {
    outcomes = ["fail", "fail", "fail", "fail", "ok"];
    controller.enqueue(key);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(5);
    expect(gaps()).toEqual([5, 10, 20, 40]); // the retries ran when the backoff said, not earlier
    expect(retryDelays()).toEqual([5, 10, 20, 40]);

    // The object changes and fails again: the backoff starts over.
    outcomes = ["fail", "fail", "ok"];
    const before = calls.length;
    controller.enqueue(key);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.length - before).toBe(3);
    expect(retryDelays()).toEqual([5, 10, 20, 40, 5, 10]);
    expect(gaps().slice(-2)).toEqual([5, 10]);
  });

  it("keeps doubling while the object keeps failing, up to 1000 s between attempts", async () => {
    outcomes = Array.from({ length: 40 }, () => "fail" as const);
    controller.enqueue(key);
    // 5 ms * (2^18 - 1) is about 1311 s until the cap; then three more attempts 1000 s apart.
    await vi.advanceTimersByTimeAsync(5 * (2 ** 18 - 1) + 3 * MAX_MS + 10);
    expect(retryDelays()).toEqual(expectedDelays(22));
    expect(gaps()).toEqual(expectedDelays(21));
  });
});
