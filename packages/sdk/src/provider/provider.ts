import { isDeepStrictEqual } from "node:util";
import type { Logger } from "pino";
import { type Subscription, share } from "rxjs";
import type { Infer } from "../api/infer.js";
import type { AnyResource } from "../api/resource.js";
import type { StandardSchemaV1 } from "../api/standard-schema.js";
import { Controller, type ControllerOptions } from "../controller/controller.js";
import { LeaderElector } from "../controller/leader-election.js";
import type { ObjectKey, ResourceCoordinates } from "../controller/object-paths.js";
import type { ObjectIssue, ReconcileContext, ReconcileResult } from "../controller/reconcile-types.js";
import type { BackoffOptions as QueueBackoff } from "../controller/work-queue.js";
import { startHealthServer } from "../observability/health-server.js";
import { createLogger, withRedaction } from "../observability/logger.js";
import { RuntimeMetrics } from "../observability/metrics.js";
import { isObjectEvent, type WatchEvent } from "../runtime/events.js";
import type { Item } from "../runtime/item.js";
import { Store } from "../runtime/store.js";
import { targetName, type WatchTarget } from "../runtime/target.js";
import { type WatchSource, watch } from "../runtime/watch.js";
import { WatchStats } from "../runtime/watch-stats.js";
import { KubeClient } from "../transport/kube-client.js";
import type { KubeConfigSource } from "../transport/kube-config.js";
import type { KubeObject } from "../util/objects.js";
import { resourceTarget, statusValidator } from "./resource-target.js";
import { checkProviderSetup, ProviderStartError } from "./startup-checks.js";

/** The status a handler of resource `R` may return: the input side of its status schema. */
export type StatusInput<R extends AnyResource> = R["versions"][R["storageVersion"]] extends {
  status: infer S extends StandardSchemaV1;
}
  ? StandardSchemaV1.InferInput<S>
  : never;

/**
 * A reconcile handler: gets one valid, typed object of one workspace and returns what to write.
 * A status that does not fit the resource's status schema does not compile.
 */
export type ReconcileHandler<R extends AnyResource> = (
  obj: Infer<R>,
  ctx: ReconcileContext,
) => Promise<ReconcileResult<StatusInput<R>> | undefined>;

/** Another resource whose changes should reconcile objects of the reconciled resource. */
export interface RelatedWatch {
  /** What to watch, e.g. {@link SECRETS} (a claimed resource) or another exported resource. */
  target: WatchTarget;
  /**
   * Which reconciled objects a change concerns. Default: the owners named in the object's
   * ownerReferences whose kind is the reconciled resource's kind, in the same workspace.
   */
  map?: (item: Item<KubeObject>) => ObjectKey[];
}

/**
 * Withdraws what a valid version of an object caused, once the object fails its schema, and
 * returns the status to show meanwhile (it replaces every status field the runtime wrote before).
 */
export type InvalidHandler<R extends AnyResource> = (
  obj: KubeObject,
  issues: readonly ObjectIssue[],
  ctx: ReconcileContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to show returns nothing
) => Promise<{ status?: Partial<StatusInput<R>> } | undefined | void>;

/** Options of {@link Provider.reconcile}. */
export interface ReconcileOptions<R extends AnyResource> {
  /**
   * Cleanup on delete; with it, the runtime keeps a finalizer on every object of the resource.
   * It also runs when a consumer unbinds the export or deletes its workspace (kcp deletes the
   * objects and waits for their finalizers). The object is the last one stored, which may fail
   * the schema if it turned invalid before it was deleted.
   */
  finalize?: (obj: Infer<R>, ctx: ReconcileContext) => Promise<void>;
  /**
   * An object turned invalid (fails the zod schema): withdraw its effect here. What it returns
   * becomes the whole status the runtime writes, with `Ready=False, InvalidSpec`; fields the
   * last valid reconcile wrote are removed. Without `onInvalid` the effect and the last valid
   * status stay, and only `Ready` turns False. When the object is valid again, the reconcile
   * handler runs as usual.
   */
  onInvalid?: InvalidHandler<R>;
  /** Finalizer name; default `<group>/<plural>`. */
  finalizerName?: string;
  /** Reconcile owners when these change (e.g. Secrets under a permission claim). */
  related?: RelatedWatch[];
  /** Maintain the Ready condition (default true; the status schema needs `conditions` for it to be kept). */
  readyCondition?: boolean;
  /** Reconciles running at once for this resource (default: the provider's `concurrency`). */
  concurrency?: number;
  /** Retry backoff; default 5 ms doubling to 1000 s (controller-runtime), reset on success. */
  backoff?: QueueBackoff;
  /**
   * Reconcile also when only the status changed (default false: a change of spec, generation,
   * labels, annotations, finalizers, owners or deletion reconciles; status writes, mostly the
   * runtime's own, do not).
   */
  reconcileOnStatusChange?: boolean;
}

