import {
  type AnyResource,
  type CelSchema,
  checkCelTransformation,
  type NormalizedConversion,
  type VersionDefinition,
} from "@kcp-mesh/sdk/api";
import { ProblemSink } from "../problems.js";
import { canonicalJson, type JsonSchema } from "../schema/json-schema.js";

// What a field's own checks are, without its children: two versions' fields of one path agree when these do.
const CHILDREN = new Set([
  "properties",
  "items",
  "additionalProperties",
  "description",
  "default",
  "required",
]);
// The list the runtime writes Ready into: every version has the same one, so it never needs a rule.
const CONDITIONS = "status.conditions";

interface Field {
  node: JsonSchema;
  /** Whether a client must write it (required at every level down from the root). */
  required: boolean;
  /** Whether it has known fields of its own (an object with properties). */
  hasFields: boolean;
}

/** Every field of a version below spec and status, by dotted path. */
function fieldsOf(root: JsonSchema): Map<string, Field> {
  const out = new Map<string, Field>();
  const walk = (node: JsonSchema, path: string, required: boolean) => {
    const props = node.properties ?? {};
    const hasFields = Object.keys(props).length > 0;
    if (path) out.set(path, { node, required, hasFields });
    if (path === CONDITIONS) return;
    for (const [k, child] of Object.entries(props)) {
      if (!path && k !== "spec" && k !== "status") continue;
      walk(child, path ? `${path}.${k}` : k, required && (node.required ?? []).includes(k));
    }
  };
  walk(root, "", true);
  return out;
}

const own = (n: JsonSchema) =>
  canonicalJson(Object.fromEntries(Object.entries(n).filter(([k]) => !CHILDREN.has(k))));
/** Whether every value `from` accepts, `to` accepts too: `to` checks a subset of what `from` checks. */
function accepts(to: JsonSchema, from: JsonSchema): boolean {
  const f = JSON.parse(own(from)) as Record<string, unknown>;
  return Object.entries(JSON.parse(own(to)) as Record<string, unknown>).every(
    ([k, v]) => k in f && canonicalJson(f[k]) === canonicalJson(v),
  );
}
const under = (p: string, q: string) => p === q || p.startsWith(`${q}.`);

/**
 * Checks one declared conversion against the two versions' schemas, as kcp's APIConversion
 * compiles it (paths that exist, CEL of `self`), and what it would do to data: source fields the
 * target cannot hold that no rule reads and `preserve` does not keep are lost; required target
 * fields that no rule and no field of the same path produce are missing; fields of one path whose
 * checks differ need a rule.
 */
function checkConversion(
  conv: NormalizedConversion,
  schemas: Record<string, JsonSchema>,
  sink: ProblemSink,
): void {
  const source = fieldsOf(schemas[conv.from]!);
  const target = fieldsOf(schemas[conv.to]!);
  const destinations = conv.rules.map((r) => r.destination);
  for (const rule of conv.rules) {
    const at = `rules["${rule.destination}"]`;
    const from = source.get(rule.field);
    const to = target.get(rule.destination);
    if (!from) sink.error(at, `reads ${rule.field}, which is not a field of ${conv.from}`);
    if (!to) sink.error(at, `writes ${rule.destination}, which is not a field of ${conv.to}`);
    if (!from || !to) continue;
    if (rule.transformation !== undefined) {
      const checked = checkCelTransformation(
        from.node as CelSchema,
        rule.transformation,
        to.node as CelSchema,
      );
      if (!checked.ok) {
        const message = `the transformation ${JSON.stringify(rule.transformation)} (self: ${rule.field} of ${conv.from}) ${checked.error}`;
        if (checked.cannotJudge) sink.warn(at, `${message}; kcp alone can judge it`);
        else sink.error(at, message);
      }
    } else if (!accepts(to.node, from.node) || from.hasFields !== to.hasFields) {
      sink.error(
        at,
        `copies ${rule.field} of ${conv.from} as is into ${rule.destination} of ${conv.to}, but their schemas differ (${own(from.node)} vs ${own(to.node)}); add a transformation that gives what ${conv.to} expects`,
      );
    }
  }
  for (const p of conv.preserve) {
    if (!source.has(p)) sink.error(`preserve`, `${p} is not a field of ${conv.from}`);
    else if (target.has(p))
      sink.warn(`preserve`, `${p} is a field of ${conv.to} too: it is copied, preserving it is not needed`);
  }
  const targetLeaves = [...target].filter(([, f]) => !f.hasFields).map(([p]) => p);
  const lost: string[] = [];
  for (const [p, f] of source) {
    if (f.hasFields || target.has(p)) continue;
    if (targetLeaves.some((q) => under(p, q))) continue;
    if (conv.rules.some((r) => under(p, r.field)) || conv.preserve.some((q) => under(p, q))) continue;
    if (lost.some((q) => under(p, q))) continue;
    lost.push(p);
  }
  for (const p of lost)
    sink.error(
      p,
      `exists in ${conv.from} but not in ${conv.to}: converting loses it; read it in a rule (a destination in ${conv.to}) or list it in preserve`,
    );
  for (const [p, f] of target) {
    if (!f.required || (f.hasFields && [...target].some(([q, g]) => g.required && q !== p && under(q, p))))
      continue;
    if (source.has(p) || destinations.some((d) => under(p, d))) continue;
    sink.error(
      p,
      `is required in ${conv.to} and nothing produces it from ${conv.from}: add a rule whose destination is ${p}`,
    );
  }
  for (const [p, t] of target) {
    const s = source.get(p);
    if (!s || destinations.some((d) => under(p, d))) continue;
    if (!accepts(t.node, s.node))
      sink.error(
        p,
        `is checked differently in ${conv.from} (${own(s.node)}) and ${conv.to} (${own(t.node)}): an object valid in one is invalid in the other; add a rule for it with a transformation`,
      );
  }
}

