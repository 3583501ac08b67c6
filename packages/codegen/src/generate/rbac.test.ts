import {
  defineApi,
  type PermissionClaimDefinition,
  providerContentVerbs,
  providerIdentityRules,
  RUNTIME_CONTENT_VERBS,
} from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import widgetsApi, { Widget } from "../../testdata/widgets-api.js";
import { buildProviderRole } from "./rbac.js";

const api = (permissionClaims?: PermissionClaimDefinition[]) =>
  defineApi({
    name: "widgets.example.io",
    resources: [Widget],
    ...(permissionClaims && { permissionClaims }),
  });

type Rule = { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] };
const rules = (a: ReturnType<typeof api>) => buildProviderRole(a).rules as Rule[];
const contentRule = (a: ReturnType<typeof api>) =>
  rules(a).find((r) => r.resources.includes("apiexports/content"))!;

describe("provider role", () => {
  it("grants the runtime's verbs on the export's content and nothing more without claims", () => {
    expect(RUNTIME_CONTENT_VERBS).toEqual(["get", "list", "watch", "patch"]);
    expect(contentRule(api())).toEqual({
      apiGroups: ["apis.kcp.io"],
      resources: ["apiexports/content"],
      resourceNames: ["widgets.example.io"],
      verbs: ["get", "list", "watch", "patch"],
    });
  });

  it("never grants create, update, delete or deletecollection unless a claim declares it", () => {
    const verbs = contentRule(api([{ group: "", resource: "configmaps", verbs: ["get", "list"] }])).verbs;
    for (const v of ["create", "update", "delete", "deletecollection", "*"]) expect(verbs).not.toContain(v);
  });

  it("adds the claims' verbs, each once, in Kubernetes' order", () => {
    const a = api([
      { group: "", resource: "secrets", verbs: ["update", "get", "create"] },
      { group: "", resource: "configmaps", verbs: ["delete", "get", "escalate", "approve"] },
    ]);
    expect(providerContentVerbs(a)).toEqual([
      "get",
      "list",
      "watch",
      "create",
      "update",
      "patch",
      "delete",
      "approve",
      "escalate",
    ]);
    // The same claims in another order give the same role.
    const b = api([
      { group: "", resource: "configmaps", verbs: ["approve", "escalate", "get", "delete"] },
      { group: "", resource: "secrets", verbs: ["create", "get", "update"] },
    ]);
    expect(buildProviderRole(b)).toEqual(buildProviderRole(a));
  });

  it("is all verbs when a claim asks for all", () => {
    expect(providerContentVerbs(api([{ group: "", resource: "secrets", verbs: ["*"] }]))).toEqual(["*"]);
  });

  it("keeps the endpoint-slice rule and only the lease verbs leader election uses", () => {
    expect(rules(widgetsApi)).toEqual([
      { apiGroups: ["apis.kcp.io"], resources: ["apiexportendpointslices"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: ["apis.kcp.io"],
        resources: ["apiexports/content"],
        resourceNames: ["widgets.example.io"],
        // widgets claims secrets get, create, update.
        verbs: ["get", "list", "watch", "create", "update", "patch"],
      },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        verbs: ["get", "list", "create", "update"],
      },
    ]);
  });

  it("gives, from an export name alone, the same rules without claims' verbs", () => {
    expect(providerIdentityRules("widgets.example.io")).toEqual(rules(api()));
  });
});
