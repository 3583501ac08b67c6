import { parseArgs } from "node:util";
import { lintFiles } from "../lint-files.js";
import { formatProblem } from "../problems.js";
import { type CliIo, UsageError } from "./io.js";

export const LINT_HELP = `Usage: mesh-codegen lint <dir|file>...

Checks every APIResourceSchema and CustomResourceDefinition in the given YAML or JSON files (and
directories, recursively), hand-written ones too, for what kcp needs and would otherwise silently
drop: structural schemas (every field typed, nullable instead of type lists, no $ref, const,
prefixItems, additionalProperties: false, uniqueItems, readOnly, unknown keywords), RE2 patterns,
formats Kubernetes knows, x-kubernetes-* extensions used correctly, printer columns that exist and
fit, names, and one storage version. Exits 1 on errors; warnings are printed only.

Options:
  -h, --help   show this help
`;

/** `mesh-codegen lint`. */
export async function lintCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.out(LINT_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("lint needs at least one file or directory");
  const report = lintFiles(positionals);
  for (const p of report.problems) io.err(`${formatProblem(p)}\n`);
  const errors = report.problems.filter((p) => p.severity === "error").length;
  if (report.schemas === 0) {
    io.err(`no APIResourceSchema or CustomResourceDefinition found in ${report.files} file(s)\n`);
    return 1;
  }
  io.out(
    `${report.schemas} schema(s) in ${report.files} file(s): ${errors === 0 ? "ok" : `${errors} error(s)`}\n`,
  );
  return errors === 0 ? 0 : 1;
}
