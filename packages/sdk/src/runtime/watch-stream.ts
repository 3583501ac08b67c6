import type { IncomingMessage } from "node:http";
import { type KubeClient, type Query, readBody, toApiError } from "../transport/kube-client.js";
import { IdleTimer, InactivityError } from "./idle-timer.js";
import type { RawWatchEvent } from "./watcher-machine.js";

/** Options of {@link openWatch}. */
export interface OpenWatchOptions {
  resourceVersion: string;
  /** Asked of the server, which then ends the watch normally; default 290 s (kube-rs). */
  timeoutSeconds?: number;
  /** Extra silence tolerated beyond `timeoutSeconds` before the connection counts as dead; default 5 s. */
  marginSeconds?: number;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  signal?: AbortSignal;
}

/** An open watch: iterate its events; iteration ends when the server ends the watch normally. */
export interface WatchStream extends AsyncIterable<RawWatchEvent> {
  /** Closes the connection; iteration ends. */
  close(): void;
}

/**
 * Opens a watch (`watch=1`, `allowWatchBookmarks`, `timeoutSeconds`) and parses its
 * newline-delimited JSON events. Resolves once the server accepted the watch; a non-200 answer
 * rejects with `KubeApiError` (410 when the resourceVersion is too old).
 *
 * A dead connection shows as silence: with bookmarks on, a live watch carries bytes at least until
 * the server ends it at `timeoutSeconds`, so silence beyond that plus a margin fails the iteration
 * with {@link InactivityError}. There is no whole-request timeout.
 */
export async function openWatch(
  client: KubeClient,
  path: string,
  options: OpenWatchOptions,
): Promise<WatchStream> {
  const timeoutSeconds = options.timeoutSeconds ?? 290;
  const idleMs = (timeoutSeconds + (options.marginSeconds ?? 5)) * 1000;
  const query: Query = {
    watch: 1,
    allowWatchBookmarks: true,
    resourceVersion: options.resourceVersion,
    timeoutSeconds,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  };
  const ac = new AbortController();
  const signal = options.signal;
  const onAbort = () => ac.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let idle = false;
  const timer = new IdleTimer(idleMs, () => {
    idle = true;
    ac.abort(new InactivityError(`watch ${path}: no bytes for ${idleMs} ms`));
  });
  const cleanup = () => {
    timer.clear();
    signal?.removeEventListener("abort", onAbort);
  };
  let res: IncomingMessage;
  try {
    signal?.throwIfAborted();
    res = await client.open({ path, query, signal: ac.signal });
    if (res.statusCode !== 200) {
      const text = await readBody(res);
      throw toApiError(res.statusCode ?? 0, text, "GET", client.url(path, query).toString());
    }
  } catch (err) {
    cleanup();
    if (idle) throw new InactivityError(`watch ${path}: no answer for ${idleMs} ms`);
    throw err;
  }
  timer.touch();
  res.setEncoding("utf8");

  async function* events(): AsyncGenerator<RawWatchEvent> {
    let buffer = "";
    try {
      for await (const chunk of res) {
        timer.touch();
        buffer += chunk as string;
        let nl = buffer.indexOf("\n");
        while (nl >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) yield JSON.parse(line) as RawWatchEvent;
          nl = buffer.indexOf("\n");
        }
      }
      if (buffer.trim()) yield JSON.parse(buffer) as RawWatchEvent;
    } catch (err) {
      if (idle) throw new InactivityError(`watch ${path}: no bytes for ${idleMs} ms`);
      throw err;
    } finally {
      cleanup();
      res.destroy();
    }
  }
  const iterator = events();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: () => {
      cleanup();
      res.destroy();
    },
  };
}
