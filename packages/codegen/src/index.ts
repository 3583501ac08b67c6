/**
 * `@kcp-mesh/codegen`: the library behind the `mesh-codegen` command. Turns a provider's zod API
 * into kcp's APIResourceSchema, APIExport and RBAC objects, and lints schemas kcp must keep whole.
 *
 * @packageDocumentation
 */

export { HELP, runCli } from "./cli.js";
export type { CliIo } from "./commands/io.js";
export { type ApiExportVersion, buildApiExport } from "./generate/api-export.js";
export { type GenerateOptions, type GenerateResult, generate } from "./generate/generate.js";
export { buildBindRole, buildProviderRole, roleNames } from "./generate/rbac.js";
export { structuralSchema } from "./generate/structural-schema.js";
export { buildVersionSchema } from "./generate/version-schema.js";
export { type ImportResult, importCrds } from "./import-crds.js";
export { type LintReport, lintFiles } from "./lint-files.js";
export { loadApi } from "./load-api.js";
export { type BreakingChange, breakingChanges } from "./lock/breaking-changes.js";
export { emptyLock, type LockedResource, type LockFile, parseLock, renderLock } from "./lock/lock-file.js";
export { diffOutput, writeOutput } from "./output/write-output.js";
export { CodegenError, formatProblem, type Problem, ProblemSink } from "./problems.js";
export type { JsonSchema } from "./schema/json-schema.js";
export { lintVersionSchema } from "./schema/lint.js";
export { type VerifyResult, verifyFiles } from "./verify.js";
