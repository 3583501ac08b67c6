import { writeFileSync } from "node:fs";
import { writeOutput } from "../output/write-output.js";
import { formatProblem } from "../problems.js";
import { apiOutput, parseApiCommandArgs } from "./api-output.js";
import type { CliIo } from "./io.js";

export const GENERATE_HELP = `Usage: mesh-codegen generate <api module> --out <dir> [options]

Reads the API module (TypeScript or JavaScript; its default export is a defineApi(...) result)
and writes into <dir>:
  apiresourceschema-<plural>.<group>.yaml  one APIResourceSchema per resource (content-addressed name),
                                           and its APIConversion when the resource declares conversions
  apiexport.yaml                           the APIExport
  rbac-provider.yaml                       ClusterRole <export>:provider for the provider's identity
  rbac-bind.yaml                           ClusterRole <export>:bind for consumers that bind the export
                                           (and its ClusterRoleBinding with --bind-group)
  providermetadata.yaml                    Platform Mesh ProviderMetadata (when the API has provider info)
  contentconfiguration.yaml                Platform Mesh ContentConfiguration (provider.contentConfiguration)
  mesh-codegen.lock                        every published schema name and version schema (commit it)

Fails, naming resource, version and field, when a construct has no Kubernetes form or when a change
would break a version recorded in the lock file.

Options:
  --out <dir>                   output directory (required)
  --lock <file>                 lock file (default: <dir>/mesh-codegen.lock)
  --export <name>               the module export holding the API (default: the default export)
  --apiexport-version <v>       v1alpha2 (default) or v1alpha1 for kcp older than 0.28
  --allow-breaking              accept breaking changes to published versions (before anyone uses them)
  --bind-group <group>          bind the <export>:bind role to this group (repeatable), such as
                                system:authenticated: everyone in it may bind the export into a
                                workspace of theirs and, with provider info, read the export and the
                                Marketplace objects of the provider workspace; nothing else
                                (no consumer's objects, no provider secrets). Default: bound to nobody
  --conversion-webhook-url <u>  have kcp call this conversion webhook (serveConversionWebhook) for resources
                                with conversions: kcp v0.32 stores APIConversions but does not run them
  --conversion-ca-bundle <pem>  the CA kcp trusts for that webhook (with --conversion-webhook-url)
  -h, --help                    show this help
`;

/** `mesh-codegen generate`. */
export async function generateCommand(args: string[], io: CliIo): Promise<number> {
  const options = parseApiCommandArgs("generate", args);
  if (!options) {
    io.out(GENERATE_HELP);
    return 0;
  }
  const output = await apiOutput(options);
  for (const w of output.result.warnings) io.err(`${formatProblem(w)}\n`);
  const { written, removed } = writeOutput(options.out, output.files);
  if (output.lockOutside !== undefined) writeFileSync(output.lockPath, output.lockOutside);
  const changed = written.length + removed.length;
  io.out(
    changed === 0
      ? `${options.out}: up to date\n`
      : `${options.out}: ${written
          .map((f) => `wrote ${f}`)
          .concat(removed.map((f) => `removed ${f}`))
          .join(", ")}\n`,
  );
  return 0;
}
