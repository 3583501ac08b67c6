/** JSON merge patch, JSON patch and the field-set bookkeeping of managed fields. */

type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** A bad patch: answered with 422 (JSON patch test failed, bad path) or 400. */
export class PatchError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 7386: `null` removes, objects merge, everything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(422, `invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, segs: string[], path: string): { parent: JsonObject | unknown[]; key: string } {
  let cur: Json = doc;
  for (const s of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isObject(cur)) cur = cur[s];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(422, `doc is missing path: "${path}": missing value`);
  }
  if (!isObject(cur) && !Array.isArray(cur)) throw new PatchError(422, `doc is missing path: "${path}"`);
  return { parent: cur, key: segs.at(-1)! };
}

function getAt(doc: Json, path: string): Json {
  let cur = doc;
  for (const s of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(s)] : isObject(cur) ? cur[s] : undefined;
    if (cur === undefined) throw new PatchError(422, `doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const segs = pointer(path);
  const { parent, key } = parentOf(doc, segs, path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!(i >= 0 && i < parent.length)) throw new PatchError(422, `doc is missing path: "${path}"`);
    return parent.splice(i, 1)[0];
  }
  if (!(key in parent)) throw new PatchError(422, `doc is missing path: "${path}": missing value`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const segs = pointer(path);
  if (segs.length === 0) return value;
  const { parent, key } = parentOf(doc, segs, path);
  if (Array.isArray(parent)) {
    const i = key === "-" ? parent.length : Number(key);
    if (!(i >= 0 && i <= parent.length) || (replace && i >= parent.length))
      throw new PatchError(422, `doc is missing path: "${path}"`);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !(key in parent))
      throw new PatchError(422, `doc is missing path: "${path}": missing value`);
    parent[key] = value;
  }
  return doc;
}

/** RFC 6902: add, remove, replace, move, copy, test. */
export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError(400, "a JSON patch must be an array of operations");
  let doc = structuredClone(target);
  for (const raw of ops as JsonPatchOp[]) {
    const value = structuredClone(raw.value);
    switch (raw.op) {
      case "add":
        doc = addAt(doc, raw.path, value, false);
        break;
      case "replace":
        doc = addAt(doc, raw.path, value, true);
        break;
      case "remove":
        removeAt(doc, raw.path);
        break;
      case "move":
        doc = addAt(doc, raw.path, removeAt(doc, raw.from ?? ""), false);
        break;
      case "copy":
        doc = addAt(doc, raw.path, structuredClone(getAt(doc, raw.from ?? "")), false);
        break;
      case "test":
        if (JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(value))
          throw new PatchError(422, `testing value ${raw.path} failed: test failed`);
        break;
      default:
        throw new PatchError(400, `unknown JSON patch operation "${raw.op}"`);
    }
  }
  return doc;
}

/** A managed-fields set in `fieldsV1` form: `{"f:spec": {"f:color": {}}}`. */
export type FieldSet = { [k: string]: FieldSet };

/** The fields a configuration sets: every leaf, lists counted whole (atomic). */
export function fieldSetOf(value: Json): FieldSet {
  const out: FieldSet = {};
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) out[`f:${k}`] = isObject(v) ? fieldSetOf(v) : {};
  return out;
}

/** Leaf paths of a field set, each as a list of field names. */
export function leafPaths(set: FieldSet, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(set)) {
    const p = [...prefix, k.slice(2)];
    if (Object.keys(v).length === 0) out.push(p);
    else out.push(...leafPaths(v, p));
  }
  return out;
}

/** The fields whose values differ between two objects (added or changed; removals excluded). */
export function changedFields(before: Json, after: Json): FieldSet {
  const out: FieldSet = {};
  if (!isObject(after)) return out;
  const b = isObject(before) ? before : {};
  for (const [k, v] of Object.entries(after)) {
    if (isObject(v) && isObject(b[k])) {
      const inner = changedFields(b[k], v);
      if (Object.keys(inner).length > 0) out[`f:${k}`] = inner;
    } else if (JSON.stringify(v) !== JSON.stringify(b[k])) {
      out[`f:${k}`] = isObject(v) ? fieldSetOf(v) : {};
    }
  }
  return out;
}

/** `a` ∪ `b`. */
export function unionFields(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? unionFields(out[k]!, v) : v;
  return out;
}

/** `a` without the leaves (and subtrees) named by `b`. */
export function subtractFields(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(a)) {
    const other = b[k];
    if (other === undefined) out[k] = v;
    else if (Object.keys(other).length === 0) continue;
    else {
      const rest = subtractFields(v, other);
      if (Object.keys(rest).length > 0) out[k] = rest;
    }
  }
  return out;
}

/** Keeps only the fields of `set` that still exist in `value`. */
export function presentFields(set: FieldSet, value: Json): FieldSet {
  const out: FieldSet = {};
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(set)) {
    const name = k.slice(2);
    if (!(name in value)) continue;
    if (Object.keys(v).length === 0) out[k] = v;
    else {
      const inner = presentFields(v, value[name]);
      if (Object.keys(inner).length > 0) out[k] = inner;
    }
  }
  return out;
}

/** Removes the field at `path` from `value` (in place), and parents left empty by it. */
export function deletePath(value: Json, path: string[]): void {
  if (!isObject(value) || path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    delete value[head];
    return;
  }
  deletePath(value[head], rest);
  const child = value[head];
  if (isObject(child) && Object.keys(child).length === 0) delete value[head];
}

/**
 * Server-side apply's merge of a configuration into the live object: objects merge field by field,
 * lists and scalars are replaced. Lists of objects keyed by `name` or `type` (conditions, ports)
 * merge by that key, as their list-map markers ask.
 */
export function applyMerge(live: Json, config: Json): Json {
  if (Array.isArray(config) && Array.isArray(live)) {
    const key = listKey(config) ?? listKey(live);
    if (!key) return structuredClone(config);
    const out = structuredClone(config) as JsonObject[];
    return out.map((item) => {
      const old = (live as JsonObject[]).find((l) => isObject(l) && l[key] === item[key]);
      return old ? (applyMerge(old, item) as JsonObject) : item;
    });
  }
  if (!isObject(config)) return structuredClone(config);
  const out: JsonObject = isObject(live) ? { ...live } : {};
  for (const [k, v] of Object.entries(config)) out[k] = applyMerge(out[k], v);
  return out;
}

function listKey(list: unknown[]): string | undefined {
  if (list.length === 0 || !list.every(isObject)) return undefined;
  for (const key of ["type", "name"])
    if (list.every((i) => typeof (i as JsonObject)[key] === "string")) return key;
  return undefined;
}
