import type { Logger } from "pino";
import type { Subscription } from "rxjs";
import type { Infer } from "../api/infer.js";
import type { AnyResource } from "../api/resource.js";
import type { LeaderElector } from "../controller/leader-election.js";
import { createLogger, withRedaction } from "../observability/logger.js";
import { RuntimeMetrics } from "../observability/metrics.js";
import type { Engagement } from "../runtime/engagement.js";
import type { ObjectRef } from "../runtime/item.js";
import type { Store } from "../runtime/store.js";
import type { WatchTarget } from "../runtime/target.js";
import { WatchStats } from "../runtime/watch-stats.js";
import type { Ownership } from "../sharding/ownership.js";
import { providerSharding } from "../sharding/provider-sharding.js";
import { KubeClient } from "../transport/kube-client.js";
import { collectCacheGauges } from "./cache-gauges.js";
import { type Informer, Informers, type Registration } from "./informers.js";
import type { ProviderOptions, ReconcileHandler, ReconcileOptions, StopResult } from "./provider-options.js";
import { createEngagement, leaderElector, serveHealth } from "./provider-start.js";
import { createRegistration } from "./registration.js";
import { resourceTarget } from "./resource-target.js";
import { checkProviderSetup, ProviderStartError } from "./startup-checks.js";
import { WorkspaceStates } from "./workspace-states.js";

