import { type ASTNode, Environment } from "@marcbachmann/cel-js";

/**
 * CEL rules (`x-kubernetes-validations`) as the Kubernetes API server types and runs them, on
 * @marcbachmann/cel-js: `self` (and `oldSelf`) typed from the structural schema the rule sits on,
 * as apiextensions' SchemaDeclType does (objects with their declared fields only, `map<string, V>`
 * for additionalProperties, `list<T>`, int-or-string as `dyn`, `format: date-time`/`date` as
 * timestamps, `duration` as durations, `byte` as bytes), the standard macros, optional types and
 * the Kubernetes string and list functions the library has or this module adds.
 *
 * What the library cannot judge (two-variable comprehensions, the quantity, URL, IP, CIDR, semver
 * and format libraries, math, sets, base64) is reported as such: kcp alone checks those rules.
 *
 * @internal used by validateObject and mesh-codegen
 */

/** The parts of a structural schema node that CEL typing reads. */
export interface CelSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, CelSchema>;
  items?: CelSchema | CelSchema[];
  additionalProperties?: CelSchema | boolean;
  required?: string[];
  nullable?: boolean;
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  enum?: unknown[];
  default?: unknown;
  anyOf?: CelSchema[];
  oneOf?: CelSchema[];
  allOf?: CelSchema[];
  "x-kubernetes-validations"?: CelRuleLike[];
  [keyword: string]: unknown;
}

/** A rule as it sits in a schema. */
export interface CelRuleLike {
  rule: string;
  message?: string;
  messageExpression?: string;
  fieldPath?: string;
  reason?: string;
  optionalOldSelf?: boolean;
}

/** What compiling one rule against its schema gave. */
export type CelCheck =
  | { ok: true; ast: ASTNode; usesOldSelf: boolean }
  | { ok: false; error: string; cannotJudge?: false }
  | { ok: false; cannotJudge: true; error: string };

