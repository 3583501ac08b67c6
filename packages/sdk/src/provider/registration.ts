import type { Logger } from "pino";
import type { AnyResource } from "../api/resource.js";
import { Controller, type ControllerOptions } from "../controller/controller.js";
import type { ResourceCoordinates } from "../controller/object-paths.js";
import type { ReconcileContext, ReconcileResult } from "../controller/reconcile-types.js";
import type { RuntimeMetrics } from "../observability/metrics.js";
import type { Item } from "../runtime/item.js";
import type { WatchTarget } from "../runtime/target.js";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { type Informers, ownersOf, type Registration } from "./informers.js";
import type { ProviderOptions, ReconcileHandler, ReconcileOptions } from "./provider-options.js";
import { resourceTarget, statusValidator } from "./resource-target.js";

/** What a registration needs from its provider. */
export interface RegistrationContext {
  options: ProviderOptions;
  informers: Informers;
  logger: Logger;
  metrics: RuntimeMetrics;
  clientFor: (endpoint: string) => KubeClient;
  /** Whether this replica reconciles in the workspace now, and how (`undefined`: not at all). */
  workspaceState: (workspace: string) => "active" | "terminating" | undefined;
}

/**
 * Turns `provider.reconcile(resource, handler, options)` into a controller reading the resource's
 * shared cache, and subscribes it to its related watches. The handler's types end here: below,
 * the controller sees `KubeObject`s whose shape the resource's schema already checked.
 */
export function createRegistration<R extends AnyResource>(
  resource: R,
  handler: ReconcileHandler<R>,
  options: ReconcileOptions<R>,
  ctx: RegistrationContext,
): Registration {
  const informer = ctx.informers.of(resourceTarget(resource) as WatchTarget<unknown>, true);
  const store = informer.store;
  const coords: ResourceCoordinates = {
    group: resource.group,
    version: resource.storageVersion,
    plural: resource.plural,
    kind: resource.kind,
    namespaced: resource.scope === "Namespaced",
  };
  const validateStatus = statusValidator(resource);
  const controller = new Controller<KubeObject, unknown>({
    name: resource.plural,
    resource: coords,
    lookup: (key) => {
      const item = store.get(key);
      if (!item) return undefined;
      return item.valid
        ? { object: item.object as KubeObject, endpoint: item.endpoint }
        : { object: item.object, endpoint: item.endpoint, issues: item.issues };
    },
    clientFor: ctx.clientFor,
    handler: handler as unknown as (
      obj: KubeObject,
      c: ReconcileContext,
    ) => Promise<ReconcileResult<unknown>>,
    ...(options.finalize && {
      finalize: options.finalize as unknown as (obj: KubeObject, c: ReconcileContext) => Promise<void>,
      finalizerName: options.finalizerName ?? `${resource.group}/${resource.plural}`,
    }),
    ...(validateStatus && { validateStatus }),
    ...(options.onInvalid && {
      onInvalid: options.onInvalid as unknown as ControllerOptions<KubeObject, unknown>["onInvalid"],
    }),
    ...(options.readyCondition !== undefined && { readyCondition: options.readyCondition }),
    concurrency: options.concurrency ?? ctx.options.concurrency ?? 10,
    fieldManager: `${ctx.options.export}-provider`,
    logger: ctx.logger,
    metrics: ctx.metrics,
    workspaceState: ctx.workspaceState,
    ...(options.backoff && { backoff: options.backoff }),
  });
  const reg: Registration = {
    resource,
    controller,
    reconcileOnStatusChange: options.reconcileOnStatusChange ?? false,
  };
  informer.owner = reg;
  for (const rel of options.related ?? []) {
    // A target some other registration or related watch already watches shares that watch.
    const map = rel.map ? (item: Item<unknown>) => rel.map!(item) : ownersOf(resource);
    ctx.informers.of(rel.target).relatedOf.push({ reg, map });
  }
  return reg;
}