export { specOrMetadataChanged } from "./informers.js";
export type {
  InvalidHandler,
  ProviderOptions,
  ReconcileHandler,
  ReconcileOptions,
  RelatedWatch,
  StatusInput,
  StopResult,
} from "./provider-options.js";
export { SECRETS } from "./provider-options.js";

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
  private readonly informers = new Informers();
  private engagement: Engagement | undefined;
  private restarts: Subscription | undefined;
  /** Restart counters and running watches of every watch of this provider. */
  readonly stats = new WatchStats();
  private readonly workspaces: WorkspaceStates<Informer>;
  private readonly disengageHooks: ((workspace: string) => void | Promise<void>)[] = [];
  private readonly endpointClients = new Map<string, KubeClient>();
  private health: { port: number; close(): Promise<void> } | undefined;
  private elector: LeaderElector | undefined;
  /** With `sharding`: which workspaces this replica reconciles. */
  private ownership: Ownership | undefined;
  private started = false;
  private stopping: Promise<StopResult> | undefined;
  /** Why the provider is not ready yet (start-up checks), for /readyz and the metric. */
  private notReadyReason: string | undefined;
  private readonly credentialsFrom: string;
  /** Aborts start-up checks and leader election waits when the provider stops first. */
  private readonly startAbort = new AbortController();
  private readonly signalHandler = (signal: NodeJS.Signals) => {
    if (this.stopping) {
      // The drain has an end (shutdownTimeoutMs + shutdownGraceMs): a second Ctrl-C (or a
      // wrapper forwarding one twice) must not cut it short and lose the stuck-reconcile report.
      this.log.warn({ signal }, "already stopping; the drain ends by itself");
      return;
    }
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
    if (options.sharding && options.leaderElection) {
      throw new Error("createProvider: choose `sharding` or `leaderElection`, not both");
    }
    this.workspaces = new WorkspaceStates<Informer>({
      logger: this.log,
      onCount: (n) => this.metrics.engagedWorkspaces.set({ export: options.export }, n),
      onLeave: (workspace) => this.leave(workspace),
    });
    this.metrics.onCollect.push(() => collectCacheGauges(this.metrics, this.informers, this.stats));
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
    if (this.registrations.some((r) => r.resource === resource)) {
      throw new Error(`${resource.kind} is registered twice: one reconcile() per resource`);
    }
    const reg = createRegistration(resource, handler, options, {
      options: this.options,
      informers: this.informers,
      logger: this.log,
      metrics: this.metrics,
      clientFor: (endpoint) => this.endpointClient(endpoint),
      workspaceState: (ws) =>
        this.ownership && !this.ownership.owns(ws)
          ? undefined
          : this.options.virtualWorkspaceUrl !== undefined
            ? "active"
            : this.workspaces.get(ws),
    });
    this.registrations.push(reg);
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
    return this.workspaces.snapshot();
  }

  /**
   * The cache of a registered resource: get/list by workspace and namespace, `waitForSync`. It is
   * the cache that triggers the resource's reconciles and its related watches, not a copy.
   */
  store<R extends AnyResource>(resource: R): Store<Infer<R>> {
    const reg = this.registrations.find((r) => r.resource === resource);
    if (!reg) throw new Error(`${resource.kind} is not registered with reconcile()`);
    return this.informers.of(resourceTarget(resource) as WatchTarget<unknown>).store as Store<Infer<R>>;
  }

  /**
   * Reconciles an object of a registered resource (again), e.g. from another handler: a record
   * asking for its zone. Level-triggered like every reconcile: it reads the cache when it runs.
   */
  enqueue<R extends AnyResource>(resource: R, key: ObjectRef): void {
    const reg = this.registrations.find((r) => r.resource === resource);
    if (!reg) throw new Error(`${resource.kind} is not registered with reconcile()`);
    reg.controller.enqueue(key);
  }

  /** True when every cache has synced (the slice may still be empty: nothing bound yet). */
  get synced(): boolean {
    return this.informers.all().every((inf) => inf.store.synced);
  }

  private endpointClient(endpoint: string): KubeClient {
    let c = this.endpointClients.get(endpoint);
    if (!c) {
      c = this.client.withBaseUrl(endpoint);
      this.endpointClients.set(endpoint, c);
    }
    return c;
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
    this.health = await serveHealth(
      this.options,
      this.metrics,
      {
        setup: () => this.notReadyReason,
        "caches-synced": () => (this.synced ? undefined : "caches not synced yet"),
        leader: () =>
          !this.elector || this.elector.isLeader ? undefined : "waiting for leadership (standby replica)",
        ...(this.options.sharding && {
          sharding: () => this.ownership?.notReady() ?? "sharding: not started yet",
        }),
      },
      this.log,
    );
    if (this.options.handleSignals !== false) {
      process.on("SIGTERM", this.signalHandler);
      process.on("SIGINT", this.signalHandler);
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
      this.elector = leaderElector(this.options.leaderElection, this.options.export, this.client, this.log);
      await this.elector.run(() => {
        this.log.error("leadership lost: stopping so that only the leader writes");
        void this.stop();
      }, this.startAbort.signal);
    }
    this.startAbort.signal.throwIfAborted();
    this.startWatching();
    if (this.options.sharding) {
      this.ownership = providerSharding({
        client: this.client,
        exportName: this.options.export,
        sharding: this.options.sharding,
        registry: this.metrics.registry,
        onCollect: this.metrics.onCollect,
        logger: this.log,
        workspaces: () => this.workspaces.snapshot().keys(),
        reconcilers: () =>
          this.registrations.map((r) => ({
            controller: r.controller,
            store: this.store(r.resource) as Store<unknown>,
          })),
      });
      this.ownership.start();
    }
    this.log.info(
      { export: this.options.export, resources: this.registrations.map((r) => r.resource.kind) },
      "provider started",
    );
  }

  /** One engagement for every resource and related watch: one slice watch, one binding watch per endpoint. */
  private startWatching(): void {
    const engagement = createEngagement(this.options, this.client, this.stats, this.log);
    for (const inf of this.informers.all()) {
      engagement.add(inf.target, (ev) => inf.route(ev, this.workspaces));
    }
    this.restarts = this.stats.restarts$.subscribe((r) =>
      this.metrics.watchRestarts.inc({ resource: r.resource, endpoint: r.endpoint, reason: r.reason }),
    );
    this.engagement = engagement;
    engagement.start();
    for (const reg of this.registrations) reg.controller.start();
  }

  /** A workspace left: its queued work and bookkeeping go, then the provider's hooks run. */
  private leave(workspace: string): void {
    for (const reg of this.registrations) reg.controller.dropWorkspace(workspace);
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
      this.startAbort.abort(new Error("provider stopping"));
      this.log.info(this.engagement ? "stopping: draining running reconciles" : "stopping");
      const timeout = this.options.shutdownTimeoutMs ?? 30_000;
      const grace = this.options.shutdownGraceMs ?? 5_000;
      // Leaving the sharding group first lets each workspace go to another replica as soon as its
      // own reconciles have returned, instead of after the whole drain.
      this.ownership?.drain();
      const results = await Promise.all(this.registrations.map((r) => r.controller.shutdown(timeout, grace)));
      const stuck = results.flatMap((r) => r.stuck);
      await this.ownership?.stop();
      this.restarts?.unsubscribe();
      await this.engagement?.stop();
      await this.elector?.release().catch(() => undefined);
      await this.health?.close();
      for (const c of this.endpointClients.values()) c.close();
      this.client.close();
      if (stuck.length > 0) this.log.error({ stuck }, "stopped with reconciles still running");
      else this.log.info("stopped");
      // Only now: a signal during the drain must reach our handler, not kill the process.
      process.removeListener("SIGTERM", this.signalHandler);
      process.removeListener("SIGINT", this.signalHandler);
      return { clean: stuck.length === 0, stuck };
    })();
    return this.stopping;
  }

  /** Snapshot of cached objects per resource and workspace (also exported as a metric). */
  cachedObjects(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const reg of this.registrations) {
      const store = this.store(reg.resource);
      const perWs: Record<string, number> = {};
      for (const ws of store.workspaces()) perWs[ws] = store.list({ workspace: ws }).length;
      out[reg.resource.kind] = perWs;
    }
    return out;
  }
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