/** Options of {@link createProvider}. */
export interface ProviderOptions {
  /** Kubeconfig of the provider's workspace: a file path or a source. */
  kubeconfig: string | KubeConfigSource;
  /** The APIExport's name; its APIExportEndpointSlice (same name, same workspace) gives the URLs. */
  export: string;
  /** Explicit virtual workspace URL(s) instead of the endpoint slice. */
  virtualWorkspaceUrl?: string | string[];
  /** pino logger; Secret data and tokens are redacted either way. Default: JSON to stdout at LOG_LEVEL or info. */
  logger?: Logger;
  /** Reconciles running at once per resource (default 10). */
  concurrency?: number;
  /**
   * Serve /metrics, /healthz and /readyz on this port (0 = any free port; see `healthPort`).
   * Default: `METRICS_PORT` from the environment, else off.
   */
  metricsPort?: number;
  metricsHost?: string;
  /** Run only while holding a Lease in the provider's workspace (for two or more replicas). */
  leaderElection?: boolean | { leaseName?: string; namespace?: string; identity?: string };
  /** On SIGTERM/SIGINT, how long running reconciles may take to finish (default 30 s). */
  shutdownTimeoutMs?: number;
  /**
   * After the drain timeout, how long aborted reconciles get to return (default 5 s). Past it
   * `stop()` returns anyway, naming them; on a signal the process exits with code 1.
   */
  shutdownGraceMs?: number;
  /**
   * Deadline of every read and write (status, finalizers, start-up checks, leases), default 30 s.
   * Watches have none: a silent watch is detected by inactivity instead.
   */
  requestTimeoutMs?: number;
  /** Stop on SIGTERM/SIGINT (default true). */
  handleSignals?: boolean;
  /** Watch tuning (watch `timeoutSeconds`; page size). */
  watch?: { timeoutSeconds?: number; pageSize?: number };
}

/** How {@link Provider.stop} ended. */
export interface StopResult {
  /** False when some reconcile still ran after the drain timeout and the grace. */
  clean: boolean;
  /** Keys (`workspace/namespace/name`) of the reconciles still running. */
  stuck: string[];
}

/** The core-group Secret resource, e.g. for a `secrets` permission claim. */
export const SECRETS: WatchTarget = {
  group: "",
  version: "v1",
  plural: "secrets",
  kind: "Secret",
  namespaced: true,
};

interface Registration {
  resource: AnyResource;
  target: WatchTarget<unknown>;
  store: Store<unknown>;
  controller: Controller<KubeObject, unknown>;
  related: { watch: RelatedWatch; store: Store<KubeObject> }[];
  reconcileOnStatusChange: boolean;
}

/**
 * A provider: reconciles the objects of its APIExport in every bound workspace. Create it with
 * {@link createProvider}, register handlers with {@link Provider.reconcile}, then {@link Provider.start}.
 */
