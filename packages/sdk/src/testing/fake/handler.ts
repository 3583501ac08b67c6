import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../../util/objects.js";
import { reconcileApis } from "./apis-controller.js";
import { listObjects, present, serveWatch, type WatchServing } from "./collection.js";
import { createObject } from "./create.js";
import { discovery } from "./discovery.js";
import type { FaultState } from "./faults.js";
import { readRequestBody, StatusError, sendJson, sendStatus } from "./http.js";
import { parseRequestPath } from "./request-path.js";
import { BUILTIN_RESOURCES, qualifiedName, resourceKey } from "./resources.js";
import { deleteObject, patchObject, updateObject } from "./rest.js";
import { resolveScope, verbOf } from "./scope.js";
import { selfSubjectAccessReview, tokenRequest } from "./special.js";
import type { FakeState, User } from "./state.js";
import { reconcileWorkspaces } from "./tenancy.js";
import type { WriteRequest } from "./write-request.js";

const namespacedBuiltin = new Set(
  BUILTIN_RESOURCES.filter((r) => r.namespaced).map((r) => `${r.group}/${r.plural}`),
);

function authenticate(state: FakeState, req: IncomingMessage): User {
  const auth = req.headers.authorization ?? "";
  const token = auth.startsWith("Bearer ") ? auth.slice(7).trim() : "";
  const user = state.tokens.get(token);
  if (!user) throw new StatusError(401, "Unauthorized", "Unauthorized");
  return user;
}

/** Runs kcp's API controllers until nothing changes any more (a write may need a few rounds). */
function settle(state: FakeState): void {
  for (let i = 0; i < 20; i++) {
    const before = state.store.resourceVersion;
    reconcileApis(state);
    reconcileWorkspaces(state);
    if (state.store.resourceVersion === before) return;
  }
}