// Functions and namespaces of Kubernetes' CEL environment (k8s.io/apiserver/pkg/cel/library and
// the cel-go extensions it enables) that @marcbachmann/cel-js does not have and this module does
// not add: rules using them are type-checked and run by kcp only.
const K8S_ONLY_FUNCTIONS = new Set([
  "url",
  "isURL",
  "getScheme",
  "getHost",
  "getHostname",
  "getPort",
  "getEscapedPath",
  "getQuery",
  "ip",
  "isIP",
  "cidr",
  "isCIDR",
  "quantity",
  "isQuantity",
  "semver",
  "isSemver",
  "format",
  "validate",
  "sort",
  "distinct",
  "flatten",
  "slice",
  "range",
  "quote",
  "transformList",
  "transformMap",
  "transformMapEntry",
  "existsOne",
  "compareTo",
  "isGreaterThan",
  "isLessThan",
  "asInteger",
  "asApproximateFloat",
  "sign",
  "add",
  "sub",
  "family",
  "isUnspecified",
  "isLoopback",
  "isLinkLocalMulticast",
  "isLinkLocalUnicast",
  "isGlobalUnicast",
  "prefixLength",
  "masked",
  "containsIP",
  "containsCIDR",
  "major",
  "minor",
  "patch",
]);
const K8S_ONLY_NAMESPACES = new Set(["strings", "math", "sets", "base64", "lists", "format", "optional"]);
const TWO_VAR_MACRO =
  /\.(all|exists|existsOne|exists_one|transformList|transformMap|transformMapEntry)\(\s*[A-Za-z_]\w*\s*,\s*[A-Za-z_]\w*\s*,/;

// CEL's reserved words, which Kubernetes escapes as __word__ in field names (apiserver/pkg/cel/escaping.go).
const CEL_RESERVED = new Set([
  "true",
  "false",
  "null",
  "in",
  "as",
  "break",
  "const",
  "continue",
  "else",
  "for",
  "function",
  "if",
  "import",
  "let",
  "loop",
  "package",
  "namespace",
  "return",
  "var",
  "void",
  "while",
]);

/** A property name as CEL sees it (Kubernetes' escaping), or undefined when CEL cannot reach it. */
export function celFieldName(name: string): string | undefined {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[A-Za-z_.\-/][A-Za-z0-9_.\-/]*$/.test(name)) return undefined;
  return name
    .replace(/__/g, "__underscores__")
    .replace(/\./g, "__dot__")
    .replace(/-/g, "__dash__")
    .replace(/\//g, "__slash__");
}

const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

function typeOf(s: CelSchema): string | undefined {
  return typeof s.type === "string" ? s.type : undefined;
}

/** A CEL environment where `self` and `oldSelf` have the type of one schema node. */
export class SchemaTypes {
  readonly env = new Environment({
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
    unlistedVariablesAreDyn: false,
  });
  private n = 0;

  constructor(
    schema: CelSchema,
    isResourceRoot: boolean,
    readonly selfType = "dyn",
  ) {
    addKubernetesFunctions(this.env);
    this.selfType = this.declare(schema, isResourceRoot) ?? "dyn";
    this.env.registerVariable("self", this.selfType);
    this.env.registerVariable("oldSelf", this.selfType);
  }

  /** The CEL type name of a node, registering object types; undefined when CEL has no type for it. */
  declare(s: CelSchema, embedded: boolean): string | undefined {
    if (s["x-kubernetes-int-or-string"] === true) return "dyn";
    const t = typeOf(s);
    if (t === "array") {
      const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
      const item = items && this.declare(items, items["x-kubernetes-embedded-resource"] === true);
      return item ? `list<${item}>` : undefined;
    }
    if (t === "object" || embedded) {
      if (typeof s.additionalProperties === "object") {
        const value = this.declare(
          s.additionalProperties,
          s.additionalProperties["x-kubernetes-embedded-resource"] === true,
        );
        return value ? `map<string, ${value}>` : undefined;
      }
      const fields: Record<string, string> = {};
      const props: Record<string, CelSchema> = { ...(s.properties ?? {}) };
      if (embedded) {
        props.apiVersion ??= { type: "string" };
        props.kind ??= { type: "string" };
        props.metadata = {
          type: "object",
          properties: { name: { type: "string" }, generateName: { type: "string" } },
        };
      }
      for (const [name, child] of Object.entries(props)) {
        const field = celFieldName(name);
        const ft = this.declare(child, child["x-kubernetes-embedded-resource"] === true);
        if (field && ft) fields[field] = ft;
      }
      const name = `Object${this.n++}`;
      this.env.registerType(name, { fields });
      this.env.registerOperator(`${name} == ${name}`, (a: unknown, b: unknown) => celEqual(a, b));
      return name;
    }
    switch (t) {
      case "string":
        if (s.format === "byte") return "bytes";
        if (s.format === "duration") return "google.protobuf.Duration";
        if (s.format === "date" || s.format === "date-time") return "google.protobuf.Timestamp";
        return "string";
      case "boolean":
        return "bool";
      case "number":
        return "double";
      case "integer":
        return "int";
    }
    return undefined;
  }
}

function celEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => celEqual(x, b[i]));
  }
  const ka = entries(a);
  const kb = entries(b);
  if (ka.length !== kb.length) return false;
  const mb = new Map(kb);
  return ka.every(([k, v]) => mb.has(k) && celEqual(v, mb.get(k)));
}

function entries(o: object): [unknown, unknown][] {
  if (o instanceof Map) return [...o.entries()];
  return Object.entries(o).filter(([, v]) => v !== undefined);
}

