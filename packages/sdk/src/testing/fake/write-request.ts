import type { KubeObject } from "../../util/objects.js";
import { badRequest, StatusError } from "./http.js";
import { resourceKey } from "./resources.js";
import { admit } from "./schema.js";
import type { Scope } from "./scope.js";
import type { ObjectAddress } from "./store.js";

// The pieces of a write the fake's REST verbs (rest.ts) share: the request taken apart, its body
// decoded, where it goes, and how a rejected object is reported (the API server's 422 shape).

/** One write request, taken apart. */
export interface WriteRequest {
  scope: Scope;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  body: string;
  contentType: string;
  query: URLSearchParams;
}

export function parseJson(text: string): KubeObject {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as KubeObject;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

export function addressOf(w: { scope: Scope; namespace: string | undefined }, name: string): ObjectAddress {
  const cluster = w.scope.cluster;
  if (!cluster) throw new StatusError(405, "MethodNotAllowed", "writes need one workspace, not /clusters/*");
  return {
    cluster: cluster.id,
    resource: resourceKey(w.scope.resource),
    namespace: w.scope.resource.namespaced ? (w.namespace ?? "") : "",
    name,
  };
}

export function invalid(
  scope: Scope,
  name: string,
  causes: { reason: string; field: string; message: string }[],
): StatusError {
  const r = scope.resource;
  const kind = r.group ? `${r.kind}.${r.group}` : r.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  return new StatusError(
    422,
    "Invalid",
    `${kind} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(", ")}]`}`,
    { name, group: r.group, kind: r.kind, causes },
  );
}

/** Validates and defaults a custom resource from its schema; built-ins get their own defaulting. */
export function admitted(scope: Scope, obj: KubeObject): KubeObject {
  const schema = scope.resource.schema;
  if (!schema) return builtinDefaults(scope, obj);
  const { object, causes } = admit(schema, obj as unknown as Record<string, unknown>);
  if (causes.length > 0) throw invalid(scope, obj.metadata.name ?? "", causes);
  return object as unknown as KubeObject;
}

export function specOf(o: KubeObject): unknown {
  const { metadata: _m, status: _s, ...rest } = o as KubeObject & { status?: unknown };
  return rest;
}

/** What the API server does to built-in kinds on write: a Secret's `stringData` lands in `data`. */
export function builtinDefaults(scope: Scope, obj: KubeObject): KubeObject {
  const r = scope.resource;
  if (r.group !== "" || r.plural !== "secrets") return obj;
  const secret = obj as KubeObject & {
    stringData?: Record<string, string>;
    data?: Record<string, string>;
    type?: string;
  };
  const { stringData, ...rest } = secret;
  const data = { ...rest.data };
  for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(v, "utf8").toString("base64");
  return {
    ...rest,
    type: rest.type ?? "Opaque",
    ...(Object.keys(data).length > 0 && { data }),
  } as KubeObject;
}
