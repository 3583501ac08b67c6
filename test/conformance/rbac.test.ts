import { KubeApiError, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { createServiceAccountIdentity, waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT, WIDGETS, type World, world } from "./world.js";

describe("conformance: identities and RBAC", () => {
  let w: World;
  let asProvider: KubeClient;
  beforeAll(async () => {
    w = await world("crbac", 1);
    const identity = await createServiceAccountIdentity(w.ws(w.provider), {
      name: "conformance-provider",
      rules: [
        {
          apiGroups: ["apis.kcp.io"],
          resources: ["apiexportendpointslices"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["apis.kcp.io"],
          resources: ["apiexports/content"],
          resourceNames: [EXPORT],
          verbs: ["get", "list", "watch"],
        },
      ],
    });
    asProvider = KubeClient.fromKubeConfig({ yaml: identity.kubeconfig });
  });
  afterAll(() => {
    asProvider.close();
    w.root.close();
  });

  const status = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e: unknown) => (e instanceof KubeApiError ? e.status : -1),
    );

  it("lets a service account do what its roles grant, through the virtual workspace too", async () => {
    const slice = await asProvider.request<{ status: { endpoints: { url: string }[] } }>({
      path: `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${EXPORT}`,
    });
    expect(slice.status.endpoints.map((e) => e.url)).toEqual([w.vwUrl]);
    const list = await asProvider
      .withBaseUrl(w.vwUrl)
      .request<{ items: KubeObject[] }>({ path: `/clusters/*${WIDGETS}/widgets` });
    expect(Array.isArray(list.items)).toBe(true);
  });

  it("answers 403 for what the roles do not grant", async () => {
    expect(await status(asProvider.request({ path: "/apis/apis.kcp.io/v1alpha1/apiresourceschemas" }))).toBe(
      403,
    );
    expect(await status(asProvider.request({ path: "/api/v1/namespaces/default/secrets" }))).toBe(403);
    const consumer = w.consumers[0]!;
    expect(
      await status(
        asProvider.withBaseUrl(w.vwUrl).request({
          method: "POST",
          path: `/clusters/${consumer.id}${WIDGETS}/namespaces/default/widgets`,
          body: {
            apiVersion: "conformance.example.io/v1alpha1",
            kind: "Widget",
            metadata: { name: "denied" },
            spec: { size: "small" },
          },
        }),
      ),
    ).toBe(403);
  });

  it("answers SelfSubjectAccessReviews by the same rules", async () => {
    const review = (verb: string) =>
      asProvider.request<{ status: { allowed: boolean } }>({
        method: "POST",
        path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: {
            resourceAttributes: {
              group: "apis.kcp.io",
              resource: "apiexports",
              subresource: "content",
              name: EXPORT,
              verb,
            },
          },
        },
      });
    expect((await review("list")).status.allowed).toBe(true);
    expect((await review("patch")).status.allowed).toBe(false);
  });

  it("answers 401 for an unknown token", async () => {
    const stranger = KubeClient.fromKubeConfig({
      yaml: asProvider.kubeConfig.exportConfig().replace(/"token":\s*"[^"]+"/, '"token":"not-a-token"'),
    });
    try {
      expect(
        await status(
          stranger.request({ path: `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${EXPORT}` }),
        ),
      ).toBe(401);
    } finally {
      stranger.close();
    }
  });

  it("refuses the token of a deleted service account with 401", async () => {
    const temp = await createServiceAccountIdentity(w.ws(w.provider), {
      name: "short-lived",
      rules: [{ apiGroups: ["apis.kcp.io"], resources: ["apiexportendpointslices"], verbs: ["get"] }],
    });
    const client = KubeClient.fromKubeConfig({ yaml: temp.kubeconfig });
    try {
      const slice = `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${EXPORT}`;
      expect(await status(client.request({ path: slice }))).toBe(200);
      await w
        .ws(w.provider)
        .request({ method: "DELETE", path: "/api/v1/namespaces/default/serviceaccounts/short-lived" });
      await waitFor(
        "the token to be refused",
        async () => ((await status(client.request({ path: slice }))) === 401 ? true : undefined),
        {
          timeoutMs: 60_000,
        },
      );
    } finally {
      client.close();
    }
  });
});
