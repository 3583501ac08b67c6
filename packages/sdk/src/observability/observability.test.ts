import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { startHealthServer } from "./health-server.js";
import { REDACT_PATHS } from "./logger.js";
import { RuntimeMetrics } from "./metrics.js";

describe("log redaction", () => {
  it("censors Secret data, tokens and auth headers wherever an object is logged", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } }, sink);
    const secret = {
      kind: "Secret",
      metadata: { name: "db" },
      data: { password: "c2VjcmV0" },
      stringData: { p: "x" },
    };
    log.info(
      { object: secret, token: "abc", request: { headers: { authorization: "Bearer abc" } } },
      "reconcile failed",
    );
    log.info(secret, "top-level secret");
    const text = lines.join("");
    expect(text).not.toContain("c2VjcmV0");
    expect(text).not.toContain("abc");
    expect(text).toContain('"name":"db"');
    expect(text.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(5);
  });
});

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