/** Kubernetes' string and list library functions (library/lists.go, regex.go, cel-go ext strings) that the library lacks. */
function addKubernetesFunctions(env: Environment): void {
  const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : (v as number));
  env.registerFunction("string.charAt(int): string", (s: string, i: bigint) => {
    const chars = [...s];
    const n = Number(i);
    if (n < 0 || n > chars.length) throw new Error(`index out of range: ${n}`);
    return chars[n] ?? "";
  });
  env.registerFunction("string.replace(string, string): string", (s: string, a: string, b: string) =>
    s.split(a).join(b),
  );
  env.registerFunction(
    "string.replace(string, string, int): string",
    (s: string, a: string, b: string, n: bigint) => {
      let out = s;
      let count = Number(n);
      if (count < 0) return s.split(a).join(b);
      let from = 0;
      while (count-- > 0) {
        const i = out.indexOf(a, from);
        if (i < 0) break;
        out = out.slice(0, i) + b + out.slice(i + a.length);
        from = i + b.length;
      }
      return out;
    },
  );
  env.registerFunction("string.reverse(): string", (s: string) => [...s].reverse().join(""));
  for (const t of ["int", "double", "string", "uint"]) {
    env.registerFunction(`list<${t}>.isSorted(): bool`, (l: unknown[]) =>
      l.every((v, i) => i === 0 || (l[i - 1] as number) <= (v as number)),
    );
    env.registerFunction(`list<${t}>.min(): ${t}`, (l: unknown[]) => {
      if (l.length === 0) throw new Error("min called on empty list");
      // biome-ignore lint/complexity/useMathMinMax: bigints and strings too
      return l.reduce((a, b) => ((b as number) < (a as number) ? b : a));
    });
    env.registerFunction(`list<${t}>.max(): ${t}`, (l: unknown[]) => {
      if (l.length === 0) throw new Error("max called on empty list");
      // biome-ignore lint/complexity/useMathMinMax: bigints and strings too
      return l.reduce((a, b) => ((b as number) > (a as number) ? b : a));
    });
    env.registerFunction(`list<${t}>.indexOf(${t}): int`, (l: unknown[], v: unknown) => BigInt(l.indexOf(v)));
    env.registerFunction(`list<${t}>.lastIndexOf(${t}): int`, (l: unknown[], v: unknown) =>
      BigInt(l.lastIndexOf(v)),
    );
  }
  env.registerFunction("list<int>.sum(): int", (l: bigint[]) => l.reduce((a, b) => a + b, 0n));
  env.registerFunction("list<double>.sum(): double", (l: unknown[]) =>
    l.reduce<number>((a, b) => a + num(b), 0),
  );
  env.registerFunction(
    "string.find(string): string",
    (s: string, re: string) => new RegExp(re).exec(s)?.[0] ?? "",
  );
  env.registerFunction("string.findAll(string): list<string>", (s: string, re: string) =>
    [...s.matchAll(new RegExp(re, "g"))].map((m) => m[0]),
  );
  env.registerFunction("string.findAll(string, int): list<string>", (s: string, re: string, n: bigint) => {
    const all = [...s.matchAll(new RegExp(re, "g"))].map((m) => m[0]);
    return n < 0n ? all : all.slice(0, Number(n));
  });
}

const environments = new WeakMap<CelSchema, Map<boolean, SchemaTypes>>();

/** @internal the CEL environment typing `self` as one schema node (also used for conversion transformations). */
export function typesFor(schema: CelSchema, isResourceRoot: boolean): SchemaTypes {
  let byRoot = environments.get(schema);
  if (!byRoot) {
    byRoot = new Map();
    environments.set(schema, byRoot);
  }
  let types = byRoot.get(isResourceRoot);
  if (!types) {
    types = new SchemaTypes(schema, isResourceRoot);
    byRoot.set(isResourceRoot, types);
  }
  return types;
}

/** Why the library cannot judge an expression, or undefined when it can. */
function cannotJudge(expression: string, error: string): string | undefined {
  if (TWO_VAR_MACRO.test(expression)) return "two-variable comprehensions";
  const overload = /no matching overload for '(?:[\w<>, ]+\.)?(\w+)\(/.exec(error)?.[1];
  if (overload && K8S_ONLY_FUNCTIONS.has(overload)) return `the function ${overload}()`;
  const variable = /Unknown variable: (\w+)/.exec(error)?.[1];
  if (variable && K8S_ONLY_NAMESPACES.has(variable)) return `the ${variable} library`;
  return undefined;
}

/**
 * Compiles and type-checks a rule (and its messageExpression) against the schema node it sits on,
 * as the API server does: it must parse, every field it names must exist, types must fit, and the
 * rule must give a bool (a messageExpression a string).
 */
