import { describe, expect, it } from "vitest";
import type { KubeObject } from "../util/objects.js";
import type { ObjectEvent, WatchEvent } from "./events.js";
import { decodeItem } from "./item.js";
import type { WatchTarget } from "./target.js";
import {
  initialWatcherState,
  type RawWatchEvent,
  stepWatcher,
  type WatcherInput,
  type WatcherState,
  type WatcherStep,
} from "./watcher-machine.js";

const EP = "https://shard-1/services/apiexport/abc/widgets";
const target: WatchTarget = { group: "example.io", version: "v1", plural: "widgets", namespaced: true };

function obj(ws: string, name: string, rv: string, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: "example.io/v1",
    kind: "Widget",
    metadata: { name, namespace: "default", resourceVersion: rv, annotations: { "kcp.io/cluster": ws } },
    ...extra,
  };
}

/** Feeds inputs one by one, checking nothing, and returns the last step and all events. */
class Harness {
  state: WatcherState<KubeObject> = initialWatcherState(EP, (raw) => decodeItem(target, raw, EP));
  events: WatchEvent[] = [];
  last!: WatcherStep<KubeObject>;
  feed(...inputs: WatcherInput[]): WatcherStep<KubeObject> {
    for (const input of inputs) {
      this.last = stepWatcher(this.state, input);
      this.state = this.last.state;
      this.events.push(...this.last.events);
    }
    return this.last;
  }
  take(): string[] {
    const out = this.events.map(show);
    this.events = [];
    return out;
  }
}

function show(ev: WatchEvent): string {
  if (ev.type === "init-start" || ev.type === "init-done") return ev.type;
  const o = ev as ObjectEvent;
  return `${o.type}${o.initial ? "*" : ""} ${o.key}@${o.resourceVersion}`;
}

const ev = (type: RawWatchEvent["type"], object: KubeObject): WatcherInput => ({
  kind: "watch-event",
  event: { type, object },
});

function listed(h: Harness, ...items: KubeObject[]) {
  h.feed({ kind: "start" }, { kind: "page", items, resourceVersion: "10" });
  h.take();
}

