import type { KubeObject } from "../../util/objects.js";
import { type Attributes, authorize, forbiddenMessage } from "./auth.js";
import { badRequest, StatusError } from "./http.js";
import type { ParsedPath } from "./request-path.js";
import { BUILTIN_RESOURCES, type FakeResource, qualifiedName } from "./resources.js";
import type { ApiBindingObject, ApiExportObject, FakeState, LogicalCluster, User } from "./state.js";
import type { ObjectAddress } from "./store.js";

/** What one request may see and touch. */
export interface Scope {
  resource: FakeResource;
  /** The one workspace of a per-workspace request; unset for `/clusters/*`. */
  cluster?: LogicalCluster;
  /** Whether an object is visible to this request. */
  visible(address: ObjectAddress, object: KubeObject): boolean;
  /** Whether the request came through an APIExport virtual workspace. */
  virtual: boolean;
}

const BINDINGS = BUILTIN_RESOURCES.find((r) => r.plural === "apibindings")!;

function findResource(list: readonly FakeResource[], p: ParsedPath): FakeResource | undefined {
  return list.find((r) => r.group === p.group && r.version === p.version && r.plural === p.plural);
}

const noResource = () => new StatusError(404, "NotFound", "the server could not find the requested resource");

/** The RBAC verb of a request. */
export function verbOf(method: string, p: ParsedPath, watch: boolean): string {
  if (method === "GET") return watch ? "watch" : p.name ? "get" : "list";
  return (
    { POST: "create", PUT: "update", PATCH: "patch", DELETE: p.name ? "delete" : "deletecollection" }[
      method
    ] ?? method.toLowerCase()
  );
}

/**
 * Resolves a request to the resource it addresses and what it may see: a workspace's own objects,
 * or through an APIExport virtual workspace the objects of the export's resources in bound
 * workspaces, the export's APIBindings (read-only) and claimed resources where the claim is
 * accepted (with the accepted verbs). Throws the Status kcp answers with (403, 404).
 */
