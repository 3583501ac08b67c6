import { isDeepStrictEqual } from "node:util";
import type { AnyResource } from "../api/resource.js";
import type { Controller } from "../controller/controller.js";
import { isObjectEvent, type WatchEvent } from "../runtime/events.js";
import type { Item, ObjectRef } from "../runtime/item.js";
import { Store } from "../runtime/store.js";
import { targetName, type WatchTarget } from "../runtime/target.js";
import type { KubeObject } from "../util/objects.js";
import type { WorkspaceStates } from "./workspace-states.js";

/** A registered resource: its reconciler and how its own events trigger it. */
export interface Registration {
  resource: AnyResource;
  controller: Controller<KubeObject, unknown>;
  reconcileOnStatusChange: boolean;
}

/**
 * One watched resource of a provider and its one cache, shared by whoever needs it: the
 * registration that reconciles it, the related watches of other registrations, handler reads
 * (controller-runtime: the cache you watch is the cache you read).
 */
export class Informer {
  readonly store = new Store<unknown>();
  /** The registration reconciling this resource, if any. */
  owner: Registration | undefined;
  /** Registrations that reconcile some of their objects when this resource changes. */
  readonly relatedOf: { reg: Registration; map: (item: Item<unknown>) => ObjectRef[] }[] = [];
  /** Per endpoint, objects a (re)list found gone: reconciled (to forget them) once the list is in. */
  private readonly goneDuringList = new Map<string, ObjectRef[]>();
  /**
   * Per endpoint, keys a watch event reconciled while the (re)list was still buffering: that
   * reconcile read their latest version, so the list's init-done does not reconcile them again.
   */
  private readonly reconciledDuringList = new Map<string, Set<string>>();

  constructor(public target: WatchTarget<unknown>) {}

  get name(): string {
    return targetName(this.target);
  }

  /** Routes one event: into the store, then to the owner's queue and the related mappers. */
  route(ev: WatchEvent<unknown>, workspaces: WorkspaceStates<Informer>): void {
    // A (re)list reaches the store in one swap at its init-done: a reconcile started by one of its
    // events would read the cache as it was before the list (or find nothing), so the owner
    // reconciles the listed objects from the store at init-done instead, once each.
    const listing = isObjectEvent(ev) && ev.initial && this.store.listing(ev.endpoint);
    this.store.apply(ev);
    if (isObjectEvent(ev)) {
      const owner = this.owner;
      if (owner && listing) {
        owner.controller.observed(keyOf(ev));
        this.reconciledDuringList.get(ev.endpoint)?.delete(ev.key);
        if (ev.type === "deleted") {
          const gone = this.goneDuringList.get(ev.endpoint) ?? [];
          gone.push(keyOf(ev));
          this.goneDuringList.set(ev.endpoint, gone);
        }
      } else if (owner) {
        const key = keyOf(ev);
        owner.controller.observed(key);
        // A status-only change (most often the runtime's own write) does not reconcile again,
        // as with controller-runtime's GenerationChangedPredicate; relist repeats still do
        // (level-triggered resync).
        const statusOnly =
          !owner.reconcileOnStatusChange &&
          ev.type === "modified" &&
          !ev.initial &&
          ev.old !== undefined &&
          !specOrMetadataChanged(ev.old.object as KubeObject, ev.object as KubeObject);
        if (!statusOnly) {
          owner.controller.enqueue(key);
          if (this.store.listing(ev.endpoint)) {
            const seen = this.reconciledDuringList.get(ev.endpoint) ?? new Set();
            seen.add(ev.key);
            this.reconciledDuringList.set(ev.endpoint, seen);
          }
        }
      }
      for (const r of this.relatedOf) for (const key of r.map(ev)) r.reg.controller.enqueueRelated(key);
    } else if (ev.type === "init-done") {
      const gone = this.goneDuringList.get(ev.endpoint) ?? [];
      this.goneDuringList.delete(ev.endpoint);
      const reconciled = this.reconciledDuringList.get(ev.endpoint);
      this.reconciledDuringList.delete(ev.endpoint);
      if (!this.owner) return;
      for (const item of this.store.list()) {
        if (item.endpoint === ev.endpoint && !reconciled?.has(item.key))
          this.owner.controller.enqueue(keyOf(item));
      }
      for (const key of gone) this.owner.controller.enqueue(key);
    } else if (ev.type === "endpoints") {
      // An endpoint removed in the middle of its (re)list never sends init-done: what its list
      // found gone is reconciled now (the watcher will not report those objects again), and its
      // per-list state goes.
      for (const endpoint of new Set([...this.goneDuringList.keys(), ...this.reconciledDuringList.keys()])) {
        if (ev.endpoints.includes(endpoint)) continue;
        for (const key of this.goneDuringList.get(endpoint) ?? []) this.owner?.controller.enqueue(key);
        this.goneDuringList.delete(endpoint);
        this.reconciledDuringList.delete(endpoint);
      }
    } else if (ev.type === "engaged" || ev.type === "terminating") {
      workspaces.engage(this, ev.workspace, ev.type === "engaged" ? "active" : "terminating");
    } else if (ev.type === "disengaged") {
      workspaces.disengage(this, ev.workspace);
    }
  }
}

/** The informers of one provider, one per watched resource whoever asks for it. */
export class Informers {
  private readonly byName = new Map<string, Informer>();

  /**
   * The informer of a target. A registered resource's target (which validates) wins over a plain
   * one asked for earlier by a related watch, so the shared cache flags invalid objects.
   */
  of(target: WatchTarget<unknown>, validating = false): Informer {
    const name = targetName(target);
    let inf = this.byName.get(name);
    if (!inf) {
      inf = new Informer(target);
      this.byName.set(name, inf);
    } else if (validating) {
      inf.target = target;
    }
    return inf;
  }

  all(): Informer[] {
    return [...this.byName.values()];
  }
}

function keyOf(item: { workspace: string; namespace?: string | undefined; name: string }): ObjectRef {
  return { workspace: item.workspace, ...(item.namespace && { namespace: item.namespace }), name: item.name };
}

/** Whether anything but the status (and resourceVersion/managedFields) differs between two versions of an object. */
export function specOrMetadataChanged(before: KubeObject, after: KubeObject): boolean {
  const a = before.metadata;
  const b = after.metadata;
  if (a.generation === undefined || b.generation === undefined) {
    if (!isDeepStrictEqual(before.spec, after.spec)) return true;
  } else if (a.generation !== b.generation) return true;
  return (
    a.deletionTimestamp !== b.deletionTimestamp ||
    !isDeepStrictEqual(a.finalizers, b.finalizers) ||
    !isDeepStrictEqual(a.labels, b.labels) ||
    !isDeepStrictEqual(a.annotations, b.annotations) ||
    !isDeepStrictEqual(a.ownerReferences, b.ownerReferences)
  );
}

/** The default related mapping: owners of the reconciled kind named in ownerReferences. */
export function ownersOf(resource: AnyResource): (item: Item<unknown>) => ObjectRef[] {
  return (item) => {
    const refs = (item.object as KubeObject).metadata.ownerReferences ?? [];
    return refs
      .filter((r) => r.kind === resource.kind && r.apiVersion.startsWith(`${resource.group}/`))
      .map((r) => ({
        workspace: item.workspace,
        ...(item.namespace && { namespace: item.namespace }),
        name: r.name,
      }));
  };
}