export function checkCelRule(schema: CelSchema, rule: CelRuleLike, isResourceRoot = false): CelCheck {
  const key = `${isResourceRoot}\u0000${rule.rule}\u0000${rule.messageExpression ?? ""}`;
  let cache = checks.get(schema);
  if (!cache) {
    cache = new Map();
    checks.set(schema, cache);
  }
  let checked = cache.get(key);
  if (!checked) {
    checked = compileRule(schema, rule, isResourceRoot);
    cache.set(key, checked);
  }
  return checked;
}

const checks = new WeakMap<CelSchema, Map<string, CelCheck>>();

function compileRule(schema: CelSchema, rule: CelRuleLike, isResourceRoot: boolean): CelCheck {
  const { env } = typesFor(schema, isResourceRoot);
  const one = (expression: string, want: string, what: string): CelCheck => {
    let result: ReturnType<Environment["check"]>;
    try {
      result = env.check(expression);
    } catch (err) {
      result = { valid: false, error: err as Error } as ReturnType<Environment["check"]>;
    }
    if (!result.valid) {
      const message = firstLine(result.error?.message ?? "does not compile");
      const why = cannotJudge(expression, message);
      if (why)
        return {
          ok: false,
          cannotJudge: true,
          error: `uses ${why}, which mesh-codegen's CEL library does not model`,
        };
      return { ok: false, error: `${what} does not compile: ${message}` };
    }
    if (result.type !== want && result.type !== "dyn")
      return { ok: false, error: `${what} must give a ${want}, not ${result.type}` };
    return { ok: true, ast: env.parse(expression).ast, usesOldSelf: /\boldSelf\b/.test(expression) };
  };
  const r = one(rule.rule, "bool", "the rule");
  if (!r.ok || rule.messageExpression === undefined) return r;
  const m = one(rule.messageExpression, "string", "the messageExpression");
  return m.ok ? r : m;
}

export function firstLine(s: string): string {
  return s.split("\n")[0]!.trim();
}

/** A JSON value converted to what the CEL type of its schema node expects (ints as bigint, ...). */
export function toCel(s: CelSchema | undefined, v: unknown, types: SchemaTypes): unknown {
  if (v === null || v === undefined || !s) return v;
  if (s["x-kubernetes-int-or-string"] === true || typeOf(s) === undefined) return toDyn(v);
  switch (typeOf(s)) {
    case "integer":
      return typeof v === "number" && Number.isInteger(v) ? BigInt(v) : v;
    case "number":
      return typeof v === "number" ? v : v;
    case "string":
      if (typeof v !== "string") return v;
      if (s.format === "date" || s.format === "date-time") return new Date(v);
      if (s.format === "duration") return durationOf(types, v);
      if (s.format === "byte") return Uint8Array.from(Buffer.from(v, "base64"));
      return v;
    case "array": {
      const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
      return Array.isArray(v) ? v.map((x) => toCel(items, x, types)) : v;
    }
    case "object": {
      if (typeof v !== "object" || Array.isArray(v)) return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === null) continue;
        if (typeof s.additionalProperties === "object") out[k] = toCel(s.additionalProperties, x, types);
        else {
          const field = celFieldName(k);
          const p = s.properties?.[k];
          if (field && p) out[field] = toCel(p, x, types);
          else if (k === "apiVersion" || k === "kind") out[k] = x;
          else if (k === "metadata" && typeof x === "object") {
            const { name, generateName } = x as { name?: string; generateName?: string };
            out.metadata = { ...(name && { name }), ...(generateName && { generateName }) };
          }
        }
      }
      return out;
    }
  }
  return v;
}

function toDyn(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toDyn);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toDyn(x)]));
  return v;
}

function durationOf(types: SchemaTypes, v: string): unknown {
  try {
    return types.env.evaluate(`duration(${JSON.stringify(v)})`);
  } catch {
    return v;
  }
}

/** One rule that failed on a value. */
export interface CelFailure {
  /** Data path of the node (or of the rule's fieldPath below it). */
  path: string;
  message: string;
  rule: string;
}

