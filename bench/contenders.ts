import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * The contenders of the benchmark. Every contender is a separate process (so its memory is its
 * own) that follows one small protocol (bench/README.md):
 *
 * - flags `--kubeconfig <provider workspace kubeconfig> --export <name> --concurrency <n>
 *   --status-field seen=spec.counter --debug-addr 127.0.0.1:<port>`;
 * - stdout lines `started`, then `synced <n>` once its cache (or, for a reader, its first list) holds n objects;
 * - `GET /memory` on the debug address: `{"heapBytes": n}` (after a GC);
 * - providers also `GET /cache`: `{"items": [{cluster, namespace, name, resourceVersion}]}`, and
 *   `GET /reconciles`: `{"starts": [{key, generation, atMs}]}` (when the handler started, epoch ms);
 * - SIGTERM ends it.
 *
 * A provider reconciles every Thing of every bound workspace and writes `status.observedGeneration`,
 * `status.phase: Ready` and `status.seen = spec.counter` through the status subresource.
 */
export interface ContenderSpec {
  name: string;
  /** `provider`: reconciles and writes status; `reader`: only receives the objects (the ceiling). */
  kind: "provider" | "reader";
  description: string;
  /** Why it cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  /** Builds whatever it needs (once per run) and returns its command line. */
  command(args: ContenderArgs): string[];
}

export interface ContenderArgs {
  kubeconfig: string;
  export: string;
  concurrency: number;
  debugAddr: string;
}

export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const bench = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const protocolFlags = (a: ContenderArgs) => [
  "--kubeconfig",
  a.kubeconfig,
  "--export",
  a.export,
  "--concurrency",
  String(a.concurrency),
  "--status-field",
  "seen=spec.counter",
  "--debug-addr",
  a.debugAddr,
];

let compiled = false;

/**
 * A TypeScript contender, run by the pinned Node as compiled JavaScript against the SDK's dist/,
 * as a provider runs in production: a transpiler in the process (tsx) alone adds ~48 MiB of RSS (bench/import-cost.ts),
 * which would be measured as the SDK's. `BENCH_TSX=1` runs the sources through tsx instead.
 */
const tsCommand = (script: string, args: string[]) => {
  if (process.env.BENCH_TSX === "1") {
    return [
      process.execPath,
      "--expose-gc",
      "--conditions=source",
      "--import",
      "tsx",
      bench(script),
      ...args,
    ];
  }
  if (!compiled) {
    const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
    execFileSync(process.execPath, [tsc, "-b", fileURLToPath(new URL("../packages/sdk", import.meta.url))], {
      stdio: "inherit",
    });
    execFileSync(process.execPath, [tsc, "-p", bench("tsconfig.build.json")], { stdio: "inherit" });
    compiled = true;
  }
  return [process.execPath, "--expose-gc", bench(`.build/${script.replace(/\.ts$/, ".js")}`), ...args];
};

let goBinary: string | undefined;

export const CONTENDERS: ContenderSpec[] = [
  {
    name: "ceiling",
    kind: "reader",
    description: "bare list+watch reader of the wildcard endpoint (parse and count only)",
    unavailable: () => undefined,
    command: (a) =>
      tsCommand("ceiling.ts", [
        "--kubeconfig",
        a.kubeconfig,
        "--export",
        a.export,
        "--debug-addr",
        a.debugAddr,
      ]),
  },
  {
    name: "write-ceiling",
    kind: "provider",
    description:
      "bare client: list+watch, one status merge patch per object that needs one, same concurrency, no cache",
    unavailable: () => undefined,
    command: (a) => tsCommand("write-ceiling.ts", protocolFlags(a)),
  },
  {
    name: "go",
    kind: "provider",
    description:
      "controller-runtime + multicluster-runtime + kcp-dev/multicluster-provider (bench/go-provider)",
    unavailable: () => undefined,
    command: (a) => {
      goBinary ??= execFileSync("bash", [bench("go-provider/build.sh")], {
        stdio: ["ignore", "pipe", "inherit"],
        encoding: "utf8",
      })
        .trim()
        .split("\n")
        .pop()!;
      return [goBinary, ...protocolFlags(a)];
    },
  },
  {
    name: "sdk",
    kind: "provider",
    description: "this SDK's provider runtime (bench/sdk-provider.ts)",
    unavailable: () => undefined,
    command: (a) => tsCommand("sdk-provider.ts", protocolFlags(a)),
  },
];
