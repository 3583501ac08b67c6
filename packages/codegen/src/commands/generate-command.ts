import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { writeOutput } from "../output/write-output.js";
import { formatProblem } from "../problems.js";
import { apiOutput } from "./api-output.js";
import { type CliIo, UsageError } from "./io.js";

export const GENERATE_HELP = `Usage: mesh-codegen generate <api module> --out <dir> [options]

Reads the API module (TypeScript or JavaScript; its default export is a defineApi(...) result)
and writes into <dir>:
  apiresourceschema-<plural>.<group>.yaml  one APIResourceSchema per resource (content-addressed name)
  apiexport.yaml                           the APIExport
  rbac-provider.yaml                       ClusterRole <export>:provider for the provider's identity
  rbac-bind.yaml                           ClusterRole <export>:bind for consumers that bind the export
  providermetadata.yaml                    Platform Mesh ProviderMetadata (when the API has provider info)
  mesh-codegen.lock                        every published schema name and version schema (commit it)

Fails, naming resource, version and field, when a construct has no Kubernetes form or when a change
would break a version recorded in the lock file.

Options:
  --out <dir>                   output directory (required)
  --lock <file>                 lock file (default: <dir>/mesh-codegen.lock)
  --export <name>               the module export holding the API (default: the default export)
  --apiexport-version <v>       v1alpha2 (default) or v1alpha1 for kcp older than 0.28
  --allow-breaking              accept breaking changes to published versions (before anyone uses them)
  -h, --help                    show this help
`;

/** `mesh-codegen generate`. */
export async function generateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      lock: { type: "string" },
      export: { type: "string" },
      "apiexport-version": { type: "string" },
      "allow-breaking": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(GENERATE_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("generate needs exactly one API module");
  if (!values.out) throw new UsageError("generate needs --out <dir>");
  const output = await apiOutput({
    module: positionals[0]!,
    out: values.out,
    ...(values.lock && { lock: values.lock }),
    ...(values.export && { exportName: values.export }),
    ...(values["apiexport-version"] && { apiExportVersion: values["apiexport-version"] }),
    allowBreaking: values["allow-breaking"] ?? false,
  });
  for (const w of output.result.warnings) io.err(`${formatProblem(w)}\n`);
  const { written, removed } = writeOutput(values.out, output.files);
  if (output.lockOutside !== undefined) writeFileSync(output.lockPath, output.lockOutside);
  const changed = written.length + removed.length;
  io.out(
    changed === 0
      ? `${values.out}: up to date\n`
      : `${values.out}: ${written
          .map((f) => `wrote ${f}`)
          .concat(removed.map((f) => `removed ${f}`))
          .join(", ")}\n`,
  );
  return 0;
}
