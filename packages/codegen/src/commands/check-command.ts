import { readFileSync } from "node:fs";
import { createTwoFilesPatch } from "diff";
import { diffOutput } from "../output/write-output.js";
import { apiOutput, parseApiCommandArgs } from "./api-output.js";
import type { CliIo } from "./io.js";

export const CHECK_HELP = `Usage: mesh-codegen check <api module> --out <dir> [options]

For CI: generates in memory and compares with <dir> and the lock file. Exits 1 and prints a unified
diff when the committed output is stale (run mesh-codegen generate and commit), and fails like
generate on constructs without a Kubernetes form or on breaking changes to published versions.

Options:
  --out <dir>                   the committed output directory (required)
  --lock <file>                 lock file (default: <dir>/mesh-codegen.lock)
  --export <name>               the module export holding the API (default: the default export)
  --apiexport-version <v>       v1alpha2 (default) or v1alpha1
  --bind-group <group>          as for generate (repeatable): the same groups as deploy/ was generated with
  --conversion-webhook-url <u>  as for generate
  --conversion-ca-bundle <pem>  as for generate
  -h, --help                    show this help
`;

/** `mesh-codegen check`. */
export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const options = parseApiCommandArgs("check", args);
  if (!options) {
    io.out(CHECK_HELP);
    return 0;
  }
  const output = await apiOutput(options);
  const diffs = diffOutput(options.out, output.files);
  if (output.lockOutside !== undefined) {
    let committed = "";
    try {
      committed = readFileSync(output.lockPath, "utf8");
    } catch {
      // a missing lock file shows as an all-new diff
    }
    if (committed !== output.lockOutside) {
      diffs.push(
        createTwoFilesPatch(`a/${output.lockPath}`, `b/${output.lockPath}`, committed, output.lockOutside),
      );
    }
  }
  if (diffs.length === 0) {
    io.out(`${options.out}: up to date\n`);
    return 0;
  }
  io.out(diffs.join(""));
  io.err(
    `${options.out} is stale: run mesh-codegen generate ${options.module} --out ${options.out} and commit the result\n`,
  );
  return 1;
}
