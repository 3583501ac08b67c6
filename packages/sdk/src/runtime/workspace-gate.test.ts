import { describe, expect, it } from "vitest";
import type { KubeObject } from "../util/objects.js";
import type { ObjectEvent, WatchEvent } from "./events.js";
import { decodeItem } from "./item.js";
import type { WatchTarget } from "./target.js";
import { WorkspaceGate } from "./workspace-gate.js";

const EP = "ep";
const t: WatchTarget = { group: "example.io", version: "v1", plural: "widgets", namespaced: true };

const item = (
  type: ObjectEvent["type"],
  ws: string,
  name: string,
  extra: Partial<KubeObject> = {},
  initial = false,
) =>
  ({
    ...decodeItem(
      t,
      { metadata: { name, annotations: { "kcp.io/cluster": ws } }, ...extra } as KubeObject,
      EP,
    ),
    type,
    initial,
  }) as ObjectEvent;

const binding = (type: ObjectEvent["type"], ws: string, phase: string, exportName = "widgets") =>
  item(type, ws, "widgets", { spec: { reference: { export: { name: exportName } } }, status: { phase } });

describe("WorkspaceGate", () => {
  it("lets a workspace's objects through from the moment its binding is Ready, and releases them when it goes", () => {
    const out: string[] = [];
    let relists = 0;
    const gate = new WorkspaceGate<KubeObject>({
      endpoint: EP,
      exportName: "widgets",
      emit: (e: WatchEvent) =>
        out.push("key" in e ? `${e.type} ${e.key}` : "workspace" in e ? `${e.type} ${e.workspace}` : e.type),
      relist: () => relists++,
    });
    gate.onObjectEvent({ type: "init-start", endpoint: EP });
    gate.onObjectEvent(item("added", "ws1", "a", {}, true));
    gate.onObjectEvent({ type: "init-done", endpoint: EP });
    expect(out).toEqual(["init-start"]); // init-done waits for the bindings
    gate.onBindingEvent({ type: "init-start", endpoint: EP });
    gate.onBindingEvent(binding("added", "ws1", "Binding"));
    gate.onBindingEvent(binding("added", "ws2", "Bound", "another-export"));
    gate.onBindingEvent({ type: "init-done", endpoint: EP });
    expect(out).toEqual(["init-start", "init-done"]);
    gate.onBindingEvent(binding("modified", "ws1", "Bound"));
    gate.onObjectEvent(item("added", "ws1", "b"));
    gate.onObjectEvent(item("added", "ws2", "x"));
    expect(out.slice(2)).toEqual(["engaged ws1", "added ws1//a", "added ws1//b"]);
    gate.onBindingEvent(binding("deleted", "ws1", "Bound"));
    gate.onObjectEvent(item("modified", "ws1", "b"));
    expect(out.slice(5)).toEqual(["deleted ws1//a", "deleted ws1//b", "disengaged ws1"]);
    gate.onBindingEvent(binding("added", "ws1", "Bound"));
    expect(out.slice(8)).toEqual(["engaged ws1"]);
    expect(relists).toBe(1);
  });

  it("keeps a workspace whose binding is being deleted as terminating until the binding is gone", () => {
    const out: string[] = [];
    const gate = new WorkspaceGate<KubeObject>({
      endpoint: EP,
      exportName: "widgets",
      emit: (e: WatchEvent) =>
        out.push("key" in e ? `${e.type} ${e.key}` : "workspace" in e ? `${e.type} ${e.workspace}` : e.type),
      relist: () => undefined,
    });
    const deleting = (type: ObjectEvent["type"], ws: string) =>
      item(type, ws, "widgets", {
        metadata: {
          name: "widgets",
          deletionTimestamp: "2026-01-01T00:00:00Z",
          annotations: { "kcp.io/cluster": ws },
        },
        spec: { reference: { export: { name: "widgets" } } },
        status: { phase: "Bound" },
      });
    gate.onBindingEvent(binding("added", "ws1", "Bound"));
    gate.onObjectEvent(item("added", "ws1", "a"));
    gate.onBindingEvent(deleting("modified", "ws1"));
    // kcp marks the objects deleted; their events still flow so finalizers can run.
    gate.onObjectEvent(
      item("modified", "ws1", "a", {
        metadata: { name: "a", deletionTimestamp: "x", annotations: { "kcp.io/cluster": "ws1" } },
      }),
    );
    gate.onObjectEvent(item("deleted", "ws1", "a"));
    expect(out).toEqual([
      "engaged ws1",
      "added ws1//a",
      "terminating ws1",
      "modified ws1//a",
      "deleted ws1//a",
    ]);
    gate.onBindingEvent(deleting("deleted", "ws1"));
    expect(out.slice(5)).toEqual(["disengaged ws1"]);
  });

  it("engages a workspace found terminating at start-up, so a restarted provider can finish its finalizers", () => {
    const out: string[] = [];
    const gate = new WorkspaceGate<KubeObject>({
      endpoint: EP,
      exportName: "widgets",
      emit: (e: WatchEvent) =>
        out.push("key" in e ? `${e.type} ${e.key}` : "workspace" in e ? `${e.type} ${e.workspace}` : e.type),
      relist: () => undefined,
    });
    gate.onObjectEvent(
      item(
        "added",
        "ws1",
        "a",
        { metadata: { name: "a", deletionTimestamp: "x", annotations: { "kcp.io/cluster": "ws1" } } },
        true,
      ),
    );
    gate.onBindingEvent(
      item("added", "ws1", "widgets", {
        metadata: { name: "widgets", deletionTimestamp: "x", annotations: { "kcp.io/cluster": "ws1" } },
        spec: { reference: { export: { name: "widgets" } } },
        status: { phase: "Bound" },
      }),
    );
    expect(out).toEqual(["engaged ws1", "terminating ws1", "added ws1//a"]);
  });

  it("releases a listed object as part of its list, so the store shows it and it reconciles at init-done", () => {
    const released: ObjectEvent[] = [];
    const gate = new WorkspaceGate<KubeObject>({
      endpoint: EP,
      exportName: "widgets",
      emit: (e: WatchEvent) => {
        if ("key" in e) released.push(e);
      },
      relist: () => {},
    });
    gate.onObjectEvent({ type: "init-start", endpoint: EP });
    gate.onObjectEvent(item("added", "ws1", "listed", {}, true));
    gate.onObjectEvent(item("added", "ws1", "watched", {}, false));
    gate.onBindingEvent({ type: "init-start", endpoint: EP });
    gate.onBindingEvent(binding("added", "ws1", "Bound"));
    expect(released.map((e) => [e.name, e.type, e.initial])).toEqual([
      ["listed", "added", true],
      ["watched", "added", false],
    ]);
  });

  it("holds items, not events: the version before a modification is not kept alive", () => {
    const released: ObjectEvent[] = [];
    const gate = new WorkspaceGate<KubeObject>({
      endpoint: EP,
      exportName: "widgets",
      emit: (e: WatchEvent) => {
        if ("key" in e && e.type === "deleted") released.push(e);
      },
      relist: () => {},
    });
    gate.onBindingEvent({ type: "init-start", endpoint: EP });
    gate.onBindingEvent(binding("added", "ws1", "Bound"));
    gate.onBindingEvent({ type: "init-done", endpoint: EP });
    const v1 = item("added", "ws1", "a", { spec: { v: 1 } });
    gate.onObjectEvent(v1);
    gate.onObjectEvent({ ...item("modified", "ws1", "a", { spec: { v: 2 } }), old: v1 });
    gate.onBindingEvent(binding("deleted", "ws1", "Bound"));
    expect(released).toHaveLength(1);
    const last = released[0]!;
    expect(last.object.spec).toEqual({ v: 2 });
    // What the gate held is the item alone: no event fields, no reference to version 1.
    expect(Object.keys(last.old!).sort()).not.toContain("old");
    expect(JSON.stringify(last.old)).not.toContain('"v":1');
  });
});
