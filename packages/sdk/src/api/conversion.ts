import type { StandardSchemaV1 } from "./standard-schema.js";

/**
 * Conversion rules between the versions of a resource, in the shape of kcp's `APIConversion`
 * (apis.kcp.io/v1alpha1): converting an object keeps every field (fields the target version does
 * not know are pruned), then each rule sets a field of the target version (its destination) from a
 * field of the source version, copied as is or through a CEL `transformation` of `self` (the
 * source field's value). `preserve` lists source fields the target cannot hold: they travel in the
 * annotation `preserve.conversion.apis.kcp.io/<source version>` and come back when the object is
 * converted back.
 *
 * Paths are written without the leading dot (`spec.listen.port`); mesh-codegen emits kcp's
 * `.spec.listen.port`.
 */
export interface ConversionRule<SourcePath extends string = string> {
  /** The source version's field, such as `spec.port`. */
  from: SourcePath;
  /** A CEL expression of `self` (the source field's value) giving the destination's value. */
  transformation?: string;
}

/** How to convert objects from one version into another. */
export interface VersionConversion<SourcePath extends string = string, TargetPath extends string = string> {
  /** Keyed by the destination field of the target version; a string value is a plain field move. */
  rules: { readonly [Destination in TargetPath]?: SourcePath | ConversionRule<SourcePath> };
  /** Source fields the target version cannot hold, kept in an annotation for the way back. */
  preserve?: readonly SourcePath[];
}

/** Conversions keyed by `"<from>-><to>"`, such as `"v1alpha1->v1beta1"`. */
export type ConversionsInput = Readonly<Record<string, VersionConversion>>;

// ---- Type-level field paths ------------------------------------------------------------------

type Depth = [never, 0, 1, 2, 3, 4, 5, 6];

/** A plain object type with known keys (not an array, a record, a date...). */
type IsPlainObject<T> = T extends readonly unknown[]
  ? false
  : T extends (...args: never[]) => unknown
    ? false
    : T extends object
      ? string extends keyof T
        ? false
        : true
      : false;

/** Every field path of T (objects and leaves), to a depth of 7. */
export type FieldPaths<T, D extends number = 7> = [D] extends [never]
  ? never
  : IsPlainObject<T> extends true
    ? {
        [K in keyof T & string]-?:
          | K
          | (FieldPaths<NonNullable<T[K]>, Depth[D]> extends infer P extends string ? `${K}.${P}` : never);
      }[keyof T & string]
    : never;

/** The paths of T's leaves: fields that are not objects with known fields. */
export type LeafPaths<T, D extends number = 7> = [D] extends [never]
  ? never
  : IsPlainObject<T> extends true
    ? {
        [K in keyof T & string]-?: IsPlainObject<NonNullable<T[K]>> extends true
          ? [keyof NonNullable<T[K]>] extends [never]
            ? K
            : LeafPaths<NonNullable<T[K]>, Depth[D]> extends infer P extends string
              ? `${K}.${P}`
              : never
          : K;
      }[keyof T & string]
    : never;

type RequiredKeys<T> = {
  // biome-ignore lint/complexity/noBannedTypes: `{}` extends Pick<T, K> exactly when K is optional
  [K in keyof T & string]-?: {} extends Pick<T, K> ? never : K;
}[keyof T & string];

/** The paths a client must write: required fields, down to required leaves. */
export type RequiredPaths<T, D extends number = 7> = [D] extends [never]
  ? never
  : IsPlainObject<T> extends true
    ? {
        [K in RequiredKeys<T>]: IsPlainObject<T[K]> extends true
          ? [RequiredKeys<T[K]>] extends [never]
            ? K
            : RequiredPaths<T[K], Depth[D]> extends infer P extends string
              ? `${K}.${P}`
              : never
          : K;
      }[RequiredKeys<T>]
    : never;

type Input<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;

/** What a conversion reads and writes of a version: its spec and (optional) status, as clients write them. */
export type VersionObject<V> = V extends { spec: infer Spec; status: infer Status extends StandardSchemaV1 }
  ? { spec: Input<Spec>; status?: Input<Status> }
  : V extends { spec: infer Spec }
    ? { spec: Input<Spec> }
    : never;

type PairKeys<Versions> = {
  [F in keyof Versions & string]: { [T in Exclude<keyof Versions & string, F>]: `${F}->${T}` }[Exclude<
    keyof Versions & string,
    F
  >];
}[keyof Versions & string];

/** The conversions a resource with these versions may declare, with every path checked against its version. */
export type ConversionsOf<Versions> = {
  readonly [Pair in PairKeys<Versions>]?: Pair extends `${infer F extends keyof Versions & string}->${infer T extends keyof Versions & string}`
    ? VersionConversion<FieldPaths<VersionObject<Versions[F]>>, FieldPaths<VersionObject<Versions[T]>>>
    : never;
};

