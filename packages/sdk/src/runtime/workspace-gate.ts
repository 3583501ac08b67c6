import type { Logger } from "pino";
import type { KubeObject } from "../util/objects.js";
import { isObjectEvent, type ObjectEvent, type WatchEvent } from "./events.js";
import { type Item, itemOf } from "./item.js";

/** The APIBinding fields the gate reads. */
interface BindingObject extends KubeObject {
  spec?: { reference?: { export?: { name?: string; path?: string } } };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** True when an APIBinding is usable: phase Bound, or condition Ready=True. */
export function bindingReady(binding: KubeObject): boolean {
  const b = binding as BindingObject;
  if (b.metadata.deletionTimestamp) return false;
  if (b.status?.phase === "Bound") return true;
  return b.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** Options of a {@link WorkspaceGate}. */
export interface WorkspaceGateOptions<T> {
  endpoint: string;
  /** Only bindings to this export count; default every binding the endpoint serves. */
  exportName?: string | undefined;
  emit: (ev: WatchEvent<T>) => void;
  /** Asked when a workspace comes back after its objects were released. */
  relist: () => void;
  logger?: Logger | undefined;
}

/**
 * Lets the objects of a workspace through only while the workspace is engaged, i.e. has an
 * APIBinding to the export that became Ready (what multicluster-provider does). Objects that arrive
 * before their binding is Ready are held and released as `added` on engagement.
 *
 * A binding that is being deleted does not end the engagement: kcp marks every bound object
 * deleted and keeps the binding (`SomeFinalizersRemain`) until their finalizers are gone, so the
 * provider must still see those objects to finalize them. The workspace turns `terminating`, and
 * a terminating binding found at start-up engages its workspace as terminating. Only when no
 * binding is left are the workspace's objects reported `deleted`, then `disengaged`.
 *
 * The objects' `init-done` is held until the bindings have been listed too, so that a store's
 * `waitForSync` means "all objects of all engaged workspaces".
 */
export class WorkspaceGate<T> {
  /** Engaged workspaces and whether they are terminating (their bindings are being deleted). */
  private readonly engaged = new Map<string, "active" | "terminating">();
  /** Workspaces disengaged since: their events are ignored until they engage again. */
  private readonly released = new Set<string>();
  private readonly held = new Map<string, Map<string, Item<T>>>();
  /** Per workspace not engaged yet, the held keys whose last event came from a list. */
  private readonly listedBeforeEngaged = new Map<string, Set<string>>();
  /** Bindings (by key) per workspace, with their state. */
  private readonly bindings = new Map<string, Map<string, "ready" | "pending" | "deleting">>();
  private bindingsSynced = false;
  private initDoneHeld = false;
  private closed = false;
  private closing = false;

  constructor(private readonly options: WorkspaceGateOptions<T>) {}

  /** Workspaces engaged now (terminating ones included). */
  get workspaces(): ReadonlySet<string> {
    return new Set(this.engaged.keys());
  }

  /** An event of the objects' watcher. */
  onObjectEvent(ev: WatchEvent<T>): void {
    if (this.closed) return;
    if (!isObjectEvent(ev)) {
      if (ev.type === "init-done" && !this.bindingsSynced) this.initDoneHeld = true;
      else this.options.emit(ev);
      return;
    }
    if (this.released.has(ev.workspace)) return;
    let items = this.held.get(ev.workspace);
    if (ev.type === "deleted") {
      items?.delete(ev.key);
      if (items?.size === 0 && !this.engaged.has(ev.workspace)) this.held.delete(ev.workspace);
    } else {
      if (!items) {
        items = new Map();
        this.held.set(ev.workspace, items);
      }
      items.set(ev.key, itemOf(ev));
    }
    if (this.engaged.has(ev.workspace)) {
      this.options.emit(ev);
      return;
    }
    let listed = this.listedBeforeEngaged.get(ev.workspace);
    if (ev.type !== "deleted" && ev.initial) {
      if (!listed) {
        listed = new Set();
        this.listedBeforeEngaged.set(ev.workspace, listed);
      }
      listed.add(ev.key);
    } else {
      listed?.delete(ev.key);
      if (listed?.size === 0) this.listedBeforeEngaged.delete(ev.workspace);
    }
  }

  /** An event of the APIBindings' watcher. */
  onBindingEvent(ev: WatchEvent<KubeObject>): void {
    if (this.closed) return;
    if (!isObjectEvent(ev)) {
      if (ev.type === "init-done") {
        this.bindingsSynced = true;
        if (this.initDoneHeld) {
          this.initDoneHeld = false;
          this.options.emit({ type: "init-done", endpoint: this.options.endpoint });
        }
      }
      return;
    }
    const exportName = (ev.object as BindingObject).spec?.reference?.export?.name;
    if (this.options.exportName && exportName !== this.options.exportName) return;
    const ws = ev.workspace;
    let perWs = this.bindings.get(ws);
    if (ev.type === "deleted") {
      perWs?.delete(ev.key);
    } else {
      if (!perWs) {
        perWs = new Map();
        this.bindings.set(ws, perWs);
      }
      const state = ev.object.metadata.deletionTimestamp
        ? "deleting"
        : bindingReady(ev.object)
          ? "ready"
          : "pending";
      perWs.set(ev.key, state);
    }
    if (perWs?.size === 0) this.bindings.delete(ws);
    const states = [...(perWs?.values() ?? [])];
    const current = this.engaged.get(ws);
    // A Ready binding engages; one that turns not-Ready for a moment keeps its workspace; one
    // being deleted (and none Ready) makes it terminating; none left at all disengages it.
    if (states.includes("ready")) {
      if (current !== "active") this.engage(ws, "active");
    } else if (states.includes("deleting")) {
      if (current !== "terminating") this.engage(ws, "terminating");
    } else if (current !== undefined && states.length === 0) {
      this.disengage(ws);
    }
  }

  /** Reports every engaged workspace's objects deleted and disengages them; the gate ignores everything afterwards. */
  close(): void {
    this.closing = true;
    for (const ws of [...this.engaged.keys()]) this.disengage(ws);
    this.held.clear();
    this.listedBeforeEngaged.clear();
    this.closed = true;
  }

  private engage(ws: string, state: "active" | "terminating"): void {
    const before = this.engaged.get(ws);
    this.engaged.set(ws, state);
    if (before !== undefined) {
      // Already flowing: only the state changes.
      this.options.logger?.info(
        { workspace: ws, state },
        `workspace ${state === "terminating" ? "terminating: its binding is being deleted" : "engaged again"}`,
      );
      this.options.emit({
        type: state === "terminating" ? "terminating" : "engaged",
        workspace: ws,
        endpoint: this.options.endpoint,
      });
      return;
    }
    this.options.logger?.info(
      { workspace: ws, ...(state === "terminating" && { state }) },
      "workspace engaged",
    );
    this.options.emit({ type: "engaged", workspace: ws, endpoint: this.options.endpoint });
    if (state === "terminating") {
      this.options.emit({ type: "terminating", workspace: ws, endpoint: this.options.endpoint });
    }
    if (this.released.delete(ws)) {
      // Its objects were dropped on disengagement: only a relist brings them back.
      this.options.relist();
      return;
    }
    // A held object still part of an unfinished list stays `initial`: the store shows it, and the
    // owner reconciles it, with the rest of the list at its init-done rather than half-listed now.
    const listed = this.listedBeforeEngaged.get(ws);
    this.listedBeforeEngaged.delete(ws);
    for (const item of this.held.get(ws)?.values() ?? []) {
      const ev: ObjectEvent<T> = { ...item, type: "added", initial: listed?.has(item.key) ?? false };
      this.options.emit(ev);
    }
  }

  private disengage(ws: string): void {
    for (const item of this.held.get(ws)?.values() ?? []) {
      const ev: ObjectEvent<T> = {
        ...item,
        type: "deleted",
        initial: false,
        old: item,
      };
      this.options.emit(ev);
    }
    this.held.delete(ws);
    this.engaged.delete(ws);
    this.released.add(ws);
    if (!this.closing)
      this.options.logger?.info({ workspace: ws }, "workspace disengaged; its objects are released");
    this.options.emit({ type: "disengaged", workspace: ws, endpoint: this.options.endpoint });
  }
}
