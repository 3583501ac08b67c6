/** A request URL taken apart the way kcp routes it. */
export interface ParsedPath {
  /** Set for `/services/apiexport/<cluster>/<export>/...`: the APIExport virtual workspace. */
  virtualWorkspace?: { cluster: string; exportName: string };
  /** Workspace path, logical cluster id, or `*`. */
  cluster: string;
  /** `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>` discovery, or a resource request. */
  discovery?: { group?: string; version?: string; root: "api" | "apis" };
  group: string;
  version: string;
  namespace?: string;
  plural?: string;
  name?: string;
  subresource?: string;
}

/**
 * Parses `[/services/apiexport/<c>/<e>][/clusters/<ws>]/api|apis/...`. Returns `undefined` for
 * paths that are not API paths at all. `namespacedPlurals` decides `/namespaces/<x>/<y>`: a
 * namespaced collection when `<y>` is one, else a subresource of namespace `<x>`.
 */
export function parseRequestPath(
  pathname: string,
  isNamespacedPlural: (group: string, plural: string) => boolean,
): ParsedPath | undefined {
  let segs = pathname
    .split("/")
    .filter((s) => s !== "")
    .map(decodeURIComponent);
  let virtualWorkspace: ParsedPath["virtualWorkspace"];
  if (segs[0] === "services") {
    if (segs[1] !== "apiexport" || segs.length < 4) return undefined;
    virtualWorkspace = { cluster: segs[2]!, exportName: segs[3]! };
    segs = segs.slice(4);
  }
  let cluster = "root";
  if (segs[0] === "clusters") {
    if (segs.length < 2) return undefined;
    cluster = segs[1]!;
    segs = segs.slice(2);
  }
  const base = { ...(virtualWorkspace && { virtualWorkspace }), cluster };
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === "api") {
    if (segs.length === 1) return { ...base, group: "", version: "", discovery: { root: "api" } };
    group = "";
    version = segs[1]!;
    rest = segs.slice(2);
    if (rest.length === 0) return { ...base, group, version, discovery: { root: "api", version } };
  } else if (segs[0] === "apis") {
    if (segs.length === 1) return { ...base, group: "", version: "", discovery: { root: "apis" } };
    group = segs[1]!;
    if (segs.length === 2) return { ...base, group, version: "", discovery: { root: "apis", group } };
    version = segs[2]!;
    rest = segs.slice(3);
    if (rest.length === 0) return { ...base, group, version, discovery: { root: "apis", group, version } };
  } else {
    return undefined;
  }
  const out: ParsedPath = { ...base, group, version };
  if (rest[0] === "namespaces" && rest.length >= 3 && isNamespacedPlural(group, rest[2]!)) {
    out.namespace = rest[1]!;
    rest = rest.slice(2);
  }
  out.plural = rest[0]!;
  if (rest[1] !== undefined) out.name = rest[1];
  if (rest[2] !== undefined) out.subresource = rest[2];
  if (rest.length > 3) return undefined;
  return out;
}
