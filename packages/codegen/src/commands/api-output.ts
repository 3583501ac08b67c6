import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ApiExportVersion } from "../generate/api-export.js";
import { type GenerateResult, generate } from "../generate/generate.js";
import { loadApi } from "../load-api.js";
import { parseLock, renderLock } from "../lock/lock-file.js";
import { UsageError } from "./io.js";

/** Options `generate` and `check` share. */
export interface ApiOutputOptions {
  module: string;
  out: string;
  lock?: string;
  exportName?: string;
  apiExportVersion?: string;
  allowBreaking?: boolean;
  /** `--bind-group`: groups the `<export>:bind` role is bound to. */
  bindGroups?: string[];
  conversionWebhookUrl?: string;
  /** A PEM file with the CA that signed the conversion webhook's certificate. */
  conversionCaBundle?: string;
}

/** What the output directory and the lock file should hold for an API module. */
export interface ApiOutput {
  result: GenerateResult;
  /** File name in `out` → content, including the lock file when it lives in `out`. */
  files: Record<string, string>;
  /** The lock file's path, and its content when it lives outside `out`. */
  lockPath: string;
  lockOutside?: string;
}

/** Loads the API module and generates everything `generate` would write, without writing. */
export async function apiOutput(options: ApiOutputOptions): Promise<ApiOutput> {
  const version = options.apiExportVersion ?? "v1alpha2";
  if (version !== "v1alpha2" && version !== "v1alpha1") {
    throw new UsageError(`--apiexport-version must be v1alpha2 or v1alpha1, not ${version}`);
  }
  const api = await loadApi(options.module, options.exportName);
  const out = resolve(options.out);
  const lockPath = resolve(options.lock ?? join(out, "mesh-codegen.lock"));
  const lock = existsSync(lockPath)
    ? parseLock(readFileSync(lockPath, "utf8"), lockPath, api.name)
    : undefined;
  // Relative and with forward slashes, so the header is the same on every machine.
  const source = relative(out, resolve(options.module)).split("\\").join("/");
  if ((options.conversionWebhookUrl === undefined) !== (options.conversionCaBundle === undefined))
    throw new UsageError("--conversion-webhook-url and --conversion-ca-bundle go together");
  const result = generate(api, {
    ...(options.conversionWebhookUrl !== undefined && {
      conversionWebhook: {
        url: options.conversionWebhookUrl,
        caBundle: readFileSync(resolve(options.conversionCaBundle!), "utf8"),
      },
    }),
    apiExportVersion: version as ApiExportVersion,
    ...(lock && { lock }),
    allowBreaking: options.allowBreaking ?? false,
    source,
    ...(options.bindGroups?.length && { bindGroups: options.bindGroups }),
  });
  const files = { ...result.files };
  const lockText = renderLock(result.lock);
  if (dirname(lockPath) === out) {
    files[relative(out, lockPath)] = lockText;
    return { result, files, lockPath };
  }
  return { result, files, lockPath, lockOutside: lockText };
}

/**
 * Parses the arguments `generate` and `check` share (`<api module> --out <dir>` and the options
 * that shape the output). Returns `undefined` for `--help`.
 */
export function parseApiCommandArgs(
  command: "generate" | "check",
  args: string[],
): ApiOutputOptions | undefined {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      lock: { type: "string" },
      export: { type: "string" },
      "apiexport-version": { type: "string" },
      "bind-group": { type: "string", multiple: true },
      "conversion-webhook-url": { type: "string" },
      "conversion-ca-bundle": { type: "string" },
      ...(command === "generate" && { "allow-breaking": { type: "boolean" as const } }),
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return undefined;
  if (positionals.length !== 1) throw new UsageError(`${command} needs exactly one API module`);
  if (typeof values.out !== "string") throw new UsageError(`${command} needs --out <dir>`);
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const lock = str(values.lock);
  const exportName = str(values.export);
  const apiExportVersion = str(values["apiexport-version"]);
  const conversionWebhookUrl = str(values["conversion-webhook-url"]);
  const conversionCaBundle = str(values["conversion-ca-bundle"]);
  return {
    module: positionals[0]!,
    out: values.out,
    ...(lock && { lock }),
    ...(exportName && { exportName }),
    ...(apiExportVersion && { apiExportVersion }),
    ...(conversionWebhookUrl && { conversionWebhookUrl }),
    ...(conversionCaBundle && { conversionCaBundle }),
    allowBreaking: values["allow-breaking"] === true,
    ...(values["bind-group"]?.length && { bindGroups: values["bind-group"] }),
  };
}
