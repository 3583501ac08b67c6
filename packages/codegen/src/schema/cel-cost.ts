import { type CelCheck, type CelSchema, maxSizeOf } from "@kcp-mesh/sdk/api";

type ASTNode = Extract<CelCheck, { ok: true }>["ast"];

/**
 * The API server's static cost estimate of a CEL rule, after cel-go's checker/cost.go: field access
 * costs 1, string functions 0.1 per character walked (regexes 0.25 per pattern character, times
 * the string), comprehensions their body once per element, lists and maps created 10 and 30; the
 * size of a string, list or map without maxLength/maxItems/maxProperties is what a 3 MiB request
 * could hold (apiserver/pkg/cel/common/schemas.go). An estimate of the same shape, not cel-go's
 * exact numbers: kcp's own answer comes from `mesh-codegen verify`.
 */
export const PER_RULE_LIMIT = 10_000_000;
export const PER_SCHEMA_LIMIT = 100_000_000;

interface Estimate {
  cost: number;
  /** Largest size of the value (characters, items, entries), when it has one. */
  size: number;
  schema?: CelSchema;
}

const MACROS = new Set(["all", "exists", "exists_one", "map", "filter"]);

const traverse = (size: number) => Math.ceil(size * 0.1);

function child(s: CelSchema | undefined, name: string): CelSchema | undefined {
  if (!s) return undefined;
  if (s.properties?.[name]) return s.properties[name];
  if (typeof s.additionalProperties === "object") return s.additionalProperties;
  return undefined;
}

function element(s: CelSchema | undefined): CelSchema | undefined {
  if (!s) return undefined;
  if (s.type === "array" && s.items && !Array.isArray(s.items)) return s.items;
  if (s.type === "object" && typeof s.additionalProperties === "object") return { type: "string" };
  return undefined;
}

function literalSize(v: unknown): number {
  if (typeof v === "string") return v.length;
  if (v instanceof Uint8Array) return v.length;
  return 1;
}

/** The estimated cost of one evaluation of the expression, `self` being `schema`. */
export function estimateCost(ast: ASTNode, schema: CelSchema): number {
  const vars = new Map<string, CelSchema | undefined>([
    ["self", schema],
    ["oldSelf", schema],
  ]);
  return est(ast, vars).cost;
}

function sized(schema: CelSchema | undefined, cost: number): Estimate {
  return { cost, size: schema ? maxSizeOf(schema) : 1, ...(schema && { schema }) };
}

function est(node: ASTNode, vars: Map<string, CelSchema | undefined>): Estimate {
  const n = node as unknown as { op: string; args: unknown };
  const args = n.args as unknown[];
  switch (n.op) {
    case "value":
      return { cost: 0, size: literalSize(n.args) };
    case "id":
      return sized(vars.get(n.args as string), 1);
    case ".":
    case ".?": {
      const base = est(args[0] as ASTNode, vars);
      return sized(child(base.schema, args[1] as string), base.cost + 1);
    }
    case "[]":
    case "[?]": {
      const base = est(args[0] as ASTNode, vars);
      const index = est(args[1] as ASTNode, vars);
      const s = base.schema?.type === "array" ? element(base.schema) : child(base.schema, "");
      return sized(s, base.cost + index.cost + 1);
    }
    case "rcall": {
      const [name, receiverNode, rest] = args as [string, ASTNode, ASTNode[]];
      const receiver = est(receiverNode, vars);
      if (MACROS.has(name) && rest.length >= 2) {
        const variable = (rest[0] as unknown as { args: string }).args;
        const inner = new Map(vars);
        inner.set(variable, element(receiver.schema));
        const body = rest.slice(1).reduce((sum, b) => sum + est(b, inner).cost, 0);
        return { cost: receiver.cost + receiver.size * (body + 1), size: receiver.size };
      }
      const argEstimates = rest.map((a) => est(a, vars));
      const argCost = argEstimates.reduce((sum, a) => sum + a.cost, 0);
      const arg = argEstimates[0]?.size ?? 1;
      const listElement = receiver.schema?.type === "array" ? element(receiver.schema) : undefined;
      // Per element of a list: 1, plus walking it when it is a string (apiserver/pkg/cel/library/cost.go).
      const perElement = 1 + (listElement?.type === "string" ? traverse(maxSizeOf(listElement)) : 0);
      let own = 1;
      switch (name) {
        case "startsWith":
        case "endsWith":
          own = traverse(arg);
          break;
        case "contains":
          own = traverse(receiver.size) * traverse(arg);
          break;
        case "matches":
        case "find":
        case "findAll":
          own = traverse(receiver.size + 1) * Math.ceil(arg * 0.25);
          break;
        case "lowerAscii":
        case "upperAscii":
        case "substring":
        case "trim":
          own = traverse(receiver.size);
          break;
        case "replace":
        case "split":
          own = Math.ceil(receiver.size * 0.2);
          break;
        case "indexOf":
        case "lastIndexOf":
          own = listElement ? receiver.size * perElement : traverse(receiver.size);
          break;
        case "isSorted":
        case "sum":
        case "min":
        case "max":
          own = receiver.size * perElement;
          break;
        case "join":
          own = traverse(receiver.size * (listElement ? maxSizeOf(listElement) : 1) + arg * receiver.size);
          break;
      }
      return { cost: receiver.cost + argCost + own, size: receiver.size };
    }
    case "call": {
      const [name, callArgs] = args as [string, ASTNode[]];
      const inner = callArgs.map((a) => est(a, vars));
      const sum = inner.reduce((s, a) => s + a.cost, 0);
      if (name === "has") return { cost: sum, size: 1 };
      if (name === "size") return { cost: sum + 1, size: 1 };
      return { cost: sum + 1, size: inner[0]?.size ?? 1 };
    }
    case "list":
    case "map": {
      const items = (n.op === "map" ? (args as ASTNode[][]).flat() : (args as ASTNode[])).map((a) =>
        est(a, vars),
      );
      return {
        cost: items.reduce((s, a) => s + a.cost, 0) + (n.op === "map" ? 30 : 10),
        size: items.length,
      };
    }
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
    case "+":
    case "in": {
      const [a, b] = (args as ASTNode[]).map((x) => est(x, vars)) as [Estimate, Estimate];
      const strings = a.schema?.type === "string" || b.schema?.type === "string";
      const walk =
        n.op === "in"
          ? b.size
          : n.op === "+"
            ? traverse(a.size + b.size)
            : n.op === "==" || n.op === "!=" || strings
              ? traverse(Math.min(a.size, b.size))
              : 1;
      return { cost: a.cost + b.cost + Math.max(1, walk), size: n.op === "+" ? a.size + b.size : 1 };
    }
    default: {
      const parts = (Array.isArray(args) ? (args as unknown[]) : []).filter(
        (a): a is ASTNode => a !== null && typeof a === "object" && "op" in a,
      );
      return { cost: parts.reduce((sum: number, a) => sum + est(a, vars).cost, 0) + 1, size: 1 };
    }
  }
}
