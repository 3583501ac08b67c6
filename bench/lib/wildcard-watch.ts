import type { IncomingMessage } from "node:http";
import { KubeApiError, type KubeClient, type KubeObject } from "@kcp-mesh/sdk";

/** One watch event as the API server sends it (one JSON object per line). */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; message?: string };
}

export interface WildcardWatchOptions {
  /**
   * Client for one APIExport virtual workspace endpoint URL, or a getter for it (asked before every
   * request, so credentials can change, e.g. kcp's admin token after a restart).
   */
  client: KubeClient | (() => KubeClient);
  /** Wildcard collection path, e.g. `/clusters/*\/apis/harness.example.io/v1alpha1/things`. */
  path: string;
  /** Called with every object of each (re)list, before `onSynced`. */
  onListed: (items: KubeObject[], relist: boolean) => void;
  /** Called after each (re)list has been delivered. */
  onSynced?: (count: number, relist: boolean) => void;
  /** Called with every watch event except bookmarks. */
  onEvent: (ev: WatchEvent) => void;
  /** Stops the loop. */
  signal: AbortSignal;
  /** Server-side watch timeout per request (default 300 s); the loop reconnects after it. */
  timeoutSeconds?: number;
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * The bare wildcard reader: list, then watch from the list's resourceVersion with bookmarks,
 * parsing one event per line; reconnects from the last resourceVersion when a watch ends and
 * relists on 410 Gone (or a 404 of a shard that serves nothing yet). No cache, no queue.
 */
export async function runWildcardWatch(o: WildcardWatchOptions): Promise<void> {
  let rv: string | undefined;
  let listed = false;
  const client = typeof o.client === "function" ? o.client : () => o.client as KubeClient;
  while (!o.signal.aborted) {
    try {
      if (rv === undefined) {
        const list = await client().request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>({
          path: o.path,
          signal: o.signal,
        });
        o.onListed(list.items, listed);
        o.onSynced?.(list.items.length, listed);
        listed = true;
        rv = list.metadata.resourceVersion;
      }
      const res = await client().open({
        path: o.path,
        query: {
          watch: true,
          resourceVersion: rv,
          allowWatchBookmarks: true,
          timeoutSeconds: o.timeoutSeconds ?? 300,
        },
        signal: o.signal,
      });
      if (res.statusCode !== 200) {
        const text = await readBody(res);
        if (res.statusCode === 410 || res.statusCode === 404) rv = undefined;
        else throw new Error(`watch ${o.path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
        continue;
      }
      rv = await consume(res, rv, o);
    } catch (err) {
      if (o.signal.aborted) return;
      if (err instanceof KubeApiError && (err.status === 404 || err.status === 410)) rv = undefined;
      await sleep(err instanceof KubeApiError && err.status === 404 ? 200 : 500, o.signal);
    }
  }
}

/** Reads one watch response to its end; returns the resourceVersion to resume from (undefined: relist). */
async function consume(
  res: IncomingMessage,
  rv: string,
  o: WildcardWatchOptions,
): Promise<string | undefined> {
  let partial = "";
  let current: string | undefined = rv;
  for await (const chunk of res) {
    const lines = (partial + (chunk as Buffer).toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line) continue;
      const ev = JSON.parse(line) as WatchEvent;
      if (ev.type === "ERROR") {
        // 410 Gone (too old resourceVersion) or an expired watch: relist.
        res.destroy();
        return undefined;
      }
      current = ev.object.metadata?.resourceVersion ?? current;
      if (ev.type !== "BOOKMARK") o.onEvent(ev);
    }
  }
  return current;
}
