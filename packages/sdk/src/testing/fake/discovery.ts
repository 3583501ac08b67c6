import type { ParsedPath } from "./request-path.js";
import { type FakeResource, gvOf } from "./resources.js";

/** Discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`) for a set of served resources. */
export function discovery(
  d: NonNullable<ParsedPath["discovery"]>,
  resources: readonly FakeResource[],
): unknown | undefined {
  const verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
  if (d.root === "api" && !d.version)
    return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] };
  if (d.root === "apis" && !d.group) {
    const groups = new Map<string, string[]>();
    for (const r of resources)
      if (r.group) groups.set(r.group, [...new Set([...(groups.get(r.group) ?? []), r.version])]);
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      })),
    };
  }
  const group = d.group ?? "";
  if (!d.version) {
    const versions = [...new Set(resources.filter((r) => r.group === group).map((r) => r.version))];
    if (versions.length === 0) return undefined;
    return {
      kind: "APIGroup",
      apiVersion: "v1",
      name: group,
      versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
    };
  }
  const served = resources.filter((r) => r.group === group && r.version === d.version);
  if (served.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gvOf({ group, version: d.version }),
    resources: served.flatMap((r) => [
      { name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs },
      ...(r.statusSubresource
        ? [
            {
              name: `${r.plural}/status`,
              singularName: "",
              namespaced: r.namespaced,
              kind: r.kind,
              verbs: ["get", "patch", "update"],
            },
          ]
        : []),
    ]),
  };
}
