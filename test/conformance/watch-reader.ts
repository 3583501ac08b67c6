import type { IncomingMessage } from "node:http";
import { createInterface } from "node:readline";
import type { KubeClient, KubeObject, Query } from "@kcp-mesh/sdk";

/** One watch event as the server sent it. */
export interface RawEvent {
  type: string;
  object: KubeObject & { code?: number; reason?: string };
}

/** An open watch whose events are collected as they arrive. */
export interface OpenedWatch {
  status: number;
  events: RawEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves with the first event (already seen or still to come) that `match` accepts. */
  next(match: (e: RawEvent) => boolean, timeoutMs?: number): Promise<RawEvent>;
  close(): void;
}

/** Opens `path` with `watch=true` and the given query and collects its events. */
export async function openWatch(client: KubeClient, path: string, query: Query): Promise<OpenedWatch> {
  const res: IncomingMessage = await client.open({ path, query: { watch: true, ...query } });
  const events: RawEvent[] = [];
  const waiters: { match: (e: RawEvent) => boolean; resolve: (e: RawEvent) => void }[] = [];
  const ended = (async () => {
    if (res.statusCode !== 200) {
      res.resume();
      return;
    }
    try {
      for await (const line of createInterface({ input: res })) {
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as RawEvent;
        events.push(ev);
        for (const w of [...waiters]) {
          if (w.match(ev)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(ev);
          }
        }
      }
    } catch {
      // closed by us
    }
  })();
  return {
    status: res.statusCode ?? 0,
    events,
    ended,
    next(match, timeoutMs = 20_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new Error(
                `no matching watch event within ${timeoutMs} ms; got ${events.map((e) => `${e.type} ${e.object.metadata?.name ?? e.object.reason ?? ""}`).join(", ")}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(t);
            resolve(e);
          },
        });
      });
    },
    close: () => res.destroy(),
  };
}
