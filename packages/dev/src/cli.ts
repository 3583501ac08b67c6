import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { kcpCommand } from "./local-kcp.js";
import { DevLoop } from "./loop.js";

/** What `mesh-dev --help` prints. */
export const HELP = `mesh-dev [options]                  the live loop of a provider project (npm run dev)
mesh-dev kcp up|down|status|reset   a local kcp with its state in .kcp/ (npm run kcp:up, ...)

The live loop starts (or reuses) the local kcp, regenerates deploy/ (the project's own "generate"
script when it runs mesh-codegen generate, so its flags such as --bind-group apply; otherwise
mesh-codegen generate <api> --out <out>), sets up the provider
workspace from deploy/ with a least-privilege identity, creates a consumer workspace bound to the
export with the sample objects in it, runs the provider, and prints the objects and their Ready
condition when they change. A change under the API module's folder regenerates deploy/, applies
it (a new schema, the export updated, the binding following it), applies the samples again and
restarts the provider; a change under the entry point's folder restarts the provider; a change
of the sample file applies it. Ctrl-C stops the provider, and kcp when this run started it.

Options:
  --api <file>          API module (default api/index.ts)
  --out <dir>           generated YAML (default deploy)
  --entry <file>        provider entry point, run with PROVIDER_KUBECONFIG (default src/main.ts)
  --sample <file>       objects for the consumer workspace (default dev/sample.yaml; without it
                        one "sample" per resource with an empty spec)
  --consumer <path>     consumer workspace (default root:dev:consumer)
  --workspace <path>    provider workspace (default root:providers:<plural>)
  --identity <name>     provider service account (default <plural>-provider)
  --kubeconfig <file>   admin kubeconfig of a kcp to use instead of the local one
  --kcp-dir <dir>       state folder of the local kcp (default .kcp, or KCP_STATE_DIR)
  --keep-kcp            leave the kcp this run started running at exit
  --allow-breaking      let mesh-codegen accept a breaking change to a published version
  --interval <ms>       table refresh (default 2000)
  -h, --help
`;

/** Runs `mesh-dev` with these arguments; returns the exit code (the loop runs until a signal). */
export async function runDev(argv: string[]): Promise<number> {
  const kcpDir = process.env.KCP_STATE_DIR ?? ".kcp";
  if (argv[0] === "kcp") return kcpCommand(resolve(kcpDir), argv[1]);
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse(argv));
  } catch (err) {
    console.error(`mesh-dev: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const loop = new DevLoop({
    project: process.cwd(),
    api: values.api,
    out: values.out,
    entry: values.entry,
    sample: values.sample,
    consumer: values.consumer,
    ...(values.workspace && { workspace: values.workspace }),
    ...(values.identity && { identity: values.identity }),
    ...(values.kubeconfig && { kubeconfig: values.kubeconfig }),
    kcpDir: values["kcp-dir"] ?? kcpDir,
    keepKcp: values["keep-kcp"],
    allowBreaking: values["allow-breaking"],
    intervalMs: Number(values.interval),
  });
  const stopped = new Promise<number>((res) => {
    const stop = () => {
      loop.stop().then(
        () => res(0),
        (err: Error) => {
          console.error(`mesh-dev: ${err.message}`);
          res(1);
        },
      );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  try {
    await loop.start();
  } catch (err) {
    console.error(`mesh-dev: ${(err as Error).message}`);
    await loop.stop().catch(() => undefined);
    return 1;
  }
  return stopped;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      api: { type: "string", default: "api/index.ts" },
      out: { type: "string", default: "deploy" },
      entry: { type: "string", default: "src/main.ts" },
      sample: { type: "string", default: "dev/sample.yaml" },
      consumer: { type: "string", default: "root:dev:consumer" },
      workspace: { type: "string" },
      identity: { type: "string" },
      kubeconfig: { type: "string" },
      "kcp-dir": { type: "string" },
      "keep-kcp": { type: "boolean", default: false },
      "allow-breaking": { type: "boolean", default: false },
      interval: { type: "string", default: "2000" },
      help: { type: "boolean", short: "h" },
    },
  });
}
