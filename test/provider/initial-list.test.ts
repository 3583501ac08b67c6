import { createProvider, type KubeObject } from "@kcp-mesh/sdk";
import { apply, createServiceAccountIdentity, providerIdentityRules, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_API, THINGS_EXPORT, thing } from "../support/things.js";
import { Thing } from "../support/things-api.js";

// Objects that exist before the provider starts arrive in a paginated list that the store swaps in
// at its end: every one of them must be reconciled, not only the ones of the last page.
describe("a provider started on existing objects", () => {
  const root = adminClient();
  afterAll(() => root.close());

  it("reconciles every object of a multi-page initial list", async () => {
    const setup = await setupThings(root, `root:init-${uniqueSuffix()}`, ["a", "b", "c"]);
    for (const c of setup.consumers) {
      await apply(
        root.forWorkspace(c.path),
        Array.from({ length: 10 }, (_, i) => thing(`t${i}`, "red")),
      );
    }
    const identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "things-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
    const provider = createProvider({
      kubeconfig: { yaml: identity.kubeconfig },
      export: THINGS_EXPORT,
      logger: pino({ level: "silent" }),
      handleSignals: false,
      watch: { pageSize: 4 }, // 30 objects: 8 pages
    });
    provider.reconcile(Thing, async () => ({ status: { phase: "Ready" } }));
    await provider.start();
    try {
      await waitFor("all 30 Things reconciled", async () => {
        let done = 0;
        for (const c of setup.consumers) {
          const list = await root
            .forWorkspace(c.path)
            .request<{ items: (KubeObject & { status?: { phase?: string } })[] }>({
              path: `${THINGS_API}/things`,
            });
          done += list.items.filter((t) => t.status?.phase === "Ready").length;
        }
        return done === 30 ? done : undefined;
      });
      expect(provider.store(Thing).size).toBe(30);
    } finally {
      await provider.stop();
    }
  });
});
