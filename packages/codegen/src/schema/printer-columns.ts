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
    if (!col.jsonPath.startsWith(".")) {
      sink.error(
        at,
        `jsonPath "${col.jsonPath}" must start with . (kcp refuses other paths), such as .status.phase`,
      );
      continue;
    }
    const segments = parseJsonPath(col.jsonPath);
    if (!segments) {
      // kcp takes any path that starts with a dot; this one is beyond what mesh-codegen follows.
      sink.warn(
        at,
        `jsonPath "${col.jsonPath}" is not one mesh-codegen can check against the schema (fields, [n], [*] and [?(@.field=="value")] filters); check the column with kubectl get`,
      );
      continue;
    }
    const filterProblem = segments.find(
      (x): x is Filter => typeof x === "object" && !filterFieldExists(root, segments, x),
    );
    if (filterProblem) {
      sink.error(
        at,
        `jsonPath "${col.jsonPath}": the filter's field ${filterProblem.field} is not a field of the list's items`,
      );
      continue;
    }
    if (segments[0] === "metadata" && segments.length === 2) {
      const t = typeof segments[1] === "string" ? METADATA_COLUMNS[segments[1]] : undefined;
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

/** A list filter `[?(@.field=="value")]`: selects items of a list, like an index. */
interface Filter {
  field: string;
}
type Segment = string | number | Filter;

const FIELD = "[A-Za-z_][\\w-]*";
const INDEX = "\\[(?:\\d+|\\*)\\]";
const FILTER = `\\[\\?\\(@\\.(${FIELD})\\s*(?:==|!=)\\s*(?:"[^"]*"|'[^']*'|[\\w.-]+)\\)\\]`;
const PATH = new RegExp(`^(\\.${FIELD}(${INDEX}|${FILTER})*)+$`);
const SEGMENT = new RegExp(`\\.(${FIELD})|\\[(\\d+|\\*)\\]|${FILTER}`, "g");

/**
 * `.spec.items[0].name` → `["spec", "items", 0, "name"]`; `[*]` and filters such as
 * `[?(@.type=="Ready")]` select items too. Undefined when the path is beyond that.
 */
function parseJsonPath(path: string): Segment[] | undefined {
  if (!PATH.test(path)) return undefined;
  const out: Segment[] = [];
  for (const m of path.matchAll(SEGMENT)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(m[2] === "*" ? 0 : Number(m[2]));
    else out.push({ field: m[3]! });
  }
  return out;
}

function filterFieldExists(root: JsonSchema, segments: Segment[], filter: Filter): boolean {
  const list = resolve(root, segments.slice(0, segments.indexOf(filter)));
  if (list === "unknown") return true;
  const items = list?.type === "array" && !Array.isArray(list.items) ? list.items : undefined;
  if (!items) return false;
  if (items["x-kubernetes-preserve-unknown-fields"] === true && !items.properties) return true;
  return items.properties?.[filter.field] !== undefined;
}

function resolve(root: JsonSchema, segments: Segment[]): JsonSchema | "unknown" | undefined {
  let node: JsonSchema | undefined = root;
  for (const s of segments) {
    if (!node) return undefined;
    if (node["x-kubernetes-preserve-unknown-fields"] === true && !node.properties) return "unknown";
    if (typeof s === "number" || typeof s === "object")
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
