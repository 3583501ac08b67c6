import { parseArgs } from "node:util";
import type { ApiExportVersion } from "../generate/api-export.js";
import { importCrds } from "../import-crds.js";
import { writeOutput } from "../output/write-output.js";
import { formatProblem } from "../problems.js";
import { type CliIo, UsageError } from "./io.js";

export const IMPORT_HELP = `Usage: mesh-codegen import <crd.yaml>... --out <dir> [options]

Turns existing CustomResourceDefinitions into what a kcp provider publishes (kcp's apigen's job):
  apiresourceschema-<plural>.<group>.yaml  one APIResourceSchema per CRD (content-addressed name)
  apiexport.yaml                           the APIExport of them all
  rbac-provider.yaml, rbac-bind.yaml       the provider's and the consumers' ClusterRoles
Every schema is linted as \`mesh-codegen lint\` does (structural rules, defaults, list maps, CEL);
errors stop the import. Then \`mesh-codegen verify <dir>\` lets kcp judge the result.

Options:
  --out <dir>               output directory (required)
  --export <name>           the APIExport's name (default: the first CRD's group)
  --apiexport-version <v>   v1alpha2 (default) or v1alpha1
  -h, --help                show this help
`;

/** `mesh-codegen import`. */
export async function importCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      export: { type: "string" },
      "apiexport-version": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.out(IMPORT_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("import needs at least one CRD file");
  if (typeof values.out !== "string") throw new UsageError("import needs --out <dir>");
  const version = values["apiexport-version"] ?? "v1alpha2";
  if (version !== "v1alpha2" && version !== "v1alpha1")
    throw new UsageError(`--apiexport-version must be v1alpha2 or v1alpha1, not ${version}`);
  const result = importCrds(positionals, {
    ...(values.export && { exportName: values.export }),
    apiExportVersion: version as ApiExportVersion,
  });
  for (const w of result.warnings) io.err(`${formatProblem(w)}\n`);
  const { written, removed } = writeOutput(values.out, result.files);
  io.out(
    `${values.out}: ${[...written.map((f) => `wrote ${f}`), ...removed.map((f) => `removed ${f}`)].join(", ") || "up to date"}\n`,
  );
  return 0;
}
