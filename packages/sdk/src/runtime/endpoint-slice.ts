import type { Logger } from "pino";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { Observable } from "../util/rx.js";
import type { BackoffOptions } from "./backoff.js";
import { isObjectEvent } from "./events.js";
import type { WatchTarget } from "./target.js";
import type { WatchStats } from "./watch-stats.js";
import { Watcher } from "./watcher.js";

/** The APIExportEndpointSlice resource (kcp creates one per export, with the export's name). */
export const ENDPOINT_SLICES: WatchTarget = {
  group: "apis.kcp.io",
  version: "v1alpha1",
  plural: "apiexportendpointslices",
  kind: "APIExportEndpointSlice",
  namespaced: false,
};

interface EndpointSliceObject extends KubeObject {
  status?: { endpoints?: { url?: string }[] };
}

/** Options of {@link watchEndpointSlice}. */
export interface EndpointSliceOptions {
  logger?: Logger | undefined;
  stats?: WatchStats | undefined;
  backoff?: BackoffOptions | undefined;
  timeoutSeconds?: number | undefined;
}

/**
 * The virtual workspace URLs (one per shard) of an export, as they change: reads and watches the
 * APIExportEndpointSlice named `sliceName` in the provider's workspace. Emits once the slice has
 * been read, then on every change. An empty list (or a slice that does not exist yet) means
 * nothing is bound yet, not an error.
 *
 * @param provider a client for the provider's workspace (e.g. from its kubeconfig)
 * @param sliceName the slice's name: the export's name for the slice kcp creates itself
 */
export function watchEndpointSlice(
  provider: KubeClient,
  sliceName: string,
  options: EndpointSliceOptions = {},
): Observable<readonly string[]> {
  return new Observable<readonly string[]>((subscriber) => {
    let synced = false;
    let last: string | undefined;
    const urls = new Map<string, readonly string[]>();
    const publish = () => {
      const all = [...new Set([...urls.values()].flat())].sort();
      const id = all.join("\n");
      if (id === last) return;
      last = id;
      subscriber.next(all);
    };
    const watcher = new Watcher<KubeObject>({
      client: provider,
      path: "/apis/apis.kcp.io/v1alpha1/apiexportendpointslices",
      fieldSelector: `metadata.name=${sliceName}`,
      target: ENDPOINT_SLICES,
      logger: options.logger,
      stats: options.stats,
      ...(options.backoff && { backoff: options.backoff }),
      ...(options.timeoutSeconds && { timeoutSeconds: options.timeoutSeconds }),
      onEvent: (ev) => {
        if (isObjectEvent(ev)) {
          if (ev.type === "deleted") urls.delete(ev.key);
          else {
            const slice = ev.object as EndpointSliceObject;
            urls.set(
              ev.key,
              (slice.status?.endpoints ?? []).map((e) => e.url ?? "").filter((u) => u !== ""),
            );
          }
          if (synced && !ev.initial) publish();
        } else if (ev.type === "init-done") {
          synced = true;
          publish();
        }
      },
    }).start();
    return () => {
      void watcher.stop();
    };
  });
}
