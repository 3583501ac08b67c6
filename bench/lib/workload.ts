import { readFileSync } from "node:fs";
import { KubeApiError, type KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { apply, bindExport, createWorkspace, type WorkspaceRef } from "@kcp-mesh/sdk/testing";

export const EXPORT = "harness.example.io";
export const GROUP = "harness.example.io";
export const VERSION = "v1alpha1";
export const PLURAL = "things";
export const API = `/apis/${GROUP}/${VERSION}`;
export const NAMESPACE = "default";

export const progress = (line: string) => process.stderr.write(`[bench ${stamp()}] ${line}\n`);
const t0 = performance.now();
const stamp = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s`;

/**
 * Runs `fn` over `items` with at most `concurrency` in flight, reporting progress every 5 s.
 * Failures are retried (kcp answers 429/5xx/409 under load and right after a workspace appears).
 */
export async function pool<T, R>(
  label: string,
  items: T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let finished = 0;
  const started = performance.now();
  const tick = setInterval(() => {
    const rate = finished / ((performance.now() - started) / 1000);
    progress(`${label}: ${finished}/${items.length} (${rate.toFixed(0)}/s)`);
  }, 5000);
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, items.length) }, async () => {
        while (next < items.length) {
          const i = next++;
          out[i] = await retry(() => fn(items[i]!, i), `${label} #${i}`);
          finished++;
        }
      }),
    );
  } finally {
    clearInterval(tick);
  }
  progress(`${label}: ${items.length} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  return out;
}

export async function retry<T>(fn: () => Promise<T>, what: string, attempts = 8): Promise<T> {
  for (let a = 1; ; a++) {
    try {
      return await fn();
    } catch (err) {
      const transient =
        !(err instanceof KubeApiError) || err.status === 429 || err.status >= 500 || err.status === 404;
      if (!transient || a >= attempts) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100 * 2 ** a));
    }
  }
}

export interface Setup {
  provider: WorkspaceRef;
  consumers: WorkspaceRef[];
  /** Objects created in each consumer: names `thing-<i>`. */
  objects: { ws: WorkspaceRef; name: string }[];
}

export function thing(name: string, counter = 0): KubeObject {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "Thing",
    metadata: { name, namespace: NAMESPACE },
    spec: { color: "blue", counter },
  };
}

/** The path of one object, for a client whose base URL is the server (or a virtual workspace) root. */
export const objectPath = (cluster: string, name: string, sub = "") =>
  `/clusters/${cluster}${API}/namespaces/${NAMESPACE}/${PLURAL}/${name}${sub}`;

/**
 * Creates the provider workspace (with the benchmark's Thing export), W consumer workspaces bound
 * to it, and N Things spread evenly over them.
 *
 * @param server admin client whose base URL is the server root (paths start with /clusters/...)
 */
export async function createWorkload(
  root: KubeClient,
  server: KubeClient,
  o: { workspaces: number; objects: number; concurrency: number },
): Promise<Setup> {
  // A just-Ready parent can answer 404 for a moment: retry() covers that.
  const provider = await retry(() => createWorkspace(root, "root:bench:provider"), "provider workspace");
  await apply(
    root.forWorkspace(provider.path),
    readFileSync(new URL("../fixtures/things.yaml", import.meta.url), "utf8"),
  );
  const names = Array.from({ length: o.workspaces }, (_, i) => `root:bench:c-${String(i).padStart(4, "0")}`);
  const consumers = await pool("workspaces", names, Math.min(o.concurrency, 8), (p) =>
    createWorkspace(root, p, { timeoutMs: 180_000 }),
  );
  await pool("bindings", consumers, Math.min(o.concurrency, 8), async (c) => {
    const client = root.forWorkspace(c.path);
    try {
      return await bindExport(client, { path: provider.path, name: EXPORT }, { timeoutMs: 120_000 });
    } finally {
      client.close();
    }
  });
  const objects = Array.from({ length: o.objects }, (_, i) => ({
    ws: consumers[i % consumers.length]!,
    name: `thing-${String(Math.floor(i / consumers.length)).padStart(5, "0")}`,
  }));
  await pool("objects", objects, o.concurrency, async ({ ws, name }) => {
    try {
      await server.request({
        method: "POST",
        path: `/clusters/${ws.id}${API}/namespaces/${NAMESPACE}/${PLURAL}`,
        body: thing(name),
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    }
  });
  return { provider, consumers, objects };
}

/** Removes the status of every object (as a fresh set of objects has none), through the status subresource. */
export async function clearStatus(vw: KubeClient, keys: string[], concurrency: number): Promise<void> {
  await pool("clear status", keys, concurrency, async (key) => {
    const [cluster, , name] = key.split("/") as [string, string, string];
    try {
      await vw.request({
        method: "PATCH",
        path: objectPath(cluster, name, "/status"),
        body: { status: null },
        contentType: "application/merge-patch+json",
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    }
  });
}

/** Bumps spec.counter of an object (a consumer's write); returns the new generation. */
export async function bumpCounter(server: KubeClient, cluster: string, name: string, counter: number) {
  const o = await server.request<KubeObject>({
    method: "PATCH",
    path: objectPath(cluster, name),
    body: { spec: { counter } },
    contentType: "application/merge-patch+json",
  });
  return o.metadata.generation ?? 0;
}
