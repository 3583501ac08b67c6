import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient, Store, WatchStats, watch } from "@kcp-mesh/sdk";
import {
  apply,
  createServiceAccountIdentity,
  freePorts,
  type KcpInstance,
  providerIdentityRules,
  startKcp,
  type WorkspaceRef,
} from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import type { Subscription } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupThings, THINGS, THINGS_EXPORT, thing } from "../support/things.js";
import { eventually, freshList } from "./support.js";

// kcp goes away and comes back on the same data and port: the stream must recover by itself.
describe("watch() across a kcp restart", () => {
  const rootDir = mkdtempSync(join(tmpdir(), "kcp-restart-"));
  let kcp: KcpInstance;
  let port: number;
  let consumers: WorkspaceRef[];
  let vwUrl: string;
  const subs: Subscription[] = [];

  beforeAll(async () => {
    [port] = (await freePorts(1)) as [number];
    kcp = await startKcp({ rootDir, port });
    // A fresh kcp may answer 404 for a workspace that just turned Ready: retry the (idempotent) setup.
    for (let attempt = 1; ; attempt++) {
      try {
        ({ consumers, vwUrl } = await setupThings(kcp.admin(), "root:rt-restart", ["c1", "c2"]));
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  });

  afterAll(async () => {
    for (const s of subs) s.unsubscribe();
    await kcp?.stop();
  });

  it("recovers after kcp is stopped and started again", { timeout: 600_000 }, async () => {
    const root = kcp.admin();
    const [c1, c2] = consumers as [WorkspaceRef, WorkspaceRef];
    await apply(root.forWorkspace(c1.path), [thing("before", "red")]);
    // A service account token, as a provider runs with: kcp's admin token changes on restart, a
    // service account token (signed with a key kept in the root directory) does not.
    const identity = await createServiceAccountIdentity(root.forWorkspace("root:rt-restart:provider"), {
      name: "restart-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
    const providerClient = KubeClient.fromKubeConfig({ yaml: identity.kubeconfig });
    const stats = new WatchStats();
    const store = new Store();
    subs.push(
      store.connect(
        watch(THINGS, {
          source: { client: providerClient, exportName: THINGS_EXPORT },
          stats,
          backoff: { initialMs: 200, maxMs: 2000 },
          // RT_LOG=debug shows what the runtime does while kcp is away.
          logger: pino({ level: process.env.RT_LOG ?? "silent" }, pino.destination(2)),
        }),
      ),
    );
    await store.waitForSync({ timeoutMs: 60_000 });
    expect(store.list().map((i) => i.name)).toEqual(["before"]);

    await kcp.stop();
    await eventually(() => stats.restarts >= 2, 30_000, "watch restarts noticed");
    kcp = await startKcp({ rootDir, port });
    const admin = kcp.admin();
    await apply(admin.forWorkspace(c2.path), [thing("after", "blue")]);
    await eventually(
      () => store.get({ workspace: c2.id, namespace: "default", name: "after" }) !== undefined,
      120_000,
      "object written after the restart",
    );
    const fresh = await freshList(admin.withBaseUrl(vwUrl));
    expect(new Map(store.list().map((i) => [i.key, i.resourceVersion]))).toEqual(fresh);
    process.stderr.write(`[restart] restarts ${JSON.stringify(stats.byReason())}\n`);
  });
});
