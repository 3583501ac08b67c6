import { from, lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../util/objects.js";
import type { ObjectEvent, WatchEvent } from "./events.js";
import { decodeItem } from "./item.js";
import { labelMatcher } from "./label-selector.js";
import {
  changedOnly,
  generationChanged,
  inWorkspace,
  matchingLabels,
  objectEvents,
  validOnly,
} from "./operators.js";
import type { WatchTarget } from "./target.js";

const target: WatchTarget = { group: "example.io", version: "v1", plural: "widgets", namespaced: true };

function ev(
  type: ObjectEvent["type"],
  ws: string,
  gen: number,
  rv: string,
  labels: Record<string, string> = {},
  old?: ObjectEvent,
) {
  const raw: KubeObject = {
    metadata: {
      name: "w",
      namespace: "default",
      generation: gen,
      resourceVersion: rv,
      labels,
      annotations: { "kcp.io/cluster": ws },
    },
  };
  const e: ObjectEvent = { ...decodeItem(target, raw, "ep"), type, initial: false, ...(old && { old }) };
  return e;
}

const run = <T>(events: WatchEvent[], op: (s: ReturnType<typeof from<WatchEvent[]>>) => T) =>
  op(from(events));

describe("operators", () => {
  it("generationChanged drops status-only updates", async () => {
    const a = ev("added", "ws1", 1, "1");
    const statusOnly = ev("modified", "ws1", 1, "2", {}, a);
    const specChange = ev("modified", "ws1", 2, "3", {}, statusOnly);
    const out = await lastValueFrom(
      run([a, statusOnly, specChange], (s) => s.pipe(generationChanged(), toArray())),
    );
    expect(out.map((e) => ("resourceVersion" in e ? e.resourceVersion : e.type))).toEqual(["1", "3"]);
  });

  it("filters by workspace and labels, letting control events through", async () => {
    const events: WatchEvent[] = [
      { type: "init-start", endpoint: "ep" },
      ev("added", "ws1", 1, "1", { app: "web", tier: "front" }),
      ev("added", "ws2", 1, "2", { app: "web" }),
      ev("added", "ws1", 1, "3", { app: "db" }),
      { type: "init-done", endpoint: "ep" },
    ];
    const out = await lastValueFrom(
      run(events, (s) => s.pipe(inWorkspace("ws1"), matchingLabels("app in (web,api),tier"), toArray())),
    );
    expect(out.map((e) => ("resourceVersion" in e ? e.resourceVersion : e.type))).toEqual([
      "init-start",
      "1",
      "init-done",
    ]);
    const objs = await lastValueFrom(run(events, (s) => s.pipe(objectEvents(), toArray())));
    expect(objs).toHaveLength(3);
  });

  it("changedOnly drops relist repeats (same resourceVersion) and keeps every real change", async () => {
    const a = ev("added", "ws1", 1, "1");
    const repeat = ev("modified", "ws1", 1, "1", {}, a); // a relist saw the same version again
    const statusOnly = ev("modified", "ws1", 1, "2", {}, repeat); // a real change, generation unchanged
    const specChange = ev("modified", "ws1", 2, "3", {}, statusOnly);
    const noOld = ev("modified", "ws1", 2, "3"); // without the old version nothing can be compared
    const deleted = ev("deleted", "ws1", 2, "3", {}, specChange);
    const out = await lastValueFrom(
      run([a, repeat, statusOnly, specChange, noOld, { type: "init-done", endpoint: "ep" }, deleted], (s) =>
        s.pipe(changedOnly(), toArray()),
      ),
    );
    expect(out.map((e) => ("resourceVersion" in e ? `${e.type}@${e.resourceVersion}` : e.type))).toEqual([
      "added@1",
      "modified@2",
      "modified@3",
      "modified@3",
      "init-done",
      "deleted@3",
    ]);
  });

  it("validOnly keeps the object events of valid objects only, dropping control events", async () => {
    const validated: WatchTarget<KubeObject> = {
      ...target,
      validate: (o) =>
        o.metadata.labels?.bad === undefined
          ? { ok: true, value: o }
          : { ok: false, issues: [{ path: "metadata.labels.bad", message: "not allowed" }] },
    };
    const item = (rv: string, labels: Record<string, string>): ObjectEvent<KubeObject> => ({
      ...decodeItem(
        validated,
        { metadata: { name: `o${rv}`, namespace: "default", resourceVersion: rv, labels } },
        "ep",
      ),
      type: "added",
      initial: false,
    });
    const good = item("1", {});
    const bad = item("2", { bad: "yes" });
    expect([good.valid, bad.valid]).toEqual([true, false]);
    const events: WatchEvent<KubeObject>[] = [
      { type: "init-start", endpoint: "ep" },
      good,
      bad,
      { ...item("3", {}), type: "deleted" },
      { type: "init-done", endpoint: "ep" },
      { type: "engaged", workspace: "ws1", endpoint: "ep" },
    ];
    const out = await lastValueFrom(from(events).pipe(validOnly(), toArray()));
    expect(out.map((e) => `${e.type}@${e.resourceVersion}`)).toEqual(["added@1", "deleted@3"]);
    expect(out.every((e) => e.valid)).toBe(true);
  });

  it("parses label selectors", () => {
    const m = labelMatcher("a=1,b!=2,c in (x, y),d notin (z),e,!f");
    expect(m({ a: "1", c: "x", e: "" })).toBe(true);
    expect(m({ a: "1", c: "x", e: "", f: "" })).toBe(false);
    expect(m({ a: "1", b: "2", c: "x", e: "" })).toBe(false);
    expect(m({ a: "1", c: "q", e: "" })).toBe(false);
    expect(labelMatcher({ app: "web" })({ app: "web", x: "y" })).toBe(true);
    expect(() => labelMatcher("a=(")).toThrow(/invalid label selector/);
  });
});
