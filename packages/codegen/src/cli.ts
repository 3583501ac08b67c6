import { checkCommand } from "./commands/check-command.js";
import { generateCommand } from "./commands/generate-command.js";
import { importCommand } from "./commands/import-command.js";
import { type CliIo, UsageError } from "./commands/io.js";
import { lintCommand } from "./commands/lint-command.js";
import { CodegenError, formatProblem } from "./problems.js";

export const HELP = `Usage: mesh-codegen <command> [options]

Turns a provider's zod API (defineApi from @kcp-mesh/sdk/api) into the kcp objects it publishes.

Commands:
  generate <api module> --out <dir>   write APIResourceSchemas, the APIExport, RBAC and ProviderMetadata
  check <api module> --out <dir>      exit 1 with a diff when the committed output is stale (for CI)
  lint <dir|file>...                  check APIResourceSchema / CRD YAML, hand-written ones too
  verify <dir|file>...                let kcp judge the written YAML (server-side dry-run apply)
  import <crd.yaml>... --out <dir>    turn CustomResourceDefinitions into APIResourceSchemas and an APIExport

Run mesh-codegen <command> --help for a command's options.
`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  generate: generateCommand,
  check: checkCommand,
  lint: lintCommand,
  import: importCommand,
  // Loaded on use: it brings the SDK's HTTP client, which the other commands do not need.
  verify: async (args, io) => (await import("./commands/verify-command.js")).verifyCommand(args, io),
};

/** Runs the CLI with `argv` (without node and script) and returns the exit code: 0 ok, 1 problems, 2 usage. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(HELP);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`mesh-codegen: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    if (err instanceof CodegenError) {
      const errors = err.problems.filter((p) => p.severity === "error");
      for (const p of err.problems) io.err(`${formatProblem(p)}\n`);
      io.err(`mesh-codegen ${command}: ${errors.length} error(s)\n`);
      return 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    // node:util parseArgs reports unknown options and missing values as TypeErrors with a code.
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`mesh-codegen ${command}: ${message}\nRun mesh-codegen ${command} --help for usage.\n`);
      return 2;
    }
    io.err(`mesh-codegen ${command}: ${message}\n`);
    return 1;
  }
}
