import { readFileSync } from "node:fs";
import { type KubeClient, Store, watch } from "@kcp-mesh/sdk";
import { apply, bindExport, createWorkspace, type WorkspaceRef } from "@kcp-mesh/sdk/testing";
import type { Subscription } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { eventually } from "./support.js";

const EXPORT = "claims.example.io";
const SECRETS = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };

// Claimed resources (Secrets under a `secrets` permission claim) are watched like the export's own.
describe("watch() of a claimed resource on real kcp", () => {
  const base = `root:rt-${uniqueSuffix()}`;
  const root = adminClient();
  let provider: KubeClient;
  let consumers: WorkspaceRef[];
  const subs: Subscription[] = [];

  beforeAll(async () => {
    const p = await createWorkspace(root, `${base}:provider`);
    provider = root.forWorkspace(p.path);
    await apply(provider, readFileSync(new URL("./fixtures/claims-provider.yaml", import.meta.url), "utf8"));
    consumers = [];
    for (const name of ["c1", "c2"]) {
      const c = await createWorkspace(root, `${base}:${name}`);
      await bindExport(
        root.forWorkspace(c.path),
        { path: p.path, name: EXPORT },
        { acceptClaims: [{ group: "", resource: "secrets", verbs: ["get", "list", "watch"] }] },
      );
      await apply(root.forWorkspace(c.path), [
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "creds", namespace: "default" },
          stringData: { k: name },
        },
      ]);
      consumers.push(c);
    }
  });

  afterAll(() => {
    for (const s of subs) s.unsubscribe();
    root.close();
  });

  it("streams the consumers' secrets, keyed by workspace", async () => {
    const store = new Store();
    subs.push(store.connect(watch(SECRETS, { source: { client: provider, exportName: EXPORT } })));
    await store.waitForSync({ timeoutMs: 60_000 });
    await eventually(() =>
      consumers.every((c) => store.get({ workspace: c.id, namespace: "default", name: "creds" })),
    );
    for (const c of consumers) {
      const item = store.get({ workspace: c.id, namespace: "default", name: "creds" })!;
      expect(Buffer.from((item.object.data as { k: string }).k, "base64").toString()).toBe(
        c.path.split(":").pop(),
      );
    }
    // Nothing but the bound workspaces' secrets.
    expect(new Set(store.workspaces())).toEqual(new Set(consumers.map((c) => c.id)));
  });
});
