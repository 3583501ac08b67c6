import { describe, expect, it } from "vitest";
import { startHealthServer } from "./health-server.js";
import { RuntimeMetrics } from "./metrics.js";

describe("health server", () => {
  it("serves metrics, healthz and a readyz that lists what is not ready", async () => {
    const metrics = new RuntimeMetrics();
    metrics.reconcileTotal.inc({ controller: "widgets", result: "success", workspace: "abc" });
    let synced = false;
    const server = await startHealthServer({
      port: 0,
      registry: metrics.registry,
      readiness: { "cache-sync": () => (synced ? undefined : "widgets not synced") },
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const m = await fetch(`${base}/metrics`);
      expect(await m.text()).toContain(
        'controller_runtime_reconcile_total{controller="widgets",result="success",workspace="abc"} 1',
      );
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toContain("[-]cache-sync failed: widgets not synced");
      synced = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
