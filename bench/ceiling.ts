/**
 * The ceiling contender: a bare reader of the provider's wildcard watch. It lists and watches
 * `<vw url>/clusters/*\/apis/<group>/<version>/<plural>` with bookmarks, parses every event and
 * counts it, and does nothing else (no cache, no queue, no writes). Its initial sync is the fastest a
 * provider runtime in this language can receive the objects.
 *
 *   node --conditions=source --import tsx bench/ceiling.ts --kubeconfig <provider ws> --export <name>
 *
 * Stdout: `started`, then `synced <n>` when the first list is parsed, `relisted <n>` after each
 * relist. Optional `--debug-addr 127.0.0.1:PORT` serves GET /memory.
 */
import { KubeClient } from "@kcp-mesh/sdk";
import { parseArgs, serveDebug } from "./lib/args.js";
import { firstEndpointUrl } from "./lib/endpoint-url.js";
import { runWildcardWatch } from "./lib/wildcard-watch.js";

const args = parseArgs(process.argv.slice(2));
const kubeconfig = args.get("kubeconfig");
const exportName = args.get("export") ?? "harness.example.io";
const group = args.get("group") ?? "harness.example.io";
const version = args.get("version") ?? "v1alpha1";
const plural = args.get("plural") ?? "things";
if (!kubeconfig) {
  process.stderr.write("--kubeconfig is required\n");
  process.exit(2);
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const debugAddr = args.get("debug-addr");
if (debugAddr) await serveDebug(debugAddr);

const provider = KubeClient.fromKubeConfig({ path: kubeconfig });
say("started");

const url = await firstEndpointUrl(provider, exportName);

const counts = { listed: 0, ADDED: 0, MODIFIED: 0, DELETED: 0, ERROR: 0, BOOKMARK: 0 };
const stop = new AbortController();
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    process.stderr.write(`[ceiling] ${JSON.stringify(counts)}\n`);
    stop.abort();
    process.exit(0);
  });
}

await runWildcardWatch({
  client: provider.withBaseUrl(url),
  path: `/clusters/*/apis/${group}/${version}/${plural}`,
  signal: stop.signal,
  onListed: (items) => {
    counts.listed += items.length;
  },
  onSynced: (n, relist) => say(relist ? `relisted ${n}` : `synced ${n}`),
  onEvent: (ev) => {
    counts[ev.type]++;
  },
});
