import type { Logger } from "pino";
import type { Observable, Subscription } from "rxjs";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { of } from "../util/rx.js";
import type { BackoffOptions } from "./backoff.js";
import { watchEndpointSlice } from "./endpoint-slice.js";
import type { WatchEvent } from "./events.js";
import { collectionPath, targetName, type WatchTarget } from "./target.js";
import { WatchStats } from "./watch-stats.js";
import { Watcher } from "./watcher.js";
import { WorkspaceGate } from "./workspace-gate.js";

/** The APIBinding resource as the APIExport virtual workspace serves it. */
export const API_BINDINGS: WatchTarget = {
  group: "apis.kcp.io",
  version: "v1alpha2",
  plural: "apibindings",
  kind: "APIBinding",
  namespaced: false,
};

/**
 * Where to watch.
 * - `{ client, exportName }`: `client` points at the provider's workspace; the export's
 *   APIExportEndpointSlice gives the virtual workspace URLs (one per shard), followed as they change.
 * - `{ client, url }`: explicit virtual workspace URL(s), same credentials as `client`.
 * - `{ client, endpoints }`: URLs from any source, e.g. a custom slice watcher.
 * - `{ client }`: the client's own base URL.
 */
export type WatchSource =
  | { client: KubeClient; exportName: string }
  | { client: KubeClient; url?: string | readonly string[] }
  | { client: KubeClient; endpoints: Observable<readonly string[]> };

/** How an {@link Engagement} reaches its endpoints and gates its workspaces. */
export interface EngagementOptions {
  source: WatchSource;
  /**
   * Workspace under each endpoint: `*` (default) watches all workspaces at once; `null` for a
   * server without `/clusters` paths.
   */
  workspace?: string | null;
  /**
   * Gate objects by the export's APIBindings served at each endpoint: a workspace's objects flow
   * once its binding is Ready and are reported deleted when it goes away. Default on for
   * `exportName` and `endpoints` sources, off for explicit URLs (which need not be kcp).
   */
  bindings?: boolean;
  /** List page size; default 500. */
  pageSize?: number;
  /** Watch `timeoutSeconds`; default 290. Silence longer than this plus `marginSeconds` (5) is a dead connection. */
  timeoutSeconds?: number;
  marginSeconds?: number;
  /** Reconnect backoff; default 0.8 s doubling to 30 s with jitter, reset after 120 s without errors. */
  backoff?: BackoffOptions;
  /** pino logger; log lines about one object or workspace carry `workspace`. */
  logger?: Logger;
  /** Restart counters and running watches; pass your own to read them. */
  stats?: WatchStats;
}

/** What one resource of an {@link Engagement} is watched with. */
export interface InformerOptions {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Keep `metadata.managedFields`; dropped by default. */
  keepManagedFields?: boolean;
}

interface Member {
  target: WatchTarget<unknown>;
  options: InformerOptions;
  emit: (ev: WatchEvent<unknown>) => void;
}

/**
 * Everything a provider watches through one export, engaged once: one APIExportEndpointSlice
 * watch for the whole provider and, per endpoint (shard), one APIBinding watch whose events gate
 * every resource, plus one list+watch per (resource, endpoint). Add each resource with
 * {@link add} before {@link start}; its events (per endpoint `init-start`, objects, `init-done`,
 * workspace and endpoint events) go to the callback given there.
 *
 * `watch()` is an engagement with one resource; a provider shares one among all its resources and
 * related watches, so two resources cost two object watches, not two of everything.
 */
export class Engagement {
  private readonly members: Member[] = [];
  private readonly sessions = new Map<string, EndpointSession>();
  private readonly stats: WatchStats;
  private sub: Subscription | undefined;
  private stopped = false;

  constructor(private readonly options: EngagementOptions) {
    this.stats = options.stats ?? new WatchStats();
  }

  /** Watches `target` too; `emit` gets its events synchronously, in order. Call before {@link start}. */
  add<T>(target: WatchTarget<T>, emit: (ev: WatchEvent<T>) => void, options: InformerOptions = {}): void {
    if (this.sub) throw new Error(`add ${targetName(target)} before the engagement starts`);
    this.members.push({ target, options, emit: emit as (ev: WatchEvent<unknown>) => void });
  }

