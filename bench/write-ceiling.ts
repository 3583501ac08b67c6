/**
 * The write-ceiling contender: a bare client that does what a provider must do to write status and
 * nothing else. It lists and watches the wildcard endpoint (as the reader ceiling does), and for every
 * object whose status does not answer its spec yet it sends one merge patch of `status.observedGeneration`,
 * `status.phase: Ready` and `status.seen = spec.counter` through the status subresource, with
 * `--concurrency` requests in flight, and tries a failed write again after 200 ms. No cache, no
 * validation: only the objects waiting for a write are held. Its write throughput is the fastest a client in this
 * language gets status written on this kcp, so "provider vs write ceiling" is a real ratio.
 *
 *   node bench/.build/write-ceiling.js --kubeconfig <provider ws> --export <name> --concurrency 10
 *
 * Stdout: `started`, then `synced <n>` when the first list is parsed (its writes still run).
 */
import { KubeApiError, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { parseArgs, serveDebug } from "./lib/args.js";
import { firstEndpointUrl } from "./lib/endpoint-url.js";
import { objectKey, ReconcileStarts } from "./lib/reconcile-starts.js";
import { runWildcardWatch } from "./lib/wildcard-watch.js";

const args = parseArgs(process.argv.slice(2));
const kubeconfig = args.get("kubeconfig");
const exportName = args.get("export") ?? "harness.example.io";
const concurrency = Number(args.get("concurrency") ?? "10");
const api = `/apis/${args.get("group") ?? "harness.example.io"}/${args.get("version") ?? "v1alpha1"}`;
const plural = args.get("plural") ?? "things";
if (!kubeconfig) {
  process.stderr.write("--kubeconfig is required\n");
  process.exit(2);
}
const say = (line: string) => process.stdout.write(`${line}\n`);
const debugAddr = args.get("debug-addr");
const starts = new ReconcileStarts();
if (debugAddr) await serveDebug(debugAddr, { "/reconciles": () => starts });

const provider = KubeClient.fromKubeConfig({ path: kubeconfig });
say("started");

const url = await firstEndpointUrl(provider, exportName);
const vw = provider.withBaseUrl(url);

interface Pending {
  path: string;
  status: { observedGeneration: number; phase: string; seen?: number };
}
/** Objects waiting for a write, by cluster/namespace/name; a newer event replaces the older one. */
const pending = new Map<string, Pending>();
let inFlight = 0;
const counts = { patched: 0, gone: 0, failed: 0 };

function offer(o: KubeObject): void {
  const m = o.metadata;
  const spec = (o.spec ?? {}) as { counter?: number };
  const status = (o.status ?? {}) as { observedGeneration?: number; phase?: string; seen?: number };
  const generation = m.generation ?? 0;
  if (status.observedGeneration === generation && status.phase === "Ready" && status.seen === spec.counter) {
    return;
  }
  const cluster = m.annotations?.["kcp.io/cluster"] ?? "";
  const ns = m.namespace ? `/namespaces/${m.namespace}` : "";
  pending.set(objectKey(cluster, m.namespace, m.name), {
    path: `/clusters/${cluster}${api}${ns}/${plural}/${m.name}/status`,
    status: {
      observedGeneration: generation,
      phase: "Ready",
      ...(spec.counter !== undefined && { seen: spec.counter }),
    },
  });
  pump();
}

function pump(): void {
  while (inFlight < concurrency && pending.size > 0) {
    const [key, p] = pending.entries().next().value as [string, Pending];
    pending.delete(key);
    inFlight++;
    starts.add(key, p.status.observedGeneration);
    vw.request({
      method: "PATCH",
      path: p.path,
      body: { status: p.status },
      contentType: "application/merge-patch+json",
    })
      .then(
        () => {
          counts.patched++;
        },
        (err: unknown) => {
          if (err instanceof KubeApiError && err.status === 404) {
            counts.gone++;
            return;
          }
          // A write that failed (a timeout on a loaded kcp) is tried again unless a newer event
          // already queued the object: a client that dropped it would never get it done.
          counts.failed++;
          setTimeout(() => {
            if (!pending.has(key)) pending.set(key, p);
            pump();
          }, 200);
        },
      )
      .finally(() => {
        inFlight--;
        pump();
      });
  }
}

const stop = new AbortController();
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    process.stderr.write(`[write-ceiling] ${JSON.stringify(counts)}\n`);
    stop.abort();
    process.exit(0);
  });
}

await runWildcardWatch({
  client: vw,
  path: `/clusters/*${api}/${plural}`,
  signal: stop.signal,
  onListed: (items) => {
    for (const o of items) offer(o);
  },
  onSynced: (n, relist) => say(relist ? `relisted ${n}` : `synced ${n}`),
  onEvent: (ev) => {
    if (ev.type === "DELETED") {
      const m = ev.object.metadata;
      pending.delete(objectKey(m.annotations?.["kcp.io/cluster"] ?? "", m.namespace, m.name));
    } else if (ev.type === "ADDED" || ev.type === "MODIFIED") {
      offer(ev.object);
    }
  },
});
