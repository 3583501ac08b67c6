import {
  type CheckConversions,
  type ConversionsInput,
  type ConversionsOf,
  type NormalizedConversion,
  normalizeConversions,
} from "./conversion.js";
import { checkApiGroup, checkDnsLabel, checkKind, checkVersionName } from "./names.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

/** A column `kubectl get` shows for the resource (`additionalPrinterColumns`). */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  /** A simple JSON path into the object, such as `.status.phase` or `.spec.items[0].name`. */
  jsonPath: string;
  description?: string;
  /** `int32`, `int64`, `float`, `double`, `byte`, `date`, `date-time` or `password`. */
  format?: string;
  /** 0 shows the column in the standard view, higher numbers only with `-o wide`. */
  priority?: number;
}

/** One version of a resource: its schemas and how it is served. */
export interface VersionDefinition<
  Spec extends StandardSchemaV1 = StandardSchemaV1,
  Status extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined,
> {
  /** The version kcp stores objects in. Exactly one version has it; optional when there is only one. */
  storage?: boolean;
  /** Whether the API serves this version (default true). */
  served?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  /** The schema of `spec`: a zod 4 or `zod/v3` schema (anything implementing Standard Schema validates). */
  spec: Spec;
  /** The schema of `status`; when present, the version gets the `status` subresource. */
  status?: Status;
  /**
   * Columns `kubectl get` shows. When there are any, `mesh-codegen` adds an `Age` column
   * (`.metadata.creationTimestamp`) unless one is there, as kubectl shows by default without columns.
   */
  printerColumns?: readonly PrinterColumn[];
  /**
   * The scale subresource (`/scale`, for `kubectl scale` and autoscalers): JSON paths of the desired
   * replicas under `.spec`, the observed replicas under `.status` (integers), and optionally a label
   * selector (a string, as in `status.selector`).
   */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

/** What {@link defineResource} takes. */
export interface ResourceInput<
  Group extends string,
  Kind extends string,
  Versions extends Record<string, VersionDefinition>,
> {
  /** API group, a DNS subdomain such as `widgets.example.io`. */
  group: Group;
  /** UpperCamelCase kind, such as `Widget`. */
  kind: Kind;
  /** Lowercase plural used in URLs, such as `widgets`. */
  plural: string;
  /** Lowercase singular (default: the kind in lowercase). */
  singular?: string;
  scope: "Namespaced" | "Cluster";
  shortNames?: readonly string[];
  categories?: readonly string[];
  /**
   * How kcp validates object names (`nameValidation` of the APIResourceSchema):
   * `DNS1123Subdomain` (the default, as for CRDs) or `PathSegmentName` (any name that is a safe
   * URL path segment: not `.` or `..`, no `/` or `%`).
   */
  nameValidation?: "DNS1123Subdomain" | "PathSegmentName";
  versions: Versions;
  /**
   * Conversion rules between versions whose schemas differ, keyed `"<from>-><to>"` (see
   * {@link VersionConversion}); mesh-codegen emits them as kcp's APIConversion. The compiler names
   * every required field of the target that no rule produces and every source field that is lost.
   */
  conversions?: ConversionsOf<Versions>;
}

/** The name of the version marked `storage: true`, or the only version. */
export type StorageVersionOf<Versions> = [
  { [K in keyof Versions]: Versions[K] extends { storage: true } ? K : never }[keyof Versions],
] extends [never]
  ? keyof Versions & string
  : { [K in keyof Versions]: Versions[K] extends { storage: true } ? K : never }[keyof Versions] & string;

/**
 * A resource of a provider's API, made by {@link defineResource}. It carries everything the code
 * generator and the runtime need: names, scope, and per version the zod schemas of spec and status.
 */
export interface ResourceDefinition<
  Group extends string = string,
  Kind extends string = string,
  Versions extends Record<string, VersionDefinition> = Record<string, VersionDefinition>,
> {
  readonly group: Group;
  readonly kind: Kind;
  readonly plural: string;
  readonly singular: string;
  readonly listKind: string;
  readonly scope: "Namespaced" | "Cluster";
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly nameValidation?: "DNS1123Subdomain" | "PathSegmentName";
  readonly versions: Versions;
  /**
   * The declared conversions between versions (empty when there are none; absent in definitions
   * made by an SDK before conversions existed).
   */
  readonly conversions?: readonly NormalizedConversion[];
  /** The storage version's name. */
  readonly storageVersion: StorageVersionOf<Versions>;
  /** `<group>/<storage version>`, what objects written by the runtime carry. */
  readonly apiVersion: `${Group}/${StorageVersionOf<Versions>}`;
}

/** Any resource definition, whatever its group, kind and versions. */
// biome-ignore lint/suspicious/noExplicitAny: variance escape hatch so every concrete definition is assignable; never exposed as a value type.
export type AnyResource = ResourceDefinition<string, string, any>;

/**
 * Defines one resource of a provider's API. Names are checked right away, so a typo fails where it
 * is written instead of when kcp rejects the generated YAML.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { defineResource } from "@kcp-mesh/sdk/api";
 *
 * export const Widget = defineResource({
 *   group: "widgets.example.io", kind: "Widget", plural: "widgets", scope: "Namespaced",
 *   versions: {
 *     v1alpha1: {
 *       storage: true,
 *       spec: z.object({ size: z.enum(["small", "large"]).default("small"), replicas: z.int32().min(0) }),
 *       status: z.object({ phase: z.enum(["Pending", "Ready"]).optional() }),
 *       printerColumns: [{ name: "Phase", type: "string", jsonPath: ".status.phase" }],
 *     },
 *   },
 * });
 * ```
 */
export function defineResource<
  const Group extends string,
  const Kind extends string,
  const Versions extends Record<string, VersionDefinition>,
  const Conversions extends ConversionsOf<Versions> = ConversionsOf<Versions>,
>(
  input: ResourceInput<Group, Kind, Versions> & {
    conversions?: Conversions & CheckConversions<Versions, Conversions>;
  },
): ResourceDefinition<Group, Kind, Versions> {
  checkApiGroup(input.kind, input.group);
  checkKind(input.kind);
  checkDnsLabel(`${input.kind}: plural`, input.plural);
  const singular = input.singular ?? input.kind.toLowerCase();
  checkDnsLabel(`${input.kind}: singular`, singular);
  for (const s of input.shortNames ?? []) checkDnsLabel(`${input.kind}: short name`, s);
  if (input.scope !== "Namespaced" && input.scope !== "Cluster") {
    throw new Error(`${input.kind}: scope must be "Namespaced" or "Cluster", not "${String(input.scope)}"`);
  }
  const names = Object.keys(input.versions);
  if (names.length === 0) throw new Error(`${input.kind}: define at least one version`);
  for (const v of names) {
    checkVersionName(input.kind, v);
    const def = input.versions[v]!;
    if (!isStandardSchema(def.spec)) {
      throw new Error(`${input.kind} ${v}: spec must be a zod schema, such as z.object({ ... })`);
    }
    if (def.status !== undefined && !isStandardSchema(def.status)) {
      throw new Error(`${input.kind} ${v}: status must be a zod schema, such as z.object({ ... })`);
    }
  }
  if (
    input.nameValidation !== undefined &&
    input.nameValidation !== "DNS1123Subdomain" &&
    input.nameValidation !== "PathSegmentName"
  ) {
    throw new Error(`${input.kind}: nameValidation must be "DNS1123Subdomain" or "PathSegmentName"`);
  }
  const storage = names.filter((v) => input.versions[v]!.storage === true);
  if (storage.length > 1) {
    throw new Error(`${input.kind}: versions ${storage.join(", ")} all say storage: true; exactly one may`);
  }
  if (storage.length === 0 && names.length > 1) {
    throw new Error(`${input.kind}: mark exactly one version with storage: true (kcp stores objects in it)`);
  }
  const storageVersion = (storage[0] ?? names[0]!) as StorageVersionOf<Versions>;
  const conversions = normalizeConversions(
    input.kind,
    names,
    input.conversions as ConversionsInput | undefined,
  );
  return Object.freeze({
    group: input.group,
    kind: input.kind,
    plural: input.plural,
    singular,
    listKind: `${input.kind}List`,
    scope: input.scope,
    shortNames: Object.freeze([...(input.shortNames ?? [])]),
    categories: Object.freeze([...(input.categories ?? [])]),
    ...(input.nameValidation && { nameValidation: input.nameValidation }),
    versions: input.versions,
    conversions: Object.freeze(conversions),
    storageVersion,
    apiVersion: `${input.group}/${storageVersion}` as `${Group}/${StorageVersionOf<Versions>}`,
  });
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return typeof value === "object" && value !== null && "~standard" in value;
}
