import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ObjectEvent } from "../runtime/events.js";
import { decodeItem } from "../runtime/item.js";
import type { WatchTarget } from "../runtime/target.js";
import type { KubeObject } from "../util/objects.js";
import { Informer, type Registration } from "./informers.js";
import { WorkspaceStates } from "./workspace-states.js";

const EP = "https://vw/ep";
const target: WatchTarget = { group: "example.io", version: "v1", plural: "widgets", namespaced: false };
const ev = (type: ObjectEvent["type"], name: string, initial: boolean, rv = "1"): ObjectEvent<unknown> => ({
  ...decodeItem(
    target,
    { metadata: { name, resourceVersion: rv, annotations: { "kcp.io/cluster": "ws1" } } } as KubeObject,
    EP,
  ),
  type,
  initial,
});

function setup() {
  const enqueued: string[] = [];
  const controller = {
    observed: () => {},
    enqueue: (k: { name: string }) => enqueued.push(k.name),
    enqueueRelated: () => {},
  };
  const inf = new Informer(target);
  inf.owner = { controller, reconcileOnStatusChange: false } as unknown as Registration;
  const states = new WorkspaceStates<Informer>({
    logger: pino({ level: "silent" }),
    onCount: () => {},
    onLeave: () => {},
  });
  return { inf, enqueued, route: (e: Parameters<Informer["route"]>[0]) => inf.route(e, states) };
}

/** A complete list of the endpoint with these objects. */
function listed(route: ReturnType<typeof setup>["route"], ...names: string[]) {
  route({ type: "init-start", endpoint: EP });
  for (const name of names) route(ev("added", name, true));
  route({ type: "init-done", endpoint: EP });
}

describe("Informer", () => {
  it("reconciles a list's objects once, from the store, when the list is in", () => {
    const { inf, enqueued, route } = setup();
    route({ type: "init-start", endpoint: EP });
    route(ev("added", "a", true));
    route(ev("added", "b", true));
    // Nothing yet: the store shows the list only at init-done, a reconcile now would find nothing.
    expect(enqueued).toEqual([]);
    expect(inf.store.get({ workspace: "ws1", name: "a" })).toBeUndefined();
    route({ type: "init-done", endpoint: EP });
    expect(enqueued.sort()).toEqual(["a", "b"]);
    // A watch event afterwards reconciles at once.
    route(ev("modified", "a", false, "2"));
    expect(enqueued).toHaveLength(3);
  });

  it("does not reconcile again at init-done what a watch event already reconciled during the list", () => {
    const { enqueued, route } = setup();
    route({ type: "init-start", endpoint: EP });
    route(ev("added", "a", true));
    // The objects' list is in but its init-done is held (the bindings are still listing): watch
    // events flow and reconcile at once, reading their own latest version.
    route(ev("added", "b", false, "2"));
    route(ev("modified", "a", false, "3"));
    expect(enqueued).toEqual(["b", "a"]);
    route({ type: "init-done", endpoint: EP });
    expect(enqueued).toEqual(["b", "a"]);
  });

  it("reconciles, after a relist, the objects that vanished during it (so their state is forgotten)", () => {
    const { enqueued, route } = setup();
    listed(route, "a", "b");
    enqueued.length = 0;
    route({ type: "init-start", endpoint: EP });
    route(ev("modified", "a", true, "3"));
    route(ev("deleted", "b", true));
    expect(enqueued).toEqual([]);
    route({ type: "init-done", endpoint: EP });
    expect(enqueued.sort()).toEqual(["a", "b"]);
  });

  it("forgets the list state of an endpoint removed mid-list, reconciling what its list found gone", () => {
    const { inf, enqueued, route } = setup();
    route({ type: "endpoints", endpoints: [EP] });
    listed(route, "a", "b");
    enqueued.length = 0;
    route({ type: "init-start", endpoint: EP });
    route(ev("deleted", "b", true));
    route(ev("modified", "c", false, "4"));
    expect(enqueued).toEqual(["c"]);
    // The shard goes away before its relist completes: its remaining objects are reported deleted
    // (watch events), then the new endpoint set; no init-done will come for it.
    route(ev("deleted", "a", false));
    route(ev("deleted", "c", false));
    route({ type: "endpoints", endpoints: [] });
    expect(enqueued.sort()).toEqual(["a", "b", "c", "c"]);
    expect(inf.store.list()).toEqual([]);
    // A later list of a new endpoint with the same URL starts clean: "c" is reconciled at its init-done.
    enqueued.length = 0;
    route({ type: "endpoints", endpoints: [EP] });
    route({ type: "init-start", endpoint: EP });
    route(ev("added", "c", true, "5"));
    route({ type: "init-done", endpoint: EP });
    expect(enqueued).toEqual(["c"]);
  });
});