export function resolveScope(state: FakeState, user: User, p: ParsedPath, verb: string): Scope {
  if (!p.virtualWorkspace) {
    const cluster = p.cluster === "*" ? undefined : state.cluster(p.cluster);
    if (p.cluster !== "*" && !cluster)
      throw new StatusError(403, "Forbidden", `access to workspace ${p.cluster} denied`);
    const resource = findResource(cluster ? state.resourcesOf(cluster.id) : BUILTIN_RESOURCES, p);
    if (!resource) throw noResource();
    const attrs: Attributes = {
      verb,
      group: resource.group,
      resource: resource.plural,
      ...(p.subresource && { subresource: p.subresource }),
      ...(p.name && { name: p.name }),
      ...(p.namespace && { namespace: p.namespace }),
    };
    if (!cluster ? !user.groups.includes("system:masters") : !authorize(state, user, cluster.id, attrs)) {
      throw new StatusError(403, "Forbidden", forbiddenMessage(user, attrs, qualifiedName(resource)), {
        ...(p.name && { name: p.name }),
        group: resource.group,
        kind: resource.plural,
      });
    }
    return {
      resource,
      ...(cluster && { cluster }),
      virtual: false,
      visible: (a) => cluster === undefined || a.cluster === cluster.id,
    };
  }

  const vw = p.virtualWorkspace;
  const exportCluster = state.cluster(vw.cluster);
  const exp = exportCluster
    ? (state.store.get({
        cluster: exportCluster.id,
        resource: "apis.kcp.io/apiexports",
        namespace: "",
        name: vw.exportName,
      }) as ApiExportObject | undefined)
    : undefined;
  if (!exportCluster || !exp)
    throw new StatusError(404, "NotFound", "the server could not find the requested resource");
  const content: Attributes = {
    verb,
    group: "apis.kcp.io",
    resource: "apiexports",
    subresource: "content",
    name: vw.exportName,
  };
  if (!authorize(state, user, exportCluster.id, content)) {
    throw new StatusError(403, "Forbidden", forbiddenMessage(user, content, "apiexports.apis.kcp.io"));
  }
  const bindingsOf = (cluster: string) =>
    (state.listIn(cluster, "apis.kcp.io", "apibindings") as ApiBindingObject[]).filter((b) =>
      bindsThis(state, b, cluster, exportCluster.id, vw.exportName),
    );
  // Recomputed when anything was written, so a long watch sees workspaces bind and unbind.
  let seenRv = -1;
  let bound = new Set<string>();
  const boundClusters = () => {
    if (seenRv !== state.store.resourceVersion) {
      seenRv = state.store.resourceVersion;
      bound = new Set(
        state.store
          .list("apis.kcp.io/apibindings", () => true)
          .filter(
            ({ address, object }) =>
              (object as ApiBindingObject).status?.phase === "Bound" &&
              bindsThis(state, object as ApiBindingObject, address.cluster, exportCluster.id, vw.exportName),
          )
          .map((x) => x.address.cluster),
      );
    }
    return bound;
  };
  let cluster: LogicalCluster | undefined;
  if (p.cluster !== "*") {
    cluster = state.cluster(p.cluster);
    if (!cluster || !boundClusters().has(cluster.id)) throw noResource();
  }
  const inCluster = (a: ObjectAddress) =>
    cluster ? a.cluster === cluster.id : boundClusters().has(a.cluster);

  const exported = findResource(state.exportResources(exportCluster.id, vw.exportName), p);
  if (exported)
    return { resource: exported, ...(cluster && { cluster }), virtual: true, visible: (a) => inCluster(a) };

  if (p.group === "apis.kcp.io" && p.version === "v1alpha2" && p.plural === "apibindings") {
    if (!["get", "list", "watch"].includes(verb)) {
      throw new StatusError(
        405,
        "MethodNotAllowed",
        `${verb} is not supported on apibindings in the virtual workspace`,
      );
    }
    return {
      resource: BINDINGS,
      ...(cluster && { cluster }),
      virtual: true,
      // A binding's own events (its deletion above all) show whether or not it is Bound.
      visible: (a, o) =>
        (cluster ? a.cluster === cluster.id : true) &&
        bindsThis(state, o as ApiBindingObject, a.cluster, exportCluster.id, vw.exportName),
    };
  }

  const builtin = findResource(BUILTIN_RESOURCES, p);
  const claim =
    builtin &&
    (exp.spec?.permissionClaims ?? []).find(
      (c) => (c.group ?? "") === builtin.group && c.resource === builtin.plural,
    );
  if (!builtin) throw noResource();
  if (!claim) {
    // kcp authorizes before it looks: a built-in resource the export does not claim is refused.
    const a: Attributes = {
      verb,
      group: builtin.group,
      resource: builtin.plural,
      ...(p.name && { name: p.name }),
      ...(p.namespace && { namespace: p.namespace }),
    };
    throw new StatusError(403, "Forbidden", forbiddenMessage(user, a, qualifiedName(builtin)));
  }
  const claimVerbs = (clusterId: string): string[] => {
    for (const b of bindingsOf(clusterId)) {
      const accepted = (b.spec?.permissionClaims ?? []).find(
        (c) => c.state === "Accepted" && (c.group ?? "") === builtin.group && c.resource === builtin.plural,
      );
      if (accepted) return accepted.verbs ?? [];
    }
    return [];
  };
  const allowed = (clusterId: string) => {
    const verbs = claimVerbs(clusterId);
    return verbs.includes("*") || verbs.includes(verb);
  };
  if (cluster && !allowed(cluster.id)) {
    throw new StatusError(
      403,
      "Forbidden",
      `${qualifiedName(builtin)}${p.name ? ` "${p.name}"` : ""} is forbidden: the permission claim for ${verb} is not accepted in workspace ${cluster.path}`,
    );
  }
  if (p.namespace === undefined && builtin.namespaced && p.name)
    throw badRequest("a namespaced object needs a namespace");
  return {
    resource: builtin,
    ...(cluster && { cluster }),
    virtual: true,
    visible: (a) => inCluster(a) && allowed(a.cluster),
  };
}

function bindsThis(
  state: FakeState,
  b: ApiBindingObject,
  bindingCluster: string,
  exportCluster: string,
  exportName: string,
): boolean {
  const ref = b.spec?.reference?.export;
  if (ref?.name !== exportName) return false;
  return state.cluster(ref.path ?? bindingCluster)?.id === exportCluster;
}
