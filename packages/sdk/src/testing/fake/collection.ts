import type { ServerResponse } from "node:http";
import { labelMatcher } from "../../runtime/label-selector.js";
import { CLUSTER_ANNOTATION, type KubeObject } from "../../util/objects.js";
import { badRequest, StatusError, statusBody } from "./http.js";
import { apiVersionOf, resourceKey } from "./resources.js";
import type { Scope } from "./scope.js";
import type { FakeState } from "./state.js";
import type { Change, ObjectAddress } from "./store.js";

/** An object as a client reads it: with the `kcp.io/cluster` annotation kcp derives from its key. */
export function present(address: ObjectAddress, obj: KubeObject): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata.annotations, [CLUSTER_ANNOTATION]: address.cluster },
    },
  };
}

type Filter = (a: ObjectAddress, o: KubeObject) => boolean;

/** The request's namespace, field selector and label selector as one predicate. */
export function selectorFilter(scope: Scope, namespace: string | undefined, query: URLSearchParams): Filter {
  const fields: [string, string, boolean][] = [];
  for (const term of (query.get("fieldSelector") ?? "").split(",").filter(Boolean)) {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid field selector "${term}"`);
    if (m[1] !== "metadata.name" && m[1] !== "metadata.namespace")
      throw badRequest(`"${m[1]}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    fields.push([m[1], m[3]!, m[2] !== "!="]);
  }
  const labelSel = query.get("labelSelector");
  let labels: ((l: Record<string, string> | undefined) => boolean) | undefined;
  try {
    labels = labelSel ? labelMatcher(labelSel) : undefined;
  } catch (err) {
    throw badRequest(`unable to parse requirement: ${(err as Error).message}`);
  }
  return (a, o) => {
    if (!scope.visible(a, o)) return false;
    if (namespace !== undefined && a.namespace !== namespace) return false;
    for (const [f, v, eq] of fields) {
      const actual = f === "metadata.name" ? a.name : a.namespace;
      if ((actual === v) !== eq) return false;
    }
    return labels ? labels(o.metadata.labels) : true;
  };
}

