import { resolve } from "node:path";
import { KubeClient } from "@kcp-mesh/sdk";
import {
  bootstrapProviderWorkspace,
  createServiceAccountIdentity,
  createWorkspace,
} from "@kcp-mesh/sdk/testing";
import { afterAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

// What bootstrapProviderWorkspace says when the provider workspace or its kubeconfig cannot take
// everything: on real kcp, without Platform Mesh's API, and with a kubeconfig short of rights.

const DEPLOY = resolve(import.meta.dirname, "../../examples/database/deploy");
const EXPORT = "databases.examples.kcp-mesh.io";

describe("bootstrapProviderWorkspace, short of APIs or rights", () => {
  const base = `root:pm-limits-${uniqueSuffix()}`;
  const root = adminClient();
  const clients: KubeClient[] = [];
  const asIdentity = (kubeconfig: string) => {
    const c = KubeClient.fromKubeConfig({ yaml: kubeconfig });
    clients.push(c);
    return c;
  };

  afterAll(() => {
    for (const c of clients) c.close();
    root.close();
  });

  it("applies the rest and reports the Marketplace objects a plain kcp does not serve", async () => {
    const ws = await createWorkspace(root, `${base}:plain`);
    const secret = await createServiceAccountIdentity(root.forWorkspace(ws.path), {
      name: "provider-admin",
      clusterRoles: ["cluster-admin"],
    });
    const lines: string[] = [];
    const done = await bootstrapProviderWorkspace(asIdentity(secret.kubeconfig), {
      deployDir: DEPLOY,
      identityName: "database-provider",
      onProgress: (l) => lines.push(l),
    });
    const reason =
      "ui.platform-mesh.io/v1alpha1 is not served in this workspace; Platform Mesh binds ui.platform-mesh.io into provider workspaces, a plain kcp does not serve it";
    expect(done.skipped).toEqual([
      { object: `ContentConfiguration ${EXPORT}-ui`, reason },
      { object: `ProviderMetadata ${EXPORT}`, reason },
    ]);
    expect(lines).toEqual(done.skipped.map((s) => `not applied: ${s.object}: ${s.reason}`));
    expect(done.applied.map((o) => o.kind)).toContain("APIExport");
    expect(done.identityHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("stops, naming each object, when the kubeconfig may not write what the provider needs", async () => {
    const ws = await createWorkspace(root, `${base}:read-only`);
    // A kubeconfig that may read everything there and write nothing.
    const viewer = await createServiceAccountIdentity(root.forWorkspace(ws.path), {
      name: "viewer",
      rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["get", "list", "watch"] }],
    });
    const err = await bootstrapProviderWorkspace(asIdentity(viewer.kubeconfig), {
      deployDir: DEPLOY,
      identityName: "database-provider",
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      new RegExp(`^could not set up the provider in ${base}:read-only; the provider needs these objects:\\n`),
    );
    for (const object of [
      "APIResourceSchema v1alpha1-",
      `APIExport ${EXPORT}: forbidden with this kubeconfig's rights in ${base}:read-only`,
      `ClusterRole ${EXPORT}:provider: forbidden`,
      `ClusterRole ${EXPORT}:bind: forbidden`,
    ])
      expect(err?.message).toContain(`  ${object}`);
  });
});
