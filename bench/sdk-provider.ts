/**
 * The SDK contender: this SDK's provider runtime (createProvider + a typed reconcile handler),
 * doing what the Go provider does: write `status.observedGeneration`, `status.phase: Ready` and
 * `status.seen = spec.counter` for every Thing of every bound workspace. Protocol: bench/contenders.ts.
 *
 *   node --conditions=source --import tsx bench/sdk-provider.ts --kubeconfig <provider ws> --export <name>
 */
import { createProvider, defineResource } from "@kcp-mesh/sdk";
import { pino } from "pino";
import { z } from "zod";
import { parseArgs, serveDebug } from "./lib/args.js";
import { PhaseProfiler } from "./lib/profiler.js";
import { objectKey, ReconcileStarts } from "./lib/reconcile-starts.js";

const args = parseArgs(process.argv.slice(2));
const kubeconfig = args.get("kubeconfig");
if (!kubeconfig) {
  process.stderr.write("--kubeconfig is required\n");
  process.exit(2);
}
const say = (line: string) => process.stdout.write(`${line}\n`);

const Thing = defineResource({
  group: "harness.example.io",
  kind: "Thing",
  plural: "things",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      spec: z.object({
        color: z.string().optional(),
        counter: z.int().optional(),
        payload: z.string().optional(),
      }),
      status: z.object({
        phase: z.string().optional(),
        observedGeneration: z.int().optional(),
        seen: z.int().optional(),
      }),
    },
  },
});

const provider = createProvider({
  kubeconfig,
  export: args.get("export") ?? "harness.example.io",
  concurrency: Number(args.get("concurrency") ?? "10"),
  logger: pino({ level: process.env.LOG_LEVEL ?? "warn" }),
  handleSignals: false,
});
const starts = new ReconcileStarts();

provider.reconcile(
  Thing,
  async (t, ctx) => {
    starts.add(objectKey(ctx.workspace, t.metadata.namespace, t.metadata.name), t.metadata.generation ?? 0);
    return {
      status: {
        observedGeneration: t.metadata.generation ?? 0,
        phase: "Ready",
        ...(t.spec.counter !== undefined && { seen: t.spec.counter }),
      },
    };
  },
  // The Go provider maintains no conditions, and the bench fixture declares none: same work.
  { readyCondition: false },
);

const store = provider.store(Thing);
const debugAddr = args.get("debug-addr");
if (debugAddr) {
  const profiler = new PhaseProfiler();
  await serveDebug(debugAddr, {
    "/profile/": async (url) => ((await profiler.handle(url)) ? {} : undefined),
    "/reconciles": () => starts,
    "/cache": () => ({
      items: store.list().map((i) => ({
        cluster: i.workspace,
        namespace: i.namespace ?? "",
        name: i.name,
        resourceVersion: i.resourceVersion,
      })),
    }),
  });
}

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.once(sig, () => void provider.stop().then(() => process.exit(0)));
}
say("started");
await provider.start();
await store.waitForSync();
say(`synced ${store.size}`);
