import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ObjectRef } from "../runtime/item.js";
import type { KubeClient, KubeRequest } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import type { Condition } from "./conditions.js";
import { Controller } from "./controller.js";
import { TerminalError } from "./errors.js";

// The README: "`TerminalError` stops retrying until the object changes (`Ready=False` with its
// reason)". The provider enqueues an object when it changes; here the test does.

describe("TerminalError", () => {
  const key: ObjectRef = { workspace: "ws1", namespace: "default", name: "w" };
  let object: KubeObject;
  let calls: string[];
  let writes: KubeRequest[];
  let controller: Controller<KubeObject, { phase: string }>;

  const widget = (generation: number, size: number): KubeObject => ({
    apiVersion: "example.io/v1",
    kind: "Widget",
    metadata: {
      name: "w",
      namespace: "default",
      generation,
      resourceVersion: String(100 + generation),
      annotations: { "kcp.io/cluster": "ws1" },
    },
    spec: { size },
  });
  // Status goes out as a merge patch ({ status }) or a JSON patch (add /status or /status/conditions).
  const conditionsOf = (body: unknown): Condition[] | undefined => {
    if (!Array.isArray(body)) return (body as { status?: { conditions?: Condition[] } }).status?.conditions;
    const ops = body as { path: string; value?: unknown }[];
    const whole = ops.find((o) => o.path === "/status")?.value as { conditions?: Condition[] } | undefined;
    return (
      whole?.conditions ??
      (ops.find((o) => o.path === "/status/conditions")?.value as Condition[] | undefined)
    );
  };
  const readyWritten = () =>
    writes.map((w) => conditionsOf(w.body)).map((cs) => cs?.find((c) => c.type === "Ready"));

  beforeEach(() => {
    vi.useFakeTimers();
    object = widget(1, 7);
    calls = [];
    writes = [];
    const client = {
      request: async (req: KubeRequest) => {
        writes.push(req);
        // The write lands: the cache already shows this version, so nothing waits for it.
        return { ...object, metadata: { ...object.metadata } };
      },
      get: async () => object,
      forWorkspace: () => client,
    } as unknown as KubeClient;
    controller = new Controller<KubeObject, { phase: string }>({
      name: "widgets",
      resource: { group: "example.io", version: "v1", plural: "widgets", kind: "Widget", namespaced: true },
      lookup: () => ({ object, endpoint: "https://vw.example" }),
      clientFor: () => client,
      logger: pino({ level: "silent" }),
      handler: async (w) => {
        calls.push(`gen${w.metadata.generation}`);
        const size = (w.spec as { size: number }).size;
        if (size > 5) throw new TerminalError(`size ${size} is not offered`, "UnsupportedSize");
        return { status: { phase: "Ready" } };
      },
    });
    controller.start();
  });

  afterEach(async () => {
    await controller.shutdown(1_000);
    vi.useRealTimers();
  });

  it("reports Ready=False with its reason and does not retry, however long one waits", async () => {
    controller.enqueue(key);
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual(["gen1"]);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.path).toBe("/clusters/ws1/apis/example.io/v1/namespaces/default/widgets/w/status");
    expect(readyWritten()[0]).toMatchObject({
      status: "False",
      reason: "UnsupportedSize",
      message: "size 7 is not offered",
      observedGeneration: 1,
    });
    // A plain error would have been retried about 20 times in this span (5 ms doubling to 1000 s).
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(calls).toEqual(["gen1"]);
    expect(controller.queue.failures(key)).toBe(0);
  });

  it("runs again once the object changes, and reports success", async () => {
    controller.enqueue(key);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(["gen1"]);
    object = widget(2, 3);
    controller.enqueue(key); // what the provider does on a change of spec
    await vi.advanceTimersByTimeAsync(10);
    expect(calls).toEqual(["gen1", "gen2"]);
    expect(readyWritten().at(-1)).toMatchObject({ status: "True", observedGeneration: 2 });
    // The object had no status yet: the first write is a merge patch of the whole status.
    expect((writes.at(-1)!.body as { status: { phase?: string } }).status.phase).toBe("Ready");
  });
});