type Covered<P extends string, By extends string> = P extends By | `${By}.${string}` ? true : false;

type RuleSources<R> = {
  [K in keyof R]: R[K] extends string ? R[K] : R[K] extends { from: infer F extends string } ? F : never;
}[keyof R];

/** Required fields of the target that neither a rule nor a field of the same path in the source produces. */
export type UnproducedFields<Source, Target, Rules> = {
  [P in RequiredPaths<Target>]: P extends FieldPaths<Source>
    ? never
    : Covered<P, keyof Rules & string> extends true
      ? never
      : P;
}[RequiredPaths<Target>];

/** Fields of the source that the target cannot hold, no rule reads and `preserve` does not keep. */
export type LostFields<Source, Target, Rules, Preserve> = {
  [P in LeafPaths<Source>]: P extends FieldPaths<Target>
    ? never
    : Covered<
          P,
          | LeafPaths<Target>
          | RuleSources<Rules>
          | (Preserve extends readonly (infer X extends string)[] ? X : never)
        > extends true
      ? never
      : P;
}[LeafPaths<Source>];

/**
 * For each declared conversion, a property that cannot be given for every target field that is not
 * produced and every source field that would be lost: the compiler names the field.
 */
export type CheckConversions<Versions, C> = {
  [Pair in keyof C]: Pair extends `${infer F extends keyof Versions & string}->${infer T extends keyof Versions & string}`
    ? C[Pair] extends { rules: infer Rules }
      ? {
          [P in UnproducedFields<
            VersionObject<Versions[F]>,
            VersionObject<Versions[T]>,
            Rules
          > as `${T} needs a rule producing ${P}`]: never;
        } & {
          [P in LostFields<
            VersionObject<Versions[F]>,
            VersionObject<Versions[T]>,
            Rules,
            C[Pair] extends { preserve: infer X } ? X : never
          > as `${F} field ${P} is lost: read it in a rule or preserve it`]: never;
        }
      : unknown
    : unknown;
};

// ---- Run-time checks -------------------------------------------------------------------------

/** A rule of one conversion in kcp's form, with paths as written (no leading dot). */
export interface NormalizedRule {
  destination: string;
  field: string;
  transformation?: string;
}

/** A declared conversion, normalized. */
export interface NormalizedConversion {
  from: string;
  to: string;
  rules: NormalizedRule[];
  preserve: string[];
}

const PATH = /^(spec|status)(\.[A-Za-z_$][\w$-]*)*$/;

/**
 * The declared conversions of a resource, checked for what needs no schema: known versions, one
 * pair each, paths of the form `spec.a.b` or `status.a`. mesh-codegen checks the paths against the
 * versions' schemas and compiles the CEL.
 *
 * @internal used by defineResource and mesh-codegen
 */
export function normalizeConversions(
  kind: string,
  versions: readonly string[],
  input: ConversionsInput | undefined,
): NormalizedConversion[] {
  const out: NormalizedConversion[] = [];
  for (const [pair, conv] of Object.entries(input ?? {})) {
    const m = /^([^-]+)->(.+)$/.exec(pair);
    const where = `${kind} conversions["${pair}"]`;
    if (!m) throw new Error(`${where}: write the key as "<from>-><to>", such as "v1alpha1->v1beta1"`);
    const [, from, to] = m as unknown as [string, string, string];
    for (const v of [from, to])
      if (!versions.includes(v))
        throw new Error(`${where}: ${v} is not a version of ${kind} (versions: ${versions.join(", ")})`);
    if (from === to) throw new Error(`${where}: converts a version into itself`);
    if (typeof conv !== "object" || conv === null || typeof conv.rules !== "object")
      throw new Error(`${where}: give { rules: { "<destination>": "<source field>" }, preserve?: [...] }`);
    const rules: NormalizedRule[] = [];
    for (const [destination, rule] of Object.entries(conv.rules)) {
      if (rule === undefined) continue;
      const field = typeof rule === "string" ? rule : rule.from;
      for (const p of [destination, field])
        if (typeof p !== "string" || !PATH.test(p))
          throw new Error(
            `${where}.rules["${destination}"]: ${JSON.stringify(p)} is not a field path such as spec.port or status.url`,
          );
      const transformation = typeof rule === "string" ? undefined : rule.transformation;
      if (
        transformation !== undefined &&
        (typeof transformation !== "string" || transformation.trim() === "")
      )
        throw new Error(`${where}.rules["${destination}"].transformation: give a CEL expression of self`);
      rules.push({ destination, field, ...(transformation !== undefined && { transformation }) });
    }
    const preserve = [...(conv.preserve ?? [])];
    for (const p of preserve)
      if (!PATH.test(p))
        throw new Error(`${where}.preserve: ${JSON.stringify(p)} is not a field path such as spec.port`);
    out.push({ from, to, rules, preserve });
  }
  return out;
}
