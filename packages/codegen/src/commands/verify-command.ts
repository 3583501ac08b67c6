import { parseArgs } from "node:util";
import { KubeClient } from "@kcp-mesh/sdk";
import { verifyFiles } from "../verify.js";
import { type CliIo, UsageError } from "./io.js";

export const VERIFY_HELP = `Usage: mesh-codegen verify <dir|file>... [--kubeconfig <file>] [--workspace <path>]

Applies every object in the given YAML files and directories to kcp with a server-side dry-run
(nothing is stored), reading the files as kubectl does (YAML 1.1), and prints what kcp says about
each: its own admission and apiextensions validation (structural schemas, defaults, list types,
CEL compilation and cost). Without --kubeconfig it starts a throwaway kcp (the testing harness's
startKcp: the cached kcp binary, built once if missing) and checks in a new workspace.
Objects of APIs that kcp does not serve (ProviderMetadata without Platform Mesh) are skipped.

Options:
  --kubeconfig <file>   check against this kcp (its current context's workspace)
  --workspace <path>    use this workspace of that kcp instead, such as root:providers:widgets
  -h, --help            show this help
`;

/** `mesh-codegen verify`. */
export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      kubeconfig: { type: "string" },
      workspace: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(VERIFY_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("verify needs at least one file or directory");
  let client: KubeClient;
  let stop: (() => Promise<void>) | undefined;
  if (values.kubeconfig) {
    client = KubeClient.fromKubeConfig({ path: values.kubeconfig });
    if (values.workspace) client = client.forWorkspace(values.workspace);
  } else {
    io.err("starting a throwaway kcp (pass --kubeconfig to use yours)...\n");
    const { startKcp, createWorkspace } = await import("@kcp-mesh/sdk/testing");
    const kcp = await startKcp();
    stop = () => kcp.stop();
    const root = kcp.admin();
    const ws = await createWorkspace(root, values.workspace ?? `root:mesh-codegen-verify`);
    client = root.forWorkspace(ws.path);
  }
  try {
    const results = await verifyFiles(positionals, client);
    let refused = 0;
    let accepted = 0;
    for (const r of results) {
      if (r.outcome === "refused") {
        refused++;
        io.err(`${r.file}: ${r.object}: kcp refused it: ${r.message}\n`);
      } else if (r.outcome === "skipped") io.out(`${r.file}: ${r.object}: skipped (${r.message})\n`);
      else accepted++;
    }
    io.out(
      `${accepted} object(s) accepted by kcp, ${refused} refused, ${results.length - accepted - refused} skipped\n`,
    );
    return refused === 0 ? 0 : 1;
  } finally {
    client.close();
    await stop?.();
  }
}
