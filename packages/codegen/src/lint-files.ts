import { readFileSync } from "node:fs";
import { apiGroupProblem, type PrinterColumn } from "@kcp-mesh/sdk/api";
import { manifestFiles } from "./manifest-files.js";
import { parseYamlDocuments } from "./output/yaml.js";
import { type Problem, ProblemSink } from "./problems.js";
import type { JsonSchema } from "./schema/json-schema.js";
import { lintVersionSchema } from "./schema/lint.js";
import { checkPrinterColumns } from "./schema/printer-columns.js";

const PREFIX = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

interface SchemaDoc {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    group?: string;
    names?: { plural?: string };
    versions?: {
      name?: string;
      storage?: boolean;
      schema?: JsonSchema & { openAPIV3Schema?: JsonSchema };
      additionalPrinterColumns?: PrinterColumn[];
    }[];
  };
}

/** The result of linting files: every problem, and how many schemas were looked at. */
export interface LintReport {
  problems: Problem[];
  schemas: number;
  files: number;
}

/**
 * Lints every APIResourceSchema and CustomResourceDefinition in the given YAML/JSON files and
 * directories (searched recursively), hand-written or generated: the structural-schema rules kcp
 * needs, RE2 patterns, known formats, printer columns against the schema, names, one storage version.
 */
export function lintFiles(paths: string[]): LintReport {
  const files = paths.flatMap((p) => manifestFiles(p));
  const report: LintReport = { problems: [], schemas: 0, files: files.length };
  for (const file of files) {
    let docs: unknown[];
    try {
      docs = parseYamlDocuments(readFileSync(file, "utf8"), file);
    } catch (err) {
      report.problems.push({ where: file, path: "", message: (err as Error).message, severity: "error" });
      continue;
    }
    for (const doc of docs as SchemaDoc[]) {
      const sinks = lintDocument(doc, file);
      if (sinks) {
        report.schemas++;
        report.problems.push(...sinks.flatMap((s) => s.problems));
      }
    }
  }
  return report;
}

/** Lints one parsed object; undefined when it is neither an APIResourceSchema nor a CRD. */
export function lintDocument(doc: SchemaDoc, file: string): ProblemSink[] | undefined {
  const isArs = doc.kind === "APIResourceSchema" && doc.apiVersion?.startsWith("apis.kcp.io/");
  const isCrd =
    doc.kind === "CustomResourceDefinition" && doc.apiVersion?.startsWith("apiextensions.k8s.io/");
  if (!isArs && !isCrd) return undefined;
  const name = doc.metadata?.name ?? "(no name)";
  const where = `${file}: ${doc.kind} ${name}`;
  const top = new ProblemSink(where);
  const sinks = [top];
  const group = doc.spec?.group ?? "";
  const plural = doc.spec?.names?.plural ?? "";
  if (isArs) {
    const suffix = `.${plural}.${group}`;
    const prefix = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    if (prefix === undefined || !PREFIX.test(prefix)) {
      top.error(
        "metadata.name",
        `must be <prefix>${suffix} with a prefix of lowercase letters, digits and dashes`,
      );
    }
  } else if (name !== `${plural}.${group}`) {
    top.error("metadata.name", `must be ${plural}.${group}`);
  }
  const groupProblem = group === "" ? undefined : apiGroupProblem(group);
  if (groupProblem) top.error("spec.group", groupProblem);
  const versions = doc.spec?.versions ?? [];
  if (versions.length === 0) top.error("spec.versions", "lists no version");
  const storage = versions.filter((v) => v.storage === true).length;
  if (versions.length > 0 && storage !== 1)
    top.error("spec.versions", `exactly one version needs storage: true (found ${storage})`);
  for (const v of versions) {
    const sink = new ProblemSink(`${where} ${v.name ?? "(unnamed version)"}`);
    sinks.push(sink);
    const schema = isArs ? v.schema : v.schema?.openAPIV3Schema;
    if (!schema) {
      sink.error("", isArs ? "has no schema" : "has no schema.openAPIV3Schema");
      continue;
    }
    if (isArs && "openAPIV3Schema" in schema) {
      sink.error(
        "",
        "an APIResourceSchema version holds the schema directly under schema:, without openAPIV3Schema:",
      );
      continue;
    }
    lintVersionSchema(schema, sink);
    checkPrinterColumns(v.additionalPrinterColumns ?? [], schema, sink);
  }
  return sinks;
}