/**
 * Runs every CEL rule of a schema on a value, as kcp does on create (rules that use `oldSelf` are
 * transition rules and do not run without an old object). Rules the library cannot judge are
 * skipped: kcp alone enforces them. `path` is the value's data path, for the failures.
 */
export function evaluateCelRules(
  schema: CelSchema,
  value: unknown,
  path = "",
  isResourceRoot = false,
): CelFailure[] {
  const out: CelFailure[] = [];
  walk(schema, value, path, isResourceRoot, out);
  return out;
}

function walk(s: CelSchema, v: unknown, path: string, root: boolean, out: CelFailure[]): void {
  if (v === undefined || v === null) return;
  const rules = s["x-kubernetes-validations"];
  if (Array.isArray(rules) && rules.length > 0) {
    const types = typesFor(s, root);
    const self = toCel(s, v, types);
    for (const rule of rules) {
      const checked = checkCelRule(s, rule, root);
      if (!checked.ok || checked.usesOldSelf) continue;
      const at = rule.fieldPath ? `${path}${rule.fieldPath}` : path;
      let passed: unknown;
      try {
        passed = types.env.evaluate(rule.rule, { self });
      } catch (err) {
        out.push({
          path: at,
          rule: rule.rule,
          message: `${firstLine((err as Error).message)} evaluating rule: ${rule.rule}`,
        });
        continue;
      }
      if (passed === true) continue;
      let message = rule.message ?? `failed rule: ${rule.rule}`;
      if (rule.messageExpression) {
        try {
          const m = types.env.evaluate(rule.messageExpression, { self });
          if (typeof m === "string" && m.trim() !== "") message = m;
        } catch {
          // kcp falls back to the message (or the rule) too
        }
      }
      out.push({ path: at, rule: rule.rule, message });
    }
  }
  const t = typeOf(s);
  if (t === "object" && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p =
        s.properties?.[k] ??
        (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
      const key = /^[A-Za-z_$][\w$-]*$/.test(k)
        ? path
          ? `${path}.${k}`
          : k
        : `${path}[${JSON.stringify(k)}]`;
      if (p) walk(p, x, key, p["x-kubernetes-embedded-resource"] === true, out);
    }
  } else if (t === "array" && Array.isArray(v) && s.items && !Array.isArray(s.items)) {
    const items = s.items;
    for (const [i, x] of v.entries())
      walk(items, x, `${path}[${i}]`, items["x-kubernetes-embedded-resource"] === true, out);
  }
}

/** Kubernetes' size estimate of a node when its schema sets no bound (apiserver/pkg/cel/common/schemas.go). */
export function maxSizeOf(s: CelSchema): number {
  const t = typeOf(s);
  if (t === "string" || s["x-kubernetes-int-or-string"] === true) {
    if (typeof s.maxLength === "number") return s.maxLength * 4;
    if (s.enum?.length) return Math.max(...s.enum.map((e) => String(e).length));
    if (s.format === "date-time") return 32;
    if (s.format === "date") return 10;
    return MAX_REQUEST_BYTES - 2;
  }
  if (t === "array") {
    if (typeof s.maxItems === "number") return s.maxItems;
    const items = s.items && !Array.isArray(s.items) ? s.items : {};
    return Math.floor((MAX_REQUEST_BYTES - 2) / (minSerializedSize(items) + 1));
  }
  if (t === "object" && typeof s.additionalProperties === "object") {
    if (typeof s.maxProperties === "number") return s.maxProperties;
    return Math.floor((MAX_REQUEST_BYTES - 2) / (minSerializedSize(s.additionalProperties) + 6));
  }
  return 1;
}

/** The smallest JSON a value of the node can be, as Kubernetes estimates it. */
export function minSerializedSize(s: CelSchema): number {
  switch (typeOf(s)) {
    case "string":
      if (s.format === "date-time") return 22;
      if (s.format === "date") return 12;
      if (s.format === "duration") return 4;
      return 2;
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return 4;
    case "array":
      return 2;
    case "object": {
      let size = 2;
      for (const r of s.required ?? []) {
        const p = s.properties?.[r];
        if (p && p.default === undefined) size += r.length + minSerializedSize(p) + 4;
      }
      return size;
    }
  }
  return 1;
}
