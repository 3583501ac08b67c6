import type { Logger } from "pino";
import { LeaderElector } from "../controller/leader-election.js";
import { type ReadinessCheck, startHealthServer } from "../observability/health-server.js";
import type { RuntimeMetrics } from "../observability/metrics.js";
import { Engagement, type WatchSource } from "../runtime/engagement.js";
import type { WatchStats } from "../runtime/watch-stats.js";
import type { KubeClient } from "../transport/kube-client.js";
import type { ProviderOptions } from "./provider-options.js";

// The parts of a provider's start that need none of its state: each takes what it reads.

/** The metrics/health server, when a port is configured (option or METRICS_PORT). */
export async function serveHealth(
  options: ProviderOptions,
  metrics: RuntimeMetrics,
  readiness: Record<string, ReadinessCheck>,
  log: Logger,
): Promise<{ port: number; close(): Promise<void> } | undefined> {
  const port =
    options.metricsPort ?? (process.env.METRICS_PORT ? Number(process.env.METRICS_PORT) : undefined);
  if (port === undefined) return undefined;
  const health = await startHealthServer({
    port,
    ...(options.metricsHost && { host: options.metricsHost }),
    registry: metrics.registry,
    readiness,
  });
  log.info({ port: health.port }, "serving /metrics, /healthz, /readyz");
  return health;
}

/**
 * The elector of the provider's Lease (`leaderElection`). The provider keeps it before it waits
 * for leadership, so `/readyz` names a standby replica as such while it waits.
 */
export function leaderElector(
  leaderElection: Exclude<ProviderOptions["leaderElection"], false | undefined>,
  exportName: string,
  client: KubeClient,
  log: Logger,
): LeaderElector {
  const le = leaderElection === true ? {} : leaderElection;
  const elector = new LeaderElector({
    client,
    name: le.leaseName ?? `${exportName}-provider`,
    ...(le.namespace && { namespace: le.namespace }),
    ...(le.identity && { identity: le.identity }),
    logger: log,
  });
  log.info({ identity: elector.identity }, "waiting for leadership");
  return elector;
}

/** The one engagement of a provider: one slice watch, one binding watch per endpoint. */
export function createEngagement(
  options: ProviderOptions,
  client: KubeClient,
  stats: WatchStats,
  log: Logger,
): Engagement {
  const url = options.virtualWorkspaceUrl;
  const source: WatchSource = url !== undefined ? { client, url } : { client, exportName: options.export };
  return new Engagement({
    source,
    logger: log,
    stats,
    ...(url !== undefined && { bindings: true }),
    ...(options.watch?.timeoutSeconds !== undefined && { timeoutSeconds: options.watch.timeoutSeconds }),
    ...(options.watch?.pageSize !== undefined && { pageSize: options.watch.pageSize }),
  });
}