  /** Follows the endpoints and starts every watch. */
  start(): void {
    if (this.sub || this.stopped) return;
    const log = this.options.logger;
    this.sub = this.endpoints().subscribe({
      next: (urls) => {
        const wanted = new Set(urls.map((u) => u.replace(/\/$/, "")));
        for (const [url, session] of this.sessions) {
          if (!wanted.has(url)) {
            log?.info({ endpoint: url }, "endpoint removed");
            this.sessions.delete(url);
            void session.stop(true);
          }
        }
        for (const url of wanted) {
          if (!this.sessions.has(url)) {
            log?.info({ endpoint: url }, "endpoint added");
            const session = new EndpointSession(url, this.members, this.options, this.stats);
            this.sessions.set(url, session);
            session.start();
          }
        }
        for (const m of this.members) m.emit({ type: "endpoints", endpoints: [...wanted] });
      },
      // An endpoint source that fails or completes leaves the current endpoints running.
      error: (err: unknown) => log?.error({ err }, "endpoint source failed; keeping current endpoints"),
    });
  }

  /** Stops every watch; nothing is emitted afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.sub?.unsubscribe();
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.stop(false)));
  }

  private endpoints(): Observable<readonly string[]> {
    const { source } = this.options;
    if ("exportName" in source) {
      return watchEndpointSlice(source.client, source.exportName, {
        logger: this.options.logger,
        stats: this.stats,
        backoff: this.options.backoff,
        timeoutSeconds: this.options.timeoutSeconds,
      });
    }
    if ("endpoints" in source) return source.endpoints;
    const urls = source.url === undefined ? [source.client.baseUrl.toString()] : [source.url].flat();
    return of(urls.map((u) => u.replace(/\/$/, "")));
  }
}

/** One endpoint URL: one bindings watcher feeding a gate per resource, and a watcher per resource. */
class EndpointSession {
  private readonly client: KubeClient;
  private readonly bindings: Watcher<KubeObject> | undefined;
  private readonly parts: { gate: WorkspaceGate<unknown> | undefined; objects: Watcher<unknown> }[];
  private closed = false;

  constructor(
    readonly url: string,
    members: readonly Member[],
    options: EngagementOptions,
    stats: WatchStats,
  ) {
    const source = options.source;
    this.client = source.client.withBaseUrl(url);
    const gated = options.bindings ?? ("exportName" in source || "endpoints" in source);
    const workspace = options.workspace === null ? undefined : (options.workspace ?? "*");
    const exportName = "exportName" in source ? source.exportName : undefined;
    const common = {
      client: this.client,
      endpoint: url,
      pageSize: options.pageSize ?? 500,
      ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
      ...(options.marginSeconds !== undefined && { marginSeconds: options.marginSeconds }),
      ...(options.backoff && { backoff: options.backoff }),
      // Watchers add resource and endpoint to their own lines.
      logger: options.logger,
      stats,
    };
    this.parts = members.map((m) => {
      const emit = (ev: WatchEvent<unknown>) => {
        if (!this.closed) m.emit(ev);
      };
      let objects!: Watcher<unknown>;
      const gate = gated
        ? new WorkspaceGate<unknown>({
            endpoint: url,
            exportName,
            emit,
            relist: () => objects.relist(),
            logger: options.logger?.child({ resource: targetName(m.target), endpoint: url }),
          })
        : undefined;
      objects = new Watcher<unknown>({
        ...common,
        target: m.target,
        path: collectionPath(m.target, workspace),
        labelSelector: m.options.labelSelector,
        fieldSelector: m.options.fieldSelector,
        keepManagedFields: m.options.keepManagedFields ?? false,
        onEvent: gate ? (ev) => gate.onObjectEvent(ev) : emit,
      });
      return { gate, objects };
    });
    const gates = this.parts.flatMap((p) => (p.gate ? [p.gate] : []));
    this.bindings =
      gates.length > 0
        ? new Watcher<KubeObject>({
            ...common,
            target: API_BINDINGS,
            path: collectionPath(API_BINDINGS, workspace),
            onEvent: (ev) => {
              for (const g of gates) g.onBindingEvent(ev);
            },
          })
        : undefined;
  }

  start(): void {
    this.bindings?.start();
    for (const p of this.parts) p.objects.start();
  }

  /** Stops every watcher; with `release`, first reports every object delivered so far deleted. */
  async stop(release: boolean): Promise<void> {
    // Gates first: each reports exactly what it let through as deleted, synchronously.
    for (const p of this.parts) if (release) p.gate?.close();
    const stopping = this.parts.map((p) => p.objects.stop({ release: release && !p.gate }));
    if (!release) this.closed = true;
    await Promise.all([...stopping, this.bindings?.stop()]);
    this.closed = true;
    this.client.close();
  }
}