/** Answers one HTTP request as kcp would. */
export async function handleRequest(
  state: FakeState,
  faults: FaultState,
  watches: WatchServing,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const url = new URL(req.url ?? "/", "http://fake");
    const method = req.method ?? "GET";
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const failed = faults.take(`${method} ${url.pathname}${url.search}`);
    if (failed !== undefined) {
      req.resume();
      throw new StatusError(
        failed,
        failed === 429 ? "TooManyRequests" : failed >= 500 ? "InternalError" : "BadRequest",
        `injected failure (${failed})`,
      );
    }
    if (["/readyz", "/healthz", "/livez"].includes(url.pathname)) {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
      return;
    }
    const user = authenticate(state, req);
    const p = parseRequestPath(
      url.pathname,
      (g, plural) =>
        namespacedBuiltin.has(`${g}/${plural}`) ||
        !!(g && plural && !["status", "finalize"].includes(plural)),
    );
    if (!p) throw new StatusError(404, "NotFound", "the server could not find the requested resource");
    const raw = await readRequestBody(req);
    const body = method === "GET" || method === "DELETE" ? "" : raw;
    const query = url.searchParams;
    const watch = query.get("watch") === "true" || query.get("watch") === "1";

    if (p.discovery) {
      const resources = p.virtualWorkspace
        ? discoveryOfExport(state, user, p)
        : state.resourcesOf(state.cluster(p.cluster)?.id ?? "root");
      const doc = discovery(p.discovery, resources);
      if (!doc) throw new StatusError(404, "NotFound", "the server could not find the requested resource");
      return sendJson(res, 200, doc);
    }
    if (p.group === "authorization.k8s.io" && p.plural === "selfsubjectaccessreviews" && method === "POST") {
      const cluster = state.cluster(p.cluster);
      if (!cluster) throw new StatusError(403, "Forbidden", `access to workspace ${p.cluster} denied`);
      return sendJson(res, 201, selfSubjectAccessReview(state, user, cluster, body));
    }
    if (
      p.group === "" &&
      p.plural === "serviceaccounts" &&
      p.subresource === "token" &&
      method === "POST" &&
      !p.virtualWorkspace
    ) {
      const cluster = state.cluster(p.cluster);
      if (!cluster) throw new StatusError(403, "Forbidden", `access to workspace ${p.cluster} denied`);
      resolveScope(state, user, p, "create");
      return sendJson(res, 201, tokenRequest(state, cluster, p.namespace ?? "default", p.name!, body));
    }

    const verb = verbOf(method, p, watch);
    const scope = resolveScope(state, user, p, verb);
    if (p.subresource && !(p.subresource === "status" && scope.resource.statusSubresource)) {
      throw new StatusError(404, "NotFound", "the server could not find the requested resource");
    }
    const namespace = scope.resource.namespaced ? p.namespace : undefined;
    if (method === "GET") {
      if (watch) return serveWatch(state, scope, namespace, query, res, watches);
      if (!p.name) return sendJson(res, 200, listObjects(state, scope, namespace, query));
      if (!scope.cluster)
        throw new StatusError(404, "NotFound", "the server could not find the requested resource");
      const address = {
        cluster: scope.cluster.id,
        resource: resourceKey(scope.resource),
        namespace: namespace ?? "",
        name: p.name,
      };
      const obj = state.store.get(address);
      if (!obj || !scope.visible(address, obj)) {
        throw new StatusError(404, "NotFound", `${qualifiedName(scope.resource)} "${p.name}" not found`, {
          name: p.name,
          group: scope.resource.group,
          kind: scope.resource.plural,
        });
      }
      return sendJson(res, 200, present(address, obj));
    }
    const w: WriteRequest = {
      scope,
      namespace,
      name: p.name,
      subresource: p.subresource,
      body,
      contentType: String(req.headers["content-type"] ?? "application/json"),
      query,
    };
    const manager = query.get("fieldManager") ?? undefined;
    const dryRun = query.get("dryRun") === "All";
    if (!scope.cluster)
      throw new StatusError(405, "MethodNotAllowed", "writes need one workspace, not /clusters/*");
    const at = (o: { metadata: { namespace?: string; name?: string } }) => ({
      cluster: scope.cluster!.id,
      resource: resourceKey(scope.resource),
      namespace: o.metadata.namespace ?? "",
      name: o.metadata.name ?? "",
    });
    let out: KubeObject;
    let code = 200;
    if (method === "POST" && !p.name) {
      out = createObject(state, w, manager ?? userAgentManager(req), dryRun);
      code = 201;
    } else if (method === "PUT" && p.name)
      out = updateObject(state, w, manager ?? userAgentManager(req), dryRun);
    else if (method === "PATCH" && p.name)
      out = patchObject(
        state,
        w,
        manager ?? (w.contentType.startsWith("application/apply-patch") ? undefined : userAgentManager(req)),
        dryRun,
      );
    else if (method === "DELETE" && p.name) out = deleteObject(state, w, dryRun);
    else throw new StatusError(405, "MethodNotAllowed", `${method} is not supported here`);
    if (!dryRun) settle(state);
    return sendJson(res, code, present(at(out), out));
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof StatusError) return sendStatus(res, err);
    sendStatus(res, new StatusError(500, "InternalError", `fake kcp: ${(err as Error).message}`));
  }
}

function userAgentManager(req: IncomingMessage): string {
  return String(req.headers["user-agent"] ?? "unknown").split("/")[0] || "unknown";
}

function discoveryOfExport(state: FakeState, user: User, p: Parameters<typeof resolveScope>[2]) {
  const vw = p.virtualWorkspace!;
  const exportCluster = state.cluster(vw.cluster);
  if (!exportCluster) return [];
  // The caller needs the export's content rights, as for any other request there.
  resolveScope(
    state,
    user,
    { ...p, group: "apis.kcp.io", version: "v1alpha2", plural: "apibindings" },
    "list",
  );
  const bindings = BUILTIN_RESOURCES.filter((r) => r.plural === "apibindings");
  return [...state.exportResources(exportCluster.id, vw.exportName), ...bindings];
}