/**
 * Checks a resource's conversions: every declared one against the schemas, and every served
 * version whose schema differs from the storage version's needs conversions both ways (kcp stores
 * objects in the storage version and converts on every read and write in another).
 */
export function checkConversions(
  resource: AnyResource,
  schemas: Record<string, JsonSchema>,
  sinks: ProblemSink[],
): void {
  const conversions = (resource.conversions ?? []) as readonly NormalizedConversion[];
  for (const conv of conversions) {
    const sink = new ProblemSink(`${resource.kind} conversions["${conv.from}->${conv.to}"]`);
    sinks.push(sink);
    checkConversion(conv, schemas, sink);
  }
  const storage = resource.storageVersion as string;
  const sink = new ProblemSink(resource.kind);
  sinks.push(sink);
  // kcp's APIConversion converter (unreleased, kcp-dev/kcp adaaf9be5 pkg/conversion/conversion_rules.go)
  // keeps one rule list per source version: the last conversion from a version wins for every target.
  for (const from of new Set(conversions.map((c) => c.from))) {
    const targets = conversions.filter((c) => c.from === from).map((c) => c.to);
    if (targets.length > 1)
      sink.warn(
        "conversions",
        `${from} converts to ${targets.join(" and ")}: kcp's own APIConversion converter keeps one rule list per source version (the last), so on a kcp that runs APIConversion only the conversion webhook converts ${from} correctly to each`,
      );
  }
  for (const [name, def] of Object.entries(resource.versions as Record<string, VersionDefinition>)) {
    if (name === storage || def.served === false) continue;
    for (const [from, to] of [
      [storage, name],
      [name, storage],
    ] as const) {
      if (conversions.some((c) => c.from === from && c.to === to)) continue;
      // Neither way declared: checkServedVersionsAgree names every differing field.
      if (!conversions.some((c) => c.from === to && c.to === from)) continue;
      const lost = lostWithoutRules(schemas[from]!, schemas[to]!);
      if (lost.length === 0) continue;
      sink.error(
        "",
        `${from} and ${to} differ and there is no conversions["${from}->${to}"]: kcp would copy objects unchanged, so ${lost.join(", ")} would be lost or invalid; declare conversions["${from}->${to}"] (and the way back), or stop serving ${name} (served: false)`,
      );
    }
  }
}

/** The fields a conversion without rules would lose or break, tops of subtrees only. */
function lostWithoutRules(a: JsonSchema, b: JsonSchema): string[] {
  const fa = fieldsOf(a);
  const fb = fieldsOf(b);
  const out: string[] = [];
  for (const [p, f] of fa) {
    if (out.some((q) => under(p, q))) continue;
    const g = fb.get(p);
    if (!g || own(f.node) !== own(g.node)) out.push(p);
  }
  for (const [p, g] of fb) {
    if (g.required && !fa.has(p) && !out.some((q) => under(p, q))) out.push(p);
  }
  return out;
}

/** kcp's APIConversion for a resource's declared conversions, named like its APIResourceSchema. */
export function buildApiConversion(
  resource: AnyResource,
  schemaName: string,
): Record<string, unknown> | undefined {
  const conversions = (resource.conversions ?? []) as readonly NormalizedConversion[];
  if (conversions.length === 0) return undefined;
  const dot = (p: string) => `.${p}`;
  return {
    apiVersion: "apis.kcp.io/v1alpha1",
    kind: "APIConversion",
    metadata: { name: schemaName },
    spec: {
      conversions: conversions.map((c) => ({
        from: c.from,
        to: c.to,
        rules: c.rules.map((r) => ({
          field: dot(r.field),
          destination: dot(r.destination),
          ...(r.transformation !== undefined && { transformation: r.transformation }),
        })),
        ...(c.preserve.length > 0 && { preserve: c.preserve.map(dot) }),
      })),
    },
  };
}