function encodeContinue(rv: number, key: string): string {
  return Buffer.from(JSON.stringify({ rv, start: key })).toString("base64url");
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { rv: number; start: string };
    if (typeof v.rv !== "number" || typeof v.start !== "string") throw new Error("bad token");
    return v;
  } catch {
    throw badRequest(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
}

/** A list, paged by `limit`/`continue`; an expired continue token is a 410. */
export function listObjects(
  state: FakeState,
  scope: Scope,
  namespace: string | undefined,
  query: URLSearchParams,
): unknown {
  const filter = selectorFilter(scope, namespace, query);
  const limit = Number(query.get("limit") ?? 0);
  const token = query.get("continue");
  let rv = state.store.resourceVersion;
  let start = "";
  if (token) {
    const c = decodeContinue(token);
    if (c.rv < state.store.compactedRv) {
      throw new StatusError(
        410,
        "Expired",
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
      );
    }
    rv = c.rv;
    start = c.start;
  }
  const all = state.store
    .list(resourceKey(scope.resource), () => true)
    .filter((x) => x.key > start && filter(x.address, x.object));
  const page = limit > 0 ? all.slice(0, limit) : all;
  const more = limit > 0 && all.length > limit;
  const r = scope.resource;
  return {
    kind: `${r.kind}List`,
    apiVersion: apiVersionOf(r),
    metadata: {
      resourceVersion: String(rv),
      ...(more && {
        continue: encodeContinue(rv, page.at(-1)!.key),
        remainingItemCount: all.length - page.length,
      }),
    },
    items: page.map((x) => present(x.address, x.object)),
  };
}

/** Options of {@link serveWatch} the server sets. */
export interface WatchServing {
  /** How often a watch gets a BOOKMARK (with `allowWatchBookmarks`); 0 for never. */
  bookmarkIntervalMs: number;
  /** How long after a write its watch events go out, in ms. */
  dispatchDelayMs: number;
  /** Open watches, so a fault can end them. */
  open: Set<{ expire(): void; end(): void }>;
}

/**
 * Serves a watch: from `resourceVersion` (replaying history; 410 as an ERROR event when it is
 * older than the history kept), or from "now" with the current objects as ADDED first when no
 * resourceVersion is given. Objects that start or stop matching the selectors arrive as
 * ADDED/DELETED, as Kubernetes' watch cache sends them.
 */
export function serveWatch(
  state: FakeState,
  scope: Scope,
  namespace: string | undefined,
  query: URLSearchParams,
  res: ServerResponse,
  serving: WatchServing,
): void {
  const filter = selectorFilter(scope, namespace, query);
  const rvParam = query.get("resourceVersion") ?? "";
  const r = scope.resource;
  const bookmarks = query.get("allowWatchBookmarks") === "true" || query.get("allowWatchBookmarks") === "1";
  const timeoutSeconds = Number(query.get("timeoutSeconds") ?? 0) || 1800;
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  let sentRv = state.store.resourceVersion;
  const write = (type: string, object: unknown) => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const gone = (rv: string) =>
    statusBody(
      new StatusError(410, "Expired", `too old resource version: ${rv} (${state.store.compactedRv})`),
    );

  const onChange = (c: Change) => {
    const now = c.type !== "DELETED" && filter(c, c.object);
    const before = c.previous !== undefined && filter(c, c.previous);
    const type = now ? (before ? "MODIFIED" : "ADDED") : before ? "DELETED" : undefined;
    if (type) write(type, present(c, c.object));
    sentRv = c.rv;
  };

  let replay: Change[] = [];
  if (rvParam === "" || rvParam === "0") {
    for (const x of state.store.list(resourceKey(r), () => true)) {
      if (filter(x.address, x.object)) write("ADDED", present(x.address, x.object));
    }
    // kcp marks the end of the initial events with a bookmark, asked for or not (sendInitialEvents).
    if (bookmarks) {
      write("BOOKMARK", {
        kind: r.kind,
        apiVersion: apiVersionOf(r),
        metadata: {
          resourceVersion: String(state.store.resourceVersion),
          annotations: { "k8s.io/initial-events-end": "true" },
        },
      });
    }
  } else {
    const rv = Number(rvParam);
    const since = Number.isFinite(rv) ? state.store.since(rv) : undefined;
    if (!since) {
      write("ERROR", gone(rvParam));
      res.end();
      return;
    }
    replay = since;
  }
  for (const c of replay) if (c.resource === resourceKey(r)) onChange(c);
  sentRv = state.store.resourceVersion;
  // Live events go out a moment after the write's own answer, as kcp's watch cache dispatches
  // them after etcd committed the write: a client mostly sees its write's answer first, as it does
  // against kcp (a client that relies on that order still has a race; see the README).
  let queue: Change[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    for (const c of batch) {
      if (c.resource === resourceKey(r)) onChange(c);
      else sentRv = c.rv;
    }
  };
  const unsubscribe = state.store.subscribe((c) => {
    if (queue.push(c) === 1) setTimeout(flush, serving.dispatchDelayMs);
  });
  const bookmark = () =>
    write("BOOKMARK", {
      kind: r.kind,
      apiVersion: apiVersionOf(r),
      metadata: { resourceVersion: String(sentRv) },
    });
  const ticker =
    bookmarks && serving.bookmarkIntervalMs > 0
      ? setInterval(bookmark, serving.bookmarkIntervalMs)
      : undefined;
  const handle = {
    expire: () => {
      write("ERROR", gone(String(sentRv)));
      handle.end();
    },
    end: () => {
      cleanup();
      res.end();
    },
  };
  const timer = setTimeout(handle.end, timeoutSeconds * 1000);
  serving.open.add(handle);
  const cleanup = () => {
    unsubscribe();
    clearInterval(ticker);
    clearTimeout(timer);
    serving.open.delete(handle);
  };
  res.on("close", cleanup);
}
