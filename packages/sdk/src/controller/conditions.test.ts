import { describe, expect, it } from "vitest";
import { type Condition, isConditionTrue, setCondition } from "./conditions.js";
import { addFinalizerPatch, removeFinalizerPatch } from "./finalizers.js";

const t0 = () => new Date("2026-01-01T00:00:00.123Z");
const t1 = () => new Date("2026-01-02T00:00:00.000Z");

describe("setCondition", () => {
  it("adds a condition with observedGeneration and a transition time without milliseconds", () => {
    expect(setCondition(undefined, { type: "Ready", status: "True" }, 3, t0)).toEqual([
      {
        type: "Ready",
        status: "True",
        reason: "Ready",
        message: "",
        observedGeneration: 3,
        lastTransitionTime: "2026-01-01T00:00:00Z",
      },
    ]);
  });

  it("keeps lastTransitionTime when the status does not change, and moves it when it does", () => {
    const first = setCondition(undefined, { type: "Ready", status: "False", message: "waiting" }, 1, t0);
    const same = setCondition(first, { type: "Ready", status: "False", message: "still waiting" }, 2, t1);
    expect(same[0]).toMatchObject({
      lastTransitionTime: "2026-01-01T00:00:00Z",
      observedGeneration: 2,
      reason: "NotReady",
    });
    const flipped = setCondition(same, { type: "Ready", status: "True" }, 2, t1);
    expect(flipped[0]!.lastTransitionTime).toBe("2026-01-02T00:00:00Z");
  });

  it("leaves other conditions and the input list alone", () => {
    const input: Condition[] = setCondition(undefined, { type: "Synced", status: "True" }, 1, t0);
    const out = setCondition(input, { type: "Ready", status: "True" }, 1, t0);
    expect(out.map((c) => c.type)).toEqual(["Synced", "Ready"]);
    expect(input).toHaveLength(1);
    expect(isConditionTrue(out, "Ready", 1)).toBe(true);
    expect(isConditionTrue(out, "Ready", 2)).toBe(false);
  });
});

describe("finalizer patches", () => {
  it("guards adding to an absent list with the resourceVersion", () => {
    expect(addFinalizerPatch({ resourceVersion: "7" }, "x.io/cleanup")).toEqual([
      { op: "test", path: "/metadata/resourceVersion", value: "7" },
      { op: "add", path: "/metadata/finalizers", value: ["x.io/cleanup"] },
    ]);
  });

  it("appends to an existing list after testing it", () => {
    expect(addFinalizerPatch({ finalizers: ["other"] }, "x.io/cleanup")).toEqual([
      { op: "test", path: "/metadata/finalizers", value: ["other"] },
      { op: "add", path: "/metadata/finalizers/-", value: "x.io/cleanup" },
    ]);
    expect(addFinalizerPatch({ finalizers: ["x.io/cleanup"] }, "x.io/cleanup")).toBeUndefined();
  });

  it("removes only its own entry, by index, after testing the list", () => {
    expect(removeFinalizerPatch({ finalizers: ["a", "x.io/cleanup", "b"] }, "x.io/cleanup")).toEqual([
      { op: "test", path: "/metadata/finalizers", value: ["a", "x.io/cleanup", "b"] },
      { op: "remove", path: "/metadata/finalizers/1" },
    ]);
    expect(removeFinalizerPatch({ finalizers: ["a"] }, "x.io/cleanup")).toBeUndefined();
  });
});
