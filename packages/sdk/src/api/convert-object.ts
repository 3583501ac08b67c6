import { z } from "zod";
import type { CelSchema } from "./cel.js";
import { evaluateCelTransformation } from "./cel-transformation.js";
import type { NormalizedConversion } from "./conversion.js";
import type { AnyResource } from "./resource.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

/** The annotation prefix kcp keeps preserved fields under (apis.kcp.io/v1alpha1 VersionPreservationAnnotationKeyPrefix). */
export const PRESERVE_ANNOTATION_PREFIX = "preserve.conversion.apis.kcp.io/";

type Obj = Record<string, unknown>;

/**
 * Converts an object of one version of a resource into another with the resource's declared
 * conversion rules, as kcp's APIConversion converter does: the object is copied whole (the API
 * server prunes what the target version does not know), each rule sets its destination from its
 * source field (through the CEL transformation when there is one; a missing source field leaves
 * the destination unset), and `preserve`d fields go into the annotation
 * `preserve.conversion.apis.kcp.io/<source version>`, which converting back into that version
 * restores and removes.
 *
 * @throws when the object is not of the resource, the target version does not exist, or a
 *   transformation fails; the message names the object, the rule and the field.
 *
 * @example
 * ```ts
 * const beta = convertObject(HttpBin, alphaObject, "v1beta1");
 * ```
 */
export function convertObject<T extends { apiVersion: string; metadata?: object }>(
  resource: AnyResource,
  obj: T,
  targetVersion: string,
): T {
  const name = describe(obj);
  const [group, from] = splitApiVersion(obj.apiVersion);
  if (group !== resource.group || !(from in resource.versions))
    throw new Error(`${name}: apiVersion ${obj.apiVersion} is not a version of ${resource.kind}`);
  if (!(targetVersion in resource.versions))
    throw new Error(`${name}: ${targetVersion} is not a version of ${resource.kind}`);
  const converted = structuredClone(obj) as T & Obj;
  converted.apiVersion = `${resource.group}/${targetVersion}`;
  if (from === targetVersion) return converted;

  const conversion = ((resource.conversions ?? []) as readonly NormalizedConversion[]).find(
    (c) => c.from === from && c.to === targetVersion,
  );
  for (const rule of conversion?.rules ?? []) {
    const found = get(obj as unknown as Obj, rule.field);
    if (!found.exists) {
      unset(converted, rule.destination);
      continue;
    }
    let value = found.value;
    if (rule.transformation !== undefined) {
      try {
        value = evaluateCelTransformation(
          fieldSchema(resource, from, rule.field),
          rule.transformation,
          value,
        );
      } catch (err) {
        throw new Error(
          `${name}: converting ${from} to ${targetVersion}, the transformation of ${rule.field} into ${rule.destination} failed: ${(err as Error).message}`,
        );
      }
    }
    set(converted, rule.destination, structuredClone(value));
  }

  const metadata = ((converted.metadata as Obj | undefined) ?? {}) as Obj;
  const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}) };
  const kept = annotations[PRESERVE_ANNOTATION_PREFIX + targetVersion];
  if (kept !== undefined) {
    // Back in the version the fields came from: restore them and drop the annotation.
    for (const [path, value] of Object.entries(JSON.parse(kept) as Obj)) set(converted, path, value);
    delete annotations[PRESERVE_ANNOTATION_PREFIX + targetVersion];
  } else {
    const keep: Obj = {};
    for (const c of (resource.conversions ?? []) as readonly NormalizedConversion[]) {
      if (c.from !== from) continue;
      for (const path of c.preserve) {
        const found = get(obj as unknown as Obj, path);
        if (found.exists) keep[path] = found.value;
      }
    }
    if (Object.keys(keep).length > 0) annotations[PRESERVE_ANNOTATION_PREFIX + from] = JSON.stringify(keep);
  }
  if (Object.keys(annotations).length > 0) converted.metadata = { ...metadata, annotations };
  else if (converted.metadata) {
    const { annotations: _dropped, ...rest } = metadata;
    converted.metadata = rest;
  }
  return converted;
}

function describe(obj: { metadata?: object }): string {
  const m = (obj.metadata ?? {}) as {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
  };
  const ws = m.annotations?.["kcp.io/cluster"];
  return `${ws ? `${ws}|` : ""}${m.namespace ? `${m.namespace}/` : ""}${m.name ?? "(unnamed)"}`;
}

function splitApiVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.lastIndexOf("/");
  return [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

function get(obj: Obj, path: string): { exists: boolean; value?: unknown } {
  let cur: unknown = obj;
  for (const key of path.split(".")) {
    if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !(key in cur))
      return { exists: false };
    cur = (cur as Obj)[key];
  }
  return { exists: true, value: cur };
}

function set(obj: Obj, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = obj;
  for (const key of keys.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Obj;
  }
  cur[keys.at(-1)!] = value;
}

function unset(obj: Obj, path: string): void {
  const keys = path.split(".");
  const parent = get(obj, keys.slice(0, -1).join("."));
  if (parent.exists && typeof parent.value === "object" && parent.value !== null)
    delete (parent.value as Obj)[keys.at(-1)!];
}

const versionSchemas = new WeakMap<object, CelSchema>();

/** The JSON schema of a source field, so CEL types `self` as kcp would (ints, timestamps...). */
function fieldSchema(resource: AnyResource, version: string, path: string): CelSchema {
  const [root, ...rest] = path.split(".");
  const def = resource.versions[version] as { spec: StandardSchemaV1; status?: StandardSchemaV1 };
  const schema = root === "status" ? def.status : def.spec;
  if (!schema || !("_zod" in schema)) return {};
  let json = versionSchemas.get(schema);
  if (!json) {
    try {
      json = z.toJSONSchema(schema as unknown as z.ZodType, {
        target: "openapi-3.0",
        io: "output",
        reused: "inline",
        unrepresentable: "any",
      }) as CelSchema;
    } catch {
      json = {};
    }
    versionSchemas.set(schema, json);
  }
  let node: CelSchema | undefined = json;
  for (const key of rest) node = node?.properties?.[key];
  return node ?? {};
}
