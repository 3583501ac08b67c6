import type { PrinterColumn } from "@kcp-mesh/sdk/api";
import type { ProblemSink } from "../problems.js";
import type { JsonSchema } from "./json-schema.js";

const METADATA_COLUMNS: Record<string, PrinterColumn["type"]> = {
  name: "string",
  namespace: "string",
  generateName: "string",
  uid: "string",
  resourceVersion: "string",
  creationTimestamp: "date",
  deletionTimestamp: "date",
  generation: "integer",
};

/**
 * Checks each printer column's JSON path against the version's schema: the field must exist, and
 * the column type must fit the field's type, or `kubectl get` shows an empty column without a word.
 */
export function checkPrinterColumns(
  columns: readonly PrinterColumn[],
  root: JsonSchema,
  sink: ProblemSink,
): void {
  for (const [i, col] of columns.entries()) {
    const at = `printerColumns[${i}] (${col.name})`;
    const segments = parseJsonPath(col.jsonPath);
    if (!segments) {
      sink.error(
        at,
        `jsonPath "${col.jsonPath}" must be a simple path such as .status.phase or .spec.items[0].name`,
      );
      continue;
    }
    if (segments[0] === "metadata" && segments.length === 2) {
      const t = METADATA_COLUMNS[segments[1]!];
      if (!t)
        sink.error(
          at,
          `jsonPath "${col.jsonPath}": metadata.${segments[1]} is not a field a column can show`,
        );
      else if (!fits(col.type, t === "date" ? { type: "string", format: "date-time" } : { type: t })) {
        sink.error(at, `type ${col.type} does not fit metadata.${segments[1]}; write type: ${t}`);
      }
      continue;
    }
    const found = resolve(root, segments);
    if (found === "unknown") continue;
    if (!found) {
      sink.error(
        at,
        `jsonPath "${col.jsonPath}" points to no field of the schema; check the spelling against the zod schema`,
      );
      continue;
    }
    if (!fits(col.type, found)) {
      sink.error(
        at,
        `type ${col.type} does not fit ${col.jsonPath} (a ${describe(found)}); write type: ${suggest(found)}`,
      );
    }
  }
}

/** `.spec.items[0].name` → `["spec", "items", 0, "name"]`, or undefined when it is not that simple. */
function parseJsonPath(path: string): (string | number)[] | undefined {
  if (!/^(\.[A-Za-z_][\w-]*(\[\d+\])*)+$/.test(path)) return undefined;
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\.([A-Za-z_][\w-]*)|\[(\d+)\]/g)) out.push(m[1] ?? Number(m[2]));
  return out;
}

function resolve(root: JsonSchema, segments: (string | number)[]): JsonSchema | "unknown" | undefined {
  let node: JsonSchema | undefined = root;
  for (const s of segments) {
    if (!node) return undefined;
    if (node["x-kubernetes-preserve-unknown-fields"] === true && !node.properties) return "unknown";
    if (typeof s === "number")
      node = node.type === "array" && !Array.isArray(node.items) ? node.items : undefined;
    else if (node.properties?.[s]) node = node.properties[s];
    else if (typeof node.additionalProperties === "object") node = node.additionalProperties;
    else return undefined;
  }
  return node;
}

function fits(column: PrinterColumn["type"], field: JsonSchema): boolean {
  if (field["x-kubernetes-int-or-string"] === true) return column === "string" || column === "integer";
  switch (column) {
    case "string":
      return field.type === "string";
    case "integer":
      return field.type === "integer";
    case "number":
      return field.type === "number" || field.type === "integer";
    case "boolean":
      return field.type === "boolean";
    case "date":
      return field.type === "string" && (field.format === "date-time" || field.format === "date");
  }
}

function describe(field: JsonSchema): string {
  return field.format ? `${String(field.type)} (${field.format})` : String(field.type ?? "untyped value");
}

function suggest(field: JsonSchema): string {
  if (field.type === "string" && (field.format === "date-time" || field.format === "date")) return "date";
  return ["string", "integer", "number", "boolean"].includes(String(field.type))
    ? String(field.type)
    : "string (or point at a scalar field)";
}
