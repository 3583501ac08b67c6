import type { IncomingMessage } from "node:http";
import { type KubeClient, type Query, toApiError } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { IdleTimer, InactivityError } from "./idle-timer.js";

/** Options of {@link listPage}. */
export interface ListPageOptions {
  /** Page size (`limit`); default 500. */
  limit?: number;
  /** `continue` token of the previous page. */
  continue?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Abort when no bytes arrive for this long; default 60 s. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/** One page of a list. */
export interface ListPage {
  items: KubeObject[];
  /** The list's resourceVersion: where a watch continues from. */
  resourceVersion: string;
  /** Token for the next page; `undefined` on the last one. */
  continue: string | undefined;
}

/**
 * Lists one page of a collection (`limit`/`continue`). Without a continue token the read is a
 * consistent one from storage (no `resourceVersion`), so the pages together form one snapshot.
 * A non-2xx answer throws `KubeApiError` (410 for an expired continue token).
 */
export async function listPage(
  client: KubeClient,
  path: string,
  options: ListPageOptions = {},
): Promise<ListPage> {
  const query: Query = {
    limit: options.limit ?? 500,
    continue: options.continue || undefined,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  };
  const text = await fetchText(client, path, query, options.idleTimeoutMs ?? 60_000, options.signal);
  const list = JSON.parse(text) as {
    items?: KubeObject[] | null;
    metadata?: { resourceVersion?: string; continue?: string };
  };
  return {
    items: list.items ?? [],
    resourceVersion: list.metadata?.resourceVersion ?? "",
    continue: list.metadata?.continue || undefined,
  };
}

async function fetchText(
  client: KubeClient,
  path: string,
  query: Query,
  idleMs: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  const ac = new AbortController();
  const onAbort = () => ac.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let idle = false;
  const timer = new IdleTimer(idleMs, () => {
    idle = true;
    ac.abort(new InactivityError(`no bytes for ${idleMs} ms`));
  });
  try {
    signal?.throwIfAborted();
    let res: IncomingMessage;
    try {
      res = await client.open({ path, query, signal: ac.signal });
    } catch (err) {
      if (idle) throw new InactivityError(`GET ${path}: no answer for ${idleMs} ms`);
      throw err;
    }
    const chunks: Buffer[] = [];
    try {
      for await (const c of res) {
        timer.touch();
        chunks.push(c as Buffer);
      }
    } catch (err) {
      if (idle) throw new InactivityError(`GET ${path}: no bytes for ${idleMs} ms`);
      throw err;
    }
    const text = Buffer.concat(chunks).toString("utf8");
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300)
      throw toApiError(status, text, "GET", client.url(path, query).toString());
    return text;
  } finally {
    timer.clear();
    signal?.removeEventListener("abort", onAbort);
  }
}