describe("watcher state machine", () => {
  it("lists page by page, then watches from the list's resourceVersion", () => {
    const h = new Harness();
    expect(h.feed({ kind: "start" }).command).toEqual({ kind: "list" });
    expect(h.take()).toEqual([]);
    const s1 = h.feed({ kind: "page", items: [obj("ws1", "a", "5")], resourceVersion: "7", continue: "tok" });
    expect(s1.command).toEqual({ kind: "list", continue: "tok" });
    expect(h.take()).toEqual(["init-start", "added* ws1/default/a@5"]);
    const s2 = h.feed({ kind: "page", items: [obj("ws2", "a", "6")], resourceVersion: "8" });
    expect(s2.command).toEqual({ kind: "watch", resourceVersion: "8" });
    expect(h.take()).toEqual(["added* ws2/default/a@6", "init-done"]);
    expect(h.state.synced).toBe(true);
    expect(h.state.known.size).toBe(2);
  });

  it("keeps the same namespace/name in two workspaces apart", () => {
    const h = new Harness();
    listed(h, obj("ws1", "same", "1"), obj("ws2", "same", "2"));
    expect([...h.state.known.keys()].sort()).toEqual(["ws1/default/same", "ws2/default/same"]);
    h.feed(ev("DELETED", obj("ws1", "same", "3")));
    expect(h.take()).toEqual(["deleted ws1/default/same@3"]);
    expect([...h.state.known.keys()]).toEqual(["ws2/default/same"]);
  });

  it("applies watch events in order and tracks the resourceVersion, bookmarks included", () => {
    const h = new Harness();
    listed(h, obj("ws1", "a", "5"));
    expect(h.feed({ kind: "watch-opened" }).command).toEqual({ kind: "read" });
    h.feed(ev("ADDED", obj("ws1", "b", "11")), ev("MODIFIED", obj("ws1", "a", "12")));
    const step = h.feed(ev("DELETED", obj("ws1", "b", "13")));
    expect(step.command).toEqual({ kind: "read" });
    expect(h.take()).toEqual([
      "added ws1/default/b@11",
      "modified ws1/default/a@12",
      "deleted ws1/default/b@13",
    ]);
    h.feed(ev("BOOKMARK", { metadata: { resourceVersion: "20" } }));
    expect(h.take()).toEqual([]);
    expect(h.state.resourceVersion).toBe("20");
    // A modified event carries the previous state.
    h.feed(ev("MODIFIED", obj("ws1", "a", "21")));
    const mod = h.events[0] as ObjectEvent;
    expect(mod.old?.resourceVersion).toBe("12");
  });

  it("re-watches from the last resourceVersion when the server ends the watch", () => {
    const h = new Harness();
    listed(h, obj("ws1", "a", "5"));
    h.feed(ev("MODIFIED", obj("ws1", "a", "15")));
    const step = h.feed({ kind: "watch-ended" });
    expect(step.command).toEqual({ kind: "watch", resourceVersion: "15" });
    expect(step.restart).toBe("expired");
  });

  it("relists on 410 and reports the objects that vanished meanwhile as deleted", () => {
    const h = new Harness();
    listed(h, obj("ws1", "a", "5"), obj("ws1", "b", "6"), obj("ws2", "c", "7"));
    const gone = h.feed(ev("ERROR", { metadata: {}, code: 410, reason: "Expired" } as KubeObject));
    expect(gone.command).toEqual({ kind: "list" });
    expect(gone.restart).toBe("gone");
    h.feed({
      kind: "page",
      items: [obj("ws1", "a", "5"), obj("ws2", "c", "30"), obj("ws3", "d", "31")],
      resourceVersion: "40",
    });
    expect(h.take()).toEqual([
      "init-start",
      "modified* ws1/default/a@5",
      "modified* ws2/default/c@30",
      "added* ws3/default/d@31",
      "deleted* ws1/default/b@6",
      "init-done",
    ]);
    expect(h.last.command).toEqual({ kind: "watch", resourceVersion: "40" });
  });

  it("relists on an HTTP 410 when re-opening the watch", () => {
    const h = new Harness();
    listed(h, obj("ws1", "a", "5"));
    const step = h.feed({ kind: "watch-failed", status: 410, reason: "http", message: "too old" });
    expect(step.command).toEqual({ kind: "list" });
    expect(step.restart).toBe("gone");
  });

  it("starts the list over when a continue token expires", () => {
    const h = new Harness();
    h.feed(
      { kind: "start" },
      { kind: "page", items: [obj("ws1", "a", "5")], resourceVersion: "7", continue: "t1" },
    );
    const step = h.feed({ kind: "list-failed", status: 410, message: "continue expired" });
    expect(step.command).toEqual({ kind: "list" });
    h.feed({ kind: "page", items: [obj("ws1", "b", "9")], resourceVersion: "9" });
    // a was listed by the abandoned pass only: it vanished, and init-start is not repeated.
    expect(h.take()).toEqual([
      "init-start",
      "added* ws1/default/a@5",
      "added* ws1/default/b@9",
      "deleted* ws1/default/a@5",
      "init-done",
    ]);
  });

  it("treats 404 on the wildcard path as empty, then lists again after a backoff", () => {
    const h = new Harness();
    h.feed({ kind: "start" });
    const step = h.feed({ kind: "list-failed", status: 404, message: "not found" });
    expect(step.command).toEqual({ kind: "backoff" });
    expect(step.restart).toBe("not-found");
    expect(h.take()).toEqual(["init-start", "init-done"]);
    expect(h.state.synced).toBe(true);
    // Still empty: no more init pairs while nothing changes.
    expect(h.feed({ kind: "retry" }).command).toEqual({ kind: "list" });
    h.feed({ kind: "list-failed", status: 404, message: "not found" });
    expect(h.take()).toEqual([]);
    h.feed({ kind: "retry" }, { kind: "page", items: [obj("ws1", "a", "3")], resourceVersion: "3" });
    expect(h.take()).toEqual(["init-start", "added* ws1/default/a@3", "init-done"]);
    // The shard stops serving: its objects are reported gone.
    h.feed({ kind: "watch-failed", status: 404, reason: "http", message: "not found" });
    expect(h.last.command).toEqual({ kind: "backoff" });
    h.feed({ kind: "retry" }, { kind: "list-failed", status: 404, message: "not found" });
    expect(h.take()).toEqual(["init-start", "deleted* ws1/default/a@3", "init-done"]);
  });

  it("backs off on other errors and resumes where it was", () => {
    const h = new Harness();
    h.feed({ kind: "start" });
    const failed = h.feed({ kind: "list-failed", status: 500, message: "boom" });
    expect(failed).toMatchObject({ command: { kind: "backoff" }, restart: "error" });
    expect(h.feed({ kind: "retry" }).command).toEqual({ kind: "list" });
    h.feed({ kind: "page", items: [obj("ws1", "a", "5")], resourceVersion: "10" });
    h.take();
    for (const [input, reason] of [
      [{ kind: "watch-failed", reason: "disconnect", message: "ECONNRESET" }, "disconnect"],
      [{ kind: "watch-failed", reason: "inactivity", message: "silent" }, "inactivity"],
      [{ kind: "watch-failed", status: 503, reason: "http", message: "unavailable" }, "error"],
      [ev("ERROR", { metadata: {}, code: 500 } as KubeObject), "error"],
    ] as const) {
      const step = h.feed(input);
      expect(step).toMatchObject({ command: { kind: "backoff" }, restart: reason });
      expect(h.feed({ kind: "retry" }).command).toEqual({ kind: "watch", resourceVersion: "10" });
    }
    expect(h.take()).toEqual([]);
    expect(h.state.known.size).toBe(1);
  });

  it("stops from any phase and ignores everything afterwards", () => {
    const h = new Harness();
    listed(h, obj("ws1", "a", "5"));
    const step = h.feed({ kind: "stop" });
    expect(step.command).toEqual({ kind: "stopped" });
    expect(h.feed(ev("ADDED", obj("ws1", "b", "6"))).command).toEqual({ kind: "stopped" });
    expect(h.feed({ kind: "retry" }).command).toEqual({ kind: "stopped" });
    expect(h.take()).toEqual([]);
  });

  it("stop with release reports every known object deleted", () => {
    const h = new Harness();
    listed(h, obj("ws1", "a", "5"), obj("ws2", "a", "6"));
    h.feed({ kind: "stop", release: true });
    expect(h.take()).toEqual(["deleted ws1/default/a@5", "deleted ws2/default/a@6"]);
    expect(h.state.known.size).toBe(0);
  });

  it("relists on request from any phase", () => {
    const h = new Harness();
    listed(h, obj("ws1", "a", "5"));
    h.feed({ kind: "watch-failed", reason: "disconnect", message: "x" });
    expect(h.feed({ kind: "relist" }).command).toEqual({ kind: "list" });
  });

  it("streams invalid objects flagged with their issues, never drops them", () => {
    const validated: WatchTarget<KubeObject & { spec: { size: number } }> = {
      ...target,
      validate: (o) =>
        typeof (o.spec as { size?: unknown } | undefined)?.size === "number"
          ? { ok: true, value: o as KubeObject & { spec: { size: number } } }
          : { ok: false, issues: [{ path: "spec.size", message: "expected number" }] },
    };
    let state = initialWatcherState(EP, (raw) => decodeItem(validated, raw, EP));
    state = stepWatcher(state, { kind: "start" }).state;
    const step = stepWatcher(state, {
      kind: "page",
      items: [
        obj("ws1", "good", "1", { spec: { size: 3 } }),
        obj("ws1", "bad", "2", { spec: { size: "big" } }),
      ],
      resourceVersion: "2",
    });
    const objs = step.events.filter(
      (e): e is ObjectEvent<KubeObject & { spec: { size: number } }> => "key" in e,
    );
    expect(objs.map((o) => [o.name, o.valid])).toEqual([
      ["good", true],
      ["bad", false],
    ]);
    const bad = objs[1]!;
    expect(bad.valid === false && bad.issues).toEqual([{ path: "spec.size", message: "expected number" }]);
    const good = objs[0]!;
    if (good.valid) expect(good.object.spec.size).toBe(3);
    expect(Object.isFrozen(good.object)).toBe(true);
  });

  it("drops managedFields and freezes objects", () => {
    const raw = obj("ws1", "a", "1");
    raw.metadata.managedFields = [{ manager: "x" }];
    const item = decodeItem(target, raw, EP);
    expect(item.object.metadata.managedFields).toBeUndefined();
    expect(Object.isFrozen(item.object.metadata)).toBe(true);
    const kept = decodeItem(
      target,
      { ...obj("ws1", "b", "1"), metadata: { ...obj("ws1", "b", "1").metadata, managedFields: [{}] } },
      EP,
      {
        keepManagedFields: true,
      },
    );
    expect(kept.object.metadata.managedFields).toHaveLength(1);
  });
});

describe("watcher state machine on a single-workspace path", () => {
  it("keeps its objects and backs off on 404 when 404 does not mean empty", () => {
    let state = initialWatcherState(EP, (raw) => decodeItem(target, raw, EP), { notFoundIsEmpty: false });
    state = stepWatcher(state, { kind: "start" }).state;
    state = stepWatcher(state, { kind: "page", items: [obj("ws1", "a", "1")], resourceVersion: "1" }).state;
    state = stepWatcher(state, { kind: "watch-failed", status: 404, reason: "http", message: "nf" }).state;
    state = stepWatcher(state, { kind: "retry" }).state;
    const step = stepWatcher(state, { kind: "list-failed", status: 404, message: "nf" });
    expect(step.events).toEqual([]);
    expect(step.command).toEqual({ kind: "backoff" });
    expect(step.restart).toBe("error");
    expect(step.state.known.size).toBe(1);
  });
});
