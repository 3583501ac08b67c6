import type { Logger } from "pino";
import { Observable, of } from "rxjs";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
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

/** Options of {@link watch}. */
export interface WatchOptions {
  source: WatchSource;
  /**
   * Workspace under each endpoint: `*` (default) watches all workspaces at once. Use `undefined`
   * explicitly via `workspace: null` for a server without `/clusters` paths.
   */
  workspace?: string | null;
  /**
   * Gate objects by the export's APIBindings served at each endpoint: a workspace's objects flow
   * once its binding is Ready and are reported deleted when it goes away. Default on for
   * `exportName` and `endpoints` sources, off for explicit URLs (which need not be kcp).
   */
  bindings?: boolean;
  /** Server-side label selector. */
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size; default 500. */
  pageSize?: number;
  /** Watch `timeoutSeconds`; default 290. Silence longer than this plus `marginSeconds` (5) is a dead connection. */
  timeoutSeconds?: number;
  marginSeconds?: number;
  /** Reconnect backoff; default 0.8 s doubling to 30 s with jitter, reset after 120 s without errors. */
  backoff?: BackoffOptions;
  /** Keep `metadata.managedFields`; dropped by default. */
  keepManagedFields?: boolean;
  /** pino logger; log lines about one object or workspace carry `workspace`. */
  logger?: Logger;
  /** Restart counters; pass your own to read them. */
  stats?: WatchStats;
}

function exportNameOf(source: WatchSource): string | undefined {
  return "exportName" in source ? source.exportName : undefined;
}

function endpointsOf(source: WatchSource, options: WatchOptions): Observable<readonly string[]> {
  if ("exportName" in source) {
    return watchEndpointSlice(source.client, source.exportName, {
      logger: options.logger,
      stats: options.stats,
      backoff: options.backoff,
      timeoutSeconds: options.timeoutSeconds,
    });
  }
  if ("endpoints" in source) return source.endpoints;
  const urls = source.url === undefined ? [source.client.baseUrl.toString()] : [source.url].flat();
  return of(urls.map((u) => u.replace(/\/$/, "")));
}

/** One endpoint URL: the objects' watcher, and the bindings' watcher with its gate. */
class EndpointSession<T> {
  private readonly objects: Watcher<T>;
  private readonly bindings: Watcher<KubeObject> | undefined;
  private readonly gate: WorkspaceGate<T> | undefined;
  private readonly client: KubeClient;

  constructor(
    readonly url: string,
    target: WatchTarget<T>,
    options: WatchOptions,
    stats: WatchStats,
    emit: (ev: WatchEvent<T>) => void,
  ) {
    this.client = options.source.client.withBaseUrl(url);
    const gated = options.bindings ?? ("exportName" in options.source || "endpoints" in options.source);
    const workspace = options.workspace === null ? undefined : (options.workspace ?? "*");
    // Watchers add resource and endpoint to their own lines; the gate's lines need them too.
    const logger = options.logger?.child({ resource: targetName(target), endpoint: url });
    const common = {
      client: this.client,
      endpoint: url,
      pageSize: options.pageSize ?? 500,
      ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
      ...(options.marginSeconds !== undefined && { marginSeconds: options.marginSeconds }),
      ...(options.backoff && { backoff: options.backoff }),
      logger: options.logger,
      stats,
    };
    if (gated) {
      this.gate = new WorkspaceGate<T>({
        endpoint: url,
        exportName: exportNameOf(options.source),
        emit,
        relist: () => this.objects.relist(),
        logger,
      });
      const gate = this.gate;
      this.bindings = new Watcher<KubeObject>({
        ...common,
        target: API_BINDINGS,
        path: collectionPath(API_BINDINGS, workspace),
        onEvent: (ev) => gate.onBindingEvent(ev),
      });
    }
    const gate = this.gate;
    this.objects = new Watcher<T>({
      ...common,
      target,
      path: collectionPath(target, workspace),
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      keepManagedFields: options.keepManagedFields ?? false,
      onEvent: gate ? (ev) => gate.onObjectEvent(ev) : emit,
    });
  }

  start(): void {
    this.bindings?.start();
    this.objects.start();
  }

  /** Stops both watchers; with `release`, first reports every object delivered so far deleted. */
  async stop(release: boolean): Promise<void> {
    // Gate first: it reports exactly what it let through as deleted, synchronously.
    this.gate?.close();
    const objects = this.objects.stop({ release: release && !this.gate });
    await Promise.all([objects, this.bindings?.stop()]);
    this.client.close();
  }
}

/**
 * Every object of a resource in every workspace served at the source's endpoints, as a stream
 * that never ends by itself and never errors: disconnects, expired resourceVersions, restarts of
 * kcp and empty shards are handled inside, counted in `options.stats` and logged.
 *
 * Per endpoint, the stream starts with `init-start`, the listed objects (`added`), `init-done`,
 * then live `added`/`modified`/`deleted` events; each relist repeats that pattern, reporting
 * objects that vanished meanwhile as `deleted`. Every object event carries `workspace` (the
 * `kcp.io/cluster` annotation), `key` (`workspace/namespace/name`) and `endpoint`. Objects that
 * fail `target.validate` come flagged `valid: false` with the issues.
 *
 * Cold: each subscription runs its own watches; unsubscribing stops them. Share one with
 * `share()` and feed a {@link Store} from it.
 *
 * @example
 * ```ts
 * const provider = KubeClient.fromKubeConfig({ path: "provider.kubeconfig" });
 * watch({ group: "example.io", version: "v1", plural: "widgets", namespaced: true }, {
 *   source: { client: provider, exportName: "widgets.example.io" },
 * }).subscribe((ev) => console.log(ev.type, "key" in ev ? ev.key : ""));
 * ```
 */
export function watch<T = KubeObject>(
  target: WatchTarget<T>,
  options: WatchOptions,
): Observable<WatchEvent<T>> {
  return new Observable<WatchEvent<T>>((subscriber) => {
    const stats = options.stats ?? new WatchStats();
    const log = options.logger?.child({ resource: targetName(target) });
    const sessions = new Map<string, EndpointSession<T>>();
    let closed = false;
    const emit = (ev: WatchEvent<T>) => {
      if (!closed) subscriber.next(ev);
    };
    const sub = endpointsOf(options.source, options).subscribe({
      next: (urls) => {
        const wanted = new Set(urls.map((u) => u.replace(/\/$/, "")));
        for (const [url, session] of sessions) {
          if (!wanted.has(url)) {
            log?.info({ endpoint: url }, "endpoint removed");
            sessions.delete(url);
            void session.stop(true);
          }
        }
        for (const url of wanted) {
          if (!sessions.has(url)) {
            log?.info({ endpoint: url }, "endpoint added");
            // The session's watchers add resource and endpoint themselves: hand them the bare logger.
            const session = new EndpointSession(url, target, options, stats, emit);
            sessions.set(url, session);
            session.start();
          }
        }
        emit({ type: "endpoints", endpoints: [...wanted] });
      },
      // An endpoint source that fails or completes leaves the current endpoints running.
      error: (err: unknown) => log?.error({ err }, "endpoint source failed; keeping current endpoints"),
    });
    return () => {
      closed = true;
      sub.unsubscribe();
      for (const session of sessions.values()) void session.stop(false);
      sessions.clear();
    };
  });
}