export class Provider {
  readonly log: Logger;
  readonly metrics = new RuntimeMetrics();
  /** The client of the provider's workspace (from the kubeconfig). */
  readonly client: KubeClient;
  private readonly registrations: Registration[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly stats = new WatchStats();
  /** Per workspace, the registrations engaged there and whether its binding is being deleted. */
  private readonly workspaces = new Map<
    string,
    { state: "active" | "terminating"; regs: Set<Registration> }
  >();
  private readonly disengageHooks: ((workspace: string) => void | Promise<void>)[] = [];
  private readonly endpointClients = new Map<string, KubeClient>();
  private health: { port: number; close(): Promise<void> } | undefined;
  private elector: LeaderElector | undefined;
  private started = false;
  private stopping: Promise<StopResult> | undefined;
  /** Why the provider is not ready yet (start-up checks), for /readyz and the metric. */
  private notReadyReason: string | undefined;
  private readonly credentialsFrom: string;
  /** Aborts start-up checks and leader election waits when the provider stops first. */
  private readonly startAbort = new AbortController();
  private readonly signalHandler = () => {
    void this.stop().then((r) => {
      // The process would otherwise wait forever for a handler that ignores its signal.
      if (!r.clean) process.exit(1);
    });
  };

  constructor(private readonly options: ProviderOptions) {
    this.log = options.logger ? withRedaction(options.logger) : createLogger({ name: options.export });
    const source = typeof options.kubeconfig === "string" ? { path: options.kubeconfig } : options.kubeconfig;
    this.credentialsFrom =
      typeof options.kubeconfig === "string"
        ? `kubeconfig ${options.kubeconfig}`
        : "path" in options.kubeconfig
          ? `kubeconfig ${options.kubeconfig.path}`
          : "the given kubeconfig";
    this.client = KubeClient.fromKubeConfig(source, {
      ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
    });
    this.metrics.onCollect.push(() => {
      this.metrics.cachedObjects.reset();
      this.metrics.invalidObjects.reset();
      for (const reg of this.registrations) {
        const resource = targetName(reg.target);
        let invalid = 0;
        for (const ws of reg.store.workspaces()) {
          const items = reg.store.list({ workspace: ws });
          this.metrics.cachedObjects.set({ resource, workspace: ws }, items.length);
          for (const i of items) if (!i.valid) invalid++;
        }
        this.metrics.invalidObjects.set({ resource }, invalid);
      }
    });
  }

  /** Port of the metrics/health server once started, if enabled. */
  get healthPort(): number | undefined {
    return this.health?.port;
  }

  /**
   * Registers the reconcile handler of a resource of the export.
   *
   * @example
   * ```ts
   * provider.reconcile(Widget, async (widget, ctx) => {
   *   ctx.log.info({ replicas: widget.spec.replicas }, "reconciling");
   *   return { status: { phase: "Ready" }, requeueAfter: 60_000 };
   * });
   * ```
   */
  reconcile<R extends AnyResource>(
    resource: R,
    handler: NoInfer<ReconcileHandler<R>>,
    options: NoInfer<ReconcileOptions<R>> = {},
  ): this {
    if (this.started) throw new Error("register handlers before start()");
    const target = resourceTarget(resource);
    const store = new Store<unknown>();
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
      clientFor: (endpoint) => this.endpointClient(endpoint),
      handler: handler as unknown as (
        obj: KubeObject,
        ctx: ReconcileContext,
      ) => Promise<ReconcileResult<unknown>>,
      ...(options.finalize && {
        finalize: options.finalize as unknown as (obj: KubeObject, ctx: ReconcileContext) => Promise<void>,
        finalizerName: options.finalizerName ?? `${resource.group}/${resource.plural}`,
      }),
      ...(validateStatus && { validateStatus }),
      ...(options.onInvalid && {
        onInvalid: options.onInvalid as unknown as ControllerOptions<KubeObject, unknown>["onInvalid"],
      }),
      ...(options.readyCondition !== undefined && { readyCondition: options.readyCondition }),
      concurrency: options.concurrency ?? this.options.concurrency ?? 10,
      fieldManager: `${this.options.export}-provider`,
      logger: this.log,
      metrics: this.metrics,
      workspaceState: (ws) =>
        this.options.virtualWorkspaceUrl !== undefined ? "active" : this.workspaces.get(ws)?.state,
      ...(options.backoff && { backoff: options.backoff }),
    });
    const related = (options.related ?? []).map((w) => ({ watch: w, store: new Store<KubeObject>() }));
    this.registrations.push({
      resource,
      target: target as WatchTarget<unknown>,
      store,
      controller,
      related,
      reconcileOnStatusChange: options.reconcileOnStatusChange ?? false,
    });
    return this;
  }

  /**
   * Registers a hook called once when a workspace leaves the provider (its last APIBinding to the
   * export is gone, or the workspace was deleted), after its objects' finalizers ran: drop any
   * per-workspace state here. Errors are logged.
   *
   * @example
   * ```ts
   * const servers = new Map<string, Server>();
   * provider.onDisengage((workspace) => servers.get(workspace)?.close());
   * ```
   */
  onDisengage(hook: (workspace: string) => void | Promise<void>): this {
    this.disengageHooks.push(hook);
    return this;
  }

  /** Workspaces engaged now, with `terminating` for those whose binding is being deleted. */
  engagedWorkspaces(): ReadonlyMap<string, "active" | "terminating"> {
    return new Map([...this.workspaces].map(([ws, w]) => [ws, w.state]));
  }

  /** The cache of a registered resource: get/list by workspace and namespace, `waitForSync`. */
  store<R extends AnyResource>(resource: R): Store<Infer<R>> {
    const reg = this.registrations.find((r) => r.resource === resource);
    if (!reg) throw new Error(`${resource.kind} is not registered with reconcile()`);
    return reg.store as Store<Infer<R>>;
  }

  /** True when every cache has synced (the slice may still be empty: nothing bound yet). */
  get synced(): boolean {
    return this.registrations.every((r) => r.store.synced && r.related.every((x) => x.store.synced));
  }

  private endpointClient(endpoint: string): KubeClient {
    let c = this.endpointClients.get(endpoint);
    if (!c) {
      c = this.client.withBaseUrl(endpoint);
      this.endpointClients.set(endpoint, c);
    }
    return c;
  }

  private watchSource(): WatchSource {
    const url = this.options.virtualWorkspaceUrl;
    return url !== undefined
      ? { client: this.client, url }
      : { client: this.client, exportName: this.options.export };
  }

  private watchOf<T>(target: WatchTarget<T>) {
    return watch(target, {
      source: this.watchSource(),
      logger: this.log,
      stats: this.stats,
      ...(this.options.virtualWorkspaceUrl !== undefined && { bindings: true }),
      ...(this.options.watch?.timeoutSeconds !== undefined && {
        timeoutSeconds: this.options.watch.timeoutSeconds,
      }),
      ...(this.options.watch?.pageSize !== undefined && { pageSize: this.options.watch.pageSize }),
    }).pipe(share());
  }

  /**
   * Connects and starts reconciling: waits for leadership when enabled, opens the watches, starts
   * the workers and (when configured) the metrics/health server. Resolves once running; caches
   * fill in the background (`synced`, `/readyz`).
   */
  async start(): Promise<void> {
    if (this.started) return;
    if (this.registrations.length === 0)
      throw new Error("no resource registered: call reconcile() before start()");
    this.started = true;
    try {
      await this.startUp();
    } catch (err) {
      // Nothing may keep running (health server, signal handlers, leases) after a failed start.
      const stoppedFirst = this.stopping !== undefined;
      await this.stop();
      if (!stoppedFirst) this.log.error({ err }, "provider could not start");
      throw err;
    }
  }

  private setNotReady(reason: string | undefined, code = "starting"): void {
    this.notReadyReason = reason;
    this.metrics.notReady.reset();
    if (reason !== undefined) this.metrics.notReady.set({ reason: code }, 1);
  }

  private async startUp(): Promise<void> {
    this.setNotReady("checking credentials and export", "starting");
    const port =
      this.options.metricsPort ?? (process.env.METRICS_PORT ? Number(process.env.METRICS_PORT) : undefined);
    if (port !== undefined) {
      this.health = await startHealthServer({
        port,
        ...(this.options.metricsHost && { host: this.options.metricsHost }),
        registry: this.metrics.registry,
        readiness: {
          setup: () => this.notReadyReason,
          "caches-synced": () => (this.synced ? undefined : "caches not synced yet"),
          leader: () =>
            !this.elector || this.elector.isLeader ? undefined : "waiting for leadership (standby replica)",
        },
      });
      this.log.info({ port: this.health.port }, "serving /metrics, /healthz, /readyz");
    }
    if (this.options.handleSignals !== false) {
      process.once("SIGTERM", this.signalHandler);
      process.once("SIGINT", this.signalHandler);
    }
    if (this.client.skipsTlsVerify) {
      this.log.warn("the kubeconfig sets insecure-skip-tls-verify: the API server's identity is not checked");
    }
    if (this.options.virtualWorkspaceUrl === undefined) {
      await checkProviderSetup({
        client: this.client,
        exportName: this.options.export,
        credentialsFrom: this.credentialsFrom,
        logger: this.log,
        signal: this.startAbort.signal,
        progress: (reason) => this.setNotReady(reason, "connecting"),
      }).catch((err: unknown) => {
        if (err instanceof ProviderStartError) this.setNotReady(err.message, err.reason);
        throw err;
      });
    } else {
      this.setNotReady(undefined);
    }
    if (this.options.leaderElection) {
      const le = this.options.leaderElection === true ? {} : this.options.leaderElection;
      this.elector = new LeaderElector({
        client: this.client,
        name: le.leaseName ?? `${this.options.export}-provider`,
        ...(le.namespace && { namespace: le.namespace }),
        ...(le.identity && { identity: le.identity }),
        logger: this.log,
      });
      this.log.info({ identity: this.elector.identity }, "waiting for leadership");
      await this.elector.run(() => {
        this.log.error("leadership lost: stopping so that only the leader writes");
        void this.stop();
      }, this.startAbort.signal);
    }
    this.startAbort.signal.throwIfAborted();
    for (const reg of this.registrations) this.startRegistration(reg);
    this.log.info(
      { export: this.options.export, resources: this.registrations.map((r) => r.resource.kind) },
      "provider started",
    );
  }

  private startRegistration(reg: Registration): void {
    const resourceName = targetName(reg.target);
    const events$ = this.watchOf(reg.target);
    this.subscriptions.push(
      events$.subscribe((ev: WatchEvent<unknown>) => {
        reg.store.apply(ev);
        if (isObjectEvent(ev)) {
          const key = {
            workspace: ev.workspace,
            ...(ev.namespace && { namespace: ev.namespace }),
            name: ev.name,
          };
          reg.controller.observed(key);
          // A status-only change (most often the runtime's own write) does not reconcile again,
          // as with controller-runtime's GenerationChangedPredicate; relist repeats still do
          // (level-triggered resync).
          if (!reg.reconcileOnStatusChange && ev.type === "modified" && !ev.initial && ev.old) {
            if (!specOrMetadataChanged(ev.old.object as KubeObject, ev.object as KubeObject)) return;
          }
          reg.controller.enqueue(key);
        } else if (ev.type === "init-done") {
          // A (re)list reaches the store only now, in one swap: objects whose events came during
          // the list were not there yet when their reconcile looked, so reconcile them all now.
          for (const item of reg.store.list()) {
            if (item.endpoint !== ev.endpoint) continue;
            reg.controller.enqueue({
              workspace: item.workspace,
              ...(item.namespace && { namespace: item.namespace }),
              name: item.name,
            });
          }
        } else if (ev.type === "engaged" || ev.type === "terminating") {
          this.engage(reg, ev.workspace, ev.type === "engaged" ? "active" : "terminating");
        } else if (ev.type === "disengaged") {
          reg.controller.dropWorkspace(ev.workspace);
          this.disengage(reg, ev.workspace);
        }
      }),
    );
    this.subscriptions.push(
      this.stats.restarts$.subscribe((r) =>
        this.metrics.watchRestarts.inc({ resource: r.resource, endpoint: r.endpoint, reason: r.reason }),
      ),
    );
    for (const rel of reg.related) {
      const map = rel.watch.map ?? ((item: Item<KubeObject>) => ownersOf(item, reg.resource));
      this.subscriptions.push(
        this.watchOf(rel.watch.target).subscribe((ev) => {
          rel.store.apply(ev);
          if (!isObjectEvent(ev)) return;
          for (const key of map(ev)) reg.controller.enqueue(key);
        }),
      );
    }
    reg.controller.start();
    this.log.debug({ resource: resourceName }, "watching");
  }

  private engage(reg: Registration, workspace: string, state: "active" | "terminating"): void {
    let w = this.workspaces.get(workspace);
    if (!w) {
      w = { state, regs: new Set() };
      this.workspaces.set(workspace, w);
    }
    w.regs.add(reg);
    if (w.state !== state) {
      w.state = state;
      if (state === "terminating") {
        this.log.info({ workspace }, "workspace terminating: finalizing its objects before it leaves");
      }
    }
    this.metrics.engagedWorkspaces.set({ export: this.options.export }, this.workspaces.size);
  }

  private disengage(reg: Registration, workspace: string): void {
    const w = this.workspaces.get(workspace);
    if (!w) return;
    w.regs.delete(reg);
    if (w.regs.size > 0) return;
    this.workspaces.delete(workspace);
    this.metrics.engagedWorkspaces.set({ export: this.options.export }, this.workspaces.size);
    this.log.info({ workspace }, "workspace disengaged: its work is dropped");
    for (const hook of this.disengageHooks) {
      Promise.resolve()
        .then(() => hook(workspace))
        .catch((err: unknown) => this.log.error({ err, workspace }, "onDisengage hook failed"));
    }
  }

  /**
   * Stops: no new work, running reconciles get `shutdownTimeoutMs` to finish, then their signal
   * aborts (they write nothing) and they get `shutdownGraceMs` more; then watches close. Always
   * returns, even when a handler ignores its signal: such reconciles are named in the result and
   * in an error log line (on SIGTERM/SIGINT the process then exits with code 1). Safe to call twice.
   */
  stop(): Promise<StopResult> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      process.removeListener("SIGTERM", this.signalHandler);
      process.removeListener("SIGINT", this.signalHandler);
      this.startAbort.abort(new Error("provider stopping"));
      this.log.info("stopping: draining running reconciles");
      const timeout = this.options.shutdownTimeoutMs ?? 30_000;
      const grace = this.options.shutdownGraceMs ?? 5_000;
      const results = await Promise.all(this.registrations.map((r) => r.controller.shutdown(timeout, grace)));
      const stuck = results.flatMap((r) => r.stuck);
      for (const s of this.subscriptions.splice(0)) s.unsubscribe();
      await this.elector?.release().catch(() => undefined);
      await this.health?.close();
      for (const c of this.endpointClients.values()) c.close();
      this.client.close();
      if (stuck.length > 0) this.log.error({ stuck }, "stopped with reconciles still running");
      else this.log.info("stopped");
      return { clean: stuck.length === 0, stuck };
    })();
    return this.stopping;
  }

  /** Snapshot of cached objects per resource and workspace (also exported as a metric). */
  cachedObjects(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const reg of this.registrations) {
      const perWs: Record<string, number> = {};
      for (const ws of reg.store.workspaces()) perWs[ws] = reg.store.list({ workspace: ws }).length;
      out[reg.resource.kind] = perWs;
    }
    return out;
  }
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

function ownersOf(item: Item<KubeObject>, resource: AnyResource): ObjectKey[] {
  const refs = item.object.metadata.ownerReferences ?? [];
  return refs
    .filter((r) => r.kind === resource.kind && r.apiVersion.startsWith(`${resource.group}/`))
    .map((r) => ({
      workspace: item.workspace,
      ...(item.namespace && { namespace: item.namespace }),
      name: r.name,
    }));
}

/**
 * Creates a provider for an APIExport.
 *
 * @example
 * ```ts
 * import { createProvider } from "@kcp-mesh/sdk";
 * import { Widget } from "./api/index.js";
 *
 * const provider = createProvider({ kubeconfig: "provider.kubeconfig", export: "widgets.example.io" });
 * provider.reconcile(Widget, async (widget) => ({ status: { phase: "Ready" } }));
 * await provider.start(); // stops cleanly on SIGTERM/SIGINT
 * ```
 */
export function createProvider(options: ProviderOptions): Provider {
  return new Provider(options);
}
